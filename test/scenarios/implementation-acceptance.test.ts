import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { instance, setClock, taskOf } from '../support/runtime';
import { draft } from '../support/builders';

/**
 * Chapter 3 of the measures (第10–20条) through the HTTP API: the shipped diagram
 * processes/implementation-acceptance.bpmn with its forms, as the seed deploys it.
 */
interface Notice {
  kind: string;
  title: string;
  body: string;
}
interface Detail {
  rule: string;
  article: string;
  message: string;
}

const CONTRACT_FILING = ['tender-docs', 'winning-bid', 'contract', 'payment-plan', 'security-plan', 'crypto-plan'];
const ACCEPTANCE = [
  'acceptance-application', 'construction-summary', 'trial-operation-report', 'data-catalog-sharing', 'fund-usage',
  'classified-protection-report', 'security-risk-report', 'crypto-assessment-report', 'digital-om-report',
];

async function upload(t: TestApp, projectId: number, ...types: string[]) {
  for (const materialType of types) {
    const res = await t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', materialType)
      .attach('file', Buffer.from(`%PDF-1.4 ${materialType}`), { filename: `${materialType}.pdf`, contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  }
}

/** Completes the one open task `activityId` of the instance as `user`; returns the raw response. */
async function complete(t: TestApp, user: string, instanceId: string, activityId: string, variables: Record<string, unknown>) {
  const task = await taskOf(t, user, instanceId, activityId);
  return t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
}

async function done(t: TestApp, user: string, instanceId: string, activityId: string, variables: Record<string, unknown>) {
  const res = await complete(t, user, instanceId, activityId, variables);
  expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body;
}

function refused(res: { status: number; body: { error?: { details?: Detail[] } } }) {
  expect(res.status, JSON.stringify(res.body)).to.equal(422);
  return res.body.error!.details!;
}

const approve = (opinion = '同意') => ({ decision: 'approve', opinion });
/** the payment plan filed with the contract (第13条), the basis of every payment (第14条): 780,000 in stages */
const PLAN = { advance: 300000, progress: 400000, acceptance: 80000, final: 0 };

async function inbox(t: TestApp, user: string): Promise<Notice[]> {
  await t.gf.outbox.dispatch();
  const res = await t.as(user).get('/api/notifications');
  expect(res.status).to.equal(200);
  return res.body;
}

async function active(t: TestApp, id: string): Promise<string[]> {
  return (await instance(t, id)).activeActivityIds;
}

async function stage(t: TestApp, projectId: number): Promise<string> {
  return (await t.as('rmyy').get(`/api/projects/${projectId}`)).body.stage;
}

/** The project's one performance-supervision instance (started by a step after it commits: looked for, bounded). */
async function performanceInstance(t: TestApp, projectId: number) {
  for (let i = 0; ; i++) {
    // (an instance started before the acceptance passed ended at once, 第18条: not counted)
    const found = ((await t.as('rmyy').get(`/api/projects/${projectId}`)).body.processInstances as { id: string; definitionKey: string; activeActivityIds: string[] }[]).filter((x) => x.definitionKey === 'performance-supervision' && x.activeActivityIds.length > 0);
    if (found.length || i >= 50) {
      expect(found, 'performance-supervision instances').to.have.length(1);
      return instance(t, found[0].id);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function startImplementation(t: TestApp, project: { id: number; code: string }, variables: Record<string, unknown>) {
  const res = await t.as('admin').post('/api/process-definitions/implementation-acceptance/instances', {
    businessKey: project.code,
    variables: { projectId: project.id, projectCode: project.code, unitGroup: 'unit:rmyy', ...variables },
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.id as string;
}

describe('scenario: implementation and acceptance of a construction project (第10–20条)', () => {
  let t: TestApp;
  let project: { id: number; code: string };
  let id: string;

  async function pay(amount: number) {
    await upload(t, project.id, 'payment-evidence');
    await done(t, 'rmyy', id, 'PaymentRequest', { next: 'payment', paymentStage: 'progress', paymentAmount: amount, paymentBasis: `按合同付款计划支付 ${amount} 元` });
    await done(t, 'sjj', id, 'PaymentPreReview', approve('进度属实'));
  }

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-10T09:00:00+08:00');
    const res = await t.as('rmyy').post('/api/projects', draft({ investment: 800000 }));
    expect(res.status).to.equal(201);
    project = res.body;
    id = await startImplementation(t, project, { type: 'new', investment: 800000, approvedAmount: 800000, designApprovedAt: '2026-03-20' });
  });
  after(() => t.close());

  it('starts implementing; R16.2: flags DRC and Finance when there is no start 6 months after the design approval, and each records its adjustment', async () => {
    // given the implementation started 2026-09-10, design approved 2026-03-20
    expect(await active(t, id)).to.deep.equal(['RecordProcurement']);
    expect(await stage(t, project.id)).to.equal('implementing');
    // when the clock passes 2026-09-20 without a procurement recorded
    await setClock(t, '2026-09-19T18:00:00+08:00');
    expect((await inbox(t, 'fgw')).filter((n) => n.title.includes('第16条'))).to.have.length(0);
    await setClock(t, '2026-09-21T09:00:00+08:00');
    // then DRC and Finance are told, citing 第16条, and the unit can still record its procurement
    for (const user of ['fgw', 'czj']) {
      const flagged = (await inbox(t, user)).filter((n) => n.title === '项目未按时开工（第16条）');
      expect(flagged, user).to.have.length(1);
      expect(flagged[0].body).to.include('不符合第16条').and.include(project.code);
    }
    // and each adjusts it (第16条 适时调整) — a step of theirs, not only a notice; the unit can still record its procurement
    expect((await active(t, id)).slice().sort()).to.deep.equal(['AdjustNotStartedDrc', 'AdjustNotStartedFinance', 'RecordProcurement']);
    await done(t, 'fgw', id, 'AdjustNotStartedDrc', { adjustment: 'keep', opinion: '督促9月底前完成采购' });
    await done(t, 'czj', id, 'AdjustNotStartedFinance', { adjustment: 'adjust', opinion: '年度预算相应调整至第四季度' });
    expect((await instance(t, id)).variables).to.include({ notStartedDrcAdjustment: 'keep', notStartedFinanceAdjustment: 'adjust', notStartedFinanceOpinion: '年度预算相应调整至第四季度' });
    expect(await active(t, id)).to.deep.equal(['RecordProcurement']);
  });

  it('R10.1: refuses a contract amount above the approved budget, citing 第10条', async () => {
    await setClock(t, '2026-09-28T10:00:00+08:00');
    const procurement = { procurementMethod: 'public-tender', supplier: '某某信息技术有限公司', contractSignedAt: '2026-09-28', contractCompletionDate: '2027-03-31' };
    const details = refused(await complete(t, 'rmyy', id, 'RecordProcurement', { ...procurement, contractAmount: 820000 }));
    expect(details).to.deep.equal([{ rule: 'R10.1', article: '第10条', message: '不符合第10条：合同金额不得超过批准的预算（概算控制预算、预算控制决算，第15条）' }]);
    expect(await active(t, id)).to.deep.equal(['RecordProcurement']);
    await done(t, 'rmyy', id, 'RecordProcurement', { ...procurement, contractAmount: 780000 });
    expect(await active(t, id)).to.deep.equal(['FileContract']);
  });

  it('R13.1: files within 10 working days across National Day — a reminder 2 working days before, an escalation counted in working days the first working day late, not blocking', async () => {
    // given the contract signed on Monday 2026-09-28: the 10th working day is 2026-10-16 (10/1–10/8 holiday)
    const task = await taskOf(t, 'rmyy', id, 'FileContract');
    expect(task.dueAt).to.equal('2026-10-16T15:59:59.000Z');
    await upload(t, project.id, 'tender-docs', 'winning-bid', 'contract', 'payment-plan', 'security-plan');
    // the holiday passes without a reminder
    await setClock(t, '2026-10-12T12:00:00+08:00');
    expect((await inbox(t, 'rmyy')).filter((n) => n.kind === 'reminder')).to.have.length(0);
    // when 2 working days before the deadline: a reminder to the unit
    await setClock(t, '2026-10-14T08:00:00+08:00');
    const reminders = (await inbox(t, 'rmyy')).filter((n) => n.kind === 'reminder');
    expect(reminders).to.have.length(1);
    expect(reminders[0].title).to.equal('合同备案即将到期（第13条）');
    expect(reminders[0].body).to.include('2026年10月16日').and.not.to.match(/\d{4}-\d{2}-\d{2}/);
    // the due day itself passes without an escalation
    const overdue = async (user: string) => (await inbox(t, user)).filter((n) => n.kind === 'escalation' && n.title === '合同备案逾期（第13条）');
    await setClock(t, '2026-10-16T23:00:00+08:00');
    expect(await overdue('sjj')).to.have.length(0);
    // when the next working day (Monday 10/19) starts: escalated to the data bureau and the unit, counted in working days
    await setClock(t, '2026-10-19T09:00:00+08:00');
    expect(await overdue('sjj')).to.have.length(1);
    expect((await overdue('sjj'))[0].body).to.include('不符合第13条：合同签订后10个工作日内须报区数据局备案（已超期1个工作日）');
    expect(await overdue('rmyy')).to.have.length(1);
    // two more working days later: marked overdue, shown as overdue, still not blocking (and not escalated again)
    await setClock(t, '2026-10-21T10:00:00+08:00');
    expect(await overdue('sjj')).to.have.length(1);
    const inst = await instance(t, id);
    expect(inst.variables).to.include({ contractFilingOverdue: true });
    expect(inst.activeActivityIds).to.deep.equal(['FileContract']);
    const deadlines = (await t.as('rmyy').get(`/api/projects/${project.id}`)).body.deadlines;
    expect(deadlines.find((d: { activityId: string }) => d.activityId === 'FileContract')).to.include({ state: 'overdue', rule: 'R13.1', article: '第13条', dueAt: '2026-10-16T15:59:59.000Z' });
  });

  it('R12.1, R13.2: refuses a filing without the e-document declaration or with less than 12 months warranty; a missing cryptography plan sends it back', async () => {
    const details = refused(await complete(t, 'rmyy', id, 'FileContract', { eDocumentManagement: false, warrantyMonths: 6 }));
    expect(details.map((d) => [d.rule, d.article])).to.have.deep.members([['R12.1', '第12条'], ['R13.2', '第13条'], ['R14.3', '第14条']]);
    expect(details.find((d) => d.rule === 'R13.2')!.message).to.include('不少于12个月');
    // the declaration and 12 months pass the form; the missing 密码应用方案 returns the filing to the unit
    await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 12, paymentPlan: PLAN });
    expect(await active(t, id)).to.deep.equal(['FileContract']);
    // filed on 10/21: 3 working days late (10/19, 10/20, 10/21), recorded for the data bureau
    expect((await instance(t, id)).variables.contractFilingOverdueDays).to.equal(3);
    const returned = (await inbox(t, 'rmyy')).filter((n) => n.kind === 'return');
    expect(returned).to.have.length(1);
    expect(returned[0].body).to.equal('不符合第12条：缺少密码应用方案');
    // coming back to the task neither reminds nor escalates again
    expect((await inbox(t, 'sjj')).filter((n) => n.title === '合同备案逾期（第13条）')).to.have.length(1);
    expect((await inbox(t, 'rmyy')).filter((n) => n.kind === 'reminder')).to.have.length(1);
    // with the plan attached the filing reaches the data bureau, who accepts it although late
    await upload(t, project.id, 'crypto-plan');
    await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 12, paymentPlan: PLAN });
    await done(t, 'sjj', id, 'ReviewContractFiling', approve('逾期备案，已督办，予以备案'));
    expect(await active(t, id)).to.deep.equal(['Implementation', 'PaymentRequest']);
  });

  it('R14.1, R15.1: each payment passes the data bureau and then Finance; an over-budget payment is refused citing 第15条', async () => {
    // a payment request needs an amount and its basis, its evidence and a stage of the filed plan
    const details = refused(await complete(t, 'rmyy', id, 'PaymentRequest', { next: 'payment' }));
    expect(details.map((d) => [d.rule, d.article])).to.deep.equal([['R14.1', '第14条'], ['R14.2', '第14条'], ['R14.3', '第14条']]);
    // 第14条: without its evidence documents (uploaded material 资金支付佐证材料) the request is refused
    const first = { next: 'payment', paymentStage: 'advance', paymentAmount: 300000, paymentBasis: '合同签订后首付款' };
    expect(refused(await complete(t, 'rmyy', id, 'PaymentRequest', first))).to.deep.equal([
      { rule: 'R14.2', article: '第14条', message: '不符合第14条：申请支付须上传本次支付的佐证材料（材料类型：资金支付佐证材料），每笔支付各附佐证材料' },
    ]);
    // a payment plan document alone is not evidence; the evidence is
    await upload(t, project.id, 'payment-evidence');
    // checked against the filed plan: a stage it does not plan, or more than the stage's amount, is refused
    for (const wrong of [{ paymentStage: 'final' }, { paymentStage: 'acceptance' }, { paymentStage: undefined }]) {
      const res = refused(await complete(t, 'rmyy', id, 'PaymentRequest', { ...first, ...wrong }));
      expect(res.map((d) => d.rule), JSON.stringify(wrong)).to.deep.equal(['R14.3']);
      expect(res[0].message).to.equal('不符合第14条：支付申请须对应备案的资金支付计划：选择计划中的支付阶段，本次金额不得超过该阶段的计划金额');
    }
    expect((await instance(t, id)).variables.paymentPlan).to.deep.equal(PLAN);
    // first payment: data bureau first, Finance only afterwards
    await done(t, 'rmyy', id, 'PaymentRequest', first);
    expect((await t.as('czj').get(`/api/tasks?processInstanceId=${id}`)).body).to.have.length(0);
    await done(t, 'sjj', id, 'PaymentPreReview', approve());
    await done(t, 'czj', id, 'PaymentReview', approve());
    // second payment
    await pay(400000);
    await done(t, 'czj', id, 'PaymentReview', approve());
    let inst = await instance(t, id);
    expect(inst.variables.disbursedTotal).to.equal(700000);
    expect(inst.variables.payments.map((p: { amount: number }) => p.amount)).to.deep.equal([300000, 400000]);
    // the project shows them too (R14.1)
    const shown = (await t.as('rmyy').get(`/api/projects/${inst.variables.projectId}`)).body.payments;
    expect(shown.map((p: { amount: number; state: string }) => [p.amount, p.state])).to.deep.equal([[300000, 'disbursed'], [400000, 'disbursed']]);
    // third: 700,000 + 200,000 > 780,000 — Finance cannot approve it
    await pay(200000);
    const over = refused(await complete(t, 'czj', id, 'PaymentReview', approve()));
    expect(over).to.deep.equal([{ rule: 'R15.1', article: '第15条', message: '不符合第15条：累计拨付金额不得超过合同金额，合同金额不得超过批准的预算，本次支付不予同意' }]);
    await done(t, 'czj', id, 'PaymentReview', { decision: 'reject', opinion: '超出合同金额' });
    inst = await instance(t, id);
    expect(inst.variables.disbursedTotal).to.equal(700000);
    expect(inst.activeActivityIds).to.deep.equal(['Implementation', 'PaymentRequest']);
    const refusedNotice = (await inbox(t, 'rmyy')).filter((n) => n.title === '资金支付申请未获同意');
    expect(refusedNotice).to.have.length(1);
    expect(refusedNotice[0].body).to.include('200000').and.include('超出合同金额');
  });

  it('R15.2: a price increase for another reason is refused citing 第15条; a policy change needs the joint consultation and the district government', async () => {
    await done(t, 'rmyy', id, 'PaymentRequest', { next: 'contract-change' });
    const details = refused(await complete(t, 'rmyy', id, 'ContractChange', { changeAction: 'submit', changeReason: 'other', newContractAmount: 800000, changeExplanation: '供应商要求涨价' }));
    expect(details.map((d) => [d.rule, d.article])).to.deep.equal([['R15.2', '第15条']]);
    expect(details[0].message).to.match(/^不符合第15条：合同价款增加仅限政策变化、标准变化或应用场景变化/);
    await done(t, 'rmyy', id, 'ContractChange', { changeAction: 'submit', changeReason: 'policy-change', newContractAmount: 800000, changeExplanation: '等保2.0新增要求' });
    // joint consultation in parallel; the district government only after all three
    expect((await active(t, id)).sort()).to.deep.equal(['ConsultDataBureau', 'ConsultDrc', 'ConsultFinance', 'Implementation']);
    expect((await t.as('gwh').get(`/api/tasks?processInstanceId=${id}`)).body).to.have.length(0);
    await done(t, 'sjj', id, 'ConsultDataBureau', approve());
    await done(t, 'czj', id, 'ConsultFinance', approve());
    await done(t, 'fgw', id, 'ConsultDrc', approve());
    await done(t, 'gwh', id, 'ChangeApproval', approve('同意变更'));
    const inst = await instance(t, id);
    expect(inst.variables).to.include({ contractAmount: 800000, approvedAmount: 800000 });
    // a payment above the old contract amount now fits the changed contract
    await pay(50000);
    await done(t, 'czj', id, 'PaymentReview', approve());
    expect((await instance(t, id)).variables.disbursedTotal).to.equal(750000);
  });

  it('R17.1, R18.1: acceptance materials are checked; a failed acceptance stops use and funds until rectified and accepted', async () => {
    await done(t, 'rmyy', id, 'PaymentRequest', { next: 'trial-operation' });
    await done(t, 'rmyy', id, 'TrialOperation', { trialStartedAt: '2026-11-02', trialEndedAt: '2026-11-30', trialSummary: '试运行平稳' });
    expect(await stage(t, project.id)).to.equal('accepting');
    // R17.1: one material missing → back to the unit naming it
    await upload(t, project.id, ...ACCEPTANCE.filter((m) => m !== 'digital-om-report'));
    await done(t, 'rmyy', id, 'ApplyAcceptance', {});
    expect(await active(t, id)).to.deep.equal(['Implementation', 'ApplyAcceptance']);
    expect((await inbox(t, 'rmyy')).map((n) => n.body)).to.include('不符合第17条：缺少数字化运维报告');
    await upload(t, project.id, 'digital-om-report');
    await done(t, 'rmyy', id, 'ApplyAcceptance', {});
    await done(t, 'sjj', id, 'ReviewAcceptance', approve());
    // R18.1: a failed acceptance → rectification; no payment step, not in use, everyone told
    await done(t, 'rmyy', id, 'OrganiseAcceptance', { acceptanceResult: 'fail', acceptanceDate: '2026-12-01', acceptanceOpinion: '性能测试未达标' });
    expect(await active(t, id)).to.deep.equal(['Implementation', 'RectifyAcceptance']);
    expect((await t.as('rmyy').get(`/api/tasks?processInstanceId=${id}`)).body.map((x: { activityId: string }) => x.activityId)).to.deep.equal(['RectifyAcceptance']);
    // 第18条 不得投入使用: the failure is recorded on the project and in the instance, and nothing goes into operation
    expect(await stage(t, project.id)).to.equal('acceptance-failed');
    expect((await instance(t, id)).variables).to.deep.include({ inUse: false, acceptanceRecords: [{ result: 'fail', date: '2026-12-01', opinion: '性能测试未达标' }] });
    expect(((await t.as('rmyy').get(`/api/projects/${project.id}`)).body.processInstances as { definitionKey: string }[]).map((x) => x.definitionKey)).not.to.include('performance-supervision');
    // an operation (performance evaluation and supervision) started anyway is stopped at its first step, citing 第18条
    const early = await t.as('admin').post('/api/process-definitions/performance-supervision/instances', { businessKey: project.code, variables: { projectCode: project.code, unitGroup: 'unit:rmyy', acceptedAt: '2026-12-01' } });
    expect(early.status, JSON.stringify(early.body)).to.equal(201);
    let stopped = await instance(t, early.body.id);
    for (let i = 0; stopped.state !== 'completed' && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 200));
      stopped = await instance(t, early.body.id);
    }
    expect(stopped.state, JSON.stringify([stopped.activeActivityIds, stopped.incidents])).to.equal('completed');
    expect(stopped.history.map((h: { activityId: string }) => h.activityId)).to.include('NotPutIntoUse').and.not.include('PerformanceEvaluation').and.not.include('InOperation');
    for (const user of ['sjj', 'rmyy']) {
      const notInUse = (await inbox(t, user)).filter((n) => n.title === '项目未验收合格，不得投入使用（第18条）');
      expect(notInUse, user).to.have.length(1);
      expect(notInUse[0].body).to.include('不得投入使用');
    }
    for (const user of ['rmyy', 'czj']) {
      const failed = (await inbox(t, user)).filter((n) => n.title === '竣工验收不合格（第18条）');
      expect(failed, user).to.have.length(1);
      expect(failed[0].body).to.include('不得拨付项目资金');
    }
    await done(t, 'rmyy', id, 'RectifyAcceptance', { rectificationReport: '已优化数据库索引，性能达标' });
    expect(await active(t, id)).to.deep.equal(['Implementation', 'ApplyAcceptance']);
    await done(t, 'rmyy', id, 'ApplyAcceptance', { acceptanceApplicationNote: '整改后重新申请' });
    await done(t, 'sjj', id, 'ReviewAcceptance', approve());
    await done(t, 'rmyy', id, 'OrganiseAcceptance', { acceptanceResult: 'pass', acceptanceDate: '2026-12-15', acceptanceOpinion: '验收合格' });
    expect(await stage(t, project.id)).to.equal('accepted');
    expect((await active(t, id)).sort()).to.deep.equal(['AcceptanceReportFiling', 'FileAcceptanceReport', 'FinalPaymentRequest', 'FinalPayments', 'RegisterAssets']);
    expect((await instance(t, id)).variables.acceptanceFailures).to.equal(1);
    expect((await instance(t, id)).variables).to.deep.include({
      inUse: true,
      acceptanceRecords: [{ result: 'fail', date: '2026-12-01', opinion: '性能测试未达标' }, { result: 'pass', date: '2026-12-15', opinion: '验收合格' }],
    });
    // 第21–22条: at acceptance the system goes into operation — the performance evaluation (12 months from the
    // acceptance date) and the Data Bureau's supervision start now, beside the remaining payments and the archive
    const perf = await performanceInstance(t, project.id);
    expect(perf.activeActivityIds).to.include.members(['PerformanceEvaluation', 'InOperation']);
    expect(perf.variables).to.include({ acceptedAt: '2026-12-15' });
    expect((await taskOf(t, 'rmyy', perf.id, 'PerformanceEvaluation')).dueAt).to.equal('2027-12-15T15:59:59.000Z');
    // once accepted, the remaining funds may be paid, through the same reviews and budget control
    const details = refused(await complete(t, 'rmyy', id, 'FinalPaymentRequest', { next: 'payment', paymentBasis: '尾款' }));
    // (the evidence of the payment Finance refused is still there, unused: R14.2 holds)
    expect(details.map((d) => d.rule)).to.deep.equal(['R14.1', 'R14.3']);
    await upload(t, project.id, 'payment-evidence');
    await done(t, 'rmyy', id, 'FinalPaymentRequest', { next: 'payment', paymentStage: 'acceptance', paymentAmount: 60000, paymentBasis: '验收合格后支付尾款' });
    await done(t, 'sjj', id, 'FinalPaymentPreReview', approve());
    expect(refused(await complete(t, 'czj', id, 'FinalPaymentReview', approve())).map((d) => d.rule)).to.deep.equal(['R15.1']);
    await done(t, 'czj', id, 'FinalPaymentReview', { decision: 'return', opinion: '尾款应为 50000 元' });
    await done(t, 'rmyy', id, 'FinalPaymentRequest', { next: 'payment', paymentStage: 'acceptance', paymentAmount: 50000, paymentBasis: '验收合格后支付尾款' });
    await done(t, 'sjj', id, 'FinalPaymentPreReview', approve());
    await done(t, 'czj', id, 'FinalPaymentReview', approve());
    const paid = await instance(t, id);
    expect(paid.variables.disbursedTotal).to.equal(800000);
    expect(paid.variables.payments.map((p: { amount: number }) => p.amount)).to.deep.equal([300000, 400000, 50000, 50000]);
    await done(t, 'rmyy', id, 'FinalPaymentRequest', { next: 'done' });
  });

  it('R19.1: registers fixed and intangible assets and files the acceptance report with the data bureau', async () => {
    const details = refused(await complete(t, 'rmyy', id, 'RegisterAssets', { fixedAssetsRegistered: true, intangibleAssetsRegistered: false, assetRegisterNo: 'ZC-2026-001' }));
    expect(details.map((d) => [d.rule, d.article])).to.deep.equal([['R19.1', '第19条']]);
    await done(t, 'rmyy', id, 'RegisterAssets', { fixedAssetsRegistered: true, intangibleAssetsRegistered: true, assetRegisterNo: 'ZC-2026-001' });
    // without the report uploaded the filing comes back
    await done(t, 'rmyy', id, 'FileAcceptanceReport', {});
    const waiting = await active(t, id);
    expect(waiting).to.include('FileAcceptanceReport').and.not.include('Archive');
    expect((await inbox(t, 'rmyy')).map((n) => n.body)).to.include('不符合第19条：缺少竣工验收报告');
    await upload(t, project.id, 'acceptance-report');
    await done(t, 'rmyy', id, 'FileAcceptanceReport', {});
    await done(t, 'sjj', id, 'ReceiveAcceptanceReport', approve('已备案'));
    expect(await active(t, id)).to.deep.equal(['Archive']);
  });

  it('R20.1 第20条: the unit keeps the project archive (its task), the data bureau checks it; a return goes back to the unit', async () => {
    // the archive is the unit's task; the data bureau has none yet
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${id}`)).body.map((x: { activityId: string }) => x.activityId)).not.to.include('Archive');
    const archiveTask = await taskOf(t, 'rmyy', id, 'Archive');
    expect(archiveTask.name).to.equal('项目单位整理项目档案（第20条）');
    const details = refused(await complete(t, 'rmyy', id, 'Archive', { archiveConfirmed: false, archiveNote: '整理中' }));
    expect(details.map((d) => [d.rule, d.article])).to.deep.equal([['R20.1', '第20条']]);
    // the electronic archive the unit assembles and the data bureau checks
    for (const user of ['rmyy', 'sjj']) {
      const zip = await t.as(user).get(`/api/projects/${project.id}/archive`);
      expect(zip.status, user).to.equal(200);
      expect(zip.headers['content-type']).to.include('application/zip');
    }
    await done(t, 'rmyy', id, 'Archive', { archiveConfirmed: true, archiveNote: '档案目录一份，电子档案已导出' });
    // then the data bureau checks it, and may return it to the unit
    expect(await active(t, id)).to.deep.equal(['CheckArchive']);
    expect((await t.as('rmyy').get(`/api/tasks?processInstanceId=${id}`)).body).to.deep.equal([]);
    await done(t, 'sjj', id, 'CheckArchive', { decision: 'return', opinion: '缺少验收会议纪要' });
    expect(await active(t, id)).to.deep.equal(['Archive']);
    expect(await stage(t, project.id)).not.to.equal('archived');
    await done(t, 'rmyy', id, 'Archive', { archiveConfirmed: true, archiveNote: '已补充验收会议纪要' });
    await done(t, 'sjj', id, 'CheckArchive', approve('档案完整'));
    const inst = await instance(t, id);
    expect(inst.state).to.equal('completed');
    expect(await stage(t, project.id)).to.equal('archived');
    const actors = (activityId: string) => inst.history.filter((h: { activityId: string }) => h.activityId === activityId).map((h: { actor: string }) => h.actor);
    expect(actors('Archive')).to.deep.equal(['rmyy', 'rmyy']);
    expect(actors('CheckArchive')).to.deep.equal(['sjj', 'sjj']);
    expect(inst.variables).to.include({ archiveCheckDecision: 'approve', archiveCheckOpinion: '档案完整' });
    expect(inst.history.map((h: { activityId: string }) => h.activityId)).to.include.members(['StageArchived', 'End']);
    expect(inst.incidents).to.have.length(0);
    // the archive starts nothing more: the evaluation began at acceptance (第21条), once
    expect((await performanceInstance(t, project.id)).activeActivityIds).to.include('InOperation');
  });
});

describe('scenario: operation/service filing (R13.1, R13.3) and serious delay (R16.1)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-01-05T09:00:00+08:00');
  });
  after(() => t.close());

  /** A project whose contract (signed 2026-01-05, to be completed 2026-02-27) is filed and accepted by the data bureau. */
  async function implementing(type: string, materials: string[]) {
    const { body: project } = await t.as('rmyy').post('/api/projects', draft({ type, investment: 300000 }));
    const id = await startImplementation(t, project, { type, investment: 300000, approvedAmount: 300000 });
    await done(t, 'rmyy', id, 'RecordProcurement', {
      procurementMethod: 'competitive-consultation', supplier: '某运维服务公司', contractAmount: 280000, contractSignedAt: '2026-01-05', contractCompletionDate: '2026-02-27',
    });
    await upload(t, project.id, ...materials);
    return { project, id };
  }

  it('R13.1, R13.3: a service contract needs the O&M system and emergency plan, not the 12-month warranty', async () => {
    const { project, id } = await implementing('service', CONTRACT_FILING.filter((m) => m !== 'payment-plan'));
    // signed 2026-01-05: due 2026-01-19 (10th working day), reminder on 2026-01-15
    await setClock(t, '2026-01-15T10:00:00+08:00');
    const reminders = async () => (await inbox(t, 'rmyy')).filter((n) => n.kind === 'reminder' && n.body.includes(project.code));
    expect(await reminders()).to.have.length(1);
    // no warranty months: fine for the service class (R13.2 is for construction only)
    await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, paymentPlan: { advance: 280000 } });
    expect(await active(t, id)).to.deep.equal(['FileContract']);
    // returned inside the reminder window: the unit is not reminded twice
    expect(await reminders()).to.have.length(1);
    const returned = (await inbox(t, 'rmyy')).filter((n) => n.kind === 'return');
    expect(returned).to.have.length(1);
    expect(returned[0].body).to.equal('不符合第13条：缺少付款计划；不符合第13条：缺少运维管理制度（含定期自评）；不符合第13条：缺少应急预案');
    const problems = (await instance(t, id)).variables.contractFilingProblems as Detail[];
    expect(problems.map((p) => p.rule)).to.deep.equal(['R13.1', 'R13.3', 'R13.3']);
    await upload(t, project.id, 'payment-plan', 'om-system', 'emergency-plan');
    await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, paymentPlan: { advance: 280000 } });
    await done(t, 'sjj', id, 'ReviewContractFiling', approve());
    expect(await active(t, id)).to.deep.equal(['Implementation', 'PaymentRequest']);
  });

  it('R16.1: six months past the completion date without acceptance the unit reports; 区发展改革委 and 区财政局 give their opinions; the data bureau orders rectification or suspends', async () => {
    // given two projects (construction class) implementing since January, due 2026-02-27
    const a = await implementing('new', CONTRACT_FILING);
    const b = await implementing('new', CONTRACT_FILING);
    const c = await implementing('new', CONTRACT_FILING);
    for (const { id } of [a, b, c]) {
      await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 24, paymentPlan: { advance: 280000 } });
      await done(t, 'sjj', id, 'ReviewContractFiling', approve());
    }
    // five months and 30 days: nothing yet
    await setClock(t, '2026-08-26T18:00:00+08:00');
    expect(await active(t, a.id)).to.deep.equal(['Implementation', 'PaymentRequest']);
    // when six months pass (2026-08-27): the unit must report, the bureaus are told, implementation goes on meanwhile
    await setClock(t, '2026-08-27T09:00:00+08:00');
    for (const { id } of [a, b, c]) expect((await active(t, id)).sort()).to.deep.equal(['DelayReport', 'Implementation', 'PaymentRequest']);
    const told = (await inbox(t, 'fgw')).filter((n) => n.title === '项目严重逾期（第16条）');
    for (const { project } of [a, b]) expect(told.filter((n) => n.body.includes(project.code)), project.code).to.have.length(1);
    // then A is ordered to rectify and continues; B is suspended and ends
    for (const { id } of [a, b, c]) await done(t, 'rmyy', id, 'DelayReport', { delayReason: '需求变更', rectificationPlan: '增加人员，9月底完成' });
    // 第16条: 区数据局 decides 会同 区发展改革委、区财政局 — each records its opinion first, and only then the decision is open
    for (const { id } of [a, b, c]) {
      expect((await active(t, id)).sort()).to.deep.equal(['DelayConsultDrc', 'DelayConsultFinance', 'Implementation', 'PaymentRequest']);
      expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${id}`)).body.map((x: { activityId: string }) => x.activityId)).not.to.include('DelayDecision');
      expect(refused(await complete(t, 'fgw', id, 'DelayConsultDrc', { opinion: '同意整改' })).length).to.be.greaterThan(0);
      await done(t, 'fgw', id, 'DelayConsultDrc', { suggestedMeasure: id === a.id ? 'rectify' : 'suspend', opinion: id === a.id ? '整改方案可行' : '建议暂停' });
      expect((await active(t, id)).sort()).to.deep.equal(['DelayConsultFinance', 'Implementation', 'PaymentRequest']);
      await done(t, 'czj', id, 'DelayConsultFinance', { suggestedMeasure: id === a.id ? 'rectify' : 'suspend', opinion: id === a.id ? '资金安排不变' : '暂停拨付' });
      expect((await active(t, id)).sort()).to.deep.equal(['DelayDecision', 'Implementation', 'PaymentRequest']);
    }
    expect((await instance(t, a.id)).variables).to.include({ delayDrcMeasure: 'rectify', delayDrcOpinion: '整改方案可行', delayFinanceMeasure: 'rectify', delayFinanceOpinion: '资金安排不变' });
    await done(t, 'sjj', a.id, 'DelayDecision', { ...approve('限期整改'), delayMeasure: 'rectify' });
    expect(await active(t, a.id)).to.deep.equal(['Implementation', 'PaymentRequest']);
    expect(await stage(t, a.project.id)).to.equal('implementing');
    await done(t, 'sjj', b.id, 'DelayDecision', { ...approve('暂停实施'), delayMeasure: 'suspend' });
    // 第16条: 暂停 is a waiting state, not the end of the project
    const suspended = await instance(t, b.id);
    expect(suspended.state).to.equal('running');
    expect(suspended.activeActivityIds.slice().sort()).to.deep.equal(['Implementation', 'PaymentRequest', 'SuspensionReview']);
    expect(await stage(t, b.project.id)).to.equal('suspended');
    const suspendedNotice = (await inbox(t, 'czj')).filter((n) => n.title === '项目暂停（第16条）' && n.body.includes(b.project.code));
    expect(suspendedNotice).to.have.length(1);
    // no funds while suspended (the request is otherwise complete: evidence uploaded, a stage of the filed plan — 第14条)
    await upload(t, b.project.id, 'payment-evidence');
    const blocked = refused(await complete(t, 'rmyy', b.id, 'PaymentRequest', { next: 'payment', paymentStage: 'advance', paymentAmount: 10000, paymentBasis: '进度款' }));
    expect(blocked.map((d) => [d.rule, d.article])).to.deep.equal([['R16.1', '第16条']]);
    // a later decision of the Data Bureau resumes it: implementing again, payments possible
    await done(t, 'sjj', b.id, 'SuspensionReview', { suspensionDecision: 'resume', opinion: '整改到位，恢复实施' });
    expect(await stage(t, b.project.id)).to.equal('implementing');
    expect((await active(t, b.id)).sort()).to.deep.equal(['Implementation', 'PaymentRequest']);
    await done(t, 'rmyy', b.id, 'PaymentRequest', { next: 'payment', paymentStage: 'advance', paymentAmount: 10000, paymentBasis: '进度款' });
    // or closes it: the project ends
    await done(t, 'sjj', c.id, 'DelayDecision', { ...approve('暂停实施'), delayMeasure: 'suspend' });
    await done(t, 'sjj', c.id, 'SuspensionReview', { suspensionDecision: 'close', opinion: '无法继续实施，终止项目' });
    const closed = await instance(t, c.id);
    expect(closed.state).to.not.equal('running');
    expect(closed.activeActivityIds).to.deep.equal([]);
    expect(await stage(t, c.project.id)).to.equal('closed');
  });
});

describe('scenario: acceptance of an operation/service project (第17条 with 第13条)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-01-05T09:00:00+08:00');
  });
  after(() => t.close());

  it('R17.1: an 运维 project applies for acceptance with its own list — service summary and O&M self-evaluation instead of construction summary and trial-operation report', async () => {
    const { body: project } = await t.as('rmyy').post('/api/projects', draft({ type: 'operation', investment: 300000 }));
    const id = await startImplementation(t, project, { type: 'operation', investment: 300000, approvedAmount: 300000 });
    await done(t, 'rmyy', id, 'RecordProcurement', {
      procurementMethod: 'competitive-consultation', supplier: '某运维服务公司', contractAmount: 280000, contractSignedAt: '2026-01-05', contractCompletionDate: '2026-12-31',
    });
    await upload(t, project.id, ...CONTRACT_FILING, 'om-system', 'emergency-plan');
    await done(t, 'rmyy', id, 'FileContract', { eDocumentManagement: true, paymentPlan: { advance: 280000 } });
    await done(t, 'sjj', id, 'ReviewContractFiling', approve());
    await done(t, 'rmyy', id, 'PaymentRequest', { next: 'trial-operation' });
    await done(t, 'rmyy', id, 'TrialOperation', { trialStartedAt: '2026-01-06', trialEndedAt: '2026-01-20', trialSummary: '运维服务正常' });
    // the construction project's nine materials are not what an 运维 project is accepted on
    await upload(t, project.id, ...ACCEPTANCE);
    await done(t, 'rmyy', id, 'ApplyAcceptance', {});
    expect(await active(t, id)).to.deep.equal(['Implementation', 'ApplyAcceptance']);
    const problems = (await instance(t, id)).variables.acceptanceMaterialsProblems as Detail[];
    expect(problems).to.deep.equal([
      { rule: 'R17.1', article: '第17条', field: 'service-summary', message: '不符合第17条：缺少运维（服务）工作总结' },
      { rule: 'R17.1', article: '第17条', field: 'om-self-evaluation', message: '不符合第17条：缺少运维自评报告（第13条：定期开展自评）' },
    ]);
    // with its own materials it reaches the data bureau
    await upload(t, project.id, 'service-summary', 'om-self-evaluation');
    await done(t, 'rmyy', id, 'ApplyAcceptance', {});
    expect(await active(t, id)).to.deep.equal(['Implementation', 'ReviewAcceptance']);
  });
});

describe('scenario: procurement of a classified project (第10条 涉密采购)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-10T09:00:00+08:00');
  });
  after(() => t.close());

  it('R10.2: a classified project\'s procurement goes to the confidentiality bureau before the filing; it may send it back; an ordinary one does not', async () => {
    const { body: project } = await t.as('rmyy').post('/api/projects', draft({ classified: true, name: '涉密业务专网改造' }));
    const id = await startImplementation(t, project, { type: 'new', classified: true, investment: 800000, approvedAmount: 800000 });
    const procurement = { procurementMethod: 'single-source', supplier: '某涉密资质单位', contractAmount: 780000, contractSignedAt: '2026-09-10', contractCompletionDate: '2027-03-31' };
    await done(t, 'rmyy', id, 'RecordProcurement', procurement);
    // the step exists only on the classified path, for the confidentiality bureau (区机要保密局), not the unit
    expect(await active(t, id)).to.deep.equal(['ClassifiedProcurementReview']);
    expect((await t.as('rmyy').get(`/api/tasks?processInstanceId=${id}`)).body).to.have.length(0);
    expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${id}`)).body).to.have.length(0);
    const task = await taskOf(t, 'bmj', id, 'ClassifiedProcurementReview');
    expect(task.name).to.equal('涉密采购审查（第10条）');
    // approving needs the confirmation that the classified procurement rules were followed
    const details = refused(await complete(t, 'bmj', id, 'ClassifiedProcurementReview', { decision: 'approve', opinion: '同意' }));
    expect(details).to.deep.equal([{ rule: 'R10.2', article: '第10条', message: '不符合第10条：同意前须确认采购已执行保密法律法规和涉密采购相关管理办法（供应商具备相应保密资质）' }]);
    // a return sends the unit back to its procurement under the classified rules, then to the review again
    await done(t, 'bmj', id, 'ClassifiedProcurementReview', { decision: 'return', opinion: '供应商保密资质证明缺失' });
    expect(await active(t, id)).to.deep.equal(['ReviseClassifiedProcurement']);
    await done(t, 'rmyy', id, 'ReviseClassifiedProcurement', { ...procurement, supplier: '某具备涉密资质的单位' });
    expect(await active(t, id)).to.deep.equal(['ClassifiedProcurementReview']);
    await done(t, 'bmj', id, 'ClassifiedProcurementReview', { classifiedProcurementCompliant: true, decision: 'approve', opinion: '已按涉密采购管理办法采购' });
    expect(await active(t, id)).to.deep.equal(['FileContract']);
    expect((await instance(t, id)).variables).to.include({ classifiedProcurementCompliant: true, supplier: '某具备涉密资质的单位' });
  });
});
