import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import supertest from 'supertest';
import { dateParam } from '../../src/persistence/sql';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { attachRequiredMaterials, draft } from '../support/builders';
import { deploy, setClock, startInstance } from '../support/runtime';

/**
 * The project and instance lists with 第5条 in the query (issue 13 item 6): `GET /api/projects` and
 * `GET /api/process-instances` answer exactly what the single reads let the caller open — for every demo user, over
 * classified, cross-department, supervised and project-less work — and a unit's own projects and instances are
 * listed however many newer ones of others there are (the lists read the newest 1,000 projects and 500 instances of
 * everyone and filtered them in memory: a unit behind 1,000 newer projects saw an empty list).
 */
describe('第5条 in the list queries: the projects and instances each caller may open, however many others there are', function () {
  this.timeout(120000);
  let t: TestApp;
  const USERS = ['admin', 'sjj', 'bmj', 'mmj', 'wxb', 'fgw', 'czj', 'sjju', 'gwh', 'zj1', 'wjw', 'rmyy', 'jyj', 'gaj'];
  const rows = <T extends object>(sql: string, bind: unknown[] = []) => t.gf.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind });

  async function create(unit: string, over: Record<string, unknown>, submit: boolean) {
    const created = await t.as(unit).post('/api/projects', draft({ unitCode: unit, ...over }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    if (!submit) return created.body.id as number;
    await attachRequiredMaterials(t, unit, created.body.id);
    const submitted = await t.as(unit).post(`/api/projects/${created.body.id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);
    return created.body.id as number;
  }

  /** what each list shows one user, and what the single reads let them open */
  async function seen(user: string) {
    const listed = await t.as(user).get('/api/projects');
    expect(listed.status, JSON.stringify(listed.body)).to.equal(200);
    const running = await t.as(user).get('/api/process-instances');
    expect(running.status, JSON.stringify(running.body)).to.equal(200);
    const projects = listed.body.map((p: { id: number }) => p.id).sort((a: number, b: number) => a - b);
    const instances = running.body.map((i: { id: string }) => i.id).sort();
    return { projects, instances };
  }
  async function opened(user: string) {
    const projects: number[] = [];
    for (const { id } of await rows<{ id: number }>('SELECT id FROM projects ORDER BY id')) if ((await t.as(user).get(`/api/projects/${id}`)).status === 200) projects.push(Number(id));
    const instances: string[] = [];
    for (const { id } of await rows<{ id: string }>('SELECT id FROM process_instances')) if ((await t.as(user).get(`/api/process-instances/${id}`)).status === 200) instances.push(id);
    return { projects: projects.sort((a, b) => a - b), instances: instances.sort() };
  }

  let own: { classified: number; ordinary: number; crossDept: number; gajSecret: number; wjwDraft: number; loose: string };
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
    // given a classified and an ordinary application of 区人民医院 (supervised by 区卫健委), submitted; a cross-department
    // draft of 区教育局 with 区公安分局 taking part; a classified draft of 区公安分局; a draft of 区卫健委; and an instance
    // without a project, offered to the data bureau
    own = {
      classified: await create('rmyy', { name: '涉密指挥平台', classified: true }, true),
      ordinary: await create('rmyy', { name: '智慧医院信息平台' }, true),
      crossDept: await create('jyj', { name: '教育公安数据共享', crossDepartment: true, participants: ['gaj'] }, false),
      gajSecret: await create('gaj', { name: '涉密视频专网', classified: true }, false),
      wjwDraft: await create('wjw', { name: '卫健数据中台' }, false),
      loose: '',
    };
    await deploy(t, 'approval.bpmn', ['review-form.form']);
    own.loose = (await startInstance(t, 'simple-approval')).id;
  });
  after(() => t.close());

  it('lists for every demo user exactly the projects and instances their single reads open', async () => {
    for (const user of USERS) expect(await seen(user), user).to.deep.equal(await opened(user));
    // and the scene is not trivial: the unit sees its own (classified too), the supervisor the ordinary one only,
    // the participant the cross-department draft, the data bureau everything, a unit nothing of others
    expect((await seen('rmyy')).projects).to.include.members([own.classified, own.ordinary]);
    expect((await seen('wjw')).projects).to.include(own.ordinary).and.not.include(own.classified);
    expect((await seen('gaj')).projects).to.include.members([own.crossDept, own.gajSecret]);
    expect((await seen('sjj')).projects).to.have.length(5);
    expect((await seen('sjj')).instances).to.include(own.loose);
    expect((await seen('jyj')).instances).to.deep.equal([]);
  });

  it('lists a unit’s own projects and instances behind 1,100 newer projects and 600 newer instances of another unit', async () => {
    // given 1,100 newer ordinary projects of 区教育局, and 600 newer instances of theirs (rows cloned in the database)
    const [template] = await rows<Record<string, unknown>>('SELECT * FROM projects WHERE id = $1', [own.wjwDraft]);
    const [instanceTemplate] = await rows<Record<string, unknown>>('SELECT * FROM process_instances WHERE projectId = $1', [own.ordinary]);
    const value = (v: unknown) => (v instanceof Date ? dateParam(t.gf.db.sequelize, v) : v !== null && typeof v === 'object' ? JSON.stringify(v) : v);
    const insert = async (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row);
      await t.gf.db.sequelize.query(`INSERT INTO ${table} (${cols.map((c) => `\`${c}\``).join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, { bind: cols.map((c) => value(row[c])) });
    };
    const later = (n: number) => new Date(Date.parse('2026-10-01T00:00:00Z') + n * 60_000);
    const newer: number[] = [];
    await t.gf.db.sequelize.transaction(async () => {
      for (let n = 0; n < 1100; n++) {
        const { id: _id, ...rest } = template;
        await insert('projects', { ...rest, code: `BULK-${n}`, name: `教育项目${n}`, unitCode: 'jyj' });
      }
    });
    newer.push(...(await rows<{ id: number }>("SELECT id FROM projects WHERE code LIKE 'BULK-%' ORDER BY id DESC LIMIT 600")).map((r) => Number(r.id)));
    await t.gf.db.sequelize.transaction(async () => {
      for (const [n, projectId] of newer.entries()) {
        await insert('process_instances', { ...instanceTemplate, id: `bulk-${String(n).padStart(4, '0')}-0000-0000-000000000000`, projectId, businessKey: `BULK-${n}`, startedBy: 'jyj', startedAt: later(n), updatedAt: later(n) });
      }
    });

    // then the unit, its supervisor and the participant still find theirs
    const rmyy = await seen('rmyy');
    expect(rmyy.projects).to.deep.equal([own.classified, own.ordinary].sort((a, b) => a - b));
    expect(rmyy.instances).to.have.length(2);
    expect((await seen('wjw')).projects).to.deep.equal([own.ordinary, own.wjwDraft].sort((a, b) => a - b));
    expect((await seen('gaj')).projects).to.deep.equal([own.crossDept, own.gajSecret].sort((a, b) => a - b));
    // and a bureau gets the newest 1,000 projects and 500 instances, as before
    const fgw = await seen('fgw');
    expect(fgw.projects).to.have.length(1000);
    expect(fgw.instances).to.have.length(500);
    expect((await t.as('jyj').get('/api/projects')).body[0].code).to.equal('BULK-1099');
    // an export holds every project of the list's filter the caller may see, not the list's page of 1,000
    const csv = await t.as('jyj').get('/api/exports/projects?format=csv');
    expect(csv.status).to.equal(200);
    const lines = csv.text.trim().split('\r\n');
    expect(lines).to.have.length(1 + 1100 + 1); // the header, the 1,100 cloned projects, the cross-department draft
    expect(lines.filter((l) => l.includes('BULK-'))).to.have.length(1100);
    expect(csv.text).not.to.include('涉密指挥平台').and.not.to.include('涉密视频专网');
    // and the 项目 page's search and type filter are conditions of the query: the drc finds 区人民医院's ordinary
    // project behind the 1,000 newer ones, by a part of its name or of its code in lower case
    const agent = supertest.agent(t.gf.app);
    const login = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
    await agent.post('/login').type('form').send({ username: 'fgw', password: PASSWORD, _csrf: csrf }).expect(303);
    const { code } = (await t.as('fgw').get(`/api/projects/${own.ordinary}`)).body as { code: string };
    for (const q of ['智慧医院', code.slice(-6).toLowerCase()]) {
      const page = await agent.get(`/projects?q=${encodeURIComponent(q)}&type=new`);
      expect(page.status).to.equal(200);
      expect(page.text, q).to.include(`data-project-id="${own.ordinary}"`);
      expect(page.text, q).not.to.include('data-project-id="' + newer[0] + '"');
    }
  });
});
