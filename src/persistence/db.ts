import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { Sequelize, Transaction } from 'sequelize';

/** mysql2 keeps at most this many prepared statements per connection (it closes the oldest): see issue 11, hole 12 */
export const MAX_PREPARED_STATEMENTS_PER_CONNECTION = 50;

/** how long an SQLite connection waits for another writer (another process, or a write outside a transaction) */
export const SQLITE_BUSY_TIMEOUT_MS = 30_000;

export type Dialect = 'sqlite' | 'mysql';

export interface Database {
  sequelize: Sequelize;
  dialect: Dialect;
  close(): Promise<void>;
}

/**
 * DATABASE_URL: `sqlite:<path>` (`sqlite::memory:` too) or `mysql://user:pass@host:port/db`
 * (mysql2; MySQL, MariaDB, TiDB). A missing MySQL database is created.
 */
export async function openDatabase(url: string, opts: { logging?: (sql: string) => void } = {}): Promise<Database> {
  const logging = opts.logging ?? false;
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
    waitForTheWriter(sequelize);
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await sequelize.query('PRAGMA foreign_keys = ON');
    return { sequelize, dialect: 'sqlite', close: () => sequelize.close() };
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
      dialectOptions: { charset: 'utf8mb4', dateStrings: false, timezone: 'Z', maxPreparedStatements: MAX_PREPARED_STATEMENTS_PER_CONNECTION },
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
      isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED,
    });
    await sequelize.authenticate();
    return { sequelize, dialect: 'mysql', close: () => sequelize.close() };
  }
  throw new Error(`DATABASE_URL must start with sqlite: or mysql:// (got "${url.split(':')[0]}:…")`);
}

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
}

/**
 * SQLite has one writer at a time, and sequelize opens a new SQLite connection for every transaction.
 * So that writers wait their turn instead of failing with SQLITE_BUSY (issue 11, hole 13):
 * - every connection, not only the default one, gets the busy timeout (a writer of another process,
 *   or a write outside a transaction, is waited for);
 * - this process's transactions (all IMMEDIATE: they take the write lock at BEGIN) run one after the
 *   other through a queue, so they never contend for the lock among themselves. A transaction opened
 *   inside another one's callback is not queued (it would wait for itself).
 */
function waitForTheWriter(sequelize: Sequelize) {
  const manager = (sequelize as unknown as { connectionManager: { getConnection(o?: unknown): Promise<SqliteConnection> } }).connectionManager;
  const getConnection = manager.getConnection.bind(manager);
  const configured = new WeakSet<SqliteConnection>();
  manager.getConnection = async (o?: unknown) => {
    const connection = await getConnection(o);
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
    }
    return connection;
  };

  const original = sequelize.transaction.bind(sequelize) as (options?: unknown, fn?: (t: Transaction) => Promise<unknown>) => Promise<unknown>;
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<unknown> = Promise.resolve();
  const queued = (a?: unknown, b?: unknown) => {
    const [options, fn] = typeof a === 'function' ? [undefined, a as (t: Transaction) => Promise<unknown>] : [a, b as ((t: Transaction) => Promise<unknown>) | undefined];
    if (!fn || inside.getStore()) return original(options, fn);
    const run = () => inside.run(true, () => original(options, fn));
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };
  (sequelize as unknown as { transaction: typeof queued }).transaction = queued;
}
