import crypto from 'node:crypto';
import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import { executeBound, runStatement, selectRows } from './direct';
import { dateText, isoOf } from './sql';
import { AuditChainModel } from './models/runtime.model';

/**
 * The tamper-evident trail: `activity_history` and `operation_log` are append-only and hash-chained, each
 * table its own chain. Each row holds the hash
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
export const OPERATION_CHAIN = 'operation_log';
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

/** Canonical JSON: keys sorted at every level, after a JSON round trip (what the database gives back). */
export function canonicalJson(value: unknown): string {
  const v = typeof value === 'string' ? safeParse(value) : value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null');
  const walk = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x).sort().map((k) => [k, walk((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(walk(v));
}
function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

/** The content of one operation-log row the hash covers (`data` as canonical JSON: sorted keys, after a JSON round trip). */
export interface ChainedOperationContent {
  instanceId: string | null;
  taskId: number | null;
  operation: string;
  actor: string | null;
  at: Date;
  data: Record<string, unknown> | null;
}

export function operationHash(row: { [K in keyof ChainedOperationContent]: unknown }, prevHash: string): string {
  const canonical = JSON.stringify([
    'govflow.operation.v1',
    prevHash,
    text(row.instanceId),
    row.taskId === null || row.taskId === undefined ? null : Number(row.taskId),
    text(row.operation),
    text(row.actor),
    isoOf(row.at as Date | string | null),
    canonicalJson(row.data),
  ]);
  return crypto.createHash('sha256').update(canonical, 'utf8').digest('hex');
}

interface RawRow {
  id: number;
  prevHash: string | null;
  hash: string | null;
  [column: string]: unknown;
}

/** The chained tables: their head's name, the columns read and the row hash. */
interface Chain {
  name: string;
  columns: string;
  hash(row: RawRow, prev: string): string;
}
const CHAINS: Record<'history' | 'operations', Chain> = {
  history: {
    name: HISTORY_CHAIN,
    columns: 'id, instanceId, executionId, activityId, activityName, activityType, startedAt, endedAt, actor, outcome, closesId, prevHash, hash',
    hash: (r, prev) => historyHash(r as never, prev),
  },
  operations: {
    name: OPERATION_CHAIN,
    columns: 'id, instanceId, taskId, operation, actor, at, data, prevHash, hash',
    hash: (r, prev) => operationHash(r as never, prev),
  },
};

/** Reads a chained table's rows in id order, a batch at a time. */
async function* rowsInOrder(sequelize: Sequelize, chain: Chain, t: Transaction, batch = 1000): AsyncGenerator<RawRow> {
  let after: number | null = null; // the first batch has no lower bound: a row with a negative id is read too
  for (;;) {
    const where: string = after === null ? '' : 'WHERE id > :after';
    const rows: RawRow[] = await sequelize.query<RawRow>(`SELECT ${chain.columns} FROM ${chain.name} ${where} ORDER BY id ASC LIMIT ${batch}`, {
      type: QueryTypes.SELECT,
      replacements: { after },
      transaction: t,
    });
    for (const r of rows) yield { ...r, id: Number(r.id) };
    if (rows.length < batch) return;
    after = Number(rows[rows.length - 1].id);
  }
}

/** Hashes every row of a chained table in id order and sets its head (migrations 011, 012: rows written before the trail). */
export async function hashExisting(sequelize: Sequelize, which: 'history' | 'operations', t: Transaction): Promise<number> {
  const chain = CHAINS[which];
  let prev = GENESIS;
  let lastId: number | null = null;
  let n = 0;
  for await (const r of rowsInOrder(sequelize, chain, t)) {
    const hash = chain.hash(r, prev);
    await sequelize.query(`UPDATE ${chain.name} SET prevHash = :prev, hash = :hash WHERE id = :id`, { replacements: { prev, hash, id: r.id }, transaction: t });
    prev = hash;
    lastId = r.id;
    n++;
  }
  await sequelize.query('INSERT INTO audit_chain (name, lastId, lastHash) VALUES (:name, :lastId, :prev)', { replacements: { name: chain.name, lastId, prev }, transaction: t });
  return n;
}

export interface ChainReport {
  ok: boolean;
  /** rows read */
  checked: number;
  /** the first row whose link is broken (edited, inserted, or the row after a deleted one); a deleted last row: its id as the head records it */
  firstBrokenId?: number;
}

/** The history chain at the top level (api.md); `ok` is false when either chain is broken. */
export type TrailReport = ChainReport & { operationLog: ChainReport };

async function verifyChain(sequelize: Sequelize, chain: Chain, t: Transaction): Promise<ChainReport> {
  const [head] = await sequelize.query<{ lastId: number | null; lastHash: string }>('SELECT lastId, lastHash FROM audit_chain WHERE name = :name', {
    type: QueryTypes.SELECT,
    replacements: { name: chain.name },
    transaction: t,
  });
  const headId = head?.lastId === null || head?.lastId === undefined ? null : Number(head.lastId);
  let prev = GENESIS;
  let checked = 0;
  for await (const r of rowsInOrder(sequelize, chain, t)) {
    checked++;
    // a row past the head was never appended through the chain
    if (!head || headId === null || r.id > headId) return { ok: false, checked, firstBrokenId: r.id };
    if (r.prevHash !== prev || r.hash !== chain.hash(r, prev)) return { ok: false, checked, firstBrokenId: r.id };
    prev = r.hash;
  }
  // the head names the last row: a deleted last row leaves the head pointing past the chain
  if (!head) return { ok: false, checked };
  if (head.lastHash !== prev) return { ok: false, checked, firstBrokenId: headId ?? undefined };
  return { ok: true, checked };
}

/**
 * Walks each chain from the genesis: each row's `prevHash` must be its predecessor's hash, its `hash` must
 * be the hash of its content, and the head must name the last row. Reads one consistent snapshot
 * (REPEATABLE READ on MySQL; a transaction on SQLite), so rows committed meanwhile are not mistaken for
 * rows inserted outside the chain.
 */
export async function verifyTrail(sequelize: Sequelize): Promise<TrailReport> {
  const mysql = sequelize.getDialect() !== 'sqlite';
  const options = mysql ? { isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ } : {};
  return sequelize.transaction(options, async (t) => {
    const history = await verifyChain(sequelize, CHAINS.history, t);
    const operationLog = await verifyChain(sequelize, CHAINS.operations, t);
    return { ...history, ok: history.ok && operationLog.ok, operationLog };
  });
}

/**
 * Appends wait for the commit (issue 13, P2/P5). A transaction's appends — its own and those of its savepoints —
 * are kept in order in memory; just before its COMMIT the chain heads are locked (SELECT … FOR UPDATE on MySQL;
 * SQLite's writer lock is held from BEGIN IMMEDIATE), the rows are hashed and inserted in that order and each head
 * is written once. So a head is held for those few statements and the commit only — before, it was locked from
 * the first append (the operation row of a completion, written before the engine run) to the commit, and every
 * unit of work of every process waited for it in turn. The rows' ids are allocated while the heads are held, so
 * they still follow the chain order. A savepoint that rolls back takes its appends with it; a transaction that
 * rolls back appends nothing. Lock order: the history head before the operation log's, in every transaction.
 */
interface PendingHistory {
  chain: 'history';
  owner: Transaction;
  content: ChainedHistoryContent;
  /** a closing row whose start row is pending in the same transaction: its id is known at the flush */
  closes: PendingHistory | null;
  id: number | null;
}
interface PendingOperation {
  chain: 'operations';
  owner: Transaction;
  content: ChainedOperationContent;
}
type Pending = PendingHistory | PendingOperation;

/** the appends each top-level transaction will make at its commit, in order */
const pendingByRoot = new WeakMap<Transaction, Pending[]>();

type Nested = Transaction & { parent?: Transaction };
const rootOf = (t: Transaction): Transaction => {
  let x = t as Nested;
  while (x.parent) x = x.parent as Nested;
  return x;
};
/** is `owner` the transaction `t` or one of its savepoints */
const within = (owner: Transaction, t: Transaction): boolean => {
  for (let x: Nested | undefined = owner as Nested; x; x = x.parent as Nested | undefined) if (x === t) return true;
  return false;
};

/** Locks the heads, hashes and inserts the pending rows in order, writes each head once. */
async function flush(t: Transaction, pending: Pending[]): Promise<void> {
  const sequelize = AuditChainModel.sequelize!;
  const history = pending.filter((p): p is PendingHistory => p.chain === 'history');
  const operations = pending.filter((p): p is PendingOperation => p.chain === 'operations');
  const names = [HISTORY_CHAIN, ...(operations.length ? [OPERATION_CHAIN] : [])];
  // both heads in one locking read, in primary-key order — the history head ('activity_history') before the
  // operation head ('operation_log') in every transaction, so two units never wait for each other's second head
  const lock = sequelize.getDialect() === 'sqlite' ? '' : ' FOR UPDATE'; // SQLite: the IMMEDIATE transaction holds the writer
  const rows = await selectRows<{ name: string; lastId: number | null; lastHash: string }>(
    sequelize,
    `SELECT name, lastId, lastHash FROM audit_chain WHERE name IN (${names.map((_, i) => `$${i + 1}`).join(', ')}) ORDER BY name${lock}`,
    names,
    t,
  );
  const heads = new Map(rows.map((r) => [r.name, { lastId: r.lastId === null ? null : Number(r.lastId), lastHash: r.lastHash }]));
  for (const name of names) if (!heads.has(name)) throw new Error(`the ${name} chain has no head (migration 011 not applied)`);
  const step = await autoIncrementStep(sequelize, t);
  const moved = new Set<string>();

  // history rows, in order, several to a statement: a run of rows ends before a closing row whose start row is
  // in the same run (its closesId, which the hash covers, is that row's id — known once the run is inserted)
  const h = heads.get(HISTORY_CHAIN)!;
  for (let i = 0; i < history.length; ) {
    const run: PendingHistory[] = [];
    while (i < history.length && run.length < ROWS_PER_INSERT && !(history[i].closes && run.includes(history[i].closes!))) run.push(history[i++]);
    const values = run.map((p) => {
      const content = p.closes ? { ...p.content, closesId: p.closes.id } : p.content;
      const hash = historyHash(content, h.lastHash);
      const row = [content.instanceId, content.executionId, content.activityId, content.activityName, content.activityType, dateText(sequelize, content.startedAt), dateText(sequelize, content.endedAt), content.actor, content.outcome, content.closesId, h.lastHash, hash];
      h.lastHash = hash;
      return row;
    });
    const ids = await insertRows(sequelize, 'activity_history', HISTORY_COLUMNS, values, step, t);
    run.forEach((p, k) => (p.id = ids[k]));
    h.lastId = ids[ids.length - 1];
    moved.add(HISTORY_CHAIN);
  }
  if (operations.length) {
    const o = heads.get(OPERATION_CHAIN)!;
    for (let i = 0; i < operations.length; i += ROWS_PER_INSERT) {
      const values = operations.slice(i, i + ROWS_PER_INSERT).map(({ content: c }) => {
        const hash = operationHash(c, o.lastHash);
        const row = [c.instanceId, c.taskId, c.operation, c.actor, dateText(sequelize, c.at), c.data === null ? null : JSON.stringify(c.data), o.lastHash, hash];
        o.lastHash = hash;
        return row;
      });
      const ids = await insertRows(sequelize, 'operation_log', OPERATION_COLUMNS, values, step, t);
      o.lastId = ids[ids.length - 1];
    }
    moved.add(OPERATION_CHAIN);
  }

  // the heads that moved, in one statement
  const written = [...moved].map((name) => [name, heads.get(name)!] as const);
  if (!written.length) return;
  const bind = written.flatMap(([name, head]) => [name, head.lastId, head.lastHash]);
  const idCases = written.map((_, i) => `WHEN $${3 * i + 1} THEN $${3 * i + 2}`).join(' ');
  const hashes = written.map((_, i) => `WHEN $${3 * i + 1} THEN $${3 * i + 3}`).join(' ');
  const where = written.map((_, i) => `$${3 * i + 1}`).join(', ');
  await executeBound(sequelize, `UPDATE audit_chain SET lastId = CASE name ${idCases} END, lastHash = CASE name ${hashes} END WHERE name IN (${where})`, bind, t);
}

const HISTORY_COLUMNS = ['instanceId', 'executionId', 'activityId', 'activityName', 'activityType', 'startedAt', 'endedAt', 'actor', 'outcome', 'closesId', 'prevHash', 'hash'];
const OPERATION_COLUMNS = ['instanceId', 'taskId', 'operation', 'actor', 'at', 'data', 'prevHash', 'hash'];
/** rows per INSERT statement (12 values a row at most: far below either database's limit of values in one statement) */
const ROWS_PER_INSERT = 100;

/**
 * Inserts rows in one statement and answers their ids, in order. On MySQL the values are escaped into the text (the
 * text protocol: a statement whose text varies with its row count is never prepared, so no server-side statement is
 * left behind); on SQLite they are bound (its statements live only for the call; and SQLite reads a text only up to
 * a NUL, which an escaped element name may hold). The ids of one multi-row INSERT are consecutive (`step` apart) because every insert into a
 * chained table happens while its head is locked (no other statement allocates ids of the table meanwhile);
 * MySQL answers the first id, SQLite the last.
 */
async function insertRows(sequelize: Sequelize, table: string, columns: string[], values: unknown[][], step: number, t: Transaction): Promise<number[]> {
  const sqlite = sequelize.getDialect() === 'sqlite';
  let n = 0;
  const row = (r: unknown[]) => `(${r.map((v) => (sqlite ? `$${++n}` : sequelize.escape(v as string))).join(', ')})`;
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.map(row).join(', ')}`;
  const { insertId: id, changes: affected } = await runStatement(sequelize, sql, sqlite ? values.flat() : [], t);
  if (Number(affected) !== values.length) throw new Error(`${table}: ${values.length} rows inserted as ${affected}`);
  const first = sqlite ? Number(id) - (values.length - 1) * step : Number(id);
  return values.map((_, k) => first + k * step);
}

/** MySQL's auto_increment_increment (1 but in a multi-primary cluster), read once; SQLite's rowids step by one. */
const steps = new WeakMap<Sequelize, Promise<number>>();
function autoIncrementStep(sequelize: Sequelize, t: Transaction): Promise<number> {
  if (sequelize.getDialect() === 'sqlite') return Promise.resolve(1);
  let step = steps.get(sequelize);
  if (!step) {
    step = sequelize.query<{ step: number }>('SELECT @@auto_increment_increment AS step', { type: QueryTypes.SELECT, transaction: t }).then(([r]) => Number(r.step) || 1);
    step.catch(() => steps.delete(sequelize));
    steps.set(sequelize, step);
  }
  return step;
}

/** The pending appends of `t`'s top-level transaction (made at its commit); hooks its commit and its savepoints' rollback. */
function pendingOf(t: Transaction): Pending[] {
  const root = rootOf(t);
  let pending = pendingByRoot.get(root);
  if (!pending) {
    const own: Pending[] = [];
    pending = own;
    pendingByRoot.set(root, own);
    const commit = root.commit.bind(root);
    (root as { commit: () => Promise<void> }).commit = async () => {
      try {
        if (own.length) await flush(root, own);
        own.length = 0;
      } catch (err) {
        await root.rollback().catch(() => undefined); // sequelize does not roll back a failed commit
        throw err;
      }
      return commit();
    };
  }
  // each savepoint between `t` and the top: its ROLLBACK TO SAVEPOINT takes what it and its own savepoints appended
  for (let sp: Nested | undefined = t as Nested; sp && sp !== root; sp = sp.parent as Nested | undefined) {
    if (rollbackHooked.has(sp)) continue;
    rollbackHooked.add(sp);
    const savepoint = sp;
    const list = pending;
    const rollback = savepoint.rollback.bind(savepoint);
    (savepoint as { rollback: () => Promise<void> }).rollback = async () => {
      for (let i = list.length - 1; i >= 0; i--) if (within(list[i].owner, savepoint)) list.splice(i, 1);
      return rollback();
    };
  }
  return pending;
}
const rollbackHooked = new WeakSet<Transaction>();

/** Appends one history row at `t`'s commit (`closes`: the pending start row a closing row names). */
export function appendHistory(content: ChainedHistoryContent, t: Transaction, closes: PendingHistory | null = null): PendingHistory {
  const p: PendingHistory = { chain: 'history', owner: t, content, closes, id: null };
  pendingOf(t).push(p);
  return p;
}

/** The history rows `t` (its top-level transaction) will append for one execution, in order. */
export function pendingHistoryOf(t: Transaction, instanceId: string, executionId: string): PendingHistory[] {
  const pending = pendingByRoot.get(rootOf(t)) ?? [];
  return pending.filter((p): p is PendingHistory => p.chain === 'history' && p.content.instanceId === instanceId && p.content.executionId === executionId);
}

/** Appends one row to the operation log's chain at `t`'s commit. */
export async function appendOperation(
  values: { instanceId: string | null; taskId?: number | null; operation: string; actor: string | null; at: Date; data?: Record<string, unknown> | null },
  t: Transaction,
): Promise<void> {
  const content: ChainedOperationContent = {
    instanceId: values.instanceId ?? null,
    taskId: values.taskId ?? null,
    operation: values.operation,
    actor: values.actor ?? null,
    at: values.at,
    data: values.data ?? null,
  };
  pendingOf(t).push({ chain: 'operations', owner: t, content });
}
