import { Sequelize, type Model, type ModelStatic, type Transaction } from 'sequelize';
import { dateParam, isoOf } from './sql';

/**
 * The thin query layer of the hot path (issue 13 item 3): a statement with bound parameters straight on the
 * driver connection (sqlite3's `all`/`run`, mysql2's `execute`: one prepared statement per text), without
 * sequelize's query pipeline — options cloned, a Query object, a stack trace formatted for every statement, the
 * result handed through the dialect's formatter — which cost more than the statement itself (about 0.5 ms of CPU
 * each, measured with `bench/profile-p1.ts`).
 *
 * What it keeps of sequelize's: the connection (the transaction's, else one from sequelize's pool, given back),
 * the transaction of the async context when none is passed (as sequelize's CLS does), the refusal to use a
 * finished transaction, the logging hook (`Executing (…): sql`), and sequelize's errors (a unique key taken is a
 * UniqueConstraintError, formatted by the dialect as sequelize formats it). Rows are read as the driver gives
 * them on sequelize's connections (mysql2 with sequelize's type casts: dates as Date; SQLite: dates as text).
 *
 * Placeholders are `$1`, `$2`, … (the same text as `sequelize.query`'s bind); a number may repeat.
 */

type AllCallback = (err: Error | null, rows: Record<string, unknown>[]) => void;
type RunCallback = (this: { changes: number; lastID: number }, err: Error | null) => void;
interface SqliteStatement {
  all(params: unknown, cb: AllCallback): unknown;
  run(params: unknown, cb: RunCallback): unknown;
  finalize(cb?: () => void): unknown;
}
interface SqliteDatabase {
  prepare(sql: string, cb: (err: Error | null) => void): SqliteStatement;
  run(sql: string, params: unknown, cb: RunCallback): unknown;
  close(cb?: (err: Error | null) => void): unknown;
}

/** prepared statements kept per SQLite connection, this many at most (the oldest finalized first) */
export const SQLITE_STATEMENTS_PER_CONNECTION = 200;
const sqliteStatements = new WeakMap<object, Map<string, Promise<SqliteStatement>>>();

/**
 * A connection's prepared statement for a text, made once (sqlite3 makes and finalizes a statement per call
 * otherwise: about 6 % of a persisted instance's CPU in the P1 profile). A statement runs one call at a time (sqlite3
 * queues the next) and runs each to its end (`all`, `run`: no statement stays open holding a read snapshot). It is
 * used once its preparation answered — sqlite3 never calls back the calls queued on a statement whose preparation
 * failed — and one whose preparation failed is not kept. The connection's close finalizes them first (sqlite3
 * cannot close a database with statements open): see keepStatements.
 */
function sqliteStatement(db: SqliteDatabase, sql: string): Promise<SqliteStatement> {
  let cache = sqliteStatements.get(db);
  if (!cache) {
    cache = new Map();
    sqliteStatements.set(db, cache);
    keepStatements(db, cache);
  }
  let statement = cache.get(sql);
  if (statement) {
    // the most recently used last: the first is the one to finalize when the cache is full
    cache.delete(sql);
    cache.set(sql, statement);
    return statement;
  }
  const kept = cache;
  statement = new Promise<SqliteStatement>((resolve, reject) => {
    const made = db.prepare(sql, (err) => {
      if (!err) return resolve(made);
      if (kept.get(sql) === statement) kept.delete(sql);
      reject(err);
    });
  });
  statement.catch(() => undefined);
  cache.set(sql, statement);
  if (cache.size > SQLITE_STATEMENTS_PER_CONNECTION) {
    const [oldest] = cache.keys();
    dropStatement(cache, oldest, cache.get(oldest)!);
  }
  return statement;
}

function dropStatement(cache: Map<string, Promise<SqliteStatement>>, sql: string, statement: Promise<SqliteStatement>): void {
  if (cache.get(sql) === statement) cache.delete(sql);
  statement.then(
    (made) => made.finalize(() => undefined),
    () => undefined,
  );
}

/** the connection's close finalizes its kept statements first */
function keepStatements(db: SqliteDatabase, cache: Map<string, Promise<SqliteStatement>>): void {
  const close = db.close.bind(db);
  db.close = (cb?: (err: Error | null) => void) => {
    const open = [...cache.values()];
    cache.clear();
    void Promise.all(open.map((p) => p.then((made) => new Promise<void>((resolve) => made.finalize(() => resolve())), () => undefined))).then(() => close(cb));
    return db;
  };
}
interface MysqlConnection {
  execute(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): unknown;
  query(options: { sql: string }, cb: (err: Error | null, result: unknown) => void): unknown;
}
interface ConnectionManager {
  getConnection(options: Record<string, unknown>): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void> | void;
}
type DialectQuery = new (connection: unknown, sequelize: Sequelize, options: Record<string, unknown>) => { formatError(err: Error, stack?: string): Error };

export interface RunResult {
  /** rows inserted, updated or deleted (on MySQL sequelize's connections count the rows an UPDATE changed, as before) */
  changes: number;
  /** the generated key of an INSERT */
  insertId: number;
}

const mysqlTexts = new Map<string, { sql: string; order: number[] }>();

/** `$n` → `?` for mysql2, with the order in which the bound values are taken (a `$n` may repeat) */
function forMysql(sql: string): { sql: string; order: number[] } {
  let known = mysqlTexts.get(sql);
  if (!known) {
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    known = { sql: text, order };
    if (mysqlTexts.size < 2000) mysqlTexts.set(sql, known);
  }
  return known;
}

/** `$n` in order of first use, each once, as SQLite numbers them: an array binds by that position */
const sqliteTexts = new Map<string, boolean>();
function sqliteBindsInOrder(sql: string): boolean {
  let ok = sqliteTexts.get(sql);
  if (ok === undefined) {
    const seen: number[] = [];
    for (const m of sql.matchAll(/\$(\d+)/g)) if (!seen.includes(Number(m[1]))) seen.push(Number(m[1]));
    ok = seen.every((n, i) => n === i + 1);
    if (sqliteTexts.size < 2000) sqliteTexts.set(sql, ok);
  }
  return ok;
}

/** a value as the driver binds it: undefined as NULL, booleans as 1/0, bigints as text (sequelize does the same) */
function param(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v.toString();
  return v;
}

export function transactionOf(t: Transaction | undefined): Transaction | undefined {
  if (t) return t;
  const cls = (Sequelize as unknown as { _cls?: { get(key: string): Transaction | undefined } })._cls;
  return cls?.get('transaction') ?? undefined;
}

/** a statement that writes (what SQLite lets one writer do at a time) */
export const WRITE_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

async function execute<R>(sequelize: Sequelize, sql: string, bind: unknown[], t: Transaction | undefined, kind: 'all' | 'run', once = false): Promise<R> {
  const tx = transactionOf(t) as (Transaction & { id: string; finished?: string; connection: unknown }) | undefined;
  // SQLite: a write outside a transaction takes the writer's turn as a transaction of its own (see db.ts, waitForTheWriter)
  if (!tx && kind === 'run' && sequelize.getDialect() === 'sqlite' && WRITE_STATEMENT.test(sql)) {
    return sequelize.transaction((own) => execute<R>(sequelize, sql, bind, own, kind, once));
  }
  if (tx?.finished) throw Object.assign(new Error(`${tx.finished} has been called on this transaction(${tx.id}), you can no longer use it. (The rejected query is attached as the 'sql' property of this error)`), { sql });
  const logging = (sequelize as unknown as { options: { logging?: unknown } }).options.logging;
  if (typeof logging === 'function') (logging as (sql: string) => void)(`Executing (${tx ? tx.id : 'default'}): ${sql}`);
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const connection = tx ? tx.connection : await manager.getConnection({ type: kind === 'all' ? 'SELECT' : 'RAW', uuid: 'default' });
  const params = bind.map(param);
  try {
    if (sequelize.getDialect() === 'sqlite') {
      // a text used once (a savepoint's name) is not kept: the database's run prepares and finalizes it
      const statement = once ? null : await sqliteStatement(connection as SqliteDatabase, sql);
      const values = sqliteBindsInOrder(sql) ? params : Object.fromEntries(params.map((v, i) => [`$${i + 1}`, v]));
      return await new Promise<R>((resolve, reject) => {
        // a statement that failed as it ran (a constraint, a busy database) stays usable: the next call resets it
        const ran = function (this: { changes: number; lastID: number }, err: Error | null) {
          if (err) reject(err);
          else resolve({ changes: this.changes, insertId: this.lastID } as R);
        };
        if (!statement) (connection as SqliteDatabase).run(sql, values, ran);
        else if (kind === 'all') statement.all(values, (err, rows) => (err ? reject(err) : resolve(rows as R)));
        else statement.run(values, ran);
      });
    }
    const result = await new Promise<unknown>((resolve, reject) => {
      const done = (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res));
      // without values the text as it is, on the text protocol as sequelize does: a text that is never prepared
      // leaves no statement behind, and values escaped into it (which may hold a `$1`) are not read as markers
      if (!params.length) return (connection as MysqlConnection).query({ sql }, done);
      const text = forMysql(sql);
      (connection as MysqlConnection).execute(text.sql, text.order.map((i) => params[i] ?? null), done);
    });
    if (kind === 'all') return result as R;
    const header = result as { affectedRows: number; insertId: number };
    return { changes: Number(header.affectedRows), insertId: Number(header.insertId) } as R;
  } catch (err) {
    const e = err as Error & { sql?: string; parameters?: unknown };
    e.sql = sql;
    e.parameters = params;
    const Query = (sequelize as unknown as { dialect: { Query: DialectQuery } }).dialect.Query;
    throw new Query(connection, sequelize, {}).formatError(e, e.stack);
  } finally {
    if (!tx) await manager.releaseConnection(connection);
  }
}

/** A SELECT: the rows as the driver gives them. */
export function selectRows<R = Record<string, unknown>>(sequelize: Sequelize, sql: string, bind: unknown[], t?: Transaction): Promise<R[]> {
  return execute<R[]>(sequelize, sql, bind, t, 'all');
}

/** An INSERT, UPDATE or DELETE: the rows it matched and the generated key. */
export function runStatement(sequelize: Sequelize, sql: string, bind: unknown[], t?: Transaction): Promise<RunResult> {
  return execute<RunResult>(sequelize, sql, bind, t, 'run');
}

// ---- model rows

type AttributeKind = 'date' | 'json' | 'boolean' | 'integer' | 'other';
const kindsOf = new WeakMap<object, Map<string, AttributeKind>>();

function attributeKinds(model: ModelStatic<Model>): Map<string, AttributeKind> {
  let kinds = kindsOf.get(model);
  if (!kinds) {
    kinds = new Map();
    for (const [name, attr] of Object.entries(model.getAttributes())) {
      const key = (attr.type as unknown as { key?: string }).key;
      kinds.set(name, key === 'DATE' ? 'date' : key === 'JSON' ? 'json' : key === 'BOOLEAN' ? 'boolean' : key === 'INTEGER' || key === 'BIGINT' ? 'integer' : 'other');
    }
    kindsOf.set(model, kinds);
  }
  return kinds;
}

/** a row's value as sequelize gives it on a model: dates as Date, JSON parsed, booleans as booleans, integers as numbers */
function modelValue(kind: AttributeKind | undefined, v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  switch (kind) {
    case 'date':
      return v instanceof Date ? v : new Date(isoOf(String(v))!);
    case 'json':
      return typeof v === 'string' ? JSON.parse(v) : v;
    case 'boolean':
      return typeof v === 'boolean' ? v : Number(v) === 1;
    case 'integer':
      return typeof v === 'number' ? v : Number(v);
    default:
      return v;
  }
}

/**
 * Rows of a model's table read with selectRows, as the model instances sequelize's own finder would give (its
 * bulkBuild of found rows): columns not of the model (an EXISTS, say) are kept as they came, for `get(name)`.
 */
export function modelsOf<M extends Model>(model: ModelStatic<M>, rows: Record<string, unknown>[]): M[] {
  const kinds = attributeKinds(model as unknown as ModelStatic<Model>);
  const values = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = modelValue(kinds.get(k), v);
    return out;
  });
  return model.bulkBuild(values as never, { isNewRecord: false, raw: true });
}

/**
 * the model's columns as a SELECT list (its table's alias-free column names, quoted); in a join, `as` names them
 * with their table (`table`.`column`) and, with a prefix, renames each to `prefix` + its name (not kept: a joined
 * statement keeps its own text)
 */
const columnLists = new WeakMap<object, string>();
export function columnsOf(model: ModelStatic<Model>, as?: { table: string; prefix?: string }): string {
  const fields = () => Object.values(model.getAttributes()).map((a) => a.field ?? '');
  if (as) return fields().map((f) => `${as.table}.\`${f}\`${as.prefix ? ` AS \`${as.prefix}${f}\`` : ''}`).join(', ');
  let list = columnLists.get(model);
  if (!list) {
    list = fields()
      .map((f) => `\`${f}\``)
      .join(', ');
    columnLists.set(model, list);
  }
  return list;
}

/** a model attribute's value as a bound parameter, stored as sequelize stores it (dates per dialect, JSON as text) */
export function columnParam(model: ModelStatic<Model>, sequelize: Sequelize, name: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const kind = attributeKinds(model).get(name);
  if (kind === 'date') return dateParam(sequelize, v instanceof Date ? v : new Date(v as string));
  if (kind === 'json') return JSON.stringify(v);
  if (kind === 'boolean') return v ? 1 : 0;
  return v;
}

/**
 * Runs an UPDATE or DELETE whose text never changes, every value bound (`$1`, `$2`, …): on MySQL it is
 * one prepared statement however often it runs (sequelize writes dates of a WHERE into the text, and
 * every new text is one more server-side statement). On the driver connection. Returns the number of
 * rows it changed.
 */
export async function executeBound(sequelize: Sequelize, sql: string, bind: unknown[], t?: Transaction): Promise<number> {
  return (await runStatement(sequelize, sql, bind, t)).changes;
}

/**
 * Inserts rows of a model's table in one statement (`ignore`: a row whose unique key is taken is left out, as
 * sequelize's `ignoreDuplicates`) and answers the rows as built instances after a save: defaults applied, the
 * generated key set when there is one row. The columns are those the first row gives a value to.
 */
export async function insertModels<M extends Model>(model: ModelStatic<M>, values: Record<string, unknown>[], t: Transaction, o: { ignore?: boolean } = {}): Promise<M[]> {
  if (!values.length) return [];
  const sequelize = model.sequelize!;
  const attrs = model.getAttributes() as Record<string, { field?: string; autoIncrement?: boolean }>;
  const built = values.map((v) => model.build(v as never));
  const data = (m: M) => (m as unknown as { dataValues: Record<string, unknown> }).dataValues;
  const first = data(built[0]);
  const names = Object.keys(attrs).filter((k) => first[k] !== undefined && !(attrs[k].autoIncrement && first[k] === null));
  let n = 0;
  const rows = built.map(() => `(${names.map(() => `$${++n}`).join(', ')})`).join(', ');
  const verb = o.ignore ? (sequelize.getDialect() === 'sqlite' ? 'INSERT OR IGNORE' : 'INSERT IGNORE') : 'INSERT';
  const sql = `${verb} INTO ${model.getTableName() as string} (${names.map((k) => `\`${attrs[k].field ?? k}\``).join(', ')}) VALUES ${rows}`;
  const bind = built.flatMap((m) => names.map((k) => columnParam(model as unknown as ModelStatic<Model>, sequelize, k, data(m)[k])));
  const { insertId } = await runStatement(sequelize, sql, bind, t);
  const key = Object.keys(attrs).find((k) => attrs[k].autoIncrement);
  if (key && built.length === 1 && !o.ignore && data(built[0])[key] == null) built[0].setDataValue(key as never, Number(insertId) as never);
  for (const m of built) saved(m);
  return built;
}

/** an instance as sequelize leaves it after a save: not new, nothing changed, the stored values its previous ones */
function saved(m: Model): void {
  const inner = m as unknown as { dataValues: Record<string, unknown>; _previousDataValues: Record<string, unknown>; isNewRecord: boolean };
  inner.isNewRecord = false;
  for (const k of Object.keys(inner.dataValues)) {
    inner._previousDataValues[k] = inner.dataValues[k];
    m.changed(k as never, false);
  }
}

/** Updates one row of a model (by its `id`) with the given attributes in one bound statement, and the instance with it. */
export async function updateModel<M extends Model>(instance: M, values: Record<string, unknown>, t: Transaction): Promise<void> {
  const model = instance.constructor as ModelStatic<Model>;
  const sequelize = model.sequelize!;
  const attrs = model.getAttributes() as Record<string, { field?: string }>;
  const names = Object.keys(values).filter((k) => k in attrs && values[k] !== undefined);
  if (!names.length) return;
  const sets = names.map((k, i) => `\`${attrs[k].field ?? k}\` = $${i + 1}`).join(', ');
  const id = instance.get('id');
  await runStatement(sequelize, `UPDATE ${model.getTableName() as string} SET ${sets} WHERE id = $${names.length + 1}`, [...names.map((k) => columnParam(model, sequelize, k, values[k])), id], t);
  for (const k of names) instance.setDataValue(k as never, values[k] as never);
  saved(instance);
}

/** savepoints named so far in this process (each gets a name of its own: see startTransaction below) */
let savepoints = 0;

/**
 * A transaction's BEGIN (or a savepoint) and COMMIT on the driver connection too (sequelize's query pipeline ran
 * them: two of a unit of work's statements): sequelize's Transaction keeps everything else — its connection, its
 * savepoints, its rollback, `finished`, the hooks after a commit.
 */
export function transactionStatementsOnTheDriver(sequelize: Sequelize): void {
  type Tx = Transaction & { id: string; parent?: Tx; name?: string; finished?: string };
  const qi = sequelize.getQueryInterface() as unknown as {
    queryGenerator: { startTransactionQuery(t: Tx): string; commitTransactionQuery(t: Tx): string };
    startTransaction(t: Tx, options?: unknown): Promise<unknown>;
    commitTransaction(t: Tx, options?: unknown): Promise<unknown>;
  };
  const generator = qi.queryGenerator;
  qi.startTransaction = async (transaction: Tx) => {
    // sequelize names a savepoint `<transaction id>-sp-<its parent's savepoint count>`, and a savepoint of a savepoint
    // has its top-level transaction's id: the third savepoint of a unit could be named as the third unit of a group
    // commit is (db.ts), and `ROLLBACK TO` that name (the most recent of the name) would roll back too little
    // (sequelize's own startTransaction also wrote the savepoint's name onto its parent: a savepoint of a savepoint
    // renamed its parent, whose ROLLBACK TO then went back to the child's start only)
    if (transaction.parent) transaction.name = `${transaction.id}-sp-${++savepoints}`;
    const target = transaction.parent ?? transaction;
    await execute<RunResult>(sequelize, generator.startTransactionQuery(transaction), [], target, 'run', !!transaction.parent);
  };
  qi.commitTransaction = async (transaction: Tx) => {
    if (transaction.parent) return; // a savepoint ends with its transaction
    const done = execute<RunResult>(sequelize, generator.commitTransactionQuery(transaction), [], transaction, 'run');
    transaction.finished = 'commit';
    await done;
  };
}
