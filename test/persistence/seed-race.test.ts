import { expect } from 'chai';
import { USERS } from '../../seed/organisation';
import { createGovFlow } from '../../src/app';
import { loadConfig } from '../../src/config';
import { UserModel } from '../../src/persistence/models/organisation.model';
import { ApplicationBatchModel } from '../../src/persistence/models/project.model';
import { PASSWORD } from '../support/app';
import { freshDatabaseUrl } from '../support/database';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * Issue 11, hole 7: two nodes starting together on an empty database both seed it; one used to exit
 * with "Validation error" (both created the same users, groups, definitions). Seeding is idempotent
 * under concurrency: a seed that meets another one's rows (a unique key, a deadlock) starts again and
 * finds them.
 */
describe('seeding an empty database from several nodes at once (issue 11, hole 7)', function () {
  this.timeout(300_000);

  it('three seeds at once on an empty database: all succeed, every user once, each process deployed once', async () => {
    for (let round = 0; round < 3; round++) {
      const gf = await createGovFlow(loadConfig({ ...process.env, DATABASE_URL: await freshDatabaseUrl(), SEED_PASSWORD: PASSWORD, CLOCK: 'manual' }));
      try {
        const results = await Promise.allSettled([gf.seed(), gf.seed(), gf.seed()]);
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        expect(failed, `round ${round}`).to.deep.equal([]);
        expect(results.reduce((n, r) => n + (r as PromiseFulfilledResult<{ created: number }>).value.created, 0)).to.equal(USERS.length);
        expect(await UserModel.count()).to.equal(USERS.length);
        // the demo's 申报批次 (第5条第（一）项), each once
        expect(await ApplicationBatchModel.count()).to.equal(5);
        const defs = await gf.definitions.list();
        const versions = new Map<string, number>();
        for (const d of defs as { key: string; version: number }[]) versions.set(d.key, Math.max(versions.get(d.key) ?? 0, d.version));
        expect([...versions.values()].every((v) => v === 1), JSON.stringify([...versions])).to.equal(true);
      } finally {
        await gf.close();
      }
    }
  });

  it('two server processes started together on an empty database both come up', async () => {
    const url = await freshDatabaseUrl();
    const servers: ServerProcess[] = [];
    try {
      const started = await Promise.allSettled([startServerProcess(url), startServerProcess(url)]);
      for (const s of started) if (s.status === 'fulfilled') servers.push(s.value);
      expect(started.filter((s) => s.status === 'rejected').map((s) => String((s as PromiseRejectedResult).reason).slice(0, 500))).to.deep.equal([]);
      for (const s of servers) expect((await s.api.post('/api/auth/token').send({ username: 'sjj', password: PASSWORD })).status).to.equal(200);
    } finally {
      for (const s of servers) await s.stop();
    }
  });
});
