import { expect } from 'chai';
import { Op } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate } from '../../src/persistence/migrator';
import { initModels } from '../../src/persistence/models';
import { DepartmentModel } from '../../src/persistence/models/organisation.model';
import { startTestApp, type TestApp } from '../support/app';
import { routesOf } from '../support/routes';
import { freshDatabaseUrl } from '../support/database';

/**
 * A string with a NUL character (U+0000) is a value like any other: SQLite reads an SQL text only up to its first
 * NUL, so a literal escaped into the text cut the statement (fuzz seed 533951685; `GET /api/tasks?processInstanceId=a%00b`
 * answered 500). Stored, compared and looked up, on both databases.
 */
describe('text with a NUL character', () => {
  describe('in the database layer', () => {
    let db: Database;
    before(async () => {
      db = await openDatabase(await freshDatabaseUrl());
      await migrate(db.sequelize);
      initModels(db.sequelize);
    });
    after(() => db.close());

    it('a WHERE on a value with a NUL (and quotes) finds exactly that row', async () => {
      const name = "办公室\u0000'x' --";
      await DepartmentModel.create({ code: 'nul-a', name, kind: 'bureau', supervisorCode: null });
      await DepartmentModel.create({ code: 'nul-b', name: '办公室', kind: 'bureau', supervisorCode: null });
      const found = await DepartmentModel.findAll({ where: { name } });
      expect(found.map((d) => d.code)).to.deep.equal(['nul-a']);
      const both = await DepartmentModel.findAll({ where: { name: { [Op.in]: [name, '办公室'] } }, order: [['code', 'ASC']] });
      expect(both.map((d) => d.code)).to.deep.equal(['nul-a', 'nul-b']);
      // (LIKE is left out: SQLite's LIKE reads its pattern only up to a NUL)
    });
  });

  describe('in a request', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({});
    });
    after(() => t?.close());

    it('every GET route with a NUL in its path parameters and query answers below 500', async () => {
      const token = `Bearer ${await t.token('admin')}`;
      const gets = routesOf(t.gf.app).filter((r) => r.startsWith('GET ')).map((r) => r.slice(4));
      expect(gets.length).to.be.greaterThan(20);
      const query = ['q', 'state', 'status', 'processInstanceId', 'assignee', 'kind', 'unit', 'year', 'search', 'key'].map((k) => `${k}=a%00b`).join('&');
      const failed: string[] = [];
      for (const p of gets) {
        const url = `${p.replace(/:(\w+)/g, 'a%00b')}?${query}`;
        const res = await t.api.get(url).set('Authorization', token);
        if (res.status >= 500) failed.push(`${res.status} ${url}`);
      }
      expect(failed).to.deep.equal([]);
    });
  });
});
