import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { inTransaction } from '../../src/persistence/transaction';
import { freshDatabaseUrl, onMysql } from '../support/database';

/**
 * Every transaction on MySQL runs at READ COMMITTED (the units of work's row locks and claims are written for
 * it), set once per pooled connection rather than by a `SET TRANSACTION` before each transaction (issue 13
 * item 3: one statement less per unit of work).
 */
describe('MySQL sessions: READ COMMITTED set once per connection', function () {
  let db: Database;
  const statements: string[] = [];
  before(async function () {
    if (!onMysql()) this.skip(); // SQLite has one isolation level (serializable)
    db = await openDatabase(await freshDatabaseUrl(), { logging: (sql) => statements.push(sql), lockWaitTimeoutS: 7 });
  });
  after(async () => db?.close());

  const level = async (t?: Parameters<Parameters<typeof inTransaction>[1]>[0]) => {
    const [row] = await db.sequelize.query<{ level: string; wait: number }>('SELECT @@SESSION.tx_isolation AS level, @@SESSION.innodb_lock_wait_timeout AS wait', { type: QueryTypes.SELECT, transaction: t });
    return row;
  };

  it('runs each transaction of several pooled connections at READ COMMITTED without a SET TRANSACTION per transaction', async () => {
    statements.length = 0;
    // four at once: four pooled connections, each set up when it was made
    const seen = await Promise.all(
      Array.from({ length: 4 }, () =>
        inTransaction(db.sequelize, async (t) => {
          const row = await level(t);
          await new Promise((r) => setTimeout(r, 50));
          return row;
        }),
      ),
    );
    for (const row of seen) expect(row).to.deep.equal({ level: 'READ-COMMITTED', wait: 7 });
    expect(statements.filter((s) => /SET TRANSACTION/i.test(s)), 'a SET TRANSACTION statement per transaction').to.deep.equal([]);
    expect(statements.filter((s) => /START TRANSACTION/i.test(s))).to.have.length(4);
    expect(await level()).to.deep.equal({ level: 'READ-COMMITTED', wait: 7 });
  });
});
