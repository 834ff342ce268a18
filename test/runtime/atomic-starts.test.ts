import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { onMysql } from '../support/database';
import { deploy } from '../support/runtime';

/**
 * Hole 2 of issue 11: a domain row and the process it starts are one unit of work. A crash between
 * two writes is modelled by the database itself: triggers make every write after the domain row fail
 * — the process start, and anything that would try to put the domain row back — as if the app process
 * had died right after its first write (a dead process writes nothing more). Afterwards no project may
 * be submitted without its instance, and no plan may exist without its process.
 */
describe('atomic starts: a domain row and its process start commit together (issue 11, hole 2)', () => {
  let t: TestApp;
  const q = (sql: string) => t.gf.db.sequelize.query(sql);
  const rows = <T extends object>(sql: string) => t.gf.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT });

  /** Makes a write fail like a process that died before it: `table`'s insert (or update to a state). */
  async function crashOn(name: string, table: string, event: 'INSERT' | 'UPDATE', when = '1 = 1') {
    if (onMysql()) {
      await q(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} FOR EACH ROW BEGIN IF ${when} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'simulated crash'; END IF; END`);
    } else {
      await q(`CREATE TRIGGER ${name} BEFORE ${event} ON ${table} WHEN ${when} BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`);
    }
  }
  const heal = async (...names: string[]) => {
    for (const n of names) await q(`DROP TRIGGER IF EXISTS ${n}`);
  };

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'plan-stub-application.bpmn');
    await deploy(t, 'plan-stub.bpmn');
  });
  afterEach(() => heal('crash_start', 'crash_undo', 'crash_plan'));
  after(() => t.close());

  it('a submission that dies before its process starts leaves the project a draft, and it can be submitted again', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '提交中崩溃' }));
    await crashOn('crash_start', 'process_instances', 'INSERT');
    await crashOn('crash_undo', 'projects', 'UPDATE', "NEW.stage = 'draft'");
    const res = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(res.status).to.be.at.least(500);
    await heal('crash_start', 'crash_undo');

    const [row] = await rows<{ stage: string }>(`SELECT stage FROM projects WHERE id = ${Number(p.id)}`);
    const instances = await rows<{ id: string }>(`SELECT id FROM process_instances WHERE businessKey = '${p.code}'`);
    // never submitted without its instance
    expect({ stage: row.stage, instances: instances.length }).to.deep.equal({ stage: 'draft', instances: 0 });
    const again = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect(again.body.activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('rmyy').get(`/api/projects/${p.id}`)).body).to.include({ stage: 'submitted' });
  });

  it('two submissions at once: one starts the process, the other is 409, one instance', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '同时提交' }));
    const [a, b] = await Promise.all([t.as('rmyy').post(`/api/projects/${p.id}/submit`), t.as('rmyy').post(`/api/projects/${p.id}/submit`)]);
    expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
    expect(await rows(`SELECT id FROM process_instances WHERE businessKey = '${p.code}'`)).to.have.length(1);
  });

  async function waitingProject(name: string) {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name }));
    expect((await t.as('rmyy').post(`/api/projects/${p.id}/submit`)).status).to.equal(201);
    return p as { id: number; code: string };
  }
  const plans = async () => (await rows<{ id: number; instanceId: string | null }>('SELECT id, instanceId FROM annual_plans ORDER BY id')).map((x) => ({ id: Number(x.id), instanceId: x.instanceId }));

  it('an annual plan whose process cannot start is not left behind without it', async () => {
    const p = await waitingProject('计划启动时崩溃');
    const before = await plans();
    await crashOn('crash_start', 'process_instances', 'INSERT');
    const res = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [p.id] });
    expect(res.status).to.be.at.least(500);
    await heal('crash_start');
    expect(await plans()).to.deep.equal(before);
    const again = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [p.id] });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
  });

  it('an annual plan always knows its process: a crash before the plan row learns the instance leaves neither', async () => {
    const p = await waitingProject('计划关联时崩溃');
    const before = await plans();
    const instancesBefore = await rows("SELECT id FROM process_instances WHERE definitionKey = 'annual-plan'");
    await crashOn('crash_plan', 'annual_plans', 'UPDATE', 'NEW.instanceId IS NOT NULL');
    const res = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [p.id] });
    expect(res.status).to.be.at.least(500);
    await heal('crash_plan');
    expect(await plans()).to.deep.equal(before);
    expect(await rows("SELECT id FROM process_instances WHERE definitionKey = 'annual-plan'")).to.have.length(instancesBefore.length);
    const again = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [p.id] });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    const all = await plans();
    expect(all[all.length - 1]).to.deep.equal({ id: again.body.id, instanceId: again.body.processInstanceId });
  });
});
