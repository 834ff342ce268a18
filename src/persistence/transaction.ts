import type { Sequelize, Transaction } from 'sequelize';

const RETRYABLE = /ER_LOCK_DEADLOCK|Deadlock found|ER_LOCK_WAIT_TIMEOUT|Lock wait timeout|SQLITE_BUSY|database is locked/;

/** A deadlock or lock-wait timeout (MySQL) or a busy database (SQLite): the work rolled back and may run again. */
export function isConflict(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${(err as { parent?: { code?: string } })?.parent?.code ?? ''}`;
  return RETRYABLE.test(text);
}

/** A unique key another writer took first. */
export const isUniqueViolation = (err: unknown) => (err as Error)?.name === 'SequelizeUniqueConstraintError';

async function retrying<T>(fn: () => Promise<T>, retryable: (err: unknown) => boolean, attempts: number, pauseMs: number): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !retryable(err)) throw err;
      await new Promise((r) => setTimeout(r, pauseMs * i + Math.random() * pauseMs * 1.5));
    }
  }
}

/**
 * Runs fn in one database transaction; a deadlock or lock timeout (MySQL) or a busy database (SQLite)
 * rolls back and runs fn again from the start, a few times.
 */
export function inTransaction<T>(sequelize: Sequelize, fn: (t: Transaction) => Promise<T>, attempts = 5): Promise<T> {
  return retrying(() => sequelize.transaction((t) => fn(t)), isConflict, attempts, 20);
}

/**
 * Runs one statement outside a unit of work (a claim, a lease release, an outbox mark) again when it
 * meets a deadlock or lock-wait timeout: the statement rolled back alone, so running it again is the
 * same statement once (issue 11, hole 8). Never use it around part of a transaction.
 */
export function retryConflicts<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  return retrying(fn, isConflict, attempts, 20);
}

/**
 * Runs fn again (a few times) when it fails on a unique key another writer took first (a project code,
 * a definition version, a seeded user) — or, with `conflicts`, on a deadlock or lock timeout too. fn
 * must be idempotent or its own transaction (the next try finds what the other writer committed).
 */
export function retryOnUniqueKey<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  return retrying(fn, (err) => isUniqueViolation(err) || isConflict(err), attempts, 10);
}
