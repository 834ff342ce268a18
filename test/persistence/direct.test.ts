import { expect } from 'chai';
import type { Model } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { columnsOf, insertModels, modelsOf, runStatement, selectRows, SQLITE_STATEMENTS_PER_CONNECTION, updateModel } from '../../src/persistence/direct';
import { migrate } from '../../src/persistence/migrator';
import { initModels } from '../../src/persistence/models';
import { ProcessDefinitionModel, ProcessInstanceModel, TaskModel, TaskSignerModel } from '../../src/persistence/models/runtime.model';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { dateParam } from '../../src/persistence/sql';
import { isConflict, isUniqueViolation } from '../../src/persistence/transaction';
import { freshDatabaseUrl } from '../support/database';

/**
 * The thin query layer of the hot path (src/persistence/direct.ts, issue 13 item 3): statements on the driver
 * connection give what sequelize's own finders and saves give — the same instances, the same stored rows — on
 * this suite's database (SQLite, or MariaDB with TEST_DATABASE_URL), in the transaction of the caller or of the
 * async context, with sequelize's errors.
 */
describe('the thin query layer: the driver connection, the same rows as sequelize', () => {
  let db: Database;
  let statements: string[] = [];
  const repo = new RuntimeRepository();
  let definitionId = 0;
  before(async () => {
    db = await openDatabase(await freshDatabaseUrl(), { logging: (sql) => statements.push(sql) });
    await migrate(db.sequelize);
    initModels(db.sequelize);
    definitionId = (await ProcessDefinitionModel.create({ key: 'k', version: 1, name: '直连', xml: '<x/>', checksum: 'c', forms: {}, deployedAt: new Date(), deployedBy: 'admin' })).id;
  });
  after(() => db.close());

  const plain = (m: Model | null) => (m ? (m.get({ plain: true }) as Record<string, unknown>) : null);
  const task = (n: number, extra: Record<string, unknown> = {}) => ({
    instanceId: `inst-${n}`,
    executionId: `exec-${n}`,
    activityId: 'Approve',
    name: '审核 “引号” \u0000 NUL',
    definitionKey: 'k',
    businessKey: null,
    projectId: n,
    assignee: null,
    candidateGroups: ['data-bureau', '财政局'],
    candidateUsers: [],
    input: { nested: { a: [1, 2, { b: null }] }, text: '中文' },
    properties: {},
    state: 'open',
    createdAt: new Date('2026-12-01T02:03:04.567Z'),
    dueAt: null,
    provisional: n % 2 === 0,
    revision: 0,
    ...extra,
  });

  it('a created task: the same stored row and the same instance as TaskModel.create', async () => {
    const mine = await db.sequelize.transaction(async (t) => (await insertModels(TaskModel, [task(1)], t))[0]);
    const theirs = await db.sequelize.transaction((t) => TaskModel.create(task(11, { projectId: 1, provisional: false }), { transaction: t }));
    expect(mine.id).to.be.a('number').and.not.equal(theirs.id);
    const ids = { id: 0, instanceId: '', executionId: '' };
    expect({ ...plain(mine), ...ids }).to.deep.equal({ ...plain(theirs), ...ids });
    expect(mine.isNewRecord).to.equal(false);
    expect(mine.changed()).to.equal(false);
    // read back by sequelize's finder: equal but for the id
    const [a, b] = [plain(await TaskModel.findByPk(mine.id)), plain(await TaskModel.findByPk(theirs.id))];
    expect({ ...a, ...ids }).to.deep.equal({ ...b, ...ids });
    expect(a!.name).to.equal('审核 “引号” \u0000 NUL');
    expect(a!.provisional).to.equal(false);
    expect(a!.createdAt).to.deep.equal(new Date('2026-12-01T02:03:04.567Z'));
  });

  it('rows read as models: what sequelize\'s findByPk and findAll give (dates, JSON, booleans, nulls, extra columns)', async () => {
    const created = await db.sequelize.transaction(async (t) => [
      ...(await insertModels(TaskModel, [task(2, { assignee: 'sjj', dueAt: new Date('2027-01-04T00:00:00.001Z'), result: { approved: true, 意见: '同意' } })], t)),
      ...(await insertModels(TaskModel, [task(3, { state: 'completed', completedAt: new Date('2026-12-02T10:00:00.000Z'), result: null })], t)),
    ]);
    for (const c of created) {
      const viaFinder = await TaskModel.findByPk(c.id);
      const viaDriver = modelsOf(TaskModel, await selectRows(db.sequelize, `SELECT ${columnsOf(TaskModel)} FROM tasks WHERE id = $1`, [c.id]));
      expect(plain(viaDriver[0])).to.deep.equal(plain(viaFinder));
      expect(plain(await repo.findTask(c.id))).to.deep.equal(plain(viaFinder));
      expect(viaDriver[0].isNewRecord).to.equal(false);
      expect(viaDriver[0].changed()).to.equal(false);
    }
    const byFinder = await TaskModel.findAll({ where: { instanceId: 'inst-2', state: 'open' } });
    const mine = await db.sequelize.transaction((t) => repo.openTasks('inst-2', t));
    expect(mine.map(plain)).to.deep.equal(byFinder.map(plain));
    expect(mine).to.have.length(1);
    // a column that is not the model's (an EXISTS) is kept for get()
    const [withExtra] = modelsOf(TaskModel, await selectRows(db.sequelize, `SELECT ${columnsOf(TaskModel)}, EXISTS (SELECT 1 FROM tasks WHERE id = $1) AS found FROM tasks WHERE id = $1`, [created[0].id]));
    expect(Number(withExtra.get('found'))).to.equal(1);
    expect(await repo.findTask(999_999)).to.equal(null);
  });

  it('an instance and its signers read as models equal the finders\' instances', async () => {
    const values = {
      id: 'inst-direct-1',
      definitionId,
      definitionKey: 'k',
      definitionVersion: 2,
      businessKey: 'GF-1',
      projectId: null,
      state: 'running',
      engineState: '{"a":1}',
      engineVersion: '25',
      variables: { 金额: 12.5, list: ['a'], none: null },
      activeActivityIds: ['Approve'],
      revision: 3,
      startedBy: 'admin',
      startedAt: new Date('2026-12-01T00:00:00.000Z'),
      endedAt: null,
      updatedAt: new Date('2026-12-01T00:00:01.000Z'),
    };
    const inst = await db.sequelize.transaction((t) => repo.createInstance(values, t));
    expect(inst.callDepth).to.equal(0);
    expect(plain(await repo.findInstance('inst-direct-1'))).to.deep.equal(plain(await ProcessInstanceModel.findByPk('inst-direct-1')));
    const locked = await db.sequelize.transaction((t) => repo.lockForRun('inst-direct-1', t));
    expect(locked.inst!.variables).to.deep.equal(values.variables);
    expect(locked.kinds).to.deep.equal({ tasks: false, jobs: false, waits: false });
    const [{ id: taskId }] = await db.sequelize.transaction((t) => insertModels(TaskModel, [task(42)], t));
    await db.sequelize.transaction(async (t) => {
      await TaskSignerModel.create({ taskId, username: 'sjj', addedBy: 'admin', addedAt: new Date('2026-12-01T01:00:00.000Z'), request: '请会签', opinion: null, signedAt: null }, { transaction: t });
      await TaskSignerModel.create({ taskId, username: 'czj', addedBy: 'admin', addedAt: new Date('2026-12-01T01:00:00.000Z'), request: null, opinion: '同意', signedAt: new Date('2026-12-01T02:00:00.000Z') }, { transaction: t });
    });
    const signers = await repo.signersOf(taskId);
    expect(signers).to.have.length(2);
    expect(signers.map(plain)).to.deep.equal((await TaskSignerModel.findAll({ where: { taskId }, order: [['id', 'ASC']] })).map(plain));
  });

  it('an update writes what instance.update writes, and leaves the instance as a save does', async () => {
    const [a, b] = await db.sequelize.transaction(async (t) => [(await insertModels(TaskModel, [task(4)], t))[0], (await insertModels(TaskModel, [task(5)], t))[0]]);
    const values = { state: 'completed', assignee: 'sjj', completedAt: new Date('2026-12-03T04:05:06.789Z'), completedBy: 'sjj', result: { approved: false, list: [1] }, provisional: true };
    await db.sequelize.transaction((t) => updateModel(a, { ...values, revision: a.revision + 1 }, t));
    await db.sequelize.transaction((t) => b.update({ ...values, revision: b.revision + 1 }, { transaction: t }));
    expect(a.changed()).to.equal(false);
    expect(a.previous('state')).to.equal('completed');
    const strip = (m: Model | null) => ({ ...plain(m), id: 0, instanceId: '', executionId: '', projectId: 0, provisional: null });
    expect(strip(await TaskModel.findByPk(a.id))).to.deep.equal(strip(await TaskModel.findByPk(b.id)));
    const stored = strip(await TaskModel.findByPk(a.id)) as Record<string, unknown>;
    expect(strip(a)).to.deep.equal(Object.fromEntries(Object.keys(strip(a)).map((k) => [k, stored[k]])));
    expect((await TaskModel.findByPk(a.id))!.provisional).to.equal(true);
  });

  it('runs in the transaction of the async context when none is passed: a rollback takes its writes back', async () => {
    await db.sequelize
      .transaction(async () => {
        await runStatement(db.sequelize, 'INSERT INTO settings (`key`, `value`, updatedAt) VALUES ($1, $2, $3)', ['direct.cls', 'x', dateParam(db.sequelize, new Date())]);
        expect(await selectRows(db.sequelize, 'SELECT `value` FROM settings WHERE `key` = $1', ['direct.cls'])).to.deep.equal([{ value: 'x' }]);
        throw new Error('roll back');
      })
      .catch((e: Error) => expect(e.message).to.equal('roll back'));
    expect(await selectRows(db.sequelize, 'SELECT `value` FROM settings WHERE `key` = $1', ['direct.cls'])).to.deep.equal([]);
  });

  it('binds a repeated or out-of-order $n, and answers the rows matched and the generated key', async () => {
    const rows = await selectRows<{ a: unknown; b: unknown; c: unknown }>(db.sequelize, 'SELECT $2 AS a, $1 AS b, $2 AS c', ['one', 'two']);
    expect(rows.map((r) => [String(r.a), String(r.b), String(r.c)])).to.deep.equal([['two', 'one', 'two']]);
    const [{ id: taskId }] = await db.sequelize.transaction((t) => insertModels(TaskModel, [task(77)], t));
    const { insertId, changes } = await runStatement(db.sequelize, 'INSERT INTO task_signers (taskId, username, addedBy, addedAt) VALUES ($1, $2, $2, $3)', [taskId, 'zgj', dateParam(db.sequelize, new Date())]);
    expect(changes).to.equal(1);
    const [row] = await selectRows<{ id: number; username: string; addedBy: string }>(db.sequelize, 'SELECT id, username, addedBy FROM task_signers WHERE taskId = $1', [taskId]);
    expect([Number(row.id), row.username, row.addedBy]).to.deep.equal([insertId, 'zgj', 'zgj']);
    expect((await runStatement(db.sequelize, 'UPDATE task_signers SET username = $1 WHERE taskId = $2', ['czj', taskId])).changes).to.equal(1);
    expect((await runStatement(db.sequelize, 'DELETE FROM task_signers WHERE taskId = $1 AND username = $2', [taskId, 'zgj'])).changes).to.equal(0);
  });

  it('runs a text without values as it is: a value escaped into it may hold a `$1`', async () => {
    const text = `costs $1 and $2 ${'\u4e07\u5143'}`;
    await runStatement(db.sequelize, `INSERT INTO settings (\`key\`, \`value\`, updatedAt) VALUES ('direct.dollar', ${db.sequelize.escape(text)}, CURRENT_TIMESTAMP)`, []);
    expect(await selectRows(db.sequelize, 'SELECT `value` FROM settings WHERE `key` = $1', ['direct.dollar'])).to.deep.equal([{ value: text }]);
  });

  it('gives sequelize\'s errors: a unique key taken, a finished transaction, a bad statement — and leaves nothing behind', async () => {
    const inst = { id: 'inst-direct-dup', definitionId, definitionKey: 'k', definitionVersion: 1, state: 'running', variables: {}, activeActivityIds: [], revision: 0, startedAt: new Date(), updatedAt: new Date() };
    await db.sequelize.transaction((t) => repo.createInstance(inst, t));
    const dup = await db.sequelize.transaction((t) => repo.createInstance(inst, t)).catch((e: unknown) => e);
    expect(isUniqueViolation(dup), String(dup)).to.equal(true);
    expect(isConflict(dup)).to.equal(false);
    let kept: Parameters<typeof selectRows>[3];
    await db.sequelize.transaction(async (t) => {
      kept = t;
    });
    const finished = await selectRows(db.sequelize, 'SELECT 1 AS one', [], kept).catch((e: Error) => e);
    expect(String(finished)).to.match(/commit has been called on this transaction/);
    const bad = await selectRows(db.sequelize, 'SELECT nothing FROM no_such_table WHERE id = $1', [1]).catch((e: Error) => e);
    expect((bad as Error).name).to.equal('SequelizeDatabaseError');
    expect((bad as Error & { sql: string }).sql).to.contain('no_such_table');
    // the pool still answers (the connection of the failed statement was given back)
    for (let i = 0; i < 15; i++) expect(await selectRows(db.sequelize, 'SELECT $1 AS n', [i])).to.have.length(1);
  });

  it('a task list narrowed to an instance or a business key: the tasks sequelize\'s finder gives, in its order', async () => {
    const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 8, 0, n));
    const make = (executionId: string, extra: Record<string, unknown>) =>
      db.sequelize.transaction((t) => repo.createTask({ ...task(900), instanceId: 'inst-list', executionId, businessKey: 'GF-LIST', candidateGroups: [], candidateUsers: [], ...extra }, t));
    await make('e1', { candidateGroups: ['data-bureau'], createdAt: at(5) });
    await make('e2', { candidateUsers: ['sjj'], createdAt: at(1) });
    await make('e3', { assignee: 'sjj', createdAt: at(3) });
    await make('e4', { assignee: 'czj', candidateGroups: ['data-bureau'], createdAt: at(2) });
    await make('e5', { candidateGroups: ['finance-bureau'], createdAt: at(4) });
    await make('e6', { candidateGroups: ['data-bureau'], state: 'completed', createdAt: at(0) });
    await make('e7', { candidateGroups: ['data-bureau', 'finance-bureau'], createdAt: at(1) });
    const cols = (r: Record<string, unknown>) => ({ id: r.id, executionId: undefined, state: r.state, assignee: r.assignee, createdAt: r.createdAt, candidateGroups: r.candidateGroups, provisional: r.provisional });
    for (const [user, groups] of [['sjj', ['data-bureau']], ['czj', ['finance-bureau']], ['sjj', []], ['nobody', ['其他', 'x\u0000y']]] as [string, string[]][]) {
      for (const filter of [{ instanceId: 'inst-list' }, { businessKey: 'GF-LIST' }, { instanceId: 'inst-list', businessKey: 'GF-LIST' }]) {
        const mine = await repo.taskListFor(user, groups, filter);
        const theirs = await repo.tasksFor(user, groups, filter);
        expect(mine.map(cols), `${user} ${JSON.stringify(groups)} ${JSON.stringify(filter)}`).to.deep.equal(theirs.map((m) => cols(m.get({ plain: true }))));
      }
    }
    expect((await repo.taskListFor('sjj', ['data-bureau'], { instanceId: 'inst-list' })).map((r) => r.createdAt.getUTCSeconds())).to.deep.equal([1, 1, 3, 5]);
    expect(await repo.taskListFor('nobody', ['其他'], { instanceId: 'inst-list' })).to.deep.equal([]);
  });

  it('SQLite: keeps a bounded set of prepared statements per connection, usable after a failed run, finalized at close', async function () {
    if (db.dialect !== 'sqlite') this.skip();
    const url = await freshDatabaseUrl();
    const other = await openDatabase(url);
    await other.sequelize.query('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
    const put = (k: string, v: number) => runStatement(other.sequelize, 'INSERT INTO kv (k, v) VALUES ($1, $2)', [k, v]);
    await put('a', 1);
    const dup = await put('a', 2).catch((e: unknown) => e);
    expect(isUniqueViolation(dup)).to.equal(true);
    await put('b', 2); // the same statement, after its failed run
    for (let i = 0; i < SQLITE_STATEMENTS_PER_CONNECTION + 20; i++) {
      const [row] = await selectRows<{ v: number; n: number }>(other.sequelize, `SELECT v, ${i} AS n FROM kv WHERE k = $1`, ['b']);
      expect([row.v, row.n]).to.deep.equal([2, i]);
    }
    expect(await selectRows(other.sequelize, 'SELECT k FROM kv ORDER BY k', [])).to.deep.equal([{ k: 'a' }, { k: 'b' }]);
    await other.close(); // sqlite3 refuses to close a database whose statements are not finalized
    const again = await openDatabase(url);
    expect(await selectRows(again.sequelize, 'SELECT COUNT(*) AS n FROM kv', [])).to.deep.equal([{ n: 2 }]);
    await again.close();
  });

  it('logs each statement through the database\'s logging hook, as sequelize does', async () => {
    statements = [];
    await selectRows(db.sequelize, 'SELECT $1 AS logged', ['x']);
    expect(statements.filter((s) => /^Executing \(default\): SELECT \$1 AS logged$/.test(s))).to.have.length(1);
  });
});
