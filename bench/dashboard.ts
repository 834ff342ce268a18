/**
 * npm run bench:dashboard [-- --projects 10000]
 * The 监控 figures on a district's worth of data: N projects (10,000 by default) of the seeded units,
 * one in twenty classified, with a running instance and an open task each (one in five overdue) and
 * a completed review each; then GET /api/dashboard, GET /api/projects and GET /api/process-instances, each timed 20
 * times per reader — the data bureau (sees everything), the drc (every ordinary project) and a unit (its own) — on
 * SQLite and, with BENCH_DATABASE_URL (mysql://…), on MySQL/MariaDB. Prints p50 and p95 in ms.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';
import { ProjectModel } from '../src/persistence/models/project.model';
import { ActivityHistoryModel, ProcessInstanceModel, TaskCandidateModel, TaskModel } from '../src/persistence/models/runtime.model';

const arg = process.argv.indexOf('--projects');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 10_000;
const UNITS = ['rmyy', 'gaj', 'jyj', 'wjw'];

async function run(label: string, databaseUrl: string) {
  const gf = await createGovFlow({ ...loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', CLOCK: 'manual' }) });
  await gf.seed();
  const now = new Date('2026-11-04T02:00:00Z');
  await gf.clock.set(now);
  const t0 = performance.now();
  for (let from = 0; from < N; from += 500) {
    const batch = Array.from({ length: Math.min(500, N - from) }, (_, k) => from + k);
    const projects = await ProjectModel.bulkCreate(
      batch.map((n) => ({
        code: `GF-2027-B${String(n).padStart(6, '0')}`,
        name: `基准项目${n}`,
        unitCode: UNITS[n % UNITS.length],
        type: 'new',
        investment: 100_000 + (n % 50) * 10_000,
        planYear: 2026 + (n % 3),
        classified: n % 20 === 0,
        crossDepartment: false,
        participants: [],
        standaloneMobileApp: false,
        justification: null,
        scopeCategory: 'informatization',
        inAnnualPlan: true,
        outOfPlanCategory: null,
        existingSystems: [],
        description: '基准',
        stage: ['submitted', 'implementing', 'accepting', 'archived'][n % 4],
        budgeted: false,
        approvedAmount: n % 2 ? 90_000 : null,
        createdBy: 'rmyy',
        createdAt: now,
        updatedAt: now,
        submittedAt: now,
      })),
    );
    const instances = projects.map((p) => ({
      id: randomUUID(),
      definitionId: 1,
      definitionKey: 'application-approval',
      definitionVersion: 1,
      businessKey: p.code,
      projectId: p.id,
      parentInstanceId: null,
      parentExecutionId: null,
      state: 'running',
      engineState: null,
      engineVersion: null,
      variables: {},
      activeActivityIds: ['TechnicalReview'],
      revision: 1,
      startedBy: 'rmyy',
      startedAt: new Date(now.getTime() - 5 * 86_400_000),
      endedAt: null,
      updatedAt: now,
    }));
    await ProcessInstanceModel.bulkCreate(instances);
    const tasks = await TaskModel.bulkCreate(
      instances.map((i, k) => ({
        instanceId: i.id,
        executionId: `e-${i.id}`,
        activityId: 'TechnicalReview',
        name: '区数据局技术审核',
        definitionKey: 'application-approval',
        businessKey: i.businessKey,
        projectId: i.projectId,
        assignee: null,
        owner: null,
        candidateGroups: ['data-bureau'],
        candidateUsers: [],
        formId: null,
        formDefinitionId: null,
        input: {},
        properties: {},
        state: 'open',
        createdAt: i.startedAt,
        dueAt: new Date(now.getTime() + ((batch[k] % 5 === 0 ? -2 : 3) * 86_400_000)),
        followUpAt: null,
        completedAt: null,
        completedBy: null,
        result: null,
        revision: 1,
      })),
    );
    await TaskCandidateModel.bulkCreate(tasks.map((t) => ({ taskId: t.id, kind: 'group' as const, value: 'data-bureau' })));
    await ActivityHistoryModel.bulkCreate(
      instances.map((i) => ({ instanceId: i.id, executionId: `s-${i.id}`, activityId: 'SupervisorEndorsement', activityName: '主管部门扎口审核', activityType: 'bpmn:UserTask', startedAt: i.startedAt, endedAt: new Date(i.startedAt.getTime() + 2 * 86_400_000), actor: 'wjw', outcome: null })) as never,
    );
  }
  const loaded = performance.now() - t0;
  const server = http.createServer(gf.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = async (username: string) =>
    ((await (await fetch(`${base}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: gf.config.seedPassword }) })).json()) as { token: string }).token;
  for (const user of ['sjj', 'fgw', 'rmyy']) {
    const bearer = `Bearer ${await token(user)}`;
    // the dashboard, and the two lists whose 第5条 is a condition of their query (issue 13 item 6)
    for (const target of ['/api/dashboard', '/api/projects', '/api/process-instances']) {
      const times: number[] = [];
      let seen = 0;
      for (let i = 0; i < 20; i++) {
        const s = performance.now();
        const res = await fetch(`${base}${target}`, { headers: { authorization: bearer } });
        const body = (await res.json()) as { projectsByStage: { count: number }[] } | unknown[];
        times.push(performance.now() - s);
        seen = Array.isArray(body) ? body.length : body.projectsByStage.reduce((n, r) => n + r.count, 0);
      }
      times.sort((a, b) => a - b);
      const what = target === '/api/dashboard' ? 'projects counted' : 'rows listed';
      process.stdout.write(`${label}  ${user.padEnd(5)} ${target.padEnd(23)} ${String(seen).padStart(6)} ${what.padEnd(16)} p50 ${times[9].toFixed(0).padStart(4)} ms   p95 ${times[18].toFixed(0).padStart(4)} ms\n`);
    }
  }
  process.stdout.write(`${label}  (${N} projects, tasks and history rows loaded in ${(loaded / 1000).toFixed(1)} s)\n`);
  await new Promise((r) => server.close(r));
  await gf.close();
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govflow-bench-'));
  await run('sqlite', `sqlite:${path.join(dir, 'bench.db')}`);
  if (process.env.BENCH_DATABASE_URL) await run('mysql ', process.env.BENCH_DATABASE_URL);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
