/**
 * npx tsx bench/profile-server-p1.ts [n]  — P1 as `npm run bench` measures it: a server process (`src/main.ts` with
 * `npm start`'s node options) and this process its client, start → list → complete one after the other; prints
 * instances/s, the wall ms of each call and the CPU ms per instance of the server (all its threads, from /proc) and of
 * the client. BENCH_DATABASE_URL for MySQL (that database is dropped and created again), else a new SQLite file;
 * BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server. A developer's tool, not part of
 * npm test.
 */
import fs from 'node:fs';
import { loadConfig } from '../src/config';
import { benchDiagram, cpuMsOf, freshDatabase, must, p1Instance, profilingDatabase, say, serverProcess, statCpuMs } from './profiling';

const XML = benchDiagram('XML');

/** CPU ms of each thread of a process (user + system, from /proc/<pid>/task), by thread id, with the thread's name */
function threadCpu(pid: number): Map<string, { name: string; ms: number }> {
  const out = new Map<string, { name: string; ms: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      out.set(tid, { name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ms: statCpuMs(stat) });
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

async function main() {
  const n = Number(process.argv[2] ?? 1000);
  const url = profilingDatabase();
  await freshDatabase(url);
  const seedPassword = loadConfig({ ...process.env, DATABASE_URL: url }).seedPassword;
  const proc = await serverProcess(url, seedPassword, { CLOCK: 'system' });
  try {
    const call = must(proc.call);
    const token = async (username: string) => (await call('POST', '/api/auth/token', null, { username, password: seedPassword })).token as string;
    const admin = await token('admin');
    const sjj = await token('sjj');
    await call('POST', '/api/process-definitions', admin, { xml: XML });
    const { one, phase } = p1Instance(call, admin, sjj);
    for (let i = 0; i < 100; i++) await one(i);
    phase.fill(0);
    const threads0 = threadCpu(proc.child.pid!);
    const server0 = cpuMsOf(proc.child.pid!);
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await one(i);
    const s = (performance.now() - t0) / 1000;
    const clientCpu = process.cpuUsage(client0);
    say(`${n} instances in ${s.toFixed(2)} s: ${(n / s).toFixed(1)}/s (${((s * 1000) / n).toFixed(2)} ms each)`);
    say(`ms per call: start ${(phase[0] / n).toFixed(2)}, list ${(phase[1] / n).toFixed(2)}, complete ${(phase[2] / n).toFixed(2)}`);
    say(`CPU ms per instance: server ${((cpuMsOf(proc.child.pid!) - server0) / n).toFixed(2)}, client ${((clientCpu.user + clientCpu.system) / 1000 / n).toFixed(2)}`);
    const threads = threadCpu(proc.child.pid!);
    const byName = new Map<string, number>();
    // threads by id (node names none of them; the main thread's id is the process's)
    for (const [tid, t] of threads) byName.set(tid === String(proc.child.pid) ? 'main' : `${t.name}-${tid}`, t.ms - (threads0.get(tid)?.ms ?? 0));
    const busy = [...byName].filter(([, ms]) => ms / n >= 0.05).sort((a, b) => b[1] - a[1]);
    say(`the server's threads, CPU ms per instance: ${busy.map(([name, ms]) => `${name} ${(ms / n).toFixed(2)}`).join(', ')}`);
  } finally {
    await proc.stop();
  }
}
main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
