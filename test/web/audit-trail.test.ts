import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { GENESIS, historyHash } from '../../src/persistence/audit-chain';
import { openDatabase } from '../../src/persistence/db';
import { startTestApp, type TestApp } from '../support/app';
import { freshDatabaseUrl } from '../support/database';
import { deploy, fixture, form, setClock, startInstance, taskOf } from '../support/runtime';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * The tamper-evident trail: history rows are append-only and hash-chained; GET /api/audit/verify walks
 * the chain and names the first broken link. The tampering is done the way an intruder with database
 * access would: raw SQL on activity_history.
 */
interface Row {
  id: number;
  instanceId: string;
  executionId: string;
  activityId: string;
  activityName: string | null;
  activityType: string;
  startedAt: Date | string;
  endedAt: Date | string | null;
  actor: string | null;
  outcome: string | null;
  closesId: number | null;
  prevHash: string | null;
  hash: string | null;
}

describe('tamper-evident trail: append-only, hash-chained history and GET /api/audit/verify', () => {
  let t: TestApp;
  const sql = <T extends object>(query: string, replacements: Record<string, unknown> = {}) =>
    t.gf.db.sequelize.query<T>(query, { type: QueryTypes.SELECT, replacements });
  const exec = (query: string, replacements: Record<string, unknown> = {}) => t.gf.db.sequelize.query(query, { replacements });
  const rows = async () => (await sql<Row>('SELECT * FROM activity_history ORDER BY id')).map((r) => ({ ...r, id: Number(r.id) }));
  const verify = async (as = 'sjju') => {
    const res = await t.as(as).get('/api/audit/verify');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { ok: boolean; checked: number; firstBrokenId?: number; operationLog: { ok: boolean; checked: number; firstBrokenId?: number } };
  };
  const reinsert = (r: Row) =>
    exec(
      'INSERT INTO activity_history (id, instanceId, executionId, activityId, activityName, activityType, startedAt, endedAt, actor, outcome, closesId, prevHash, hash) ' +
        'VALUES (:id, :instanceId, :executionId, :activityId, :activityName, :activityType, :startedAt, :endedAt, :actor, :outcome, :closesId, :prevHash, :hash)',
      { ...r },
    );

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
    await deploy(t, 'approval.bpmn', ['review-form.form']);
  });
  after(() => t.close());

  it('a normal lifecycle verifies ok; an activity that ends appends a closing row and no row is ever updated', async () => {
    const a = await startInstance(t, 'simple-approval', { variables: { amount: 100 } });
    const b = await startInstance(t, 'simple-approval', { variables: { amount: 200 } });
    const before = await rows();
    expect(before.length).to.be.greaterThan(0);
    expect(before[0].prevHash).to.equal(GENESIS);

    const task = await taskOf(t, 'sjj', a.id, 'Review');
    const done = await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const terminated = await t.as('admin').delete(`/api/process-instances/${b.id}`);
    expect(terminated.status, JSON.stringify(terminated.body)).to.be.oneOf([200, 204]);

    const afterwards = await rows();
    // append-only: every row there before is there unchanged
    expect(afterwards.slice(0, before.length)).to.deep.equal(before);
    // the Review start row stays open; its end is a row of its own that names it
    const start = afterwards.find((r) => r.instanceId === a.id && r.activityId === 'Review' && r.closesId === null)!;
    expect(start.endedAt).to.equal(null);
    const end = afterwards.find((r) => Number(r.closesId) === start.id)!;
    expect(end.actor).to.equal('sjj');
    // each row links to its predecessor
    afterwards.forEach((r, i) => expect(r.prevHash, `row ${r.id}`).to.equal(i ? afterwards[i - 1].hash : GENESIS));
    // reads merge start and end: the history shape is unchanged
    const detail = (await t.as('admin').get(`/api/process-instances/${a.id}`)).body;
    const review = detail.history.filter((h: { activityId: string }) => h.activityId === 'Review');
    expect(review).to.have.length(1);
    expect(review[0].actor).to.equal('sjj');
    expect(review[0].endedAt).to.be.a('string');

    const report = await verify();
    const operations = (await sql<{ n: number }>('SELECT COUNT(*) AS n FROM operation_log'))[0].n;
    expect(report).to.deep.equal({ ok: true, checked: afterwards.length, operationLog: { ok: true, checked: Number(operations) } });
    expect(await verify('admin')).to.deep.equal(report);
  });

  it('only the audit bureau and administrators may verify (403 for the others)', async () => {
    for (const u of ['sjj', 'bmj', 'gwh', 'rmyy', 'zj1']) expect((await t.as(u).get('/api/audit/verify')).status, u).to.equal(403);
    expect((await t.api.get('/api/audit/verify')).status).to.equal(401);
  });

  it('an edited column is reported at that row; an edit with its hash recomputed at the next row', async () => {
    const all = await rows();
    const victim = all[Math.floor(all.length / 2)];
    await exec('UPDATE activity_history SET outcome = :o WHERE id = :id', { o: '篡改的结论', id: victim.id });
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: victim.id });

    // an intruder who also recomputes the row's own hash breaks the link of the row after it
    const edited = { ...victim, outcome: '篡改的结论' };
    await exec('UPDATE activity_history SET hash = :h WHERE id = :id', { h: historyHash(edited, victim.prevHash!), id: victim.id });
    const next = all[all.indexOf(victim) + 1];
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: next.id });

    // the same with a date column, on another row
    await exec('UPDATE activity_history SET outcome = :o, hash = :h WHERE id = :id', { o: victim.outcome, h: victim.hash, id: victim.id });
    expect((await verify()).ok).to.equal(true);
    const dated = all[1];
    await exec('UPDATE activity_history SET startedAt = :d WHERE id = :id', { d: new Date('2020-01-01T00:00:00Z'), id: dated.id });
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: dated.id });
    await exec('UPDATE activity_history SET startedAt = :d WHERE id = :id', { d: dated.startedAt, id: dated.id });
    expect((await verify()).ok).to.equal(true);
  });

  it('an inserted row is reported at its id, even with a well-formed hash', async () => {
    const all = await rows();
    const last = all[all.length - 1];
    const forged = { ...last, id: last.id + 100, activityId: 'Forged', closesId: null, endedAt: null, prevHash: last.hash };
    forged.hash = historyHash(forged, last.hash!);
    await reinsert(forged);
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: forged.id });
    await exec('DELETE FROM activity_history WHERE id = :id', { id: forged.id });
    expect((await verify()).ok).to.equal(true);

    // a row slipped in before the first one, linked from the genesis: the real first row no longer links
    const first = all[0];
    const early = { ...first, id: -1, activityId: 'Forged', prevHash: GENESIS };
    early.hash = historyHash(early, GENESIS);
    await reinsert(early);
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: first.id });
    await exec('UPDATE activity_history SET hash = :h WHERE id = -1', { h: 'f'.repeat(64) });
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: -1 });
    await exec('DELETE FROM activity_history WHERE id = -1');
    expect((await verify()).ok).to.equal(true);
  });

  it('a deleted row is reported at the row after it; a deleted last row at the id the head names', async () => {
    const all = await rows();
    const last = all[all.length - 1];
    await exec('DELETE FROM activity_history WHERE id = :id', { id: last.id });
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: last.id });
    await reinsert(last);
    expect((await verify()).ok).to.equal(true);

    const middle = all[3];
    await exec('DELETE FROM activity_history WHERE id = :id', { id: middle.id });
    expect(await verify()).to.deep.include({ ok: false, firstBrokenId: all[4].id });
    await reinsert(middle);
    expect(await verify()).to.deep.include({ ok: true, checked: all.length });
  });

  it('the operation log is chained too: an edited actor, a deleted operation are reported in operationLog', async () => {
    const ops = (await sql<{ id: number; actor: string | null }>('SELECT id, actor FROM operation_log ORDER BY id')).map((r) => ({ ...r, id: Number(r.id) }));
    const complete = (await sql<{ id: number }>("SELECT id FROM operation_log WHERE operation = 'complete' ORDER BY id"))[0];
    const victim = Number(complete.id);
    await exec("UPDATE operation_log SET actor = 'admin' WHERE id = :id", { id: victim });
    const report = await verify();
    expect(report.ok).to.equal(false);
    expect(report.firstBrokenId).to.equal(undefined); // the history is intact
    expect(report.operationLog).to.deep.include({ ok: false, firstBrokenId: victim });
    await exec('UPDATE operation_log SET actor = :a WHERE id = :id', { a: ops.find((o) => o.id === victim)!.actor, id: victim });
    expect((await verify()).ok).to.equal(true);

    const [row] = await sql<Record<string, unknown>>('SELECT * FROM operation_log WHERE id = :id', { id: victim });
    await exec('DELETE FROM operation_log WHERE id = :id', { id: victim });
    const next = ops[ops.findIndex((o) => o.id === victim) + 1];
    expect((await verify()).operationLog).to.deep.include({ ok: false, firstBrokenId: next.id });
    await exec(`INSERT INTO operation_log (${Object.keys(row).join(', ')}) VALUES (${Object.keys(row).map((k) => `:${k}`).join(', ')})`, {
      ...row,
      data: row.data === null || typeof row.data === 'string' ? row.data : JSON.stringify(row.data),
    });
    expect((await verify()).ok).to.equal(true);
  });

  it('concurrent requests keep one valid chain', async () => {
    const started = await Promise.all(Array.from({ length: 8 }, (_, i) => startInstance(t, 'simple-approval', { variables: { amount: i } })));
    const tasks = await Promise.all(started.map((s) => taskOf(t, 'sjj', s.id, 'Review')));
    const done = await Promise.all(tasks.map((x) => t.as('sjj').post(`/api/tasks/${x.id}/complete`, { variables: { decision: 'approve', opinion: '并发' } })));
    expect(done.map((d) => d.status)).to.deep.equal(done.map(() => 200));
    const n = (await rows()).length;
    expect(await verify()).to.deep.include({ ok: true, checked: n });
    expect((await verify()).operationLog.ok).to.equal(true);
  });
});

describe('tamper-evident trail: two app processes writing to one database', function () {
  this.timeout(480_000); // two real server processes: each may take up to 120 s to start on a loaded machine
  const servers: ServerProcess[] = [];
  after(async () => {
    for (const s of servers.splice(0)) if (s.child.exitCode === null) await s.kill();
  });

  it('keeps a valid chain while both append at once', async () => {
    const url = await freshDatabaseUrl();
    servers.push(await startServerProcess(url));
    servers.push(await startServerProcess(url));
    const [p1] = servers;
    const as = async (s: ServerProcess, u: string) => `Bearer ${await s.token(u)}`;
    const dep = await p1.api.post('/api/process-definitions').set('Authorization', await as(p1, 'admin')).send({ xml: fixture('approval.bpmn'), forms: [form('review-form.form')] });
    expect(dep.status, dep.text).to.equal(201);

    const starts = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const s = servers[i % 2];
        const res = await s.api.post('/api/process-definitions/simple-approval/instances').set('Authorization', await as(s, 'admin')).send({ variables: { amount: i } });
        expect(res.status, res.text).to.equal(201);
        return res.body.id as string;
      }),
    );
    await Promise.all(
      starts.map(async (id, i) => {
        const s = servers[(i + 1) % 2];
        const list = await s.api.get(`/api/tasks?processInstanceId=${id}`).set('Authorization', await as(s, 'sjj'));
        const res = await s.api.post(`/api/tasks/${list.body[0].id}/complete`).set('Authorization', await as(s, 'sjj')).send({ variables: { decision: 'approve', opinion: `进程${(i + 1) % 2}` } });
        expect(res.status, res.text).to.equal(200);
      }),
    );

    const db = await openDatabase(url);
    try {
      const [{ n }] = await db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM activity_history', { type: QueryTypes.SELECT });
      expect(Number(n)).to.be.greaterThan(12 * 3);
      for (const s of servers) {
        const res = await s.api.get('/api/audit/verify').set('Authorization', await as(s, 'sjju'));
        expect(res.body).to.deep.include({ ok: true, checked: Number(n) });
        expect(res.body.operationLog).to.deep.include({ ok: true });
      }
    } finally {
      await db.close();
    }
  });
});
