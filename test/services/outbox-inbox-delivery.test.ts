import { expect } from 'chai';
import { NotificationModel, OutboxModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';

/**
 * An inbox row of the outbox is delivered in one transaction: the row marked sent with one entry per recipient, all
 * or nothing (issue 13, P2: the claim, a read and an insert per recipient and the mark were each a transaction of
 * their own on SQLite, taking the one writer from the requests). A row another dispatcher holds is left to it; an
 * entry delivered before (by its key) is not made twice. Both databases.
 */
describe('the outbox delivers an inbox row in one transaction', function () {
  this.timeout(60_000);
  let t: TestApp;
  const log: string[] = [];
  let logging = false;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' }, {}, { sqlLogging: (sql) => logging && log.push(sql) });
  });
  after(async () => t?.close());

  const queue = (key: string, extra: Partial<{ lockedUntil: Date; sentAt: Date }> = {}) =>
    OutboxModel.create({ dedupeKey: key, channel: 'inbox', payload: { to: ['group:data-bureau', 'czj'], kind: 'task', title: `通知 ${key}`, body: '请办理' }, createdAt: new Date(), sentAt: null, lockedUntil: null, lastError: null, ...extra });
  const entries = async (key: string) => (await NotificationModel.findAll({ order: [['username', 'ASC']] })).filter((n) => n.dedupeKey.startsWith(`${key}:`)).map((n) => n.username);
  const members = async () => (await t.gf.db.sequelize.query<{ username: string }>("SELECT u.username FROM users u JOIN user_groups g ON g.userId = u.id WHERE g.groupKey = 'data-bureau' AND u.active = 1", { type: 'SELECT' as never })).map((r) => r.username);

  it('the mark and every entry in one transaction of their own', async () => {
    await queue('one-tx');
    log.length = 0;
    logging = true;
    await t.gf.outbox.dispatch();
    logging = false;
    const expected = [...new Set([...(await members()), 'czj'])].sort();
    expect(expected.length).to.be.greaterThan(2);
    expect(await entries('one-tx')).to.deep.equal(expected);
    expect((await OutboxModel.findOne({ where: { dedupeKey: 'one-tx' } }))!.sentAt).to.be.instanceOf(Date);
    const connection = (re: RegExp) => log.filter((s) => re.test(s)).map((s) => /^Executing \(([^)]+)\)/.exec(s)?.[1]);
    const [marked] = connection(/UPDATE outbox SET sentAt/);
    expect(marked, log.join('\n')).to.be.a('string').and.not.equal('default');
    expect(connection(/INSERT (OR IGNORE |IGNORE )?INTO notifications/), 'one statement for the entries, in the same transaction').to.deep.equal([marked]);
    expect(connection(/BEGIN|START TRANSACTION/)).to.deep.equal([marked]);
    expect(connection(/COMMIT/)).to.deep.equal([marked]);
    expect(log.filter((s) => /INTO notifications|UPDATE `?outbox`?/.test(s)), 'no other write').to.have.length(2);
  });

  it('who a round reaches is read once for all its rows: each group once, each recipient\'s visibility once', async () => {
    const rows = 20;
    for (let i = 0; i < rows; i++) {
      await OutboxModel.create({ dedupeKey: `round-${i}`, channel: 'inbox', payload: { to: ['group:data-bureau', 'czj'], kind: 'task', title: `待办 ${i}`, body: '请办理', instanceId: `no-such-instance-${i}` }, createdAt: new Date(), sentAt: null, lockedUntil: null, lastError: null });
    }
    log.length = 0;
    logging = true;
    expect(await t.gf.outbox.dispatch()).to.equal(rows);
    logging = false;
    const recipients = [...new Set([...(await members()), 'czj'])];
    for (let i = 0; i < rows; i++) expect((await entries(`round-${i}`)).sort()).to.deep.equal([...recipients].sort());
    const reads = (re: RegExp) => log.filter((sql) => /SELECT/.test(sql) && re.test(sql)).length;
    expect(reads(/FROM `user_groups`/), log.join('\n')).to.be.at.most(3); // the group's members, their groups, the named users' groups
    expect(reads(/FROM `users`/)).to.be.at.most(2); // the members, the named users
    expect(reads(/FROM `process_instances`/), 'one read of the instances per recipient, not per row').to.equal(recipients.length);
  });

  it('a row another dispatcher holds (leased, or sent) is left to it', async () => {
    await queue('leased', { lockedUntil: new Date(Date.now() + 60_000) });
    await queue('sent', { sentAt: new Date() });
    await t.gf.outbox.dispatch();
    expect(await entries('leased')).to.deep.equal([]);
    expect(await entries('sent')).to.deep.equal([]);
    expect((await OutboxModel.findOne({ where: { dedupeKey: 'leased' } }))!.sentAt).to.equal(null);
    // the lease runs out: the next round delivers it
    await OutboxModel.update({ lockedUntil: new Date(Date.now() - 1000) }, { where: { dedupeKey: 'leased' } });
    await t.gf.outbox.dispatch();
    expect(await entries('leased')).to.include('czj');
  });

  it('an entry delivered before is not made twice; the row is still marked sent', async () => {
    await NotificationModel.create({ username: 'czj', kind: 'task', title: '先前送达', body: '', instanceId: null, taskId: null, dedupeKey: 'again:czj', createdAt: new Date(), readAt: null });
    await queue('again');
    await t.gf.outbox.dispatch();
    const czj = (await NotificationModel.findAll({ where: { dedupeKey: 'again:czj' } })).map((n) => n.title);
    expect(czj).to.deep.equal(['先前送达']);
    expect((await entries('again')).filter((u) => u !== 'czj').length).to.be.greaterThan(0);
    expect((await OutboxModel.findOne({ where: { dedupeKey: 'again' } }))!.sentAt).to.be.instanceOf(Date);
  });
});
