/**
 * npx tsx bench/profile-p1.ts [n]  — the P1 loop in-process (start → list → complete): instances/s, CPU and ms per
 * call; COUNT_SQL=1 counts the SQL per statement kind; under `node --cpu-prof -r tsx/cjs` a CPU profile. Source maps
 * are off as in `npm start` (SOURCE_MAPS=on keeps them). A developer's tool, not part of npm test.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';
import { benchDiagram, client, must, p1Instance, profilingDatabase, say, sqlCounter } from './profiling';

const XML = benchDiagram('XML');

async function main() {
  const n = Number(process.argv[2] ?? 200);
  const url = profilingDatabase();
  const sql = sqlCounter();
  const gf = await createGovFlow(loadConfig({ ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent', CLOCK: 'system' }), process.env.COUNT_SQL ? { sqlLogging: sql.logging } : {});
  await gf.seed();
  const server = http.createServer(gf.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = must(client(base));
  const admin = (await call('POST', '/api/auth/token', null, { username: 'admin', password: gf.config.seedPassword })).token;
  const sjj = (await call('POST', '/api/auth/token', null, { username: 'sjj', password: gf.config.seedPassword })).token;
  await call('POST', '/api/process-definitions', admin, { xml: XML });
  const { one, phase } = p1Instance(call, admin, sjj);
  for (let i = 0; i < 20; i++) await one(i);
  phase.fill(0);
  sql.counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await one(i);
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  say(`${n} instances in ${s.toFixed(2)} s: ${(n / s).toFixed(1)}/s, CPU ${((cpu.user + cpu.system) / 1000 / n).toFixed(1)} ms per instance`);
  say(`ms per call: start ${(phase[0] / n).toFixed(1)}, list ${(phase[1] / n).toFixed(1)}, complete ${(phase[2] / n).toFixed(1)}`);
  sql.report(n, 'instance');
  server.close();
  await gf.close();
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
