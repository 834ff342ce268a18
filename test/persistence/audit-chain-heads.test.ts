import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { appendOperation, verifyTrail } from '../../src/persistence/audit-chain';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate } from '../../src/persistence/migrator';
import { isoOf } from '../../src/persistence/sql';
import { initModels } from '../../src/persistence/models';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { freshDatabaseUrl } from '../support/database';

/**
 * Issue 13 item 3: a transaction reads both chain heads once (one locking read), moves them in memory and writes them once (one statement)
 * before its commit — and (P2/P5) appends nothing before it: the heads are locked and the rows inserted at the
 * commit. The chains stay valid with savepoints that append (committed or rolled back) between the outer
 * transaction's appends, and a transaction that rolls back leaves the head where it was.
 */
describe('audit chain heads: read once, written once per transaction', () => {
  let db: Database;
  let statements: string[] = [];
  const repo = new RuntimeRepository();
  before(async () => {
    db = await openDatabase(await freshDatabaseUrl(), { logging: (sql) => statements.push(sql) });
    await migrate(db.sequelize);
    initModels(db.sequelize);
  });
  after(() => db.close());

  const op = (operation: string) => ({ instanceId: 'inst-h', operation, actor: 'sjj', at: new Date('2026-12-01T02:00:00.250Z'), data: { n: operation } });
  const history = (activityId: string) => ({ instanceId: 'inst-h', executionId: `${activityId}_${Math.random().toString(36).slice(2)}`, activityId, activityName: null, activityType: 'bpmn:Task', startedAt: new Date('2026-12-01T02:00:00.000Z'), endedAt: null, actor: null, outcome: null });
  const heads = () => db.sequelize.query<{ name: string; lastId: number }>('SELECT name, lastId FROM audit_chain ORDER BY name', { type: QueryTypes.SELECT });

  it('five appends to each chain in one transaction: both heads read in one statement and written in one; the trail verifies', async () => {
    statements = [];
    await db.sequelize.transaction(async (t) => {
      for (let i = 0; i < 5; i++) {
        await repo.startActivity(history(`A${i}`), t);
        await appendOperation(op(`o${i}`), t);
      }
    });
    const reads = statements.filter((s) => /SELECT .* FROM `?audit_chain`?/.test(s));
    const writes = statements.filter((s) => /UPDATE `?audit_chain`?/.test(s));
    expect(reads, reads.join('\n')).to.have.length(1);
    expect(writes, writes.join('\n')).to.have.length(1);
    // the rows of each chain in one multi-row INSERT (issue 13 item 3), their hashes chained in order
    const inserts = (table: string) => statements.filter((s) => new RegExp(`INSERT INTO \`?${table}\`?`).test(s));
    expect(inserts('activity_history'), inserts('activity_history').join('\n')).to.have.length(1);
    expect(inserts('operation_log'), inserts('operation_log').join('\n')).to.have.length(1);
    expect(await verifyTrail(db.sequelize)).to.deep.include({ ok: true, checked: 5 });
    for (const table of ['operation_log', 'activity_history']) {
      const rows = await db.sequelize.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id DESC LIMIT 1`, { type: QueryTypes.SELECT });
      expect((await heads()).find((h) => h.name === table)?.lastId, table).to.equal(Number(rows[0].id));
    }
    // the dates keep their milliseconds (sequelize's escaping of a Date would drop them on MySQL)
    const [last] = await db.sequelize.query<{ at: Date | string }>('SELECT at FROM operation_log ORDER BY id DESC LIMIT 1', { type: QueryTypes.SELECT });
    expect(isoOf(last.at)).to.equal('2026-12-01T02:00:00.250Z');
  });

  it('text with a NUL, quotes and backslashes is stored as given and the trail verifies (fuzz seed 533951685: an element name with a NUL made the SQLite INSERT fail)', async () => {
    const name = "I\u0000)'\\\"; --等一天";
    await db.sequelize.transaction(async (t) => {
      await repo.startActivity({ ...history('Nul'), activityName: name }, t);
      await appendOperation({ ...op('nul'), actor: name, data: { note: name } }, t);
    });
    const [h] = await db.sequelize.query<{ activityName: string }>("SELECT activityName FROM activity_history WHERE activityId = 'Nul'", { type: QueryTypes.SELECT });
    expect(h.activityName).to.equal(name);
    const [o] = await db.sequelize.query<{ actor: string; data: string }>("SELECT actor, data FROM operation_log WHERE operation = 'nul'", { type: QueryTypes.SELECT });
    expect(o.actor).to.equal(name);
    expect(JSON.parse(typeof o.data === 'string' ? o.data : JSON.stringify(o.data)).note).to.equal(name);
    expect((await verifyTrail(db.sequelize)).ok).to.equal(true);
  });

  it('savepoints that append — one kept, one rolled back — between the outer appends keep both chains valid', async () => {
    await db.sequelize.transaction(async (t) => {
      await repo.startActivity(history('Outer1'), t);
      await appendOperation(op('outer1'), t);
      await db.sequelize.transaction({ transaction: t }, async (sp) => {
        await repo.startActivity(history('Kept'), sp);
        await appendOperation(op('kept'), sp);
      });
      await db.sequelize
        .transaction({ transaction: t }, async (sp) => {
          await repo.startActivity(history('Dropped'), sp);
          await appendOperation(op('dropped'), sp);
          throw new Error('rolled back');
        })
        .catch((err: Error) => expect(err.message).to.equal('rolled back'));
      await repo.startActivity(history('Outer2'), t);
      await appendOperation(op('outer2'), t);
    });
    const report = await verifyTrail(db.sequelize);
    expect(report.ok, JSON.stringify(report)).to.equal(true);
    const ops = await db.sequelize.query<{ operation: string }>("SELECT operation FROM operation_log WHERE instanceId = 'inst-h' ORDER BY id", { type: QueryTypes.SELECT });
    expect(ops.map((o) => o.operation).slice(-3)).to.deep.equal(['outer1', 'kept', 'outer2']);
  });

  it('locks the heads only at the commit: the work after the appends runs before the heads are read', async () => {
    statements = [];
    await db.sequelize.transaction(async (t) => {
      await appendOperation(op('early'), t);
      await repo.startActivity(history('Early'), t);
      await db.sequelize.query("SELECT 'the rest of the unit' AS marker", { transaction: t, type: QueryTypes.SELECT });
    });
    const at = (re: RegExp) => statements.findIndex((x) => re.test(x));
    expect(at(/the rest of the unit/)).to.be.greaterThan(-1);
    expect(at(/FROM `?audit_chain`?/), statements.join('\n')).to.be.greaterThan(at(/the rest of the unit/));
    expect(at(/INSERT INTO `?operation_log`?/)).to.be.greaterThan(at(/FROM `?audit_chain`?/));
    expect((await verifyTrail(db.sequelize)).ok).to.equal(true);
  });

  it('closes an execution whose start row the same transaction appends, and drops what a rolled-back savepoint and its savepoints appended', async () => {
    const start = history('SameUnit');
    await db.sequelize.transaction(async (t) => {
      await repo.startActivity(start, t);
      expect(await repo.endActivity('inst-h', start.executionId, { endedAt: new Date('2026-12-01T03:00:00.000Z'), outcome: '同意', actor: 'sjj' }, t)).to.equal(true);
      // closed already: a second end finds nothing open
      expect(await repo.endActivity('inst-h', start.executionId, { endedAt: new Date('2026-12-01T04:00:00.000Z'), outcome: 'x', actor: 'sjj' }, t)).to.equal(false);
      await db.sequelize
        .transaction({ transaction: t }, async (sp) => {
          await db.sequelize.transaction({ transaction: sp }, async (inner) => appendOperation(op('inner-kept-then-dropped'), inner));
          throw new Error('outer savepoint rolled back');
        })
        .catch(() => undefined);
    });
    const rows = await db.sequelize.query<{ id: number; closesId: number | null }>('SELECT id, closesId FROM activity_history WHERE executionId = ? ORDER BY id', { replacements: [start.executionId], type: QueryTypes.SELECT });
    expect(rows).to.have.length(2);
    expect(Number(rows[1].closesId)).to.equal(Number(rows[0].id));
    const entry = (await repo.activityHistory('inst-h')).find((h) => h.executionId === start.executionId);
    expect(entry?.endedAt?.toISOString()).to.equal('2026-12-01T03:00:00.000Z');
    expect(entry?.outcome).to.equal('同意');
    const dropped = await db.sequelize.query("SELECT id FROM operation_log WHERE operation = 'inner-kept-then-dropped'", { type: QueryTypes.SELECT });
    expect(dropped).to.deep.equal([]);
    expect((await verifyTrail(db.sequelize)).ok).to.equal(true);
  });

  it('a transaction that fails after its appends leaves the heads where they were', async () => {
    const before = await heads();
    await db.sequelize
      .transaction(async (t) => {
        await repo.startActivity(history('Lost'), t);
        await appendOperation(op('lost'), t);
        throw new Error('refused');
      })
      .catch(() => undefined);
    expect(await heads()).to.deep.equal(before);
    await db.sequelize.transaction(async (t) => appendOperation(op('after'), t));
    expect((await verifyTrail(db.sequelize)).ok).to.equal(true);
  });
});
