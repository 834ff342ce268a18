import type { Sequelize, Transaction } from 'sequelize';

const RETRYABLE = /ER_LOCK_DEADLOCK|Deadlock found|ER_LOCK_WAIT_TIMEOUT|Lock wait timeout|SQLITE_BUSY|database is locked/;

/**
 * Runs fn in one database transaction; a deadlock or lock timeout (MySQL) or a busy database (SQLite)
 * rolls back and runs fn again from the start, a few times.
 */
export async function inTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await sequelize.transaction((t) => fn(t));
    } catch (err) {
      const text = `${(err as Error)?.message ?? ''} ${(err as { parent?: { code?: string } })?.parent?.code ?? ''}`;
      if (i >= attempts || !RETRYABLE.test(text)) throw err;
      await new Promise((r) => setTimeout(r, 20 * i + Math.random() * 30));
    }
  }
}

/**
 * Runs fn again (a few times) when it fails on a unique key another writer took first (a project code,
 * a definition version, a seeded user) — or, with `conflicts`, on a deadlock or lock timeout too. fn
 * must be idempotent or its own transaction (the next try finds what the other writer committed).
 */
export async function retryOnUniqueKey<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const text = `${(err as Error)?.message ?? ''} ${(err as { parent?: { code?: string } })?.parent?.code ?? ''}`;
      if (i >= attempts || ((err as Error)?.name !== 'SequelizeUniqueConstraintError' && !RETRYABLE.test(text))) throw err;
      await new Promise((r) => setTimeout(r, 10 * i + Math.random() * 20));
    }
  }
}
