import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { instance, setClock, taskOf } from '../support/runtime';

/**
 * The annual plan (R7.5) with the shipped processes/annual-plan.bpmn: compiled by the Data Bureau from
 * applications waiting at AwaitAnnualPlan, approved (or returned for revision) by district-government;
 * the approval records every project as budgeted and releases each application at once.
 */
describe('chapter 2: the annual plan (R7.5, 第7条(五))', () => {
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
    await complete('sjj', id, 'OrganiseExpertReview', { experts: ['zj1'] }); // 第7条(二)
    await complete('zj1', id, 'ExpertReview', { decision: 'approve', opinion: '通过', scores: { necessity: 4, urgency: 4, feasibility: 4, security: 4, intensiveness: 4 }, recommendedInvestment: 200000 });
    await complete('sjj', id, 'TechnicalReview', { decision: 'approve', opinion: '同意' });
    await complete('wxb', id, 'SecurityReview', { decision: 'approve', opinion: '同意' });
    await complete('mmj', id, 'CryptoReview', { decision: 'approve', opinion: '同意' });
    await complete('fgw', id, 'InvestmentReview', { decision: 'approve', opinion: '同意' });
    const last = await complete('czj', id, 'FinanceReview', { decision: 'approve', opinion: '同意', fundingSource: '区级财政预算资金' });
    expect(last.activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    return { id: p.id as number, code: p.code as string, instanceId: id };
  }

  const active = async (id: string) => ((await instance(t, id)).activeActivityIds as string[]).slice().sort();
  /** 区发展改革委 and 区财政局 concur (第7条(五) 会同); returns the plan's next steps */
  async function concur(plan: string, drc = 'approve', finance = 'approve') {
    await complete('fgw', plan, 'PlanConcurrenceDrc', { decision: drc, opinion: drc === 'approve' ? '同意' : '请调整优先顺序' });
    await complete('czj', plan, 'PlanConcurrenceFinance', { decision: finance, opinion: finance === 'approve' ? '同意，预算可以安排' : '投资总额超出财力，请压减' });
    return active(plan);
  }

  it('R7.5 第7条(五): 区发展改革委 and 区财政局 concur before district-government; a return goes to the Data Bureau and round again', async () => {
    const a = await reviewed('会签甲');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const plan = created.body.processInstanceId as string;
    // the plan goes to 区发展改革委 and 区财政局 at once, not yet to the district government
    expect(await active(plan)).to.deep.equal(['PlanConcurrenceDrc', 'PlanConcurrenceFinance']);
    expect((await t.as('gwh').get(`/api/tasks?processInstanceId=${plan}`)).body).to.deep.equal([]);
    expect(((await t.as('czj').get(`/api/tasks?processInstanceId=${plan}`)).body as { activityId: string }[]).map((x) => x.activityId)).to.deep.equal(['PlanConcurrenceFinance']);
    // when 区财政局 returns it, the Data Bureau revises and both concur again
    expect(await concur(plan, 'approve', 'return')).to.deep.equal(['RevisePlan']);
    await complete('sjj', plan, 'RevisePlan', { revisionNote: '已压减投资总额' });
    expect(await active(plan)).to.deep.equal(['PlanConcurrenceDrc', 'PlanConcurrenceFinance']);
    expect(await concur(plan)).to.deep.equal(['PlanApproval']);
    const vars = (await instance(t, plan)).variables;
    expect(vars).to.include({ drcConcurrence: 'approve', financeConcurrence: 'approve', financeConcurrenceOpinion: '同意，预算可以安排' });
    // 区发展改革委 cannot concur for 区财政局
    expect((await t.as('fgw').get(`/api/tasks?processInstanceId=${plan}`)).body).to.deep.equal([]);
  });

  it('district-government returns the plan for revision, then approves it; 区财政局 includes it in the budget: every project budgeted and released at once', async () => {
    const a = await reviewed('甲平台');
    const b = await reviewed('乙平台');
    const bystander = await reviewed('不在计划内');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id, b.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const plan = created.body.processInstanceId as string;
    expect(await concur(plan)).to.deep.equal(['PlanApproval']);
    // only district-government approves it; a return goes to the Data Bureau and back through the concurrence
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${plan}`)).body).to.deep.equal([]);
    expect(await complete('gwh', plan, 'PlanApproval', { decision: 'return', opinion: '请按轻重缓急调整顺序' })).to.deep.include({ activeActivityIds: ['RevisePlan'] });
    await complete('sjj', plan, 'RevisePlan', { revisionNote: '已会同发改委、财政局调整' });
    expect(await concur(plan)).to.deep.equal(['PlanApproval']);
    // when approved, 区财政局 includes it in the budget (第7条(五) 纳入预算): until then nothing is budgeted
    expect(await complete('gwh', plan, 'PlanApproval', { decision: 'approve', opinion: '同意发布' })).to.deep.include({ activeActivityIds: ['IncludeInBudget'] });
    for (const user of ['sjj', 'gwh', 'fgw']) expect((await t.as(user).get(`/api/tasks?processInstanceId=${plan}`)).body, user).to.deep.equal([]);
    for (const p of [a, b]) expect((await t.as('jyj').get(`/api/projects/${p.id}`)).body.budgeted, p.code).to.equal(false);
    const budgetTask = await taskOf(t, 'czj', plan, 'IncludeInBudget');
    expect((await t.as('czj').post(`/api/tasks/${budgetTask.id}/complete`, { variables: { decision: 'approve' } })).status).to.equal(422);
    const done = await complete('czj', plan, 'IncludeInBudget', { decision: 'approve', budgetNote: '列入2027年区级部门预算（高财预〔2026〕18号）' });
    expect(done.state).to.equal('completed');
    expect((await instance(t, plan)).variables.releasedProjects).to.deep.equal([a.code, b.code]);
    // then both projects are budgeted and their applications left AwaitAnnualPlan with the release message
    for (const p of [a, b]) {
      expect((await t.as('jyj').get(`/api/projects/${p.id}`)).body.budgeted, p.code).to.equal(true);
      const inst = await instance(t, p.instanceId);
      const waited = inst.history.find((h: { activityId: string }) => h.activityId === 'AwaitAnnualPlan');
      expect(waited.endedAt, p.code).to.be.a('string');
      expect(inst.activeActivityIds, p.code).not.to.include('AwaitAnnualPlan');
      expect(inst.variables).to.include({ budgeted: true, annualPlanYear: 2027, budgetNote: '列入2027年区级部门预算（高财预〔2026〕18号）' });
    }
    // and a project not in the plan still waits
    expect((await instance(t, bystander.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('jyj').get(`/api/projects/${bystander.id}`)).body.budgeted).to.equal(false);
  });

  it('区财政局 may send an approved plan back instead of budgeting it: nothing is released until it is budgeted', async () => {
    const a = await reviewed('丁平台');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id] });
    const plan = created.body.processInstanceId as string;
    await concur(plan);
    await complete('gwh', plan, 'PlanApproval', { decision: 'approve', opinion: '同意' });
    expect(await complete('czj', plan, 'IncludeInBudget', { decision: 'return', budgetNote: '年度预算额度不足，请调减' })).to.deep.include({ activeActivityIds: ['RevisePlan'] });
    expect((await instance(t, a.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('jyj').get(`/api/projects/${a.id}`)).body.budgeted).to.equal(false);
  });

  it('a rejected plan releases nothing', async () => {
    const a = await reviewed('丙平台');
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    await concur(created.body.processInstanceId);
    const done = await complete('gwh', created.body.processInstanceId, 'PlanApproval', { decision: 'reject', opinion: '暂缓' });
    expect(done.state).to.equal('completed');
    expect((await instance(t, created.body.processInstanceId)).history.map((h: { activityId: string }) => h.activityId)).to.include('PlanRejected');
    expect((await instance(t, a.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    expect((await t.as('jyj').get(`/api/projects/${a.id}`)).body.budgeted).to.equal(false);
  });
});
