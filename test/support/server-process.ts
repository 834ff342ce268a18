import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import supertest from 'supertest';
import { PASSWORD } from './app';

const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  api: ReturnType<typeof supertest>;
  token(username: string): Promise<string>;
  /** SIGKILL: no shutdown code runs */
  kill(): Promise<void>;
  /** SIGTERM: graceful stop */
  stop(): Promise<void>;
  /** what the process printed (its last 4,000 characters) and how it ended, for a failure message */
  describe(): string;
}

/** A real GovFlow server in its own OS process (`npm start`'s entry point), on the given database. */
export async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  // PORT=0: the system gives the process a port of its own, which it prints when it listens — a port chosen
  // here and handed over could be taken meanwhile by another server of a parallel run (and /healthz would
  // then be answered by that one)
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: '0', SEED_PASSWORD: PASSWORD, LOG_LEVEL: 'warn', CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '100', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000; // a loaded CI machine can take long to compile and migrate
  let port: number | null = null;
  while (port === null) {
    if (child.exitCode !== null) throw new Error(`server exited at start: ${output}`);
    const printed = /started: http:\/\/localhost:(\d+)\//.exec(output);
    if (printed) port = Number(printed[1]);
    else if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start: ${output}`);
    } else await new Promise((r) => setTimeout(r, 100));
  }
  const url = `http://127.0.0.1:${port}`;
  const api = supertest(url);
  expect((await api.get('/healthz')).status, `healthz of the server on port ${port}: ${output}`).to.equal(200);
  const tokens = new Map<string, string>();
  return {
    url,
    child,
    api,
    async token(username) {
      if (!tokens.has(username)) tokens.set(username, (await api.post('/api/auth/token').send({ username, password: PASSWORD })).body.token);
      return tokens.get(username)!;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
    describe: () => `server pid ${child.pid} exit ${child.exitCode ?? 'running'} signal ${child.signalCode ?? '-'}; output: ${output.slice(-4000)}`,
  };
}
