import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startTestApp, type TestApp } from '../support/app';

/**
 * Issue 13, design item 7: a tick of the scheduler drains what is due — a burst of notifications is
 * delivered in one tick, not 100 rows per interval (5 s), which capped delivery at 20 per second.
 */
describe('the scheduler drains a burst in one tick', function () {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(async () => t?.close());

  it('250 queued inbox messages are all delivered by one tick', async () => {
    const sequelize = t.gf.db.sequelize;
    const rows = Array.from({ length: 250 }, (_, i) => `('drain-${i}', 'inbox', '${JSON.stringify({ to: ['sjj'], kind: 'task', title: `通知 ${i}`, body: '测试' })}', ?, 0)`);
    await sequelize.query(`INSERT INTO outbox (dedupeKey, channel, payload, createdAt, attempts) VALUES ${rows.join(', ')}`, { replacements: rows.map(() => new Date()) });
    await t.gf.scheduler.tick();
    const [{ n }] = await sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM notifications WHERE dedupeKey LIKE 'drain-%'", { type: QueryTypes.SELECT });
    expect(Number(n)).to.equal(250);
    const [{ waiting }] = await sequelize.query<{ waiting: number }>("SELECT COUNT(*) AS waiting FROM outbox WHERE dedupeKey LIKE 'drain-%' AND sentAt IS NULL", { type: QueryTypes.SELECT });
    expect(Number(waiting)).to.equal(0);
  });
});
