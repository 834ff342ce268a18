import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { deploy, setClock, startInstance, taskOf } from '../support/runtime';

const HOUR = 3_600_000;

/**
 * 监控 figures (issue 10, items 2 and 3): the dashboard and the per-element figures of a process
 * version, computed by aggregate queries over what the reader may see (第5条).
 */
describe('statistics: the dashboard and the process view', function () {
  let t: TestApp;
  let ordinary: { id: number; code: string };
  let classified: { id: number; code: string };
  const review = (user: string, id: string) => taskOf(t, user, id, 'Review');

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    // given Wednesday 4 November 2026 (this week: 2–8 November, next week: 9–15 November)
    await setClock(t, '2026-11-04T10:00:00+08:00');
    await deploy(t, 'due-review.bpmn', ['review-form.form']);
    ordinary = (await t.as('rmyy').post('/api/projects', draft({ name: '统计用普通项目', investment: 800000 }))).body;
    classified = (await t.as('gaj').post('/api/projects', draft({ unitCode: 'gaj', name: '统计用涉密项目', classified: true, investment: 2000000 }))).body;
    await t.as('rmyy').post('/api/projects', draft({ name: '统计用草稿', investment: 300000 }));
    for (const [user, p] of [['rmyy', ordinary], ['gaj', classified]] as const) {
      const res = await t.as(user).post(`/api/projects/${p.id}/submit`);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
    // tasks of the ordinary project: one overdue, one due this week, one next week
    for (const due of ['2026-11-03T12:00:00+08:00', '2026-11-06T12:00:00+08:00', '2026-11-12T12:00:00+08:00']) {
      await startInstance(t, 'due-review', { businessKey: ordinary.code, variables: { due } });
    }
    // one of the classified project, due this week
    await startInstance(t, 'due-review', { businessKey: classified.code, variables: { due: '2026-11-05T12:00:00+08:00' } });
    // ten reviews of the ordinary project taking 1, 2, …, 10 hours
    const done: string[] = [];
    for (let k = 0; k < 10; k++) done.push((await startInstance(t, 'due-review', { businessKey: ordinary.code, variables: { due: '2027-06-01T12:00:00+08:00' } })).id);
    for (let k = 0; k < 10; k++) {
      await setClock(t, new Date(Date.parse('2026-11-04T10:00:00+08:00') + (k + 1) * HOUR).toISOString());
      const res = await t.as('sjj').post(`/api/tasks/${(await review('sjj', done[k])).id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
  });
  after(() => t.close());

  const dashboard = async (user: string, query = '') => {
    const res = await t.as(user).get(`/api/dashboard${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const mine = (rows: { activityId: string; dueAt: string }[]) => rows.filter((r) => r.activityId === 'Review');

  it('counts projects by stage, unit and plan year, in Chinese, each linking to its list', async () => {
    const d = await dashboard('sjj');
    const stages = Object.fromEntries(d.projectsByStage.map((r: { stage: string; count: number }) => [r.stage, r]));
    expect(stages.draft).to.include({ label: '草稿', count: 1, investment: 300000, href: '/projects?stage=draft' });
    expect(d.projectsByStage.reduce((n: number, r: { count: number }) => n + r.count, 0)).to.equal(3);
    expect(d.projectsByStage.every((r: { label: string }) => /[\u4e00-\u9fff]/.test(r.label)), JSON.stringify(d.projectsByStage)).to.equal(true);
    const units = Object.fromEntries(d.projectsByUnit.map((r: { unitCode: string }) => [r.unitCode, r]));
    expect(units.rmyy).to.include({ count: 2, investment: 1100000, href: '/projects?unit=rmyy' });
    expect(units.rmyy.label).to.match(/医院/);
    expect(units.gaj).to.include({ count: 1 });
    expect(d.projectsByPlanYear).to.deep.equal([{ planYear: 2027, label: '2027年度', count: 3, investment: 3100000, href: '/projects?year=2027' }]);
    // applied: every project past its draft
    expect(d.investment).to.include({ applied: 2800000, unit: '元' });
    // a plan-year filter
    expect((await dashboard('sjj', '?planYear=2028')).projectsByStage).to.deep.equal([]);
  });

  it('lists the deadlines of this week and next and the overdue tasks by department', async () => {
    const d = await dashboard('sjj');
    const thisWeek = mine(d.deadlines.thisWeek);
    expect(thisWeek.map((x: { dueAt: string }) => x.dueAt)).to.deep.equal(['2026-11-03T04:00:00.000Z', '2026-11-05T04:00:00.000Z', '2026-11-06T04:00:00.000Z']);
    expect(thisWeek[0]).to.include({ projectName: '统计用普通项目', dueAtText: '2026年11月3日 12:00', href: `/projects/${ordinary.id}` });
    expect(mine(d.deadlines.nextWeek).map((x: { dueAt: string }) => x.dueAt)).to.deep.equal(['2026-11-12T04:00:00.000Z']);
    const overdue = d.overdueByDepartment.find((r: { group: string }) => r.group === 'data-bureau');
    expect(overdue).to.include({ label: '区数据局', href: '/monitor?overdue=data-bureau#overdue' });
    expect(overdue.count).to.be.at.least(1);
  });

  it('shows each reader only the projects they may see (第5条)', async () => {
    // drc sees every ordinary project, not the classified one
    const drc = await dashboard('fgw');
    expect(drc.projectsByUnit.map((r: { unitCode: string }) => r.unitCode)).to.deep.equal(['rmyy']);
    expect(mine(drc.deadlines.thisWeek)).to.have.length(2);
    expect(drc.investment.applied).to.equal(800000);
    // the unit sees its own
    const unit = await dashboard('rmyy');
    expect(unit.projectsByUnit.map((r: { unitCode: string }) => r.unitCode)).to.deep.equal(['rmyy']);
    // the supervising department (wjw supervises rmyy) sees its units' ordinary projects
    const supervisor = await dashboard('wjw');
    expect(supervisor.projectsByUnit.map((r: { unitCode: string; count: number }) => [r.unitCode, r.count])).to.deep.equal([['rmyy', 2]]);
    expect(mine(supervisor.deadlines.thisWeek)).to.have.length(2);
    // the classified project's unit sees it, another unit sees nothing at all
    expect((await dashboard('gaj')).projectsByUnit.map((r: { unitCode: string }) => r.unitCode)).to.deep.equal(['gaj']);
    const stranger = await dashboard('jyj');
    expect(stranger.projectsByStage).to.deep.equal([]);
    expect(stranger.deadlines.thisWeek).to.deep.equal([]);
    expect(stranger.overdueByDepartment).to.deep.equal([]);
    expect(stranger.investment.applied).to.equal(0);
  });

  it('gives each element its tokens, passes, average and 90th-percentile duration', async () => {
    const res = await t.as('sjj').get('/api/process-definitions/due-review/statistics');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ key: 'due-review', version: 1 });
    const el = Object.fromEntries(res.body.elements.map((e: { activityId: string }) => [e.activityId, e]));
    expect(el.Review).to.deep.equal({ activityId: 'Review', running: 4, completed: 10, avgMs: 5.5 * HOUR, p90Ms: 9 * HOUR });
    expect(el.End).to.include({ completed: 10, running: 0 });
    // the unit's figures leave out the classified project's instance
    const unit = (await t.as('rmyy').get('/api/process-definitions/due-review/statistics')).body;
    expect(unit.elements.find((e: { activityId: string }) => e.activityId === 'Review')).to.include({ running: 3, completed: 10 });
    const stranger = (await t.as('jyj').get('/api/process-definitions/due-review/statistics')).body;
    expect(stranger.elements).to.deep.equal([]);
    // a date range: nothing started from 5 November on
    const later = (await t.as('sjj').get('/api/process-definitions/due-review/statistics?from=2026-11-05')).body;
    expect(later.elements).to.deep.equal([]);
    const day = (await t.as('sjj').get('/api/process-definitions/due-review/statistics?from=2026-11-04&to=2026-11-04')).body;
    expect(day.elements.find((e: { activityId: string }) => e.activityId === 'Review')).to.include({ completed: 10 });
  });

  it('averages working days per chapter and per review, on the statutory calendar', async () => {
    // one more review, started on Wednesday 4 November and completed on Monday 9 November: 3 working days
    const slow = await startInstance(t, 'due-review', { businessKey: ordinary.code, variables: { due: '2027-06-01T12:00:00+08:00' } });
    await setClock(t, '2026-11-09T09:00:00+08:00');
    expect((await t.as('sjj').post(`/api/tasks/${(await review('sjj', slow.id)).id}/complete`, { variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(200);
    const d = await dashboard('sjj');
    const chapter = d.averageWorkingDays.chapters.find((c: { definitionKey: string }) => c.definitionKey === 'due-review');
    expect(chapter).to.include({ instances: 11, workingDays: 0.3 });
    const step = d.averageWorkingDays.reviews.find((c: { activityId: string }) => c.activityId === 'Review');
    expect(step).to.include({ definitionKey: 'due-review', label: '限期审核', tasks: 11, workingDays: 0.3 });
  });

  it('refuses malformed queries (400) and unknown processes (404)', async () => {
    expect((await t.as('sjj').get('/api/dashboard?planYear=abc')).status).to.equal(400);
    expect((await t.as('sjj').get('/api/process-definitions/due-review/statistics?from=2026-13-01')).status).to.equal(400);
    expect((await t.as('sjj').get('/api/process-definitions/due-review/statistics?version=0')).status).to.equal(400);
    expect((await t.as('sjj').get('/api/process-definitions/no-such/statistics')).status).to.equal(404);
  });
});
