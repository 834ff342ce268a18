import type { Sequelize, Transaction } from 'sequelize';

type TransactionFn = (...args: unknown[]) => Promise<unknown>;

/**
 * Holds the writer — a transaction whose callback waits (`lock` runs first in it: a row lock on MySQL; on SQLite the
 * transaction alone holds the one writer) — and counts the transactions asked for meanwhile, so a test can let
 * several units of work reach the writer's door before any goes in. `asked(n)` resolves once n were asked for;
 * `release()` lets the holder end (and stops counting); calling it again does nothing more.
 */
export async function holdTheWriter(sequelize: Sequelize, lock?: (t: Transaction) => Promise<unknown>) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let held!: () => void;
  const holding = new Promise<void>((r) => (held = r));
  const holder = sequelize.transaction(async (t: Transaction) => {
    if (lock) await lock(t);
    held();
    await gate;
  });
  await holding;
  const seq = sequelize as unknown as { transaction: TransactionFn };
  const original = seq.transaction.bind(sequelize) as TransactionFn;
  let count = 0;
  const waiting: { n: number; resolve: () => void }[] = [];
  seq.transaction = (...args: unknown[]) => {
    count++;
    for (const w of waiting) if (count >= w.n) w.resolve();
    return original(...args);
  };
  return {
    asked: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiting.push({ n, resolve }))),
    async release() {
      seq.transaction = original;
      open();
      await holder;
    },
  };
}
