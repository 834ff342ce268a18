import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { instance, setClock, taskOf } from '../support/runtime';

/**
 * The annual plan (R7.5) with the shipped processes/annual-plan.bpmn: compiled by the Data Bureau from
 * applications waiting at AwaitAnnualPlan, approved (or returned for revision) by district-government;
 * the approval records every project as budgeted and releases each application at once.
 */
describe('chapter 2: the annual plan (R7.5)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
  });
  after(() => t.close());

  async function complete(user: string, instanceId: string, activityId: string, variables: Record<string, unknown>) {
    const task = await taskOf(t, user, instanceId, activityId);
    const res = await t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res.body.processInstance as { state: string; activeActivityIds: string[] };
  }

  /** a jyj application through every review to AwaitAnnualPlan */
  async function reviewed(name: string) {
    const { body: p } = await t.as('jyj').post('/api/projects', draft({ unitCode: 'jyj', name, investment: 200000 }));
    for (const m of ['application-form', 'construction-plan']) {
      const up = await t.api.post(`/api/projects/${p.id}/documents`).set('Authorization', `Bearer ${await t.token('jyj')}`).field('materialType', m).attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
    }
    const { body: started } = await t.as('jyj').post(`/api/projects/${p.id}/submit`);
    const id = started.processInstanceId as string;
    await complete('zj1', id, 'ExpertReview', { decision: 'approve', opinion: '通过', scores: { necessity: 4, urgency: 4, feasibility: 4, security: 4, intensiveness: 4 }, recommendedInvestment: 200000 });
    await complete('sjj', id, 'TechnicalReview', { decision: 'approve', opinion: '同意' });
    await complete('wxb', id, 'SecurityReview', { decision: 'approve', opinion: '同意' });
    await complete('mmj', id, 'CryptoReview', { decision: 'approve', opinion: '同意' });
    await complete('fgw', id, 'InvestmentReview', { decision: 'approve', opinion: '同意' });
    const last = await complete('czj', id, 'FinanceReview', { decision: 'approve', opinion: '同意', fundingSource: '区级财政预算资金' });
    expect(last.activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    return { id: p.id as number, code: p.code as string, instanceId: id };
  }

  it('district-government returns the plan for revision, then approves it: every project budgeted and released at once', async () => {
    const a = await reviewed('甲平台');
    const b = await reviewed('乙平台');
    const bystander = await reviewed('不在计划内');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id, b.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const plan = created.body.processInstanceId as string;
    // only district-government approves it; a return goes to the Data Bureau and back
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${plan}`)).body).to.deep.equal([]);
    expect(await complete('gwh', plan, 'PlanApproval', { decision: 'return', opinion: '请按轻重缓急调整顺序' })).to.deep.include({ activeActivityIds: ['RevisePlan'] });
    expect(await complete('sjj', plan, 'RevisePlan', { revisionNote: '已会同发改委、财政局调整' })).to.deep.include({ activeActivityIds: ['PlanApproval'] });
    for (const p of [a, b]) expect((await t.as('jyj').get(`/api/projects/${p.id}`)).body.budgeted, p.code).to.equal(false);
    // when approved
    const done = await complete('gwh', plan, 'PlanApproval', { decision: 'approve', opinion: '同意发布' });
    expect(done.state).to.equal('completed');
    expect((await instance(t, plan)).variables.releasedProjects).to.deep.equal([a.code, b.code]);
    // then both projects are budgeted and their applications left AwaitAnnualPlan with the release message
    for (const p of [a, b]) {
      expect((await t.as('jyj').get(`/api/projects/${p.id}`)).body.budgeted, p.code).to.equal(true);
      const inst = await instance(t, p.instanceId);
      const waited = inst.history.find((h: { activityId: string }) => h.activityId === 'AwaitAnnualPlan');
      expect(waited.endedAt, p.code).to.be.a('string');
      expect(inst.activeActivityIds, p.code).not.to.include('AwaitAnnualPlan');
      expect(inst.variables).to.include({ budgeted: true, annualPlanYear: 2027 });
    }
    // and a project not in the plan still waits
    expect((await instance(t, bystander.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('jyj').get(`/api/projects/${bystander.id}`)).body.budgeted).to.equal(false);
  });

  it('a rejected plan releases nothing', async () => {
    const a = await reviewed('丙平台');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const done = await complete('gwh', created.body.processInstanceId, 'PlanApproval', { decision: 'reject', opinion: '暂缓' });
    expect(done.state).to.equal('completed');
    expect((await instance(t, created.body.processInstanceId)).history.map((h: { activityId: string }) => h.activityId)).to.include('PlanRejected');
    expect((await instance(t, a.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('jyj').get(`/api/projects/${a.id}`)).body.budgeted).to.equal(false);
  });
});
