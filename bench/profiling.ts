/** What the developer's profiling tools (bench/profile-*.ts) share: the bench's diagrams, and the SQL counter. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Sequelize } from 'sequelize';

/** A diagram of bench/run.ts by its constant's name (`XML`: P1's approval, `TIMER_XML`: P5's timer). */
export const benchDiagram = (constant: 'XML' | 'TIMER_XML') => fs.readFileSync(path.join(__dirname, 'run.ts'), 'utf8').match(new RegExp(`const ${constant} = \`([\\s\\S]*?)\`;`))![1];

/** node's options that `npm start` gives the server (package.json's start script: `tsx <options> src/main.ts`) */
export function startNodeOptions(): string[] {
  const start = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const m = /^tsx((?: --\S+)*) src\/main\.ts$/.exec(start);
  if (!m) throw new Error(`package.json's start script is not \`tsx [options] src/main.ts\`: ${start}`);
  return m[1].split(' ').filter(Boolean);
}

export const say = (line: string) => process.stdout.write(`${line}\n`);

/** BENCH_DATABASE_URL, or a new SQLite file; run as `npm start` runs (no source maps unless SOURCE_MAPS=on). */
export function profilingDatabase(): string {
  if (process.env.SOURCE_MAPS !== 'on') process.setSourceMapsEnabled(false);
  return process.env.BENCH_DATABASE_URL ?? `sqlite:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gf-prof-')), 'p.db')}`;
}

/** Counts the SQL statements by kind (values masked) while `counting`; `report(n)` prints them per unit of n. */
export function sqlCounter() {
  const counts = new Map<string, number>();
  const counter = {
    counting: false,
    logging: (sql: string) => {
      if (!counter.counting) return;
      const k = sql.replace(/^Executing \([^)]*\): /, '').replace(/(SAVEPOINT) `[^`]*`/, '$1 ?').replace(/'[^']*'/g, '?').replace(/\d+/g, 'N').slice(0, 90);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    },
    report(n: number, unit: string) {
      if (!counts.size) return;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      say(`${(total / n).toFixed(1)} statements per ${unit}`);
      for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 60)) say(`${(v / n).toFixed(2).padStart(6)} ${k}`);
    },
  };
  return counter;
}

/** a call to the server: its status and its body (parsed when JSON) */
export type Call = (method: string, url: string, token: string | null, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The bench's HTTP client: node's own http with connections kept alive (one agent per server). The bench's
 * clients share the machine's cores with the server they measure; undici's fetch took about 1 ms of CPU per
 * call here (session 27), so a lighter client leaves more of the cores to the server, as clients on other
 * machines would.
 */
export function client(base: string): Call {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (method, target, token, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers: http.OutgoingHttpHeaders = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      const req = http.request({ host: url.hostname, port: url.port, method, path: target, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: kept as text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
}

/** a call that must succeed: its body, or an error naming the call and its status */
export function must(call: Call): (method: string, url: string, token: string | null, body?: unknown) => Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return async (method, url, token, body) => {
    const r = await call(method, url, token, body);
    if (r.status >= 300) throw new Error(`${method} ${url} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
}

export interface Proc {
  child: ChildProcess;
  base: string;
  call: Call;
  stop(): Promise<void>;
}

/** a real server process (`npm start`'s entry point, with its node options) on PORT=0; the port is read from what it prints */
export async function serverProcess(databaseUrl: string, seedPassword: string, env: Record<string, string> = {}): Promise<Proc> {
  // BENCH_SERVER_NODE_ARGS: node's options for the server processes alone (`--cpu-prof --cpu-prof-dir=…` profiles them)
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...startNodeOptions(), ...nodeArgs, '--require', 'tsx/cjs', 'src/main.ts'], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', SEED_PASSWORD: seedPassword, LOG_LEVEL: 'warn', CLOCK: 'manual', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited at start: ${output}`);
    const printed = /started: http:\/\/localhost:(\d+)\//.exec(output);
    if (printed) {
      const base = `http://127.0.0.1:${printed[1]}`;
      return {
        child,
        base,
        call: client(base),
        async stop() {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU time (user + system) in ms of a /proc/…/stat text: of a process (all its threads) or of one thread */
export function statCpuMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU time (user + system, all threads) a process has used, in ms, from /proc */
export function cpuMsOf(pid: number): number {
  return statCpuMs(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * P1's instance as the profiling tools make it: start, list the task, complete — each call's wall ms added to `phase`
 * (start, list, complete); a completion that does not end the instance throws.
 */
export function p1Instance(call: ReturnType<typeof must>, admin: string, sjj: string) {
  const phase = [0, 0, 0];
  const one = async (i: number) => {
    let t = performance.now();
    const started = await call('POST', '/api/process-definitions/bench-approval/instances', admin, { variables: { n: i } });
    phase[0] += performance.now() - t;
    t = performance.now();
    const [task] = await call('GET', `/api/tasks?processInstanceId=${started.id}`, sjj);
    phase[1] += performance.now() - t;
    t = performance.now();
    const done = await call('POST', `/api/tasks/${task.id}/complete`, sjj, {});
    phase[2] += performance.now() - t;
    if (done.processInstance.state !== 'completed') throw new Error(`task ${task.id} did not complete its instance`);
  };
  return { one, phase };
}

/** A fresh, empty database: a new SQLite file, or the MySQL database of the URL dropped and created again. */
export async function freshDatabase(url: string): Promise<void> {
  if (!url.startsWith('mysql:')) return;
  const u = new URL(url);
  const name = u.pathname.replace(/^\//, '');
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`BENCH_DATABASE_URL needs a plain database name, got "${name}"`);
  const admin = new Sequelize({ dialect: 'mysql', host: u.hostname, port: Number(u.port || 3306), username: decodeURIComponent(u.username), password: decodeURIComponent(u.password), logging: false });
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.close();
}
