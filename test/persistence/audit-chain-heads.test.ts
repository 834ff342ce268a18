import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { appendOperation, verifyTrail } from '../../src/persistence/audit-chain';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate } from '../../src/persistence/migrator';
import { initModels } from '../../src/persistence/models';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { freshDatabaseUrl } from '../support/database';

/**
 * Issue 13 item 3: a transaction reads each chain head once (locked), moves it in memory and writes it once
 * before its commit. The chains stay valid with savepoints that append (committed or rolled back) between the
 * outer transaction's appends, and a transaction that rolls back leaves the head where it was.
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

  const op = (operation: string) => ({ instanceId: 'inst-h', operation, actor: 'sjj', at: new Date('2026-12-01T02:00:00.000Z'), data: { n: operation } });
  const history = (activityId: string) => ({ instanceId: 'inst-h', executionId: `${activityId}_${Math.random().toString(36).slice(2)}`, activityId, activityName: null, activityType: 'bpmn:Task', startedAt: new Date('2026-12-01T02:00:00.000Z'), endedAt: null, actor: null, outcome: null });
  const heads = () => db.sequelize.query<{ name: string; lastId: number }>('SELECT name, lastId FROM audit_chain ORDER BY name', { type: QueryTypes.SELECT });

  it('five appends to each chain in one transaction: each head read once and written once; the trail verifies', async () => {
    statements = [];
    await db.sequelize.transaction(async (t) => {
      for (let i = 0; i < 5; i++) {
        await repo.startActivity(history(`A${i}`), t);
        await appendOperation(op(`o${i}`), t);
      }
    });
    const reads = statements.filter((s) => /SELECT .* FROM `audit_chain`/.test(s));
    const writes = statements.filter((s) => /UPDATE `audit_chain`/.test(s));
    expect(reads, reads.join('\n')).to.have.length(2);
    expect(writes, writes.join('\n')).to.have.length(2);
    expect(await verifyTrail(db.sequelize)).to.deep.include({ ok: true, checked: 5 });
    const rows = await db.sequelize.query<{ id: number }>('SELECT id FROM operation_log ORDER BY id DESC LIMIT 1', { type: QueryTypes.SELECT });
    expect((await heads()).find((h) => h.name === 'operation_log')?.lastId).to.equal(Number(rows[0].id));
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
