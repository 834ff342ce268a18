import { expect } from 'chai';
import { QueryTypes, Sequelize } from 'sequelize';
import { startTestApp, type TestApp } from '../support/app';
import { attachRequiredMaterials, draft } from '../support/builders';
import { onMysql } from '../support/database';

/**
 * MariaDB rows are converted by mysql2 itself (dialectOptions.typeCast: true, src/persistence/db.ts), not through
 * sequelize's typeCast function, which made mysql2 build a wrapper object per column of every row (a task list of
 * 1,000 rows: 20,000 of them). The rows must come out exactly as sequelize's conversions gave them.
 */
describe('MariaDB: rows converted by the driver, as sequelize converted them', function () {
  let t: TestApp;
  let theirs: Sequelize;
  before(async function () {
    if (!onMysql()) this.skip(); // SQLite has no type casting of this kind
    t = await startTestApp({ CLOCK: 'system' });
    // a project (DECIMAL, DATETIME(3), BOOLEAN, JSON), submitted: an instance, its task, history, chain, outbox
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ investment: 1234567.89 }));
    await attachRequiredMaterials(t, 'rmyy', p.id);
    expect((await t.as('rmyy').post(`/api/projects/${p.id}/submit`)).status).to.equal(201);
    // the same database through a sequelize connection with sequelize's own typeCast (its default)
    const c = t.gf.db.sequelize.config;
    theirs = new Sequelize(c.database, c.username, c.password ?? '', { host: c.host, port: Number(c.port), dialect: 'mysql', logging: false, timezone: '+00:00', dialectOptions: { charset: 'utf8mb4', timezone: 'Z' } });
  });
  after(async () => {
    await theirs?.close();
    await t?.close();
  });

  it('the driver connections convert without a function per column', async () => {
    const manager = (t.gf.db.sequelize as unknown as { connectionManager: { getConnection(o: object): Promise<{ config: { typeCast: unknown } }>; releaseConnection(c: unknown): Promise<void> } }).connectionManager;
    const connection = await manager.getConnection({ type: 'SELECT' });
    try {
      expect(typeof connection.config.typeCast).to.not.equal('function');
    } finally {
      await manager.releaseConnection(connection);
    }
  });

  it('gives every row of the runtime and project tables as sequelize did: dates, decimals, booleans, JSON, numbers, computed days', async () => {
    const tables = ['projects', 'project_documents', 'process_instances', 'tasks', 'task_candidates', 'activity_history', 'operation_log', 'audit_chain', 'outbox', 'users', 'process_definitions', 'settings'];
    let rows = 0;
    for (const table of tables) {
      const sql = `SELECT * FROM \`${table}\` ORDER BY 1`;
      const ours = await t.gf.db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
      const expected = await theirs.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
      expect(ours, table).to.deep.equal(expected);
      expect(ours.length, `${table} has rows`).to.be.above(0);
      rows += ours.length;
    }
    expect(rows).to.be.above(20);
    // values of computed columns too: a DATE expression (the statistics' Shanghai days) is its 'YYYY-MM-DD' text
    const computed = "SELECT DATE(DATE_ADD(startedAt, INTERVAL 8 HOUR)) AS day, CAST('2026-10-01' AS DATE) AS holiday, TIMESTAMP('2026-10-01 08:00:00') AS at, COUNT(*) AS n, SUM(revision) AS s, AVG(revision) AS a, MAX(startedAt) AS latest FROM process_instances GROUP BY 1";
    const ours = await t.gf.db.sequelize.query<Record<string, unknown>>(computed, { type: QueryTypes.SELECT });
    expect(ours).to.deep.equal(await theirs.query(computed, { type: QueryTypes.SELECT }));
    expect(ours[0].day).to.be.a('string').and.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(ours[0].holiday).to.equal('2026-10-01');
    // the kinds of value the tables hold came through as such
    const [project] = await t.gf.db.sequelize.query<Record<string, unknown>>('SELECT * FROM projects', { type: QueryTypes.SELECT });
    expect(project.createdAt).to.be.instanceOf(Date);
    expect(Number(project.investment)).to.equal(1234567.89);
  });
});
