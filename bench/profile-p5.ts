/**
 * npx tsx bench/profile-p5.ts [n]  — P5's timers in one process: n instances wait at a PT1H timer, the manual
 * clock moves 2 h on, `runDueJobs` fires them all; timers/s, CPU and wall ms per timer; COUNT_SQL=1 counts the
 * SQL per statement kind; PROFILE=<file.cpuprofile> writes a CPU profile of the firing only. BENCH_DATABASE_URL for MySQL. A developer's tool, not part of npm test.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import os from 'node:os';
import path from 'node:path';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';

const XML = fs.readFileSync(path.join(__dirname, 'run.ts'), 'utf8').match(/const TIMER_XML = `([\s\S]*?)`;/)![1];
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main() {
  if (process.env.SOURCE_MAPS !== 'on') process.setSourceMapsEnabled(false);
  const n = Number(process.argv[2] ?? 500);
  const url = process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gf-prof-')), 'p.db')}`;
  if (url.startsWith('mysql:')) {
    const { Sequelize } = await import('sequelize');
    const u = new URL(url);
    const name = u.pathname.slice(1);
    u.pathname = '/';
    const s = new Sequelize(u.toString(), { logging: false });
    await s.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await s.query(`CREATE DATABASE \`${name}\``);
    await s.close();
  }
  const counts = new Map<string, number>();
  let counting = false;
  const logging = (sql: string) => {
    if (!counting) return;
    const k = sql.replace(/^Executing \([^)]*\): /, '').replace(/'[^']*'/g, '?').replace(/\d+/g, 'N').slice(0, 90);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  };
  const gf = await createGovFlow(loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' }), process.env.COUNT_SQL ? { sqlLogging: logging } : {});
  await gf.seed();
  await gf.definitions.deploy({ xml: XML }, 'admin');
  for (let i = 0; i < n; i++) await gf.runtime.start('bench-timer', { variables: { n: i } }, 'admin');
  await gf.clock.set(new Date(gf.clock.now().getTime() + 2 * 3600_000));
  say('firing');
  const session = process.env.PROFILE ? new inspector.Session() : null;
  const post = (method: string, params?: object) => new Promise<{ profile?: unknown }>((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve((res ?? {}) as { profile?: unknown }))));
  if (session) {
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ran = 0;
  for (let r; (r = await gf.runtime.runDueJobs(500)); ) ran += r;
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (session) fs.writeFileSync(process.env.PROFILE!, JSON.stringify((await post('Profiler.stop')).profile));
  say(`${ran} timers in ${s.toFixed(2)} s: ${(ran / s).toFixed(1)}/s, CPU ${((cpu.user + cpu.system) / 1000 / ran).toFixed(1)} ms, wall ${((s * 1000) / ran).toFixed(1)} ms per timer`);
  if (counts.size) {
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    say(`${(total / ran).toFixed(1)} statements per timer`);
    for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 60)) say(`${(v / ran).toFixed(2).padStart(6)} ${k}`);
  }
  await gf.close();
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
