import supertest from 'supertest';
import { createGovFlow, type GovFlow, type GovFlowOptions } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { freshDatabaseUrl } from './database';

export const PASSWORD = 'GovFlow@2026';

export interface TestApp {
  gf: GovFlow;
  api: ReturnType<typeof supertest>;
  /** a bearer token for a seeded user (cached per app) */
  token(username: string): Promise<string>;
  /** requests as a seeded user: `await t.as('sjj').get('/api/tasks')` */
  as(username: string): {
    get(url: string): Promise<supertest.Response>;
    post(url: string, body?: unknown): Promise<supertest.Response>;
    put(url: string, body?: unknown): Promise<supertest.Response>;
    delete(url: string): Promise<supertest.Response>;
  };
  close(): Promise<void>;
}

/** A real GovFlow on a fresh database, seeded with the demo organisation. */
export async function startTestApp(env: Record<string, string> = {}, overrides: Partial<Config> = {}, options: GovFlowOptions = {}): Promise<TestApp> {
  // env.DATABASE_URL: a database already in use (a restart on it); otherwise a fresh one (on MariaDB: dropped and recreated)
  const config = { ...loadConfig({ ...process.env, DATABASE_URL: env.DATABASE_URL ?? (await freshDatabaseUrl()), SEED_PASSWORD: PASSWORD, ...env }), ...overrides };
  const gf = await createGovFlow(config, options);
  await gf.seed();
  const api = supertest(gf.app);
  const tokens = new Map<string, string>();
  const self: TestApp = {
    gf,
    api,
    async token(username) {
      if (!tokens.has(username)) {
        const res = await api.post('/api/auth/token').send({ username, password: PASSWORD });
        if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
        tokens.set(username, res.body.token);
      }
      return tokens.get(username)!;
    },
    close: () => gf.close(),
    as(username: string) {
      const bearer = async () => `Bearer ${await this.token(username)}`;
      return {
        get: async (url: string) => api.get(url).set('Authorization', await bearer()),
        post: async (url: string, body?: unknown) => api.post(url).set('Authorization', await bearer()).send(body as object),
        put: async (url: string, body?: unknown) => api.put(url).set('Authorization', await bearer()).send(body as object),
        delete: async (url: string) => api.delete(url).set('Authorization', await bearer()),
      };
    },
  };
  return self;
}

/** supertest parser that keeps a binary body (zip, xlsx, a document) as one Buffer: `.buffer(true).parse(binary)` */
export const binary = (res: { on(e: string, f: (c?: Buffer) => void): void }, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c) => chunks.push(c!));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
