/**
 * npx tsx bench/profile-p5.ts [n]  — P5's timers in one process: n instances wait at a PT1H timer, the manual
 * clock moves 2 h on, `runDueJobs` fires them all; timers/s, CPU and wall ms per timer; COUNT_SQL=1 counts the
 * SQL per statement kind; PROFILE=<file.cpuprofile> writes a CPU profile of the firing only. BENCH_DATABASE_URL for MySQL. A developer's tool, not part of npm test.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';
import { benchDiagram, profilingDatabase, say, sqlCounter } from './profiling';

const XML = benchDiagram('TIMER_XML');

async function main() {
  const n = Number(process.argv[2] ?? 500);
  const url = profilingDatabase();
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
  const sql = sqlCounter();
  const gf = await createGovFlow(loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' }), process.env.COUNT_SQL ? { sqlLogging: sql.logging } : {});
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
  sql.counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ran = 0;
  for (let r; (r = await gf.runtime.runDueJobs(500)); ) ran += r;
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (session) fs.writeFileSync(process.env.PROFILE!, JSON.stringify((await post('Profiler.stop')).profile));
  say(`${ran} timers in ${s.toFixed(2)} s: ${(ran / s).toFixed(1)}/s, CPU ${((cpu.user + cpu.system) / 1000 / ran).toFixed(1)} ms, wall ${((s * 1000) / ran).toFixed(1)} ms per timer`);
  sql.report(ran, 'timer');
  await gf.close();
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
