import { expect } from 'chai';
import supertest from 'supertest';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { instance, setClock, taskOf } from '../support/runtime';
import { draft } from '../support/builders';
import { OperationLogModel } from '../../src/persistence/models/runtime.model';

/**
 * Chapter 2 of the measures (第5–9条, 第24条) through the HTTP API as the seeded users: the shipped
 * processes/application-approval.bpmn (and annual-plan.bpmn), deployed by the seed.
 */

const MATERIAL_NAMES: Record<string, string> = { 'application-form': '项目计划申报表.pdf', 'construction-plan': '建设方案.pdf', 'previous-contract': '上一期合同.pdf', 'service-needs-report': '服务需求报告.pdf', 'interface-and-catalog': '接口与数据资源目录.pdf' };
const APPROVE = { decision: 'approve', opinion: '同意' };
/** 区财政局's own review (第7条(三)): its opinion and the funding source it records */
const FINANCE = { decision: 'approve', opinion: '资金来源为区级财政预算，同意', fundingSource: '区级财政预算资金' };
const EXPERT = (over: Record<string, unknown> = {}) => ({ decision: 'approve', opinion: '必要且可行', scores: { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 }, recommendedInvestment: 280000, ...over });
/** approved (立项/批准); the implementation-acceptance process started by StartImplementation may already have moved it on */
const APPROVED_STAGES = ['approved', 'implementing'];
const messages = (details: { message: string }[]) => details.map((d) => d.message).join('\n');

describe('chapter 2: application and approval (R5.1–R9.1, R24.1)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    // the Data Bureau's batch for 2027 is open (the demo seed's 2026-07-01 – 2026-12-31)
    await setClock(t, '2026-09-15T10:00:00+08:00');
  });
  after(() => t.close());

  async function upload(id: number, materialType: string, user = 'rmyy') {
    const res = await t.api
      .post(`/api/projects/${id}/documents`)
      .set('Authorization', `Bearer ${await t.token(user)}`)
      .field('materialType', materialType)
      .attach('file', Buffer.from(`%PDF-1.4 ${materialType}`), { filename: MATERIAL_NAMES[materialType] ?? `${materialType}.pdf`, contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }

  /** drafts (as the unit of `over.unitCode`, default rmyy), uploads the materials, submits */
  async function submit(over: Record<string, unknown> = {}, materials = ['application-form', 'construction-plan']) {
    const user = String(over.unitCode ?? 'rmyy');
    const created = await t.as(user).post('/api/projects', draft(over));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    for (const m of materials) await upload(created.body.id, m, user);
    const res = await t.as(user).post(`/api/projects/${created.body.id}/submit`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { id: created.body.id as number, code: created.body.code as string, user, instanceId: res.body.processInstanceId as string, started: res.body as { state: string; activeActivityIds: string[] } };
  }

  async function complete(user: string, instanceId: string, activityId: string, variables: Record<string, unknown>) {
    const task = await taskOf(t, user, instanceId, activityId);
    const res = await t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res.body.processInstance as { state: string; activeActivityIds: string[] };
  }

  /**
   * 第7条(二): the Data Bureau picks the experts (OrganiseExpertReview), then each picked expert signs
   * (ExpertReview, one task per expert, 会签). Returns the instance after the last expert.
   */
  async function expertReview(instanceId: string, reviews: [string, Record<string, unknown>][]) {
    await complete('sjj', instanceId, 'OrganiseExpertReview', { experts: reviews.map(([u]) => u), opinion: '组织专家评审' });
    let last;
    for (const [user, vars] of reviews) last = await complete(user, instanceId, 'ExpertReview', vars);
    return last!;
  }

  const active = async (instanceId: string) => ((await instance(t, instanceId)).activeActivityIds as string[]).slice().sort();
  const stage = async (id: number, user = 'rmyy') => (await t.as(user).get(`/api/projects/${id}`)).body.stage as string;
  const taskVariables = async (user: string, instanceId: string, activityId: string) => {
    const task = await taskOf(t, user, instanceId, activityId);
    return (await t.as(user).get(`/api/tasks/${task.id}`)).body.variables as Record<string, unknown>;
  };
  const patch = async (id: number, body: Record<string, unknown>, user = 'rmyy') => {
    const res = await t.api.patch(`/api/projects/${id}`).set('Authorization', `Bearer ${await t.token(user)}`).send(body);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };

  /** the technical review round (R7.3): every reviewer approves unless told otherwise */
  async function technicalReview(instanceId: string, classified: boolean, override: Record<string, Record<string, unknown>> = {}) {
    const who: [string, string, Record<string, unknown>][] = [
      ['sjj', 'TechnicalReview', APPROVE],
      ['wxb', 'SecurityReview', APPROVE],
      ['mmj', 'CryptoReview', APPROVE],
      ['fgw', 'InvestmentReview', APPROVE],
      ['czj', 'FinanceReview', FINANCE],
      ...(classified ? [['bmj', 'ConfidentialityReview', APPROVE] as [string, string, Record<string, unknown>]] : []),
    ];
    let last;
    for (const [user, activityId, vars] of who) last = await complete(user, instanceId, activityId, override[activityId] ?? vars);
    return last!;
  }

  it('R24.1: ends an out-of-scope application at intake with the reason citing 第24条', async () => {
    // given an application to buy office printers
    const p = await submit({ name: '购置打印机', scopeCategory: 'office-equipment', investment: 60000 });
    // then it has ended at OutOfScope at once
    expect(p.started.state).to.equal('completed');
    const inst = await instance(t, p.instanceId);
    expect(inst.history.map((h: { activityId: string }) => h.activityId)).to.include.members(['CheckScope', 'OutOfScope']);
    expect(inst.variables.outOfScopeReason).to.match(/^不符合第24条：单独购置通用办公设备/);
    expect(await stage(p.id)).to.equal('out-of-scope');
    // and an informatization project is in scope
    const ok = await submit({ name: '在范围内' });
    expect(ok.started.activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
  });

  it('R7.1, R5.3: returns an application naming each missing material; after the upload it goes on', async () => {
    // given an operation project across departments with only the application form
    const p = await submit({ type: 'operation', crossDepartment: true, participants: ['jyj'] }, ['application-form']);
    // then it is back with the unit, naming each missing item with its article
    expect(p.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
    const vars = await taskVariables('rmyy', p.instanceId, 'ReviseApplication');
    const reasons = vars.returnReasons as { rule: string; article: string; message: string }[];
    expect(reasons.map((r) => r.rule)).to.deep.equal(['R7.1', 'R7.1', 'R5.3']);
    expect(messages(reasons)).to.contain('不符合第7条：缺少上一期合同').and.contain('不符合第7条：缺少服务需求报告').and.contain('不符合第5条：缺少统一系统接口与数据资源目录');
    expect(await stage(p.id)).to.equal('revising');
    await t.gf.outbox.dispatch();
    const inbox = (await t.as('rmyy').get('/api/notifications')).body as { kind: string; body: string }[];
    expect(inbox.some((n) => n.kind === 'return' && n.body.includes('上一期合同'))).to.equal(true);
    // when the unit uploads two of them and resubmits: still back, naming only the last one
    await upload(p.id, 'previous-contract');
    await upload(p.id, 'service-needs-report');
    expect((await complete('rmyy', p.instanceId, 'ReviseApplication', { revisionNote: '已补传' })).activeActivityIds).to.deep.equal(['ReviseApplication']);
    const again = (await taskVariables('rmyy', p.instanceId, 'ReviseApplication')).returnReasons as { message: string }[];
    expect(again.map((r) => r.message)).to.deep.equal(['不符合第5条：缺少统一系统接口与数据资源目录（跨部门项目）']);
    // when the last one is uploaded: the participating department confirms (第5条第（三）项), then on to the supervising department
    await upload(p.id, 'interface-and-catalog');
    expect((await complete('rmyy', p.instanceId, 'ReviseApplication', { revisionNote: '已补传接口目录' })).activeActivityIds).to.deep.equal(['ParticipantConfirmation']);
    expect((await complete('jyj', p.instanceId, 'ParticipantConfirmation', { sharedContentConfirmed: true })).activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
    expect(await stage(p.id)).to.equal('submitted');
  });

  it('R5.3 第5条第（三）项: a cross-department project names its participating departments; each confirms the shared content (会签) before the application goes on', async () => {
    // a cross-department project without participants (or naming itself) is not submitted
    for (const participants of [[], ['rmyy']]) {
      const created = await t.as('rmyy').post('/api/projects', draft({ crossDepartment: true, participants }));
      const res = await t.as('rmyy').post(`/api/projects/${created.body.id}/submit`);
      expect(res.status, JSON.stringify(participants)).to.equal(422);
      expect(res.body.error.message).to.match(/^不符合第五条第（三）项：/);
      expect(res.body.error.details[0]).to.include({ field: 'participants', rule: 'R5.3', article: '第5条' });
    }
    // two participating departments: one task each, for that department's group only
    const p = await submit({ crossDepartment: true, participants: ['jyj', 'gaj'] }, ['application-form', 'construction-plan', 'interface-and-catalog']);
    expect(p.started.activeActivityIds).to.deep.equal(['ParticipantConfirmation']);
    const tasks = async (user: string) => ((await t.as(user).get(`/api/tasks?processInstanceId=${p.instanceId}`)).body as { activityId: string; candidateGroups: string[] }[]);
    expect((await tasks('jyj')).map((x) => x.candidateGroups)).to.deep.equal([['unit:jyj']]);
    expect((await tasks('gaj')).map((x) => x.candidateGroups)).to.deep.equal([['unit:gaj']]);
    expect(await tasks('rmyy')).to.deep.equal([]);
    expect(await tasks('wjw')).to.deep.equal([]);
    // a completion without the confirmation is refused citing 第5条
    const task = await taskOf(t, 'jyj', p.instanceId, 'ParticipantConfirmation');
    const refused = await t.as('jyj').post(`/api/tasks/${task.id}/complete`, { variables: { participantOpinion: '再研究' } });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.details).to.deep.equal([{ rule: 'R5.3', article: '第5条', message: '不符合第5条：参与部门须确认已会同牵头部门共同确定项目目标、主体内容，统一系统接口与数据资源目录' }]);
    // one confirmation is not enough: the application waits for every department
    expect((await complete('jyj', p.instanceId, 'ParticipantConfirmation', { sharedContentConfirmed: true, participantOpinion: '接口已统一' })).activeActivityIds).to.deep.equal(['ParticipantConfirmation']);
    expect(await tasks('jyj')).to.deep.equal([]);
    const after = await complete('gaj', p.instanceId, 'ParticipantConfirmation', { sharedContentConfirmed: true, participantOpinion: '数据目录已确认' });
    expect(after.activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
    const vars = (await t.as('admin').get(`/api/process-instances/${p.instanceId}`)).body.variables;
    expect(vars.participantConfirmations).to.deep.equal([
      { group: 'unit:jyj', confirmed: true, opinion: '接口已统一' },
      { group: 'unit:gaj', confirmed: true, opinion: '数据目录已确认' },
    ]);
  });

  it('R5.1, R8.1: an in-plan application must be submitted in an open batch of its plan year (the seeded one for 2027); outside the plan only the 第8条 categories', async () => {
    // given an in-plan application for this year, and one outside the plan without a 第8条 category
    const wrongYear = await submit({ planYear: 2026 });
    const noCategory = await submit({ inAnnualPlan: false });
    // then both are returned citing their article
    for (const [p, rule, article] of [[wrongYear, 'R5.1', '第5条'], [noCategory, 'R8.1', '第8条']] as const) {
      expect(p.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      const reasons = (await taskVariables('rmyy', p.instanceId, 'ReviseApplication')).returnReasons as { rule: string; article: string }[];
      expect(reasons).to.have.length(1);
      expect(reasons[0]).to.include({ rule, article });
    }
    // when the unit corrects the plan year (the project is editable while it is being revised)
    await patch(wrongYear.id, { planYear: 2027 });
    expect((await complete('rmyy', wrongYear.instanceId, 'ReviseApplication', { revisionNote: '计划年度改为2027' })).activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
    // and an emergency project outside the plan is accepted for this year
    expect((await submit({ inAnnualPlan: false, outOfPlanCategory: 'emergency', planYear: 2026 })).started.activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
    // outside any batch (the seeded 2027 batch opens on 2026-07-01) an in-plan application is returned
    await setClock(t, '2026-03-02T10:00:00+08:00');
    try {
      const early = await submit({ planYear: 2027 });
      expect(early.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      const reasons = (await taskVariables('rmyy', early.instanceId, 'ReviseApplication')).returnReasons as { rule: string }[];
      expect(reasons.map((r) => r.rule)).to.deep.equal(['R5.1']);
    } finally {
      await setClock(t, '2026-09-15T10:00:00+08:00');
    }
  });

  it('R5.1 第5条第（一）项: an in-plan application is submitted within a 申报批次 the Data Bureau opened; a closed batch refuses', async () => {
    await setClock(t, '2026-03-02T10:00:00+08:00');
    try {
      // given no batch of 2027 is open: refused through the process, citing 第五条第（一）项 and the plan year
      const outside = await submit({ planYear: 2027 });
      expect(outside.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      const reasons = (await taskVariables('rmyy', outside.instanceId, 'ReviseApplication')).returnReasons as { rule: string; article: string; message: string }[];
      expect(reasons).to.have.length(1);
      expect(reasons[0]).to.include({ rule: 'R5.1', article: '第5条' });
      expect(reasons[0].message).to.contain('第五条第（一）项').and.contain('2027年').and.contain('区数据局开启的').and.contain('第8条');
      // a unit cannot open a batch
      const spring = { name: '2027年度春季补充申报', planYear: 2027, opensOn: '2026-03-01', closesOn: '2026-03-31' };
      expect((await t.as('rmyy').post('/api/application-batches', spring)).status).to.equal(403);
      // when the Data Bureau opens one for 2027 in March
      const opened = await t.as('sjj').post('/api/application-batches', spring);
      expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
      expect(opened.body).to.include({ name: spring.name, planYear: 2027, opensOn: '2026-03-01', closesOn: '2026-03-31', status: 'open', statusLabel: '进行中', closedAt: null });
      // then an in-plan application goes on, the batch in its variables
      const inside = await submit({ planYear: 2027 });
      expect(inside.started.activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
      const vars = (await t.as('admin').get(`/api/process-instances/${inside.instanceId}`)).body.variables;
      expect(vars.applicationBatch).to.deep.equal({ id: opened.body.id, name: spring.name, planYear: 2027, opensOn: '2026-03-01', closesOn: '2026-03-31' });
      // one submitted in the batch but returned (a material missing) is not refused for being corrected after it closed
      const returned = await submit({ planYear: 2027 }, ['application-form']);
      expect(returned.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      // every signed-in user reads the batches
      const listed = await t.as('rmyy').get('/api/application-batches');
      expect(listed.status).to.equal(200);
      expect((listed.body as { name: string; status: string }[]).map((b) => [b.name, b.status])).to.deep.include.members([[spring.name, 'open'], ['2027年度项目集中申报', 'upcoming'], ['2026年度项目集中申报', 'ended']]);
      // when the Data Bureau closes it early (a unit may not)
      expect((await t.as('rmyy').post(`/api/application-batches/${opened.body.id}/close`)).status).to.equal(403);
      const closed = await t.as('sjj').post(`/api/application-batches/${opened.body.id}/close`);
      expect(closed.status, JSON.stringify(closed.body)).to.equal(200);
      expect(closed.body).to.include({ status: 'closed', statusLabel: '已关闭', closedAt: '2026-03-02T02:00:00.000Z' });
      expect((await t.as('sjj').post(`/api/application-batches/${opened.body.id}/close`)).status).to.equal(409);
      expect((await t.as('sjj').post('/api/application-batches/999999/close')).status).to.equal(404);
      // then a new in-plan application is refused again
      const after = await submit({ planYear: 2027 });
      expect(after.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      expect(((await taskVariables('rmyy', after.instanceId, 'ReviseApplication')).returnReasons as { rule: string }[]).map((r) => r.rule)).to.deep.equal(['R5.1']);
      // while the returned one, corrected now, keeps the batch it was submitted in
      await upload(returned.id, 'construction-plan');
      expect((await complete('rmyy', returned.instanceId, 'ReviseApplication', { revisionNote: '补传建设方案' })).activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
      // the closed batch's days may be used again by a new batch (a closed batch no longer overlaps)
      const reopened = await t.as('sjj').post('/api/application-batches', { ...spring, name: '2027年度春季补充申报（重新开启）' });
      expect(reopened.status, JSON.stringify(reopened.body)).to.equal(201);
      expect((await t.as('sjj').post(`/api/application-batches/${reopened.body.id}/close`)).status).to.equal(200);
    } finally {
      await setClock(t, '2026-09-15T10:00:00+08:00');
    }
  });

  it('申报批次 API: bad bodies 422 with Chinese messages, overlaps of a plan year 422, the operation log records opening and closing', async () => {
    const bad = async (body: unknown, field: string, text: string) => {
      const res = await t.as('sjj').post('/api/application-batches', body);
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      const details = res.body.error.details as { field: string; message: string }[];
      expect(details.find((d) => d.field === field)?.message, JSON.stringify(details)).to.contain(text);
    };
    const ok = { name: '2031年度项目集中申报', planYear: 2031, opensOn: '2030-07-01', closesOn: '2030-12-31' };
    await bad({ ...ok, opensOn: '2030-02-30' }, 'opensOn', '有效日期');
    await bad({ ...ok, closesOn: '2030/12/31' }, 'closesOn', '有效日期');
    await bad({ ...ok, closesOn: '2030-06-30' }, 'closesOn', '截止日期不能早于开始日期');
    await bad({ ...ok, name: ' ' }, 'name', '批次名称');
    await bad({ ...ok, planYear: '2031' }, 'planYear', '计划年度');
    // overlapping the seeded 2027 batch (2026-07-01 – 2026-12-31)
    await bad({ ...ok, name: '2027年度补充申报', planYear: 2027, opensOn: '2026-12-15', closesOn: '2027-01-31' }, 'opensOn', '重叠');
    await bad({ ...ok, name: '2027年度项目集中申报' }, 'name', '已有名为「2027年度项目集中申报」');
    // the same days for another plan year are fine
    const created = await t.as('sjj').post('/api/application-batches', ok);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.status).to.equal('upcoming');
    // admins too
    expect((await t.as('admin').post(`/api/application-batches/${created.body.id}/close`)).status).to.equal(200);
    const log = (await OperationLogModel.findAll({ where: { operation: ['application-batch-open', 'application-batch-close'] }, order: [['id', 'ASC']] })).map((o) => [o.operation, o.actor, o.instanceId]);
    expect(log).to.deep.include.members([['application-batch-open', 'sjj', null], ['application-batch-close', 'admin', null]]);
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('R5.2: the supervising department endorses first; its return goes back to the unit citing 第5条', async () => {
    const p = await submit();
    // only wjw (the supervisor of rmyy) has the task; the Data Bureau does not see it yet
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${p.instanceId}`)).body).to.deep.equal([]);
    await complete('wjw', p.instanceId, 'SupervisorEndorsement', { decision: 'return', opinion: '请补充与HIS系统的衔接方案' });
    const reasons = (await taskVariables('rmyy', p.instanceId, 'ReviseApplication')).returnReasons as { rule: string; message: string }[];
    expect(reasons).to.deep.equal([{ rule: 'R5.2', article: '第5条', message: '不符合第5条：主管部门扎口审核退回修改：请补充与HIS系统的衔接方案' }]);
    // resubmitted, it goes to the supervisor again, then (unclassified, no app) to the experts
    await complete('rmyy', p.instanceId, 'ReviseApplication', { revisionNote: '已补充' });
    expect(await complete('wjw', p.instanceId, 'SupervisorEndorsement', APPROVE)).to.deep.include({ activeActivityIds: ['OrganiseExpertReview'] });
    // a unit without a supervising department goes straight on
    const direct = await submit({ unitCode: 'jyj' });
    expect(direct.started.activeActivityIds).to.deep.equal(['OrganiseExpertReview']);
  });

  it('R6.1, R6.2: a standalone app needs a justification and the Data Bureau\'s explicit override; existing systems must be listed', async () => {
    // without a justification, or without existing systems: returned citing 第6条
    const bare = await submit({ unitCode: 'jyj', standaloneMobileApp: true });
    const noSystems = await submit({ unitCode: 'jyj', existingSystems: [] });
    for (const [p, rule] of [[bare, 'R6.1'], [noSystems, 'R6.2']] as const) {
      expect(p.started.activeActivityIds).to.deep.equal(['ReviseApplication']);
      const reasons = (await taskVariables('jyj', p.instanceId, 'ReviseApplication')).returnReasons as { rule: string; article: string }[];
      expect(reasons.map((r) => [r.rule, r.article])).to.deep.equal([[rule, '第6条']]);
    }
    // with a justification it is flagged for the Data Bureau, which may return it (citing 第6条)…
    const justified = await submit({ unitCode: 'jyj', standaloneMobileApp: true, justification: '需离线采集，门户不支持' });
    expect(justified.started.activeActivityIds).to.deep.equal(['MobileAppOverride']);
    expect((await instance(t, justified.instanceId)).variables.mobileAppFlagged).to.equal(true);
    await complete('sjj', justified.instanceId, 'MobileAppOverride', { decision: 'return', opinion: '请集成至全市基础移动门户' });
    const reasons = (await taskVariables('jyj', justified.instanceId, 'ReviseApplication')).returnReasons as { rule: string; article: string; message: string }[];
    expect(reasons).to.deep.equal([{ rule: 'R6.1', article: '第6条', message: '不符合第6条：区数据局移动端应用审核退回修改：请集成至全市基础移动门户' }]);
    // …or explicitly override it
    await complete('jyj', justified.instanceId, 'ReviseApplication', { revisionNote: '补充说明' });
    expect(await complete('sjj', justified.instanceId, 'MobileAppOverride', { decision: 'approve', opinion: '准予例外' })).to.deep.include({ activeActivityIds: ['OrganiseExpertReview'] });
  });

  it('a small project (< 500,000): reviews, AwaitAnnualPlan, released by the annual plan, approved without 立项 (R7.2, R7.3, R7.5, R9.1)', async () => {
    const p = await submit({ unitCode: 'jyj', name: '智慧校园平台', investment: 300000 });
    // R7.2: the Data Bureau picks the expert; scores are 1–5, the recommended amount is required
    await complete('sjj', p.instanceId, 'OrganiseExpertReview', { experts: ['zj1'] });
    const expertTask = await taskOf(t, 'zj1', p.instanceId, 'ExpertReview');
    const bad = await t.as('zj1').post(`/api/tasks/${expertTask.id}/complete`, { variables: EXPERT({ scores: { necessity: 6, urgency: 0, feasibility: 4, security: 4 }, recommendedInvestment: undefined }) });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).to.have.members(['scores.necessity', 'scores.urgency', 'scores.intensiveness', 'recommendedInvestment']);
    // R7.3: after the experts, the technical reviews run in parallel (no confidentiality review: not classified)
    await complete('zj1', p.instanceId, 'ExpertReview', EXPERT());
    expect(await active(p.instanceId)).to.deep.equal(['CryptoReview', 'FinanceReview', 'InvestmentReview', 'SecurityReview', 'TechnicalReview', 'TechnicalReviewRound']);
    await technicalReview(p.instanceId, false);
    expect(await active(p.instanceId)).to.deep.equal(['AwaitAnnualPlan']);
    expect(await stage(p.id, 'jyj')).to.equal('awaiting-plan');
    const waiting = await instance(t, p.instanceId);
    expect(waiting.variables.expertReviews).to.deep.equal([{ expert: 'zj1', decision: 'approve', opinion: '必要且可行', scores: { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 }, recommendedInvestment: 280000 }]);
    expect(waiting.variables).to.deep.include({ recommendedInvestment: 280000, securityOpinion: '同意', financeOpinion: '资金来源为区级财政预算，同意', fundingSource: '区级财政预算资金' });
    // when the annual plan with it is approved by district-government (R7.5)
    const plan = await t.as('admin').post('/api/process-definitions/annual-plan/instances', { businessKey: 'PLAN-TEST', variables: { year: 2027, projectCodes: [p.code] } });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    await complete('fgw', plan.body.id, 'PlanConcurrenceDrc', { decision: 'approve', opinion: '同意' });
    await complete('czj', plan.body.id, 'PlanConcurrenceFinance', { decision: 'approve', opinion: '同意' });
    await complete('gwh', plan.body.id, 'PlanApproval', { decision: 'approve', opinion: '同意发布' });
    await complete('czj', plan.body.id, 'IncludeInBudget', { decision: 'approve', budgetNote: '列入2027年区级部门预算' });
    // then: budgeted, no 立项 below 500,000 (R9.1), approved at the expert's recommended amount
    const done = await instance(t, p.instanceId);
    expect(done.state).to.equal('completed');
    const path = done.history.map((h: { activityId: string }) => h.activityId);
    expect(path).to.include.members(['AwaitAnnualPlan', 'MarkBudgeted', 'Approved']).and.not.include('ProjectApproval');
    const project = (await t.as('jyj').get(`/api/projects/${p.id}`)).body;
    expect(project).to.include({ budgeted: true, approvedAmount: 280000 });
    expect(project.stage).to.be.oneOf(APPROVED_STAGES);
  });

  it('a large classified cross-department project: pre-review, every review, a return with all opinions, the Data Bureau again, the plan, 立项 (R5.4, R7.3, R7.4, R9.1)', async () => {
    const p = await submit({ unitCode: 'gaj', name: '涉密指挥调度平台', classified: true, crossDepartment: true, participants: ['jyj'], investment: 2000000, existingSystems: ['警务综合平台'] }, ['application-form', 'construction-plan', 'interface-and-catalog']);
    // R5.4: the confidentiality pre-review comes first (gaj has no supervising department)
    expect(p.started.activeActivityIds).to.deep.equal(['ConfidentialityPreReview']);
    await complete('bmj', p.instanceId, 'ConfidentialityPreReview', APPROVE);
    // 第5条第（三）项: then the participating department confirms the shared content
    await complete('jyj', p.instanceId, 'ParticipantConfirmation', { sharedContentConfirmed: true, participantOpinion: '同意共建' });
    await expertReview(p.instanceId, [['zj2', EXPERT({ recommendedInvestment: 1800000 })]]);
    // R7.3: classified → the confidentiality bureau joins the technical review
    expect(await active(p.instanceId)).to.deep.equal(['ConfidentialityReview', 'CryptoReview', 'FinanceReview', 'InvestmentReview', 'SecurityReview', 'TechnicalReview', 'TechnicalReviewRound']);
    // R7.4: one return (cyberspace) sends it back with every opinion
    await technicalReview(p.instanceId, true, { SecurityReview: { decision: 'return', opinion: '补充等级保护三级设计' } });
    expect(await active(p.instanceId)).to.deep.equal(['ReviseApplication']);
    const vars = await taskVariables('gaj', p.instanceId, 'ReviseApplication');
    expect(vars.returnReasons).to.deep.equal([{ rule: 'R7.3', article: '第7条', message: '不符合第7条：区委网信办网络和数据安全审核退回修改：补充等级保护三级设计' }]);
    const steps = (vars.reviewOpinions as { step: string }[]).map((o) => o.step);
    expect(steps).to.include.members(['保密部门预审', '专家评审', '区数据局技术审核', '区委网信办网络和数据安全审核', '区国家密码管理局密码应用审核', '区机要保密局审核', '区发展改革委投资审核', '区财政局资金审核']);
    // the revised plan returns to the Data Bureau
    await upload(p.id, 'other', 'gaj');
    expect(await complete('gaj', p.instanceId, 'ReviseApplication', { revisionNote: '已补充等级保护设计' })).to.deep.include({ activeActivityIds: ['DataBureauRecheck'] });
    await complete('sjj', p.instanceId, 'DataBureauRecheck', APPROVE);
    // then the bureaus review the revised plan
    expect(await active(p.instanceId)).to.deep.equal(['ConfidentialityReview', 'CryptoReview', 'FinanceReview', 'InvestmentReview', 'SecurityReview', 'TechnicalReview', 'TechnicalReviewRound']);
    await technicalReview(p.instanceId, true);
    expect(await active(p.instanceId)).to.deep.equal(['AwaitAnnualPlan']);
    // released by the plan: a construction project ≥ 500,000 needs 立项 by drc (R9.1)
    const release = await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: p.code, variables: { budgeted: true, annualPlanYear: 2027 } });
    expect(release.status, JSON.stringify(release.body)).to.equal(200);
    expect(await active(p.instanceId)).to.deep.equal(['ProjectApproval']);
    expect(await stage(p.id, 'gaj')).to.equal('budgeted');
    await complete('fgw', p.instanceId, 'ProjectApproval', { decision: 'approve', opinion: '同意立项', designApprovedAt: '2026-09-10' });
    const done = await instance(t, p.instanceId);
    expect(done.state).to.equal('completed');
    expect(done.history.map((h: { activityId: string }) => h.activityId)).to.include.members(['ProjectApproval', 'StartImplementation', 'Approved']);
    const project = (await t.as('gaj').get(`/api/projects/${p.id}`)).body;
    expect(project).to.include({ approvedAmount: 1800000 });
    expect(project.stage).to.be.oneOf(APPROVED_STAGES);
  });

  it('R7.3 第7条(三): 区财政局 reviews the funding itself (FinanceReview); 区发展改革委 no longer types its opinion; the funding source it records reaches the annual plan', async () => {
    const p = await submit({ unitCode: 'jyj', name: '智慧教育资源平台', investment: 260000 });
    await expertReview(p.instanceId, [['zj1', EXPERT({ recommendedInvestment: 260000 })]]);
    // only 区财政局 holds the finance review; 区发展改革委 and 区数据局 do not
    const financeTask = await taskOf(t, 'czj', p.instanceId, 'FinanceReview');
    expect(financeTask.name).to.equal('区财政局审核资金来源和预算安排');
    for (const other of ['fgw', 'sjj']) {
      const theirs = (await t.as(other).get(`/api/tasks?processInstanceId=${p.instanceId}`)).body as { activityId: string }[];
      expect(theirs.map((x) => x.activityId), other).not.to.include('FinanceReview');
    }
    // 区发展改革委 may not write 区财政局's opinion any more
    const investment = await taskOf(t, 'fgw', p.instanceId, 'InvestmentReview');
    const typed = await t.as('fgw').post(`/api/tasks/${investment.id}/complete`, { variables: { ...APPROVE, financeOpinion: '区财政局：同意' } });
    expect(typed.status, JSON.stringify(typed.body)).to.equal(422);
    expect(typed.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['financeOpinion']);
    // 区财政局 must record the funding source
    const noSource = await t.as('czj').post(`/api/tasks/${financeTask.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
    expect(noSource.status).to.equal(422);
    expect(noSource.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['fundingSource']);
    // a return by 区财政局 alone sends the application back, citing 第7条 and naming 区财政局
    for (const [user, activityId, vars] of [['sjj', 'TechnicalReview', APPROVE], ['wxb', 'SecurityReview', APPROVE], ['mmj', 'CryptoReview', APPROVE], ['fgw', 'InvestmentReview', APPROVE], ['czj', 'FinanceReview', { decision: 'return', opinion: '请明确资金来源', fundingSource: '区级财政预算资金' }]] as const) {
      await complete(user, p.instanceId, activityId, vars);
    }
    const reasons = (await taskVariables('jyj', p.instanceId, 'ReviseApplication')).returnReasons as { rule: string; article: string; message: string }[];
    expect(reasons).to.deep.equal([{ rule: 'R7.3', article: '第7条', message: '不符合第7条：区财政局资金审核退回修改：请明确资金来源' }]);
    // resubmitted: the Data Bureau rechecks, the round runs again; 区财政局 records superior funds this time
    await complete('jyj', p.instanceId, 'ReviseApplication', { revisionNote: '已明确资金来源' });
    await complete('sjj', p.instanceId, 'DataBureauRecheck', APPROVE);
    await technicalReview(p.instanceId, false, { FinanceReview: { decision: 'approve', opinion: '全额使用上级专项资金', fundingSource: '上级资金' } });
    expect(await active(p.instanceId)).to.deep.equal(['AwaitAnnualPlan']);
    expect((await instance(t, p.instanceId)).variables).to.include({ financeDecision: 'approve', financeOpinion: '全额使用上级专项资金', fundingSource: '上级资金' });
    // and the annual plan shows what 区财政局 recorded as 资金来源
    const plan = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [p.id] });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    const items = (await t.as('czj').get(`/api/annual-plans/${plan.body.id}`)).body.items as { code: string; fundingSource: string }[];
    expect(items).to.have.length(1);
    expect(items[0]).to.include({ code: p.code, fundingSource: '上级资金' });
  });

  it('R9.1: 立项 from exactly 500,000 for construction; not for operation', async () => {
    const through = async (over: Record<string, unknown>, materials: string[]) => {
      const p = await submit({ unitCode: 'jyj', ...over }, materials);
      await expertReview(p.instanceId, [['zj3', EXPERT({ recommendedInvestment: over.investment })]]);
      await technicalReview(p.instanceId, false);
      await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: p.code, variables: { budgeted: true } });
      return active(p.instanceId);
    };
    expect(await through({ type: 'renovation', investment: 500000 }, ['application-form', 'construction-plan'])).to.deep.equal(['ProjectApproval']);
    expect(await through({ type: 'operation', investment: 900000 }, ['application-form', 'previous-contract', 'service-needs-report'])).to.deep.equal([]);
  });

  it('R8.1: an out-of-plan emergency project is approved by district-government, without waiting for the plan', async () => {
    const p = await submit({ unitCode: 'jyj', name: '防汛应急指挥系统', inAnnualPlan: false, outOfPlanCategory: 'emergency', planYear: 2026, investment: 450000 });
    await expertReview(p.instanceId, [['zj1', EXPERT({ recommendedInvestment: 450000 })]]);
    await technicalReview(p.instanceId, false);
    expect(await active(p.instanceId)).to.deep.equal(['OutOfPlanApproval']);
    // only district-government holds it
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${p.instanceId}`)).body).to.deep.equal([]);
    await complete('gwh', p.instanceId, 'OutOfPlanApproval', { decision: 'approve', opinion: '同意按程序紧急实施' });
    const done = await instance(t, p.instanceId);
    expect(done.state).to.equal('completed');
    expect(done.history.map((h: { activityId: string }) => h.activityId)).to.include('Approved').and.not.include('AwaitAnnualPlan');
    expect(await stage(p.id, 'jyj')).to.be.oneOf(APPROVED_STAGES);
  });

  it('R7.2 第7条(二): the Data Bureau picks the experts from the experts group; each picked expert signs (会签); every score kept, the recommended investment is their mean', async () => {
    const p = await submit({ unitCode: 'gaj', name: '涉密视频联网平台', classified: true, investment: 800000, existingSystems: ['警务综合平台'] });
    await complete('bmj', p.instanceId, 'ConfidentialityPreReview', APPROVE);
    // the Data Bureau holds the organising step; the experts hold nothing yet and may not open the classified project
    expect(await active(p.instanceId)).to.deep.equal(['OrganiseExpertReview']);
    const organise = await taskOf(t, 'sjj', p.instanceId, 'OrganiseExpertReview');
    for (const zj of ['zj1', 'zj2', 'zj3']) expect((await t.as(zj).get(`/api/projects/${p.id}`)).status, zj).to.equal(403);
    // the form's options are the real users of the experts group, by name
    const detail = (await t.as('sjj').get(`/api/tasks/${organise.id}`)).body;
    expect(detail.candidateGroups).to.deep.equal(['data-bureau']);
    expect(detail.variables.expertCandidates).to.deep.equal([{ label: '评审专家 一', value: 'zj1' }, { label: '评审专家 二', value: 'zj2' }, { label: '评审专家 三', value: 'zj3' }]);
    expect(detail.form.components.find((c: { key?: string }) => c.key === 'experts')).to.include({ type: 'checklist', valuesKey: 'expertCandidates' });
    // only experts of the experts group may be picked (422 citing 第七条第（二）项), at least one
    for (const experts of [['zj1', 'sjj'], ['nobody'], ['zj1', 'zj1']]) {
      const res = await t.as('sjj').post(`/api/tasks/${organise.id}/complete`, { variables: { experts } });
      expect(res.status, JSON.stringify(experts)).to.equal(422);
      expect(res.body.error.message).to.contain('第七条第（二）项');
    }
    const none = await t.as('sjj').post(`/api/tasks/${organise.id}/complete`, { variables: { experts: [] } });
    expect(none.status).to.equal(422);
    // an expert may not pick the experts
    expect((await t.as('zj1').post(`/api/tasks/${organise.id}/complete`, { variables: { experts: ['zj1'] } })).status).to.equal(403);
    // two experts picked: one task each, assigned to that expert; the third has none and still may not see the project
    await complete('sjj', p.instanceId, 'OrganiseExpertReview', { experts: ['zj1', 'zj3'], opinion: '请两位专家评审' });
    for (const zj of ['zj1', 'zj3']) {
      const mine = (await t.as(zj).get(`/api/tasks?processInstanceId=${p.instanceId}`)).body as { activityId: string; assignee: string | null; candidateGroups: string[] }[];
      expect(mine.map((x) => [x.activityId, x.assignee, x.candidateGroups]), zj).to.deep.equal([['ExpertReview', zj, []]]);
    }
    expect((await t.as('zj2').get(`/api/tasks?processInstanceId=${p.instanceId}`)).body).to.deep.equal([]);
    expect((await t.as('zj2').get(`/api/projects/${p.id}`)).status).to.equal(403);
    // the picked experts see the classified project they hold a task on (第5条)
    for (const zj of ['zj1', 'zj3']) expect((await t.as(zj).get(`/api/projects/${p.id}`)).status, zj).to.equal(200);
    // zj1 may not sign zj3's review
    const zj3Task = await taskOf(t, 'zj3', p.instanceId, 'ExpertReview');
    expect((await t.as('zj1').post(`/api/tasks/${zj3Task.id}/complete`, { variables: EXPERT() })).status).to.equal(403);
    // all must sign: after the first, the review still waits for the other
    await complete('zj1', p.instanceId, 'ExpertReview', EXPERT({ recommendedInvestment: 700000, scores: { necessity: 5, urgency: 5, feasibility: 4, security: 5, intensiveness: 4 } }));
    expect(await active(p.instanceId)).to.deep.equal(['ExpertReview']);
    await complete('zj3', p.instanceId, 'ExpertReview', EXPERT({ recommendedInvestment: 650001, opinion: '建议压缩硬件投资' }));
    // every expert's review is kept, the recommended investment is their mean, the reviewers go on
    const vars = (await instance(t, p.instanceId)).variables;
    expect(vars.expertReviews).to.deep.equal([
      { expert: 'zj1', decision: 'approve', opinion: '必要且可行', scores: { necessity: 5, urgency: 5, feasibility: 4, security: 5, intensiveness: 4 }, recommendedInvestment: 700000 },
      { expert: 'zj3', decision: 'approve', opinion: '建议压缩硬件投资', scores: { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 }, recommendedInvestment: 650001 },
    ]);
    expect(vars).to.include({ recommendedInvestment: 675000.5, expertDecision: 'approve', expertOpinion: '评审专家 一：必要且可行；评审专家 三：建议压缩硬件投资' });
    expect(await active(p.instanceId)).to.include('TechnicalReview');
    // the later reviewers read them: the project page lists each expert's scores and the mean
    const agent = supertest.agent(t.gf.app);
    const login = await agent.get('/login').expect(200);
    await agent.post('/login').type('form').send({ username: 'sjj', password: PASSWORD, _csrf: /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '' }).expect(303);
    const page = await agent.get(`/projects/${p.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('专家评审（第7条第（二）项）').and.contain('评审专家 三').and.contain('建议投资 65 万元').and.contain('67.5 万元');
    const drcTask = await taskOf(t, 'sjj', p.instanceId, 'TechnicalReview');
    const tracking = (await t.as('sjj').get(`/api/process-instances/${p.instanceId}/tracking`)).body;
    const shown = Object.fromEntries((tracking.variables as { label: string; value: string }[]).map((v) => [v.label, v.value]));
    expect(shown['评审专家']).to.equal('评审专家 一、评审专家 三');
    expect(shown['各专家评审意见和评分']).to.contain('评审专家 三：通过，必要性5、紧迫性4、可行性4、安全性4、集约性3，建议投资 650,001 元');
    expect(shown['专家建议投资金额（各专家建议的平均值）']).to.equal('675,000.5 元');
    expect(drcTask.activityId).to.equal('TechnicalReview');
  });

  it('R7.2: the expert conclusion is collective — all pass is pass, a majority against is reject, else revise', async () => {
    const p = await submit({ unitCode: 'jyj', name: '教育数据中台', investment: 300000 });
    await expertReview(p.instanceId, [
      ['zj1', EXPERT({ decision: 'reject', opinion: '重复建设' })],
      ['zj2', EXPERT({ decision: 'approve' })],
      ['zj3', EXPERT({ decision: 'return', opinion: '请补充数据共享方案' })],
    ]);
    expect(await active(p.instanceId)).to.deep.equal(['ReviseApplication']);
    const vars = await taskVariables('jyj', p.instanceId, 'ReviseApplication');
    expect((vars.reviewOpinions as { step: string; decision: string }[]).find((o) => o.step === '专家评审')).to.include({ decision: '退回修改' });
  });

  it('any reject ends at Rejected with the project rejected', async () => {
    const p = await submit({ unitCode: 'jyj' });
    await expertReview(p.instanceId, [['zj1', EXPERT({ decision: 'reject', opinion: '与现有系统重复建设' })]]);
    const done = await instance(t, p.instanceId);
    expect(done.state).to.equal('completed');
    expect(done.history.map((h: { activityId: string }) => h.activityId)).to.include('Rejected');
    expect(await stage(p.id, 'jyj')).to.equal('rejected');
  });
  it('R16.2 第16条: 立项 records the 初步设计（实施方案）批复 date, and the not-started check counts six months from it', async () => {
    const p = await submit({ unitCode: 'jyj', name: '教育城域网改造', type: 'renovation', investment: 600000 });
    await expertReview(p.instanceId, [['zj2', EXPERT({ recommendedInvestment: 600000 })]]);
    await technicalReview(p.instanceId, false);
    await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: p.code, variables: { budgeted: true } });
    expect(await active(p.instanceId)).to.deep.equal(['ProjectApproval']);
    const task = await taskOf(t, 'fgw', p.instanceId, 'ProjectApproval');
    expect(((await t.as('fgw').get(`/api/tasks/${task.id}`)).body.form.components as { key?: string }[]).map((c) => c.key)).to.include('designApprovedAt');
    // approving without the date, or with a date still to come, is refused citing 第16条
    for (const variables of [{ decision: 'approve', opinion: '同意立项' }, { decision: 'approve', opinion: '同意立项', designApprovedAt: '2027-01-05' }]) {
      const res = await t.as('fgw').post(`/api/tasks/${task.id}/complete`, { variables });
      expect(res.status, JSON.stringify(res.body)).to.equal(422);
      expect(res.body.error.details[0]).to.include({ rule: 'R16.2', article: '第16条' });
    }
    // 批复 on 2026-08-03, 立项 recorded on 2026-09-15: the implementation starts with that date
    await complete('fgw', p.instanceId, 'ProjectApproval', { decision: 'approve', opinion: '同意立项', designApprovedAt: '2026-08-03' });
    await t.gf.scheduler.tick();
    const project = (await t.as('jyj').get(`/api/projects/${p.id}`)).body;
    const impl = (project.processInstances as { id: string; definitionKey: string }[]).find((i) => i.definitionKey === 'implementation-acceptance');
    expect(impl, 'the implementation instance').to.not.equal(undefined);
    expect((await instance(t, impl!.id)).variables).to.include({ designApprovedAt: '2026-08-03' });
    // six months from the 批复 (2027-02-03), not from the approval (2027-03-15): no procurement yet → the adjustment step
    await setClock(t, '2027-02-02T12:00:00+08:00');
    expect(await active(impl!.id)).to.deep.equal(['RecordProcurement']);
    await setClock(t, '2027-02-03T09:00:00+08:00');
    expect(await active(impl!.id)).to.deep.equal(['AdjustNotStartedDrc', 'AdjustNotStartedFinance', 'RecordProcurement']);
  });
});
