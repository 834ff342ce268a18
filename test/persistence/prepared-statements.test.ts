import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { MAX_PREPARED_STATEMENTS_PER_CONNECTION } from '../../src/persistence/db';
import { JobModel, OutboxModel } from '../../src/persistence/models/runtime.model';
import { NotificationRepository } from '../../src/persistence/repositories/notification.repository';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { startTestApp, type TestApp } from '../support/app';
import { onMysql } from '../support/database';

/**
 * Issue 11, hole 12: every job and outbox claim used to splice its timestamps into the SQL text, so
 * mysql2 prepared (and kept) one more statement per call, until the server-wide limit
 * (max_prepared_stmt_count) was reached and every client of the database server failed. Claims are
 * one statement text with bound parameters, and each connection keeps at most
 * MAX_PREPARED_STATEMENTS_PER_CONNECTION statements (the oldest are closed).
 */
describe('MariaDB prepared statements stay bounded (issue 11, hole 12)', function () {
  let t: TestApp;
  before(async function () {
    if (!onMysql()) this.skip(); // SQLite has no server-side statement cache
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(async () => t?.close());

  const prepared = async () => {
    const [row] = await t.gf.db.sequelize.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'", { type: QueryTypes.SELECT });
    return Number(row.Value);
  };
  // the pool's connections, each with its cap, and a little room for other clients of the server
  const bound = () => 10 * MAX_PREPARED_STATEMENTS_PER_CONNECTION + 50;

  it('thousands of job and outbox claims (and releases) leave Prepared_stmt_count bounded', async () => {
    const jobs = new RuntimeRepository();
    const outbox = new NotificationRepository();
    const base = Date.parse('2027-01-04T08:00:00Z');
    const job = await JobModel.create({ type: 'timer', instanceId: 'no-such-instance', executionId: 'x', activityId: 'x', dueAt: new Date(base), payload: {}, lockedBy: null, lockedUntil: null, lastError: null, createdAt: new Date(base) });
    await OutboxModel.create({ dedupeKey: 'hole-12', channel: 'inbox', payload: { to: [] }, createdAt: new Date(base), sentAt: null, lockedUntil: null, lastError: null });
    const [row] = await outbox.unsent('inbox', new Date(base), 1);
    const start = await prepared();
    const N = 2000;
    for (let i = 0; i < N; i++) {
      const wall = new Date(base + i * 61_000 + (i % 997)); // a new timestamp every time
      expect(await jobs.claimJob(job.id, `worker-${i % 7}`, new Date(base + i * 1000), wall, 60_000)).to.equal(true);
      if (i % 2) await jobs.releaseJob(job.id, { lockedUntil: null, attempts: i, lastError: `attempt ${i}` });
      expect(await outbox.claim(row.id, wall, 60_000)).to.equal(true);
      if (i % 3 === 0) await outbox.markFailed(row.id, `failed ${i}`, new Date(wall.getTime() + 1));
    }
    const grown = (await prepared()) - start;
    expect(grown, `Prepared_stmt_count grew by ${grown} over ${N * 2} claims`).to.be.below(bound());
  });

  it('a statement text that changes with every call cannot exhaust the server: each connection keeps a capped number', async () => {
    const start = await prepared();
    // distinct texts with bound parameters: each is prepared by mysql2; only the newest few may stay open
    for (let i = 0; i < 1500; i++) {
      const [row] = await t.gf.db.sequelize.query<{ n: number }>(`SELECT $1 + ${i} AS n`, { bind: [1], type: QueryTypes.SELECT });
      expect(Number(row.n)).to.equal(i + 1);
    }
    const grown = (await prepared()) - start;
    expect(grown, `Prepared_stmt_count grew by ${grown} over 1500 distinct statements`).to.be.below(bound());
  });
});
