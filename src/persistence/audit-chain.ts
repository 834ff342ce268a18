import crypto from 'node:crypto';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';

/**
 * The tamper-evident trail: `activity_history` is append-only and hash-chained. Each row holds the hash
 * of its predecessor (`prevHash`) and its own `hash` = SHA-256 over a canonical serialisation of its
 * content and `prevHash`; the chain head (`audit_chain`, one row per chain) holds the last row's id and
 * hash. Appending locks the head row in the transaction that inserts the history row (SELECT … FOR UPDATE
 * on MySQL; SQLite serialises writers with BEGIN IMMEDIATE), so concurrent writers — requests of one
 * process, or several app processes on one database — always extend the chain one after the other, and
 * row ids (allocated while the head is held) follow the chain order.
 *
 * What the chain covers: every column but the id (ids may have gaps where a transaction rolled back).
 * A history row is never updated: an activity that ends appends a closing row (`closesId` = the start
 * row) — reads merge the two. Rows written before the trail existed (closed then by an UPDATE) were
 * hashed as they stood, in id order, by migration 011.
 */
export const HISTORY_CHAIN = 'activity_history';
export const GENESIS = '0'.repeat(64);

/** The content of one history row the hash covers. */
export interface ChainedHistoryContent {
  instanceId: string;
  executionId: string;
  activityId: string;
  activityName: string | null;
  activityType: string;
  startedAt: Date;
  endedAt: Date | null;
  actor: string | null;
  outcome: string | null;
  closesId: number | null;
}

/** A date as the database gives it back (a Date, or SQLite's `YYYY-MM-DD HH:MM:SS.SSS +00:00`) → ISO 8601 UTC. */
export function isoOf(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)\s*(Z|[+-]\d\d:?\d\d)?$/.exec(value.trim());
  const d = m ? new Date(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`unreadable date in the history: ${value}`);
  return d.toISOString();
}

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The canonical serialisation (version-tagged, fixed field order, JSON) of a row's content and its predecessor's hash. */
export function canonicalHistory(row: { [K in keyof ChainedHistoryContent]: unknown }, prevHash: string): string {
  return JSON.stringify([
    'govflow.history.v1',
    prevHash,
    text(row.instanceId),
    text(row.executionId),
    text(row.activityId),
    text(row.activityName),
    text(row.activityType),
    isoOf(row.startedAt as Date | string | null),
    isoOf(row.endedAt as Date | string | null),
    text(row.actor),
    text(row.outcome),
    row.closesId === null || row.closesId === undefined ? null : Number(row.closesId),
  ]);
}

export function historyHash(row: { [K in keyof ChainedHistoryContent]: unknown }, prevHash: string): string {
  return crypto.createHash('sha256').update(canonicalHistory(row, prevHash), 'utf8').digest('hex');
}

interface RawRow {
  id: number;
  instanceId: string;
  executionId: string;
  activityId: string;
  activityName: string | null;
  activityType: string;
  startedAt: Date | string;
  endedAt: Date | string | null;
  actor: string | null;
  outcome: string | null;
  closesId: number | null;
  prevHash: string | null;
  hash: string | null;
}

const COLUMNS = 'id, instanceId, executionId, activityId, activityName, activityType, startedAt, endedAt, actor, outcome, closesId, prevHash, hash';

/** Reads history rows in id order, a batch at a time. */
async function* rowsInOrder(sequelize: Sequelize, t: Transaction, batch = 1000): AsyncGenerator<RawRow> {
  let after: number | null = null; // the first batch has no lower bound: a row with a negative id is read too
  for (;;) {
    const where: string = after === null ? '' : 'WHERE id > :after';
    const rows: RawRow[] = await sequelize.query<RawRow>(`SELECT ${COLUMNS} FROM activity_history ${where} ORDER BY id ASC LIMIT ${batch}`, {
      type: QueryTypes.SELECT,
      replacements: { after },
      transaction: t,
    });
    for (const r of rows) yield { ...r, id: Number(r.id) };
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1].id);
  }
}

/** Hashes every row not hashed yet, in id order, and sets the head (migration 011: rows written before the trail). */
export async function hashExistingHistory(sequelize: Sequelize, t: Transaction): Promise<number> {
  let prev = GENESIS;
  let lastId: number | null = null;
  let n = 0;
  for await (const r of rowsInOrder(sequelize, t)) {
    const hash = historyHash(r, prev);
    await sequelize.query('UPDATE activity_history SET prevHash = :prev, hash = :hash WHERE id = :id', { replacements: { prev, hash, id: r.id }, transaction: t });
    prev = hash;
    lastId = r.id;
    n++;
  }
  await sequelize.query('INSERT INTO audit_chain (name, lastId, lastHash) VALUES (:name, :lastId, :prev)', { replacements: { name: HISTORY_CHAIN, lastId, prev }, transaction: t });
  return n;
}

export interface ChainReport {
  ok: boolean;
  /** history rows read */
  checked: number;
  /** the first row whose link is broken (edited, inserted, or the row after a deleted one); a deleted last row: its id as the head records it */
  firstBrokenId?: number;
}

/**
 * Walks the chain from the genesis: each row's `prevHash` must be its predecessor's hash, its `hash` must
 * be the hash of its content, and the head must name the last row. Reads one consistent snapshot
 * (REPEATABLE READ on MySQL; a transaction on SQLite), so rows committed meanwhile are not mistaken for
 * rows inserted outside the chain.
 */
export async function verifyHistoryChain(sequelize: Sequelize): Promise<ChainReport> {
  const mysql = sequelize.getDialect() !== 'sqlite';
  const options = mysql ? { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ } : {};
  return sequelize.transaction(options, async (t) => {
    const [head] = await sequelize.query<{ lastId: number | null; lastHash: string }>('SELECT lastId, lastHash FROM audit_chain WHERE name = :name', {
      type: QueryTypes.SELECT,
      replacements: { name: HISTORY_CHAIN },
      transaction: t,
    });
    const headId = head?.lastId === null || head?.lastId === undefined ? null : Number(head.lastId);
    let prev = GENESIS;
    let checked = 0;
    for await (const r of rowsInOrder(sequelize, t)) {
      checked++;
      // a row past the head was never appended through the chain
      if (!head || headId === null || r.id > headId) return { ok: false, checked, firstBrokenId: r.id };
      if (r.prevHash !== prev || r.hash !== historyHash(r, prev)) return { ok: false, checked, firstBrokenId: r.id };
      prev = r.hash;
    }
    // the head names the last row: a deleted last row leaves the head pointing past the chain
    if (!head) return { ok: false, checked };
    if (head.lastHash !== prev) return { ok: false, checked, firstBrokenId: headId ?? undefined };
    return { ok: true, checked };
  });
}
