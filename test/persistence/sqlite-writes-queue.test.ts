import { expect } from 'chai';
import { QueryTypes, type Transaction } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { runStatement, selectRows } from '../../src/persistence/direct';
import { freshDatabaseUrl, onMysql } from '../support/database';

/**
 * SQLite has one writer. A write outside a transaction (the outbox's claims and marks, made by the scheduler while
 * requests run) used to go to the default connection, where it met the queue's transactions in SQLite's busy
 * handler — sleeping up to 100 ms a try while the queue took the lock again and again (measured with the server's
 * scheduler running: 15 completions/s at 32 clients instead of 196). Now such a write takes the writer's turn: it
 * runs as a transaction of its own after the one that holds the lock, and it is never sent while that one runs.
 * MySQL: writers take row locks, nothing to queue.
 */
describe('SQLite: a write outside a transaction waits its turn in the writer queue', function () {
  let db: Database;
  const log: string[] = [];
  before(async function () {
    if (onMysql()) this.skip();
    db = await openDatabase(await freshDatabaseUrl(), { logging: (sql) => log.push(sql) });
    await db.sequelize.query('CREATE TABLE counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL)');
    await db.sequelize.query("INSERT INTO counters (name, n) VALUES ('a', 0), ('b', 0)");
  });
  after(async () => {
    await db?.close();
  });

  /** a transaction that holds the writer until `release` is called; answers its id once it has written */
  async function holdTheWriter(): Promise<{ id: string; release: () => void; done: Promise<unknown> }> {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let began!: (id: string) => void;
    const id = new Promise<string>((r) => (began = r));
    const done = db.sequelize.transaction(async (t: Transaction) => {
      await db.sequelize.query("UPDATE counters SET n = n + 10 WHERE name = 'a'", { transaction: t });
      began((t as unknown as { id: string }).id);
      await gate;
    });
    return { id: await id, release, done };
  }

  /** the statements logged from `from` on, as [connection, statement] */
  const since = (from: number) =>
    log.slice(from).map((line) => {
      const m = /^Executing \(([^)]+)\): (.*)$/s.exec(line);
      return m ? [m[1], m[2]] : ['?', line];
    });

  for (const [how, write] of [
    ['sequelize.query (the models and the repositories)', () => db.sequelize.query("UPDATE counters SET n = n + 1 WHERE name = 'b'", { type: QueryTypes.UPDATE })],
    ['the thin query layer', () => runStatement(db.sequelize, 'UPDATE counters SET n = n + $1 WHERE name = $2', [1, 'b'])],
  ] as const) {
    it(`${how}: sent only after the holder's COMMIT, in a transaction of its own`, async () => {
      const holder = await holdTheWriter();
      const from = log.length;
      const outside = write();
      let sentEarly: string[][];
      try {
        // give the outside write every chance to reach the database while the holder runs
        for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
        sentEarly = since(from).filter(([, sql]) => /counters SET n = n \+/.test(sql));
      } finally {
        holder.release();
        await holder.done;
        await outside;
      }
      expect(sentEarly, 'the write was sent while another transaction held the writer').to.deep.equal([]);
      const after = since(from);
      const commit = after.findIndex(([conn, sql]) => conn === holder.id && /^COMMIT/.test(sql));
      const written = after.findIndex(([, sql]) => /counters SET n = n \+/.test(sql));
      expect(commit, JSON.stringify(after)).to.be.greaterThan(-1);
      expect(written, JSON.stringify(after)).to.be.greaterThan(commit);
      const [conn] = after[written];
      expect(conn, 'a connection of its own transaction, not the default one').to.not.equal('default');
      expect(after.some(([c, sql]) => c === conn && /^BEGIN/.test(sql))).to.equal(true);
      expect(after.some(([c, sql]) => c === conn && /^COMMIT/.test(sql))).to.equal(true);
    });
  }

  it('the writes landed once each, reads outside a transaction stay on the default connection', async () => {
    const from = log.length;
    const rows = await selectRows<{ name: string; n: number }>(db.sequelize, 'SELECT name, n FROM counters ORDER BY name', []);
    expect(rows.map((r) => [r.name, Number(r.n)])).to.deep.equal([
      ['a', 20],
      ['b', 2],
    ]);
    const [n] = await db.sequelize.query<{ n: number }>("SELECT n FROM counters WHERE name = 'b'", { type: QueryTypes.SELECT });
    expect(Number(n.n)).to.equal(2);
    expect(since(from).map(([c]) => c)).to.deep.equal(['default', 'default']);
  });

  it('a write inside a transaction still runs in it (no second transaction, no wait for itself)', async () => {
    await db.sequelize.transaction(async (t) => {
      const from = log.length;
      await db.sequelize.query("UPDATE counters SET n = n + 100 WHERE name = 'b'"); // the async context's transaction
      await runStatement(db.sequelize, "UPDATE counters SET n = n + 100 WHERE name = 'b'", []);
      expect(since(from).map(([c]) => c)).to.deep.equal([(t as unknown as { id: string }).id, (t as unknown as { id: string }).id]);
    });
    const [n] = await db.sequelize.query<{ n: number }>("SELECT n FROM counters WHERE name = 'b'", { type: QueryTypes.SELECT });
    expect(Number(n.n)).to.equal(202);
  });
});
