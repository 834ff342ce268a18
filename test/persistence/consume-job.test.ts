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
});
