import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { Sequelize, Transaction } from 'sequelize';
import { WRITE_STATEMENT, transactionOf, transactionStatementsOnTheDriver } from './direct';

/** mysql2 keeps at most this many prepared statements per connection (it closes the oldest): see issue 11, hole 12 */
export const MAX_PREPARED_STATEMENTS_PER_CONNECTION = 50;

/** how long an SQLite connection waits for another writer (another process, or a write outside a transaction) */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

/** at most this many units of work share one SQLite transaction (group commit: see waitForTheWriter) */
export const SQLITE_UNITS_PER_COMMIT = 32;

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
  sequelize: Sequelize;
  dialect: Dialect;
  close(): Promise<void>;
  /** SQLite: the units of work the writer queue ran, and the transactions it committed them in (group commit) */
  writer?: WriterStats;
}

export interface WriterStats {
  units: number;
  transactions: number;
}

/**
 * SQLite reads an SQL text up to its first NUL character, so a string literal holding one (a query parameter
 * `a%00b` compared in a WHERE clause) cut the statement and failed as a syntax error (answered 500). Literals that
 * sequelize escapes into the text are written with the NUL as `char(0)`: `('a' || char(0) || 'b')`, the same value.
 * Bound parameters carry any string and need nothing.
 */
function escapeNulForSqlite(sequelize: Sequelize): void {
  const generator = (sequelize.getQueryInterface() as unknown as { queryGenerator: { escape(...args: unknown[]): string } }).queryGenerator;
  const escape = generator.escape.bind(generator);
  generator.escape = (...args: unknown[]) => {
    const text = escape(...args);
    return typeof text === 'string' && text.includes('\0') ? `(${text.replace(/\0/g, "' || char(0) || '")})` : text;
  };
}

/**
 * DATABASE_URL: `sqlite:<path>` (`sqlite::memory:` too) or `mysql://user:pass@host:port/db`
 * (mysql2; MySQL, MariaDB, TiDB). A missing MySQL database is created.
 */
export async function openDatabase(url: string, opts: { logging?: (sql: string) => void; lockWaitTimeoutS?: number | null } = {}): Promise<Database> {
  const logging = opts.logging ?? false;
  useTransactionContext();
  if (url.startsWith('sqlite:')) {
    const storage = url.slice('sqlite:'.length) || ':memory:';
    if (storage !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(storage)), { recursive: true });
    const sequelize = new Sequelize({
      dialect: 'sqlite',
      storage,
      logging,
      // SQLite has one writer: IMMEDIATE takes the write lock at BEGIN, so two transactions never
      // deadlock on a read-then-write upgrade; busy_timeout makes a second process wait instead of failing.
      transactionType: Transaction.TYPES.IMMEDIATE,
      retry: { max: 10, match: [/SQLITE_BUSY/] },
      pool: { max: 1, min: 0 },
    });
    const writer = waitForTheWriter(sequelize);
    escapeNulForSqlite(sequelize);
    transactionStatementsOnTheDriver(sequelize);
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await sequelize.query('PRAGMA foreign_keys = ON');
    return { sequelize, dialect: 'sqlite', close: () => sequelize.close(), writer };
  }
  if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    const u = new URL(url.replace(/^mariadb:/, 'mysql:'));
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'govflow';
    const common = {
      host: u.hostname,
      port: Number(u.port || 3306),
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      dialect: 'mysql' as const,
      logging,
      // mysql2 caches every prepared statement of a connection (16,000 by default, never closed): a cap
      // closes the oldest, so no text that varies can fill the server's max_prepared_stmt_count
      // typeCast: mysql2's own conversions. sequelize's (a function) makes mysql2 build a wrapper object with three
      // closures for every column of every row; its only conversions of its own are DATETIME, which mysql2 reads the
      // same way with timezone 'Z' (sequelize: '+00:00'), DATE — a column or an expression such as DATE(…) — as its
      // 'YYYY-MM-DD' text, which dateStrings: ['DATE'] keeps, and GEOMETRY, which nothing here uses
      dialectOptions: { charset: 'utf8mb4', dateStrings: ['DATE'], timezone: 'Z', typeCast: true, maxPreparedStatements: MAX_PREPARED_STATEMENTS_PER_CONNECTION },
      timezone: '+00:00',
    };
    const admin = new Sequelize({ ...common, pool: { max: 1 } });
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${database.replace(/`/g, '')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.close();
    const sequelize = new Sequelize({
      ...common,
      database,
      pool: { max: 10, min: 0, idle: 10000 },
      define: { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' },
    });
    const lockWait = opts.lockWaitTimeoutS;
    // READ COMMITTED for every transaction, set once per pooled connection (sequelize's isolationLevel
    // option sends `SET TRANSACTION ISOLATION LEVEL` before every transaction: one statement per unit of
    // work); every pooled connection also waits at most lockWait for a row lock: the statement then fails
    // and the repositories' conflict retries run it again (src/persistence/transaction.ts)
    sequelize.addHook('afterConnect', async (connection: unknown) => {
      const c = (connection as { promise(): { query(sql: string): Promise<unknown> } }).promise();
      await c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
      if (lockWait) await c.query(`SET SESSION innodb_lock_wait_timeout = ${Math.floor(lockWait)}`);
    });
    await sequelize.authenticate();
    transactionStatementsOnTheDriver(sequelize);
    return { sequelize, dialect: 'mysql', close: () => sequelize.close() };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url.split(':')[0]}:…")`);
}

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  run(sql: string, ...rest: unknown[]): unknown;
  all(sql: string, ...rest: unknown[]): unknown;
  exec(sql: string, ...rest: unknown[]): unknown;
}

type SqliteCallback = (err: Error | null, rows?: unknown) => void;

const TX_CONNECTION = 'govflow-transactions';
const DDL = /^\s*(CREATE|ALTER|DROP)\b/i;
const TABLE_INFO = /^PRAGMA table_info\(/i;

/**
 * Sets up each SQLite connection once (issue 11 hole 13, issue 13 item 2):
 * - the busy timeout on every connection, not only the default one (a writer of another process, or a
 *   write outside a transaction, is waited for);
 * - `synchronous = NORMAL` (with WAL: a commit is durable against a crash of the process, and the database
 *   stays consistent on a power loss, which may lose the last commits; FULL fsyncs at every commit);
 * - sequelize asks `PRAGMA table_info` of every table a SELECT names, on every SELECT, to type its
 *   columns: the answers are kept (the schema changes only through DDL, which clears them).
 */
function configureConnection(connection: SqliteConnection, tableInfo: Map<string, unknown>): Promise<void> {
  connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
  const wrap = (method: 'run' | 'all' | 'exec') => {
    const original = connection[method].bind(connection) as (sql: string, ...rest: unknown[]) => unknown;
    connection[method] = (sql: string, ...rest: unknown[]) => {
      if (typeof sql === 'string' && DDL.test(sql)) tableInfo.clear();
      if (method === 'all' && typeof sql === 'string' && TABLE_INFO.test(sql)) {
        const callback = rest[rest.length - 1] as SqliteCallback;
        const known = tableInfo.get(sql);
        if (known) {
          setImmediate(() => callback(null, known));
          return connection;
        }
        return original(sql, ...rest.slice(0, -1), (err: Error | null, rows: unknown) => {
          if (!err) tableInfo.set(sql, rows);
          callback(err, rows);
        });
      }
      return original(sql, ...rest);
    };
  };
  wrap('run');
  wrap('all');
  wrap('exec');
  return new Promise((resolve) => connection.run('PRAGMA synchronous = NORMAL', () => resolve()));
}

/**
 * SQLite has one writer at a time. So that writers wait their turn instead of failing with SQLITE_BUSY
 * (issue 11, hole 13), and so that a unit of work does not open a database file of its own:
 * - this process's transactions (all IMMEDIATE: they take the write lock at BEGIN) run one after the
 *   other through a queue, so they never contend for the lock among themselves. A transaction opened
 *   inside another one's callback is not queued (it would wait for itself): it is a savepoint of it;
 * - being one after the other, they share one connection kept open (sequelize opens and closes a
 *   connection per transaction otherwise); reads outside a transaction use the default connection.
 *   Should a transaction end without its COMMIT or ROLLBACK reaching the database, a ROLLBACK follows,
 *   so the next one starts clean.
 */
function waitForTheWriter(sequelize: Sequelize): WriterStats {
  const stats: WriterStats = { units: 0, transactions: 0 };
  const manager = (sequelize as unknown as {
    connectionManager: { getConnection(o?: { uuid?: string }): Promise<SqliteConnection>; releaseConnection(c: SqliteConnection, force?: boolean): unknown };
  }).connectionManager;
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  const configured = new WeakMap<SqliteConnection, Promise<void>>();
  const tableInfo = new Map<string, unknown>();
  let shared: SqliteConnection | null = null;
  /** set while the queue runs a transaction: only those share the connection (they are one after the other) */
  const queuedRun = new AsyncLocalStorage<true>();
  manager.getConnection = async (o?: { uuid?: string }) => {
    const forTransaction = !!o?.uuid && o.uuid !== 'default' && queuedRun.getStore() === true;
    const connection = await getConnection(forTransaction ? { ...o, uuid: TX_CONNECTION } : o);
    if (!configured.has(connection)) configured.set(connection, configureConnection(connection, tableInfo));
    await configured.get(connection);
    if (forTransaction) shared = connection;
    return connection;
  };
  manager.releaseConnection = (connection: SqliteConnection, force?: boolean) => {
    if (connection === shared && !force) return undefined; // kept for the next transaction
    return releaseConnection(connection, force);
  };
  const rollbackLeftovers = () =>
    new Promise<void>((resolve) => {
      if (!shared) return resolve();
      shared.run('ROLLBACK', () => resolve()); // "no transaction is active" when it ended properly
    });

  const original = sequelize.transaction.bind(sequelize) as (options?: unknown, fn?: (t: Transaction) => Promise<unknown>) => Promise<unknown>;
  const inside = new AsyncLocalStorage<Transaction>();
  const waiting: Waiting[] = [];
  let draining = false;

  /** a unit of work alone, in a transaction of its own */
  const alone = (unit: Waiting) =>
    unit
      .start((fn) => queuedRun.run(true, () => original(unit.options, (t) => inside.run(t, () => fn(t)))))
      .then(unit.resolve, async (err: unknown) => {
        await rollbackLeftovers();
        unit.reject(err);
      });

  /**
   * Group commit (issue 13, item 2): the units that waited while the writer was busy run one after the other in
   * one transaction, each in a savepoint of its own — one BEGIN, one COMMIT, one append to the audit chains for
   * all of them. A unit's caller hears of it once the group's COMMIT is done (its work is then as durable as it
   * was alone). A unit that fails rolls back to its savepoint and is answered at once; it ends the group (the
   * units after it go into the next one): an error may have ended the whole transaction in SQLite (a full disk,
   * an I/O error), and a later unit must never run outside it. The group then commits what went before; should
   * that COMMIT fail, every unit of the group is answered with its error (none of their work is stored).
   */
  const together = async (group: Waiting[]) => {
    const done: { unit: Waiting; value: unknown }[] = [];
    let failedAt = -1;
    try {
      await queuedRun.run(true, () =>
        original(undefined, async (root) => {
          for (const [i, unit] of group.entries()) {
            try {
              const value = await unit.start((fn) => original({ ...(unit.options as object | undefined), transaction: root }, (sp) => inside.run(sp, () => fn(sp))));
              done.push({ unit, value });
            } catch (err) {
              failedAt = i;
              unit.reject(err);
              return;
            }
          }
        }),
      );
      for (const { unit, value } of done) unit.resolve(value);
    } catch (err) {
      await rollbackLeftovers();
      for (const { unit } of done) unit.reject(err);
    }
    if (failedAt >= 0) waiting.unshift(...group.slice(failedAt + 1));
  };

  const drain = async () => {
    draining = true;
    try {
      while (waiting.length) {
        const group = waiting.splice(0, SQLITE_UNITS_PER_COMMIT);
        stats.units += group.length;
        stats.transactions++;
        await (group.length === 1 ? alone(group[0]) : together(group));
      }
    } finally {
      draining = false;
    }
  };

  const queued = (a?: unknown, b?: unknown) => {
    const [options, fn] = typeof a === 'function' ? [undefined, a as (t: Transaction) => Promise<unknown>] : [a, b as ((t: Transaction) => Promise<unknown>) | undefined];
    if (!fn) return original(options, fn);
    const outer = inside.getStore();
    // inside another transaction (a migration that opens its own, run in the migrations' transaction): a
    // savepoint of that one — a second connection would wait for the write lock its own caller holds
    if (outer) return original({ ...(options as object | undefined), transaction: (options as { transaction?: Transaction } | undefined)?.transaction ?? outer }, fn);
    return new Promise((resolve, reject) => {
      // the unit's callback runs in its caller's async context (its request's), whichever caller's drain runs it
      const start = AsyncResource.bind((open: (fn: (t: Transaction) => Promise<unknown>) => Promise<unknown>) => open(fn));
      waiting.push({ options, start, resolve, reject });
      if (!draining) void drain();
    });
  };
  (sequelize as unknown as { transaction: typeof queued }).transaction = queued;

  // A write outside a transaction (the outbox's claims and marks, a lease given back, a notification read) takes
  // the writer's turn too, as a transaction of its own. On the default connection it met the queue's transactions
  // in SQLite's busy handler, which sleeps up to 100 ms a try while the queue takes the lock again and again: with
  // the scheduler's outbox round running in the server, 32 clients completed 15 tasks/s instead of 196 (issue 13,
  // P2). Reads stay on the default connection (WAL: a reader never waits for the writer).
  const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: { transaction?: Transaction | null }) => Promise<unknown>;
  (sequelize as unknown as { query: typeof query }).query = (sql, options) => {
    const text = typeof sql === 'string' ? sql : ((sql as { query?: string } | null)?.query ?? '');
    if (!options?.transaction && !transactionOf(undefined) && WRITE_STATEMENT.test(text)) {
      return queued((t: Transaction) => query(sql, { ...options, transaction: t })) as Promise<unknown>;
    }
    return query(sql, options);
  };
  return stats;
}

/** a unit of work waiting for the writer: `start` opens it (a transaction or a savepoint) in its caller's context */
interface Waiting {
  options: unknown;
  start: (open: (fn: (t: Transaction) => Promise<unknown>) => Promise<unknown>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

let contextInstalled = false;

/**
 * Every query made inside a transaction's callback runs in that transaction, whether or not the code
 * passes it (sequelize's CLS, here on AsyncLocalStorage). Without it a read that forgot `t` needed a
 * second pooled connection while its transaction held one: twenty concurrent units of work on a pool
 * of ten each waited for a connection that none would give back (acquire timeout, a 500).
 */
function useTransactionContext() {
  if (contextInstalled) return;
  contextInstalled = true;
  const store = new AsyncLocalStorage<Map<string, unknown>>();
  Sequelize.useCLS({
    run: (fn: (context: Map<string, unknown>) => unknown) => {
      const context = new Map<string, unknown>();
      return store.run(context, () => fn(context));
    },
    bind: <F>(fn: F) => fn,
    get: (key: string) => store.getStore()?.get(key),
    set: (key: string, value: unknown) => store.getStore()?.set(key, value),
  } as unknown as Parameters<typeof Sequelize.useCLS>[0]);
}
