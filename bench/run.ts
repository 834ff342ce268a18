/**
 * npm run bench [-- --quick]   (issue 13: P1–P5 side by side, one table)
 * P1 the same diagram (start → user task → complete → end) on raw in-memory bpmn-engine and through the HTTP
 *    API with persistence, on SQLite and — with BENCH_DATABASE_URL (mysql://…) — on MySQL/MariaDB;
 *    prints `persisted/raw ratio: X` per database. The server is a process of its own (`src/main.ts`, as
 *    `npm start` runs it: the system clock, its scheduler delivering the outbox meanwhile), this one its client.
 * P2 task completions/s through the API with 1, 8 and 32 concurrent clients, errors (5xx / other) counted,
 *    against the same server process.
 * P3 `GET /api/tasks` p50/p95/p99 after a bulk fill: one real waiting instance is started through the API,
 *    then cloned by multi-row INSERTs into the real tables (process_instances, tasks, task_candidates,
 *    activity_history: the instance's own history rows padded to 10 per instance with ended rows).
 * P4 RSS of a real server process (`src/main.ts`) on the filled database after some work.
 * P5 (BENCH_DATABASE_URL only) two server processes on MySQL, N instances waiting at a timer, the shared
 *    manual clock moved past their due time: seconds until all fired, and how many fired exactly once.
 * `--only p3` (with or without --quick) runs the raw engine and P3 alone: the before/after of a task-list change;
 * `--only p4` the fill with P4 at each step (P3 at the last); `--only p5` the timers alone (BENCH_DATABASE_URL);
 * `--only p2` P1 and P2 alone. BENCH_P2_TASKS sets P2's completions per level; BENCH_SERVER_NODE_ARGS node's options
 * of the server processes (`--cpu-prof --cpu-prof-dir=/tmp/prof` profiles them).
 * Never part of `npm test`.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Engine } from 'bpmn-engine';
import { Sequelize, QueryTypes } from 'sequelize';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';
import { installSmqpFastPath, pauseSmqpFastPath } from '../src/engine/smqp-fast-path';
import { client, cpuMsOf, freshDatabase, must, serverProcess } from './profiling';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="benchDefinitions" targetNamespace="http://govflow.example/bench">
  <bpmn:process id="bench-approval" name="基准测试" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

const TIMER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="benchTimerDefinitions" targetNamespace="http://govflow.example/bench">
  <bpmn:process id="bench-timer" name="基准测试定时" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Wait" />
    <bpmn:intermediateCatchEvent id="Wait" name="等待">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="Wait" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

const quick = process.argv.includes('--quick');
const N = quick ? 100 : 300;
/** P2: tasks completed per concurrency level */
const P2_TASKS = Number(process.env.BENCH_P2_TASKS ?? (quick ? 400 : 1000));
/** P3/P4: waiting instances (open tasks) of the fill; history rows are 10 per instance */
const FILL_STEPS = quick ? [10_000] : [10_000, 100_000];
const HISTORY_PER_INSTANCE = 10;
const P3_CALLS = quick ? 30 : 100;
/** P3: one filled task in this many is offered to the finance bureau too (czj's list: few of many) */
const SELECTIVE = 100;
/** P5: due timers */
const P5_TIMERS = Number(process.env.BENCH_P5_TIMERS ?? (quick ? 300 : 10_000));
const P5_TIMEOUT_S = quick ? 180 : 900;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
const onlyP3 = only === 'p3';
/** --only p5: the timers alone (needs BENCH_DATABASE_URL) */
const onlyP5 = only === 'p5';
/** --only p4: the fill with P4 at each step (and P3 at the last), without P1 and P2 */
const onlyP4 = only === 'p4';
/** --only p2: P1 and P2 alone (without the fill, P3, P4 and P5) */
const onlyP2 = only === 'p2';
/** P1 and P2 skipped */
const fillOnly = onlyP3 || onlyP4;
if (only !== null && !onlyP2 && !onlyP3 && !onlyP4 && !onlyP5) throw new Error('--only takes p2, p3, p4 or p5');

/** the raw engine is measured over at least this many instances */
const RAW_MIN = 300;

async function raw(n: number): Promise<number> {
  // the best case for the raw engine: the diagram parsed once (our runtime caches its parse too)
  const moddleName: string = 'bpmn-moddle'; // ESM-only, untyped
  const { BpmnModdle } = (await import(moddleName)) as { BpmnModdle: new () => { fromXML(xml: string): Promise<unknown> } };
  const moddleContext = await new BpmnModdle().fromXML(XML);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const engine = new Engine({ name: `bench-${i}`, moddleContext: moddleContext as never });
    await new Promise<void>((resolve, reject) => {
      engine.once('end', () => resolve());
      engine.once('error', reject);
      engine.broker.subscribeTmp(
        'event',
        'activity.wait',
        (_routingKey, msg) => {
          const { id, executionId } = msg.content as { id: string; executionId: string };
          if (id === 'Review') engine.execution!.signal({ id, executionId, decision: 'approve' });
        },
        { noAck: true },
      );
      engine.execute({ variables: { n: i } }).catch(reject);
    });
  }
  return n / ((performance.now() - t0) / 1000);
}

/** runs `work(i)` for i in [0, n) on `concurrency` workers */
async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

interface TargetFigures {
  p1: number;
  p2: { clients: number; rate: number; fiveXX: number; other: number; serverCpuMs: number; clientCpuMs: number }[];
  p3: { tasks: number; history: number; fillS: number; p50: number; p95: number; p99: number; rows: number; few: { p50: number; p95: number; p99: number; rows: number } } | null;
  p4: { instances: number; rssMb: number }[];
}

/** Clones the waiting instance `instanceId` until `target` waiting instances of it exist (multi-row INSERTs). */
async function fill(sequelize: Sequelize, instanceId: string, from: number, target: number): Promise<void> {
  const qi = sequelize.getQueryInterface();
  const sel = (sql: string, bind: Record<string, unknown>) => sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT, bind });
  const plain = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v]));
  const [inst] = (await sel('SELECT * FROM process_instances WHERE id = $i', { i: instanceId })).map(plain);
  const [task] = (await sel('SELECT * FROM tasks WHERE instanceId = $i', { i: instanceId })).map(plain);
  const cands = (await sel('SELECT * FROM task_candidates WHERE taskId = $t', { t: task.id })).map(plain);
  const hist = (await sel('SELECT * FROM activity_history WHERE instanceId = $i ORDER BY id', { i: instanceId })).map(plain);
  const ended = hist.find((h) => h.endedAt !== null) ?? hist[0];
  const [{ m }] = await sel('SELECT MAX(id) AS m FROM tasks', {});
  let taskId = Number(m);
  const base = Date.now() - target * 1000;
  const BATCH = 500;
  for (let done = from; done < target; ) {
    const k = Math.min(BATCH, target - done);
    const insts: Record<string, unknown>[] = [];
    const tasks: Record<string, unknown>[] = [];
    const cs: Record<string, unknown>[] = [];
    const hs: Record<string, unknown>[] = [];
    for (let j = 0; j < k; j++, done++) {
      const id = randomUUID();
      const at = new Date(base + done * 1000);
      insts.push({ ...inst, id, businessKey: `BENCH-${done}`, startedAt: at, updatedAt: at });
      taskId++;
      // one task in SELECTIVE is offered to the finance bureau too: P3's second caller (czj) holds few of many
      const shared = done % SELECTIVE === 0;
      tasks.push({ ...task, id: taskId, instanceId: id, businessKey: `BENCH-${done}`, createdAt: at, ...(shared && { candidateGroups: JSON.stringify(['data-bureau', 'finance']) }) });
      for (const c of cands) cs.push({ ...c, taskId });
      if (shared) cs.push({ taskId, kind: 'group', value: 'finance' });
      for (const h of hist) hs.push({ ...h, id: undefined, instanceId: id, startedAt: at, endedAt: h.endedAt === null ? null : at });
      for (let x = hist.length; x < HISTORY_PER_INSTANCE; x++) hs.push({ ...ended, id: undefined, instanceId: id, executionId: `${String(ended.executionId)}-h${x}`, startedAt: at, endedAt: at });
    }
    for (const h of hs) delete h.id;
    await sequelize.transaction(async (transaction) => {
      await qi.bulkInsert('process_instances', insts, { transaction });
      await qi.bulkInsert('tasks', tasks, { transaction });
      await qi.bulkInsert('task_candidates', cs, { transaction });
      await qi.bulkInsert('activity_history', hs, { transaction });
    });
  }
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Signs admin and sjj in, deploys the bench diagram; `startOne` starts an instance and answers its waiting task. */
async function benchSession(call: ReturnType<typeof must>, seedPassword: string) {
  const token = async (username: string) => (await call('POST', '/api/auth/token', null, { username, password: seedPassword })).token as string;
  const admin = await token('admin');
  const sjj = await token('sjj');
  await call('POST', '/api/process-definitions', admin, { xml: XML });
  const startOne = async (i: number) => {
    const started = await call('POST', '/api/process-definitions/bench-approval/instances', admin, { variables: { n: i } });
    const [task] = await call('GET', `/api/tasks?processInstanceId=${started.id}`, sjj);
    return { instanceId: started.id as string, taskId: task.id as number };
  };
  return { token, admin, sjj, startOne };
}

async function target(name: string, databaseUrl: string): Promise<TargetFigures> {
  const say = (s: string) => process.stderr.write(`[${name}] ${s}\n`);
  await freshDatabase(databaseUrl);
  const seedPassword = loadConfig({ ...process.env, DATABASE_URL: databaseUrl }).seedPassword;

  // P1 and P2: a server process as `npm start` runs it — the system clock, its scheduler running (the outbox's
  // notification of every task delivered meanwhile, as in production) — and this process its client
  let p1 = 0;
  const p2: TargetFigures['p2'] = [];
  if (!fillOnly) {
    const proc = await serverProcess(databaseUrl, seedPassword, { CLOCK: 'system' });
    try {
      const call = must(proc.call);
      const { sjj, startOne } = await benchSession(call, seedPassword);
      // P1: sequential start → list → complete, after a warm-up
      for (let i = 0; i < 20; i++) await call('POST', `/api/tasks/${(await startOne(i)).taskId}/complete`, sjj, {});
      say(`P1: ${N} instances`);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const { taskId } = await startOne(i);
        const done = await call('POST', `/api/tasks/${taskId}/complete`, sjj, {});
        if (done.processInstance.state !== 'completed') throw new Error(`task ${taskId} did not complete its instance`);
      }
      p1 = N / ((performance.now() - t0) / 1000);

      // P2: open tasks made first (4 clients), then completed by 1, 8, 32 clients
      for (const clients of [1, 8, 32]) {
        say(`P2: ${P2_TASKS} completions, ${clients} clients`);
        const taskIds: number[] = [];
        await pool(P2_TASKS, 4, async (i) => void taskIds.push((await startOne(i)).taskId));
        let fiveXX = 0;
        let other = 0;
        let ok = 0;
        const t = performance.now();
        const serverCpu0 = cpuMsOf(proc.child.pid!);
        const clientCpu0 = process.cpuUsage();
        await pool(taskIds.length, clients, async (i) => {
          try {
            const r = await proc.call('POST', `/api/tasks/${taskIds[i]}/complete`, sjj, {});
            if (r.status >= 500) fiveXX++;
            else if (r.status >= 300) other++;
            else ok++;
          } catch {
            other++; // connection reset, timeout
          }
        });
        const rate = ok / ((performance.now() - t) / 1000);
        const clientCpu = process.cpuUsage(clientCpu0);
        const per = (ms: number) => ms / taskIds.length;
        p2.push({ clients, rate, fiveXX, other, serverCpuMs: per(cpuMsOf(proc.child.pid!) - serverCpu0), clientCpuMs: per((clientCpu.user + clientCpu.system) / 1000) });
      }
    } finally {
      await proc.stop();
    }
  }

  if (onlyP2) return { p1, p2, p3: null, p4: [] };
  // P3 and P4: the fill through this process's own GovFlow (bulk inserts into the real tables)
  const gf = await createGovFlow({ ...loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', CLOCK: 'system' }) });
  await gf.seed();
  const server = http.createServer(gf.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const call = must(client(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  const { token, sjj, startOne } = await benchSession(call, seedPassword);

  // P3 + P4: the fill, in steps; P4 at each step, P3 at the last
  const p4: TargetFigures['p4'] = [];
  let p3: TargetFigures['p3'] = null;
  const seed = await startOne(0);
  let have = 1;
  for (const step of onlyP3 ? FILL_STEPS.slice(-1) : FILL_STEPS) {
    say(`fill to ${step} waiting instances`);
    const tf = performance.now();
    await fill(gf.db.sequelize, seed.instanceId, have, step);
    const fillS = (performance.now() - tf) / 1000;
    have = step;
    if (step === FILL_STEPS[FILL_STEPS.length - 1]) {
      say(`P3: ${P3_CALLS} × GET /api/tasks as sjj (every task), then as czj (one in ${SELECTIVE})`);
      const czj = await token('czj');
      const timed = async (who: string) => {
        for (let w = 0; w < 3; w++) await call('GET', '/api/tasks', who);
        const times: number[] = [];
        let rows = 0;
        for (let c = 0; c < P3_CALLS; c++) {
          const t = performance.now();
          const list = await call('GET', '/api/tasks', who);
          times.push(performance.now() - t);
          rows = list.length;
        }
        times.sort((a, b) => a - b);
        return { p50: pct(times, 50), p95: pct(times, 95), p99: pct(times, 99), rows };
      };
      const all = await timed(sjj);
      p3 = { tasks: step, history: step * HISTORY_PER_INSTANCE, fillS, ...all, few: await timed(czj) };
    }
    if (onlyP3) continue;
    // P4: a fresh server process on the filled database, after some work
    say(`P4: server process with ${step} waiting instances`);
    const proc = await serverProcess(databaseUrl, seedPassword);
    try {
      const pc = must(proc.call);
      const pAdmin = (await pc('POST', '/api/auth/token', null, { username: 'admin', password: seedPassword })).token as string;
      const pSjj = (await pc('POST', '/api/auth/token', null, { username: 'sjj', password: seedPassword })).token as string;
      for (let i = 0; i < 20; i++) {
        const started = await pc('POST', '/api/process-definitions/bench-approval/instances', pAdmin, { variables: { n: i } });
        const [task] = await pc('GET', `/api/tasks?processInstanceId=${started.id}`, pSjj);
        await pc('POST', `/api/tasks/${task.id}/complete`, pSjj, {});
      }
      for (let i = 0; i < 5; i++) await pc('GET', '/api/tasks', pSjj);
      p4.push({ instances: step, rssMb: rssMb(proc.child.pid!) });
    } finally {
      await proc.stop();
    }
  }
  server.close();
  await gf.close();
  return { p1, p2, p3, p4 };
}

/** P5: two server processes on MySQL, P5_TIMERS instances waiting at a 1-hour timer, the shared clock moved 2 hours on */
async function timers(databaseUrl: string): Promise<{ n: number; seconds: number | null; fired: number; once: number; stalledAt: number | null }> {
  const say = (s: string) => process.stderr.write(`[P5] ${s}\n`);
  await freshDatabase(databaseUrl);
  const seedPassword = loadConfig({ ...process.env, DATABASE_URL: databaseUrl }).seedPassword;
  const a = await serverProcess(databaseUrl, seedPassword, { SCHEDULER_INTERVAL_MS: '100' });
  const b = await serverProcess(databaseUrl, seedPassword, { SCHEDULER_INTERVAL_MS: '100' });
  const db = new Sequelize(databaseUrl, { logging: false });
  try {
    const pa = must(a.call);
    const pb = must(b.call);
    const adminA = (await pa('POST', '/api/auth/token', null, { username: 'admin', password: seedPassword })).token as string;
    const adminB = (await pb('POST', '/api/auth/token', null, { username: 'admin', password: seedPassword })).token as string;
    await pa('POST', '/api/process-definitions', adminA, { xml: TIMER_XML });
    say(`starting ${P5_TIMERS} instances waiting at a timer`);
    await pool(P5_TIMERS, 8, async (i) => void (await (i % 2 ? pb : pa)('POST', '/api/process-definitions/bench-timer/instances', i % 2 ? adminB : adminA, { variables: { n: i } })));
    const [{ value }] = await db.query<{ value: string }>(`SELECT value FROM settings WHERE \`key\` = 'clock.now'`, { type: QueryTypes.SELECT });
    const moved = new Date(new Date(value).getTime() + 2 * 3600_000).toISOString();
    const count = async () => Number((await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM process_instances WHERE definitionKey = 'bench-timer' AND state = 'completed'`, { type: QueryTypes.SELECT }))[0].n);
    say('clock moved: waiting for the timers');
    const t0 = performance.now();
    await db.query(`UPDATE settings SET value = ? WHERE \`key\` = 'clock.now'`, { replacements: [moved] });
    let seconds: number | null = null;
    let last = -1;
    let lastChange = performance.now();
    let stalledAt: number | null = null;
    let lastSaid = t0;
    for (;;) {
      const n = await count();
      if (n >= P5_TIMERS) {
        seconds = (performance.now() - t0) / 1000;
        break;
      }
      if (n !== last) [last, lastChange] = [n, performance.now()];
      if (performance.now() - lastSaid >= 5000) {
        lastSaid = performance.now();
        say(`${((lastSaid - t0) / 1000).toFixed(0)} s: ${n} fired`);
      }
      if ((performance.now() - t0) / 1000 > P5_TIMEOUT_S || performance.now() - lastChange > 60_000) {
        stalledAt = n;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const fired = await count();
    const [{ once }] = await db.query<{ once: number }>(
      `SELECT COUNT(*) AS once FROM (SELECT h.instanceId FROM activity_history h JOIN process_instances i ON i.id = h.instanceId
       WHERE i.definitionKey = 'bench-timer' AND h.activityId = 'Wait' AND h.endedAt IS NOT NULL GROUP BY h.instanceId HAVING COUNT(*) = 1) x`,
      { type: QueryTypes.SELECT },
    );
    return { n: P5_TIMERS, seconds, fired, once: Number(once), stalledAt };
  } finally {
    await db.close();
    await a.stop();
    await b.stop();
  }
}

async function main() {
  // the in-process server runs as `npm start` does: without source maps (src/main.ts; SOURCE_MAPS=on keeps them)
  if (process.env.SOURCE_MAPS !== 'on') process.setSourceMapsEnabled(false);
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const started = new Date();
  // the raw engine as shipped (the goal's measure), then with the broker shortcuts GovFlow's runtime installs
  // (warmed up with 100 instances and measured over at least 300 — a second or two: with --quick's 30 after 20, the
  // raw figure spread from 128 to 322 instances/s between runs on this machine, and the ratio with it)
  pauseSmqpFastPath();
  await raw(100); // warm-up
  const rawRate = await raw(Math.max(N, RAW_MIN));
  installSmqpFastPath();
  await raw(100);
  const rawFastRate = await raw(Math.max(N, RAW_MIN));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govflow-bench-'));
  const targets: [string, string][] = [['sqlite', `sqlite:${path.join(dir, 'bench.db')}`]];
  if (process.env.BENCH_DATABASE_URL) targets.push(['mysql', process.env.BENCH_DATABASE_URL]);
  const figures: [string, TargetFigures][] = [];
  if (!onlyP5) for (const [name, url] of targets) figures.push([name, await target(name, url)]);
  else figures.push(['mysql', { p1: NaN, p2: [], p3: null, p4: [] }]);
  const p5 = process.env.BENCH_DATABASE_URL && !fillOnly && !onlyP2 ? await timers(process.env.BENCH_DATABASE_URL) : null;
  // BENCH_KEEP=1 keeps the SQLite database (and the MySQL one is never dropped at the end) for EXPLAIN by hand
  if (process.env.BENCH_KEEP === '1') process.stderr.write(`kept: ${dir}\n`);
  else fs.rmSync(dir, { recursive: true, force: true });

  const cols = ['raw', ...figures.map(([n]) => n)];
  const rows: [string, ...string[]][] = [];
  const row = (label: string, rawCell: string, f: (t: TargetFigures) => string) => rows.push([label, rawCell, ...figures.map(([, t]) => f(t))]);
  const onlyOne = fillOnly || onlyP5;
  if (!onlyOne) row('P1 instances/s (start → task → complete → end)', rawRate.toFixed(1), (t) => t.p1.toFixed(1));
  if (!onlyOne) row('P1 persisted/raw ratio (goal ≥ 0.5 SQLite, ≥ 0.3 MySQL)', '1', (t) => (t.p1 / rawRate).toFixed(3));
  if (!onlyOne) row('P1 raw engine with the broker shortcuts, instances/s; persisted / that', rawFastRate.toFixed(1), (t) => (t.p1 / rawFastRate).toFixed(3));
  for (const [i, clients] of (onlyOne ? [] : [1, 8, 32]).entries()) {
    row(`P2 completions/s, ${clients} client${clients > 1 ? 's' : ''} (goal ≥ 200)`, '–', (t) => t.p2[i].rate.toFixed(1));
    row(`P2 errors, ${clients} client${clients > 1 ? 's' : ''}: 5xx / other`, '–', (t) => `${t.p2[i].fiveXX} / ${t.p2[i].other}`);
    row(`P2 CPU ms per completion, ${clients} client${clients > 1 ? 's' : ''}: server / the bench's client`, '–', (t) => `${t.p2[i].serverCpuMs.toFixed(1)} / ${t.p2[i].clientCpuMs.toFixed(1)}`);
  }
  const p3 = figures[0]?.[1].p3;
  if (p3) {
    const size = `${p3.tasks.toLocaleString('en')} open tasks, ${p3.history.toLocaleString('en')} history rows`;
    row(`P3 GET /api/tasks p50 / p95 / p99 ms (${size}; goal p95 ≤ 50)`, '–', (t) => (t.p3 ? `${t.p3.p50.toFixed(0)} / ${t.p3.p95.toFixed(0)} / ${t.p3.p99.toFixed(0)}` : '–'));
    row('P3 rows in the answer / bulk fill seconds', '–', (t) => (t.p3 ? `${t.p3.rows} / ${t.p3.fillS.toFixed(0)}` : '–'));
    row(`P3 the same as czj (offered one task in ${SELECTIVE}): p50 / p95 / p99 ms, rows`, '–', (t) => (t.p3 ? `${t.p3.few.p50.toFixed(0)} / ${t.p3.few.p95.toFixed(0)} / ${t.p3.few.p99.toFixed(0)}, ${t.p3.few.rows}` : '–'));
  }
  for (const [i, step] of ((onlyOne && !onlyP4) || onlyP2 ? [] : FILL_STEPS).entries()) row(`P4 server RSS MB, ${step.toLocaleString('en')} waiting instances (goal ≤ 300 at 100k)`, '–', (t) => String(t.p4[i]?.rssMb ?? '–'));
  if (p5) {
    const cells = figures.map(([n]) => (n === 'mysql' ? (p5.seconds === null ? `stalled at ${p5.stalledAt}/${p5.n}` : p5.seconds.toFixed(1)) : '–'));
    rows.push([`P5 seconds for ${p5.n.toLocaleString('en')} due timers, 2 processes (goal ≤ 60 for 10,000)`, '–', ...cells]);
    rows.push([`P5 instances fired / fired exactly once (of ${p5.n.toLocaleString('en')})`, '–', ...figures.map(([n]) => (n === 'mysql' ? `${p5.fired} / ${p5.once}` : '–'))]);
  }
  out(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  out(`run: ${started.toISOString()}${quick ? ' (--quick)' : ''}; P1 ${N} instances per database; P2 ${P2_TASKS} completions per level`);
  out('raw: bpmn-engine as shipped, in this process (the ratio is against it); the shortcuts row: the same with src/engine/smqp-fast-path.ts, as the runtime runs it');
  out(`P3/P4 fill: one waiting instance started through the API, cloned by multi-row INSERTs into process_instances, tasks, task_candidates, activity_history (${HISTORY_PER_INSTANCE} history rows per instance); GET /api/tasks as sjj (candidate group data-bureau of every task) and as czj (finance, one task in ${SELECTIVE}), ${P3_CALLS} calls each after 3 warm-ups`);
  out(`P4: RSS of a fresh \`src/main.ts\` process on the filled database after 20 start+complete and 5 task lists`);
  if (p5) out(`P5: ${p5.n} instances waiting at a PT1H timer, two \`src/main.ts\` processes (SCHEDULER_INTERVAL_MS=100), the shared manual clock moved 2 h on`);
  out('');
  const widths = cols.map((_, i) => Math.max(cols[i].length, ...rows.map((r) => r[i + 1].length)));
  const labelW = Math.max(...rows.map((r) => r[0].length));
  out(`| ${''.padEnd(labelW)} | ${cols.map((c, i) => c.padStart(widths[i])).join(' | ')} |`);
  out(`|${'-'.repeat(labelW + 2)}|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
  for (const r of rows) out(`| ${r[0].padEnd(labelW)} | ${r.slice(1).map((c, i) => c.padStart(widths[i])).join(' | ')} |`);
  out('');
  if (!onlyOne) for (const [name, t] of figures) out(`persisted/raw ratio: ${(t.p1 / rawRate).toFixed(4)} (${name})`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
