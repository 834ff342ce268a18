import supertest from 'supertest';
import { createGovFlow, type GovFlow } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { freshDatabaseUrl } from './database';

export const PASSWORD = 'GovFlow@2026';

export interface TestApp {
  gf: GovFlow;
  api: ReturnType<typeof supertest>;
  /** a bearer token for a seeded user (cached per app) */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

/** A real GovFlow on a fresh database, seeded with the demo organisation. */
export async function startTestApp(env: Record<string, string> = {}, overrides: Partial<Config> = {}): Promise<TestApp> {
  const config = { ...loadConfig({ ...process.env, DATABASE_URL: await freshDatabaseUrl(), SEED_PASSWORD: PASSWORD, ...env }), ...overrides };
  const gf = await createGovFlow(config);
  await gf.seed();
  const api = supertest(gf.app);
  const tokens = new Map<string, string>();
  return {
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
  };
}
