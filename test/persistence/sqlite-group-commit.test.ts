import { AsyncLocalStorage } from 'node:async_hooks';
import { expect } from 'chai';
import type { Transaction } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { runStatement, selectRows } from '../../src/persistence/direct';
import { startTestApp, type TestApp } from '../support/app';
import { freshDatabaseUrl, onMysql } from '../support/database';
import { instance, startInstance, taskOf } from '../support/runtime';
import { holdTheWriter } from '../support/writer';

/**
 * Group commit on SQLite (issue 13, item 2): the units of work that waited for the writer while it was busy run one
 * after the other in one transaction, each in a savepoint of its own, and share its BEGIN, its COMMIT and its append
 * to the audit chains. A unit that fails rolls back to its savepoint alone; a caller hears of its unit only once the
 * COMMIT is done. MySQL: InnoDB commits concurrent transactions together itself; nothing to group.
 */
describe('SQLite group commit: units of work that waited together share one transaction', function () {
  let db: Database;
  const log: string[] = [];
  before(async function () {
    if (onMysql()) this.skip();
    db = await openDatabase(await freshDatabaseUrl(), { logging: (sql) => log.push(sql) });
    await db.sequelize.query('CREATE TABLE items (name TEXT PRIMARY KEY, unit INTEGER NOT NULL)');
  });
  after(async () => {
    await db?.close();
  });

  /** runs `units` while the writer is held, so that they wait together; answers how each ended */
  async function together<T>(units: (() => Promise<T>)[]): Promise<PromiseSettledResult<T>[]> {
    const writer = await holdTheWriter(db.sequelize);
    const running = units.map((u) => u());
    await writer.asked(units.length);
    await writer.release();
    return Promise.allSettled(running);
  }

  const insert = (name: string, unit: number, t?: Transaction) => runStatement(db.sequelize, 'INSERT INTO items (name, unit) VALUES ($1, $2)', [name, unit], t);
  const names = async (prefix: string) => (await selectRows<{ name: string }>(db.sequelize, 'SELECT name FROM items WHERE name LIKE $1 ORDER BY name', [`${prefix}%`])).map((r) => r.name);
  const statements = (from: number, pattern: RegExp) => log.slice(from).filter((line) => pattern.test(line.replace(/^Executing \([^)]*\): /, ''))).length;

  it('five units queued behind a holder: one BEGIN and one COMMIT for all five, each answered with its own result, all stored', async () => {
    const before = { ...db.writer! };
    const from = log.length;
    const settled = await together([1, 2, 3, 4, 5].map((i) => () => db.sequelize.transaction(async (t: Transaction) => (await insert(`g1-${i}`, i, t), i * 10))));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason))).to.deep.equal([10, 20, 30, 40, 50]);
    expect(await names('g1-')).to.deep.equal(['g1-1', 'g1-2', 'g1-3', 'g1-4', 'g1-5']);
    expect(db.writer!.units - before.units, 'the holder and the five').to.equal(6);
    expect(db.writer!.transactions - before.transactions, 'the holder, then one for the five').to.equal(2);
    expect(statements(from, /^COMMIT/), 'the holder’s and the group’s').to.equal(2);
    expect(statements(from, /^BEGIN/), 'the holder’s and the group’s').to.equal(2);
    expect(statements(from, /^SAVEPOINT/), 'one per unit').to.equal(5);
  });

  it('a unit that fails rolls back to its savepoint alone: the units before and after it are stored, its caller hears its error', async () => {
    const before = { ...db.writer! };
    const settled = await together(
      [1, 2, 3, 4].map((i) => () =>
        db.sequelize.transaction(async (t: Transaction) => {
          await insert(`g2-${i}`, i, t);
          if (i === 2) throw new Error('unit 2 fails');
          return i;
        }),
      ),
    );
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).to.equal('unit 2 fails');
    expect(await names('g2-')).to.deep.equal(['g2-1', 'g2-3', 'g2-4']);
    // the failure ends its group (the transaction may be gone after an error in SQLite): 3 and 4 commit in the next
    expect(db.writer!.transactions - before.transactions).to.equal(3);
  });

  it('a caller hears of its unit only after the group’s COMMIT', async () => {
    const from = log.length;
    const heardAt: number[] = [];
    await together([1, 2, 3].map((i) => () => db.sequelize.transaction(async (t: Transaction) => void (await insert(`g3-${i}`, i, t))).then(() => void heardAt.push(log.length))));
    const lines = log.slice(from).map((l) => l.replace(/^Executing \([^)]*\): /, ''));
    const lastCommit = from + lines.lastIndexOf('COMMIT;') + 1;
    expect(lines.filter((l) => l === 'COMMIT;')).to.have.length(2);
    expect(heardAt).to.have.length(3);
    for (const at of heardAt) expect(at, 'answered before the group’s COMMIT was sent').to.be.at.least(lastCommit);
    expect(await names('g3-')).to.have.length(3);
  });

  it('savepoint names are unique: a unit with savepoints of its own, third in its group, rolls back all of its work', async () => {
    // sequelize names the third savepoint of a unit as it names the third unit of a group (`<id>-sp-3`): ROLLBACK TO
    // that name would have gone back to the unit's own third savepoint only, keeping what the unit wrote before it
    const settled = await together(
      [1, 2, 3].map((i) => () =>
        db.sequelize.transaction(async (t: Transaction) => {
          await insert(`g4-${i}`, i, t);
          if (i === 3) {
            for (const part of ['a', 'b', 'c']) await db.sequelize.transaction(async (sp: Transaction) => void (await insert(`g4-${i}${part}`, i, sp)));
            throw new Error('unit 3 fails after its savepoints');
          }
        }),
      ),
    );
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected']);
    expect(await names('g4-')).to.deep.equal(['g4-1', 'g4-2']);
  });

  it('a unit runs in its caller’s async context, and a statement it makes without its transaction runs in it', async () => {
    const caller = new AsyncLocalStorage<string>();
    const settled = await together(
      ['x', 'y', 'z'].map((who, i) => () =>
        caller.run(who, () =>
          db.sequelize.transaction(async () => {
            await insert(`g5-${who}`, i); // no transaction passed: the unit's, from the async context
            if (who === 'y') throw new Error('y fails');
            return caller.getStore();
          }),
        ),
      ),
    );
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : 'failed'))).to.deep.equal(['x', 'failed', 'z']);
    expect(await names('g5-'), 'y’s insert rolled back with its unit').to.deep.equal(['g5-x', 'g5-z']);
  });
});

const APPROVAL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="groupDefinitions" targetNamespace="http://govflow.example/test">
  <bpmn:process id="group-approval" name="审批" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Approve" />
    <bpmn:userTask id="Approve" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Approve" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

describe('SQLite group commit: task completions that waited together', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async function () {
    if (onMysql()) this.skip();
    t = await startTestApp({ CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' });
    const res = await t.as('admin').post('/api/process-definitions', { xml: APPROVAL });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => t?.close());

  it('six completions: fewer transactions than units, each instance ended once, the audit trail verifies', async () => {
    const instances = [];
    for (let i = 0; i < 6; i++) instances.push(await startInstance(t, 'group-approval'));
    const tasks = await Promise.all(instances.map((inst) => taskOf(t, 'sjj', inst.id, 'Approve')));
    // each completion asks for the writer once its engine ran ahead: all six wait behind the holder
    const writer = await holdTheWriter(t.gf.db.sequelize);
    const before = { ...t.gf.db.writer! };
    let done: { status: number; body: unknown }[];
    try {
      const all = Promise.all(tasks.map((task) => t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} })));
      await writer.asked(tasks.length);
      await writer.release();
      done = await all;
    } finally {
      await writer.release();
    }
    expect(done.map((r) => r.status), JSON.stringify(done.map((r) => r.body))).to.deep.equal(tasks.map(() => 200));
    const units = t.gf.db.writer!.units - before.units;
    const transactions = t.gf.db.writer!.transactions - before.transactions;
    expect(units).to.be.at.least(tasks.length);
    expect(transactions, `${units} units`).to.be.below(units);
    for (const inst of instances) {
      const now = await instance(t, inst.id);
      expect(now.state).to.equal('completed');
      expect(now.history.filter((h: { activityId: string; endedAt: string | null }) => h.activityId === 'Approve' && h.endedAt)).to.have.length(1);
    }
    const verify = await t.as('admin').get('/api/audit/verify');
    expect(verify.body.ok, JSON.stringify(verify.body)).to.equal(true);
  });
});
