import { expect } from 'chai';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate } from '../../src/persistence/migrator';
import { initModels } from '../../src/persistence/models';
import { JobModel } from '../../src/persistence/models/runtime.model';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { freshDatabaseUrl } from '../support/database';

/**
 * A due job is consumed in the unit of work that runs it by one conditional DELETE (issue 13 item 3: no read
 * before it): only while the claim that took it still holds it — a lease that ran out and went to another
 * claim (another process) leaves the job to that claim, and the first run is skipped.
 */
describe('consuming a claimed job', () => {
  let db: Database;
  const repo = new RuntimeRepository();
  before(async () => {
    db = await openDatabase(await freshDatabaseUrl());
    await migrate(db.sequelize);
    initModels(db.sequelize);
  });
  after(() => db?.close());

  it('deletes the job for the claim that holds it, and for no other', async () => {
    const at = new Date('2027-01-04T08:00:00Z');
    const job = await JobModel.create({ type: 'timer', instanceId: 'inst-c', executionId: 'x', activityId: 'Wait', dueAt: at, payload: {}, lockedBy: 'node-b#7', lockedUntil: new Date(at.getTime() + 60_000), lastError: null, createdAt: at });
    await db.sequelize.transaction(async (t) => {
      expect(await repo.consumeJob(job.id, 'node-a#3', t), 'a claim whose lease went to another').to.equal(false);
    });
    expect(await JobModel.findByPk(job.id)).to.not.equal(null);
    await db.sequelize.transaction(async (t) => {
      expect(await repo.consumeJob(job.id, 'node-b#7', t)).to.equal(true);
      expect(await repo.consumeJob(job.id, 'node-b#7', t), 'already consumed').to.equal(false);
    });
    expect(await JobModel.findByPk(job.id)).to.equal(null);
  });

  it('a rolled-back unit of work leaves the job in place, still held by its claim', async () => {
    const at = new Date('2027-01-04T08:00:00Z');
    const job = await JobModel.create({ type: 'timer', instanceId: 'inst-d', executionId: 'y', activityId: 'Wait', dueAt: at, payload: {}, lockedBy: 'node-a#9', lockedUntil: new Date(at.getTime() + 60_000), lastError: null, createdAt: at });
    await db.sequelize
      .transaction(async (t) => {
        expect(await repo.consumeJob(job.id, 'node-a#9', t)).to.equal(true);
        throw new Error('the engine run failed');
      })
      .catch(() => undefined);
    expect((await JobModel.findByPk(job.id))?.lockedBy).to.equal('node-a#9');
  });

  it('a failed run releases the job only while its claim still holds it', async () => {
    const at = new Date('2027-01-04T08:00:00Z');
    const lease = new Date(at.getTime() + 60_000);
    const job = await JobModel.create({ type: 'timer', instanceId: 'inst-e', executionId: 'z', activityId: 'Wait', dueAt: at, payload: {}, lockedBy: 'node-b#2', lockedUntil: lease, lastError: null, createdAt: at });
    // node-a's lease ran out and node-b claimed the job: node-a's release after its failure leaves node-b's lease
    expect(await repo.releaseJob(job.id, { lockedUntil: new Date(at.getTime() + 10_000), attempts: 1, lastError: 'boom' }, 'node-a#1')).to.equal(false);
    const kept = await JobModel.findByPk(job.id);
    expect([kept?.lockedBy, kept?.lockedUntil?.getTime(), kept?.attempts, kept?.lastError]).to.deep.equal(['node-b#2', lease.getTime(), 0, null]);
    expect(await repo.releaseJob(job.id, { lockedUntil: new Date(at.getTime() + 10_000), attempts: 1, lastError: 'boom' }, 'node-b#2')).to.equal(true);
    const released = await JobModel.findByPk(job.id);
    expect([released?.lockedBy, released?.attempts, released?.lastError]).to.deep.equal([null, 1, 'boom']);
  });
});
