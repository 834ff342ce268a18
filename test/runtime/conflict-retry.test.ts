import { expect } from 'chai';
import { QueryTypes, type Transaction } from 'sequelize';
import { onMysql } from '../support/database';
import { startTestApp, type TestApp } from '../support/app';

/**
 * Issue 11, hole 8: on MariaDB a statement that meets another transaction's row lock fails with a
 * lock-wait timeout (or a deadlock). The outbox and job claims are single statements outside a unit of
 * work: they are run again, so the dev clock that already did its work never answers 500 and no
 * message is dropped. The app runs with DB_LOCK_WAIT_TIMEOUT=1 so a held lock times out quickly; the
 * test holds a real row lock in its own transaction for longer than one wait, then lets it go.
 */
describe('deadlocks and lock-wait timeouts are retried, never a 500 that hides committed work (issue 11, hole 8)', function () {
  let t: TestApp;

  before(async function () {
    if (!onMysql()) this.skip(); // row locks and lock-wait timeouts are MySQL's; SQLite writers queue (hole 13)
    t = await startTestApp({ CLOCK: 'manual', DB_LOCK_WAIT_TIMEOUT: '1' });
  });
  after(async () => t?.close());

  const sequelize = () => t.gf.db.sequelize;
  const queue = async (key: string) => {
    await sequelize().query('INSERT INTO outbox (dedupeKey, channel, payload, createdAt, attempts) VALUES (?, ?, ?, ?, 0)', {
      replacements: [key, 'inbox', JSON.stringify({ to: ['sjj'], kind: 'task', title: `通知 ${key}`, body: '测试' }), new Date()],
    });
    const [row] = await sequelize().query<{ id: number }>('SELECT id FROM outbox WHERE dedupeKey = ?', { replacements: [key], type: QueryTypes.SELECT });
    return row.id;
  };
  const delivered = async (key: string) =>
    sequelize().query<{ n: number }>('SELECT COUNT(*) AS n FROM notifications WHERE dedupeKey = ?', { replacements: [`${key}:sjj`], type: QueryTypes.SELECT });
  /** holds `lock` in a transaction of its own for ms, then ends it (commit or rollback) */
  const holding = async (lock: (tx: Transaction) => Promise<unknown>, ms: number, end: 'commit' | 'rollback' = 'commit') => {
    const tx = await sequelize().transaction();
    await lock(tx);
    return new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        tx[end]().then(resolve, reject);
      }, ms),
    );
  };
  const now = async () => (await t.as('admin').get('/api/dev/clock')).body.now as string;

  it('an outbox row locked by another transaction: POST /api/dev/clock answers 200 and the message is delivered once the lock goes', async () => {
    const key = `lock-claim-${Date.now()}`;
    const id = await queue(key);
    const released = holding((tx) => sequelize().query('SELECT id FROM outbox WHERE id = ? FOR UPDATE', { replacements: [id], transaction: tx }), 2500);
    const res = await t.as('admin').post('/api/dev/clock', { now: await now() });
    await released;
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((await delivered(key))[0].n).to.equal(1);
    const [row] = await sequelize().query<{ sentAt: Date | null }>('SELECT sentAt FROM outbox WHERE id = ?', { replacements: [id], type: QueryTypes.SELECT });
    expect(row.sentAt).to.not.equal(null);
  });

  it('an inbox entry whose key another transaction holds and then rolls back: the message is still delivered, not counted as sent and lost', async () => {
    const key = `lock-deliver-${Date.now()}`;
    await queue(key);
    // another writer inserts the same entry and does not commit: the dispatcher's insert waits on that key
    const rolledBack = holding(
      (tx) =>
        sequelize().query('INSERT INTO notifications (username, kind, title, body, dedupeKey, createdAt) VALUES (?, ?, ?, ?, ?, ?)', {
          replacements: ['sjj', 'task', '未提交', '未提交', `${key}:sjj`, new Date()],
          transaction: tx,
        }),
      2500,
      'rollback',
    );
    const res = await t.as('admin').post('/api/dev/clock', { now: await now() });
    await rolledBack;
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const rows = await sequelize().query<{ title: string }>('SELECT title FROM notifications WHERE dedupeKey = ?', { replacements: [`${key}:sjj`], type: QueryTypes.SELECT });
    expect(rows.map((r) => r.title)).to.deep.equal([`通知 ${key}`]);
  });

  it('a job row locked by another transaction: the clock still fires it once the lock goes', async () => {
    // a due job of no instance: claimed, run (it finds no instance) and gone — the claim is what meets the lock
    await sequelize().query('INSERT INTO jobs (instanceId, executionId, type, dueAt, attempts, createdAt) VALUES (?, ?, ?, ?, 0, ?)', {
      replacements: ['no-such-instance', 'x', 'timer', new Date(Date.now() - 60_000), new Date()],
    });
    const [{ id }] = await sequelize().query<{ id: number }>("SELECT id FROM jobs WHERE instanceId = 'no-such-instance'", { type: QueryTypes.SELECT });
    const released = holding((tx) => sequelize().query('SELECT id FROM jobs WHERE id = ? FOR UPDATE', { replacements: [id], transaction: tx }), 2500);
    const res = await t.as('admin').post('/api/dev/clock', { now: new Date(Date.parse(await now()) + 60_000).toISOString() });
    await released;
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    // the claim went through after the lock: the job ran (a job of no instance is done and removed)
    const left = await sequelize().query('SELECT id FROM jobs WHERE id = ?', { replacements: [id], type: QueryTypes.SELECT });
    expect(left).to.deep.equal([]);
  });
});
