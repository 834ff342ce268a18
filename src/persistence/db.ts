import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, Transaction } from 'sequelize';

/** mysql2 keeps at most this many prepared statements per connection (it closes the oldest): see issue 11, hole 12 */
export const MAX_PREPARED_STATEMENTS_PER_CONNECTION = 50;

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
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query('PRAGMA busy_timeout = 10000');
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
