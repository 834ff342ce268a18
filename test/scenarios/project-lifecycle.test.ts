import { expect } from 'chai';
import JSZip from 'jszip';
import { binary, startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { instance, setClock, taskOf } from '../support/runtime';

/**
 * One project's whole life through the shipped processes, as the seeded users, with nothing started
 * by hand: a large classified cross-department project of gaj is applied for, reviewed (a return and a
 * resubmission), put in the annual plan, approved (立项), implemented with a contract filed late across
 * National Day, paid twice (a third, over-budget payment refused), fails and then passes acceptance, is
 * archived, reminded and escalated for its performance evaluation, and audited.
 */
describe('scenario: a project from application to audit, across every chapter', function () {
  this.timeout(180_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00'); // the Data Bureau's call for 2027 is open
  });
  after(() => t.close());

  const APPROVE = { decision: 'approve', opinion: '同意' };
  let project: { id: number; code: string };

  async function upload(...types: string[]) {
    for (const materialType of types) {
      const res = await t.api
        .post(`/api/projects/${project.id}/documents`)
        .set('Authorization', `Bearer ${await t.token('gaj')}`)
        .field('materialType', materialType)
        .attach('file', Buffer.from(`%PDF-1.4 ${materialType}`), { filename: `${materialType}.pdf`, contentType: 'application/pdf' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  }

  async function complete(user: string, instanceId: string, activityId: string, variables: Record<string, unknown>, status = 200) {
    const task = await taskOf(t, user, instanceId, activityId);
    const res = await t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(status);
    return res.body;
  }

  const instanceOf = async (definitionKey: string) => {
    const p = (await t.as('gaj').get(`/api/projects/${project.id}`)).body;
    const found = p.processInstances.filter((i: { definitionKey: string }) => i.definitionKey === definitionKey);
    expect(found, definitionKey).to.have.length(1);
    return found[0].id as string;
  };

  const inbox = async (user: string) => {
    await t.gf.outbox.dispatch();
    return (await t.as(user).get('/api/notifications')).body as { kind: string; title: string; body: string }[];
  };

  const technicalReview = async (id: string, security = APPROVE) => {
    await complete('sjj', id, 'TechnicalReview', APPROVE);
    await complete('wxb', id, 'SecurityReview', security);
    await complete('mmj', id, 'CryptoReview', APPROVE);
    await complete('fgw', id, 'InvestmentReview', APPROVE);
    await complete('czj', id, 'FinanceReview', { ...APPROVE, fundingSource: '区级财政预算资金' });
    await complete('bmj', id, 'ConfidentialityReview', APPROVE);
  };

  it('is applied for, reviewed with a return and a resubmission, planned, and approved (第5–9条)', async () => {
    const created = await t.as('gaj').post('/api/projects', draft({ unitCode: 'gaj', name: '涉密指挥调度平台', classified: true, crossDepartment: true, participants: ['jyj'], investment: 2000000, existingSystems: ['警务综合平台'] }));
    project = created.body;
    await upload('application-form', 'construction-plan', 'interface-and-catalog');
    const submitted = await t.as('gaj').post(`/api/projects/${project.id}/submit`);
    const app = submitted.body.processInstanceId as string;
    expect(submitted.body.activeActivityIds).to.deep.equal(['ConfidentialityPreReview']); // R5.4
    await complete('bmj', app, 'ConfidentialityPreReview', APPROVE);
    await complete('jyj', app, 'ParticipantConfirmation', { sharedContentConfirmed: true }); // 第5条第（三）项
    // 第7条(二): the Data Bureau picks the expert, who signs
    await complete('sjj', app, 'OrganiseExpertReview', { experts: ['zj1'] });
    await complete('zj1', app, 'ExpertReview', { ...APPROVE, scores: { necessity: 5, urgency: 5, feasibility: 4, security: 5, intensiveness: 4 }, recommendedInvestment: 1800000 });
    await technicalReview(app, { decision: 'return', opinion: '补充等级保护三级设计' }); // R7.4
    expect((await instance(t, app)).activeActivityIds).to.deep.equal(['ReviseApplication']);
    await upload('other');
    await complete('gaj', app, 'ReviseApplication', { revisionNote: '已补充等级保护设计' });
    await complete('sjj', app, 'DataBureauRecheck', APPROVE);
    await technicalReview(app);
    expect((await instance(t, app)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    // the annual plan (R7.5) — compiled by the data bureau, approved by the district government
    const plan = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [project.id] });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    await complete('fgw', plan.body.processInstanceId, 'PlanConcurrenceDrc', { decision: 'approve', opinion: '同意' }); // 第7条(五) 会同
    await complete('czj', plan.body.processInstanceId, 'PlanConcurrenceFinance', { decision: 'approve', opinion: '同意' });
    await complete('gwh', plan.body.processInstanceId, 'PlanApproval', { decision: 'approve', opinion: '同意纳入2027年度实施计划' });
    await complete('czj', plan.body.processInstanceId, 'IncludeInBudget', { decision: 'approve', budgetNote: '列入2027年区级部门预算' });
    expect((await instance(t, app)).activeActivityIds).to.deep.equal(['ProjectApproval']); // R9.1: ≥ 500,000 construction
    await complete('fgw', app, 'ProjectApproval', { decision: 'approve', opinion: '同意立项', designApprovedAt: '2026-09-01' }); // 第16条: the 批复 date
    expect((await instance(t, app)).state).to.equal('completed');
    const p = (await t.as('gaj').get(`/api/projects/${project.id}`)).body;
    expect(p).to.include({ budgeted: true, approvedAmount: 1800000 });
  });

  it('is implemented: contract filed late across National Day, two payments and a refused over-budget one (第10–16条)', async () => {
    const id = await instanceOf('implementation-acceptance'); // started by the approval
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['RecordProcurement']);
    await setClock(t, '2026-09-28T10:00:00+08:00');
    const procurement = { procurementMethod: 'public-tender', supplier: '某某信息技术有限公司', contractSignedAt: '2026-09-28', contractCompletionDate: '2027-03-31' };
    await complete('gaj', id, 'RecordProcurement', { ...procurement, contractAmount: 1900000 }, 422); // R10.1
    await complete('gaj', id, 'RecordProcurement', { ...procurement, contractAmount: 1700000 });
    // 第10条 涉密采购: a classified project's procurement is reviewed by the confidentiality bureau before the filing
    await complete('bmj', id, 'ClassifiedProcurementReview', { classifiedProcurementCompliant: true, decision: 'approve', opinion: '已按涉密采购管理办法采购，供应商具备保密资质' });
    expect((await taskOf(t, 'gaj', id, 'FileContract')).dueAt).to.equal('2026-10-16T15:59:59.000Z'); // 10 working days (R13.1)
    await upload('tender-docs', 'winning-bid', 'contract', 'payment-plan', 'security-plan', 'crypto-plan');
    await setClock(t, '2026-10-19T09:00:00+08:00');
    const late = (await inbox('sjj')).filter((n) => n.kind === 'escalation' && n.title.includes('第13条'));
    expect(late).to.have.length(1);
    expect(late[0].body).to.contain('已超期1个工作日');
    await complete('gaj', id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 12, paymentPlan: { advance: 600000, progress: 1100000 } }); // 第13条 plan, 第14条 basis
    await complete('sjj', id, 'ReviewContractFiling', { decision: 'approve', opinion: '逾期备案，已督办，予以备案' });
    for (const [paymentStage, amount] of [['advance', 600000], ['progress', 700000]] as const) {
      await upload('payment-evidence'); // 第14条: each payment with its evidence
      await complete('gaj', id, 'PaymentRequest', { next: 'payment', paymentStage, paymentAmount: amount, paymentBasis: '按合同付款计划' });
      await complete('sjj', id, 'PaymentPreReview', APPROVE);
      await complete('czj', id, 'PaymentReview', APPROVE);
    }
    await upload('payment-evidence');
    await complete('gaj', id, 'PaymentRequest', { next: 'payment', paymentStage: 'progress', paymentAmount: 500000, paymentBasis: '超出合同的付款' });
    await complete('sjj', id, 'PaymentPreReview', APPROVE);
    const over = await complete('czj', id, 'PaymentReview', APPROVE, 422); // R15.1
    expect(over.error.details[0]).to.include({ rule: 'R15.1', article: '第15条' });
    await complete('czj', id, 'PaymentReview', { decision: 'reject', opinion: '超出合同金额' });
    const payments = (await t.as('gaj').get(`/api/projects/${project.id}`)).body.payments;
    expect(payments.map((x: { amount: number }) => x.amount)).to.deep.equal([600000, 700000]);
  });

  it('fails and then passes acceptance, is archived, and starts its performance evaluation (第17–20条)', async () => {
    const id = await instanceOf('implementation-acceptance');
    await complete('gaj', id, 'PaymentRequest', { next: 'trial-operation' });
    await complete('gaj', id, 'TrialOperation', { trialStartedAt: '2026-11-02', trialEndedAt: '2026-11-30', trialSummary: '试运行平稳' });
    await upload('acceptance-application', 'construction-summary', 'trial-operation-report', 'data-catalog-sharing', 'fund-usage', 'classified-protection-report', 'security-risk-report', 'crypto-assessment-report', 'digital-om-report');
    await complete('gaj', id, 'ApplyAcceptance', {});
    await complete('sjj', id, 'ReviewAcceptance', APPROVE);
    await complete('gaj', id, 'OrganiseAcceptance', { acceptanceResult: 'fail', acceptanceDate: '2026-12-01', acceptanceOpinion: '性能测试未达标' }); // R18.1
    expect((await t.as('gaj').get(`/api/tasks?processInstanceId=${id}`)).body.map((x: { activityId: string }) => x.activityId)).to.deep.equal(['RectifyAcceptance']);
    await complete('gaj', id, 'RectifyAcceptance', { rectificationReport: '已整改' });
    await complete('gaj', id, 'ApplyAcceptance', {});
    await complete('sjj', id, 'ReviewAcceptance', APPROVE);
    await complete('gaj', id, 'OrganiseAcceptance', { acceptanceResult: 'pass', acceptanceDate: '2026-12-15', acceptanceOpinion: '验收合格' });
    await complete('gaj', id, 'FinalPaymentRequest', { next: 'done' });
    await complete('gaj', id, 'RegisterAssets', { fixedAssetsRegistered: true, intangibleAssetsRegistered: true, assetRegisterNo: 'ZC-2026-009' });
    await upload('acceptance-report');
    await complete('gaj', id, 'FileAcceptanceReport', {});
    await complete('sjj', id, 'ReceiveAcceptanceReport', { decision: 'approve', opinion: '已备案' });
    await complete('gaj', id, 'Archive', { archiveConfirmed: true, archiveNote: '项目档案已整理' }); // 第20条: the unit's archive
    await complete('sjj', id, 'CheckArchive', { decision: 'approve', opinion: '档案齐全' });
    { const i = await instance(t, id); expect(i.state, JSON.stringify([i.activeActivityIds, i.incidents])).to.equal('completed'); }
    expect((await t.as('gaj').get(`/api/projects/${project.id}`)).body.stage).to.be.oneOf(['archived', 'performance-evaluated']);
    // the archive package holds every process of the project so far (R20.1)
    const res = await t.api
      .get(`/api/projects/${project.id}/archive`)
      .set('Authorization', `Bearer ${await t.token('sjj')}`)
      .buffer(true)
      .parse(binary);
    const zip = await JSZip.loadAsync(res.body as Buffer);
    const processes = Object.keys(zip.files).filter((f) => f.startsWith('processes/'));
    expect(processes.map((f) => f.split('/')[1].replace(/-[0-9a-f-]{36}\.json$/, ''))).to.include.members(['application-approval', 'implementation-acceptance', 'performance-supervision']);
    // a readable history: each chapter in order, who (by name and bureau), when (Shanghai), decision and opinion
    const html = await zip.file('history.html')!.async('string');
    const chapters = ['项目申报和审批', '实施与验收', '绩效评价与运行监督'].map((n) => html.indexOf(n));
    expect(chapters.every((at) => at > 0)).to.equal(true);
    expect(chapters).to.deep.equal([...chapters].sort((a, b) => a - b));
    expect(html).to.contain('区机要保密局 审核员').and.to.contain('保密部门预审').and.to.contain('同意').and.to.contain('档案齐全');
    expect(html).to.match(/2026年\d+月\d+日 \d{2}:\d{2}/);
    expect(html).not.to.match(/\d{4}-\d{2}-\d{2}T/);
    // each diagram version the project ran on, as SVG with the path it took, and every file in the manifest
    const svg = await zip.file('diagrams/application-approval-v1.svg')!.async('string');
    expect(svg).to.match(/^<\?xml[^>]*>\s*<svg /).and.to.contain('保密部门预审');
    expect(svg).to.contain('#2e7d32'); // the completed steps marked
    expect(Object.keys(zip.files).some((f) => f.startsWith('diagrams/implementation-acceptance-v1'))).to.equal(true);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.files.map((f: { path: string }) => f.path)).to.include.members(['history.html', 'diagrams/application-approval-v1.svg']);
  });

  it('is reminded before and escalated after the 12-month evaluation deadline, and audited (第21–23条)', async () => {
    const id = await instanceOf('performance-supervision');
    const task = await taskOf(t, 'gaj', id, 'PerformanceEvaluation');
    expect(task.dueAt).to.equal('2027-12-15T15:59:59.000Z'); // 12 months after acceptance (R21.1)
    const deadlines = (await t.as('gaj').get(`/api/projects/${project.id}`)).body.deadlines;
    expect(deadlines).to.deep.include({ rule: 'R21.1', article: '第21条', activityId: 'PerformanceEvaluation', name: task.name, dueAt: '2027-12-15T15:59:59.000Z', state: 'open', provisional: false });
    await setClock(t, '2027-11-16T09:00:00+08:00');
    expect((await inbox('gaj')).filter((n) => n.kind === 'reminder' && n.title.includes('第21条'))).to.have.length(1);
    await setClock(t, '2027-12-16T09:00:00+08:00');
    for (const user of ['sjj', 'czj']) {
      expect((await inbox(user)).filter((n) => n.kind === 'escalation' && n.title.includes('第21条')), user).to.have.length(1);
    }
    await taskOf(t, 'gaj', id, 'PerformanceEvaluation'); // still the unit's
    // the audit bureau audits it (R23.1), classified as it is
    const audit = await t.as('sjju').post(`/api/projects/${project.id}/audits`, { reason: '年度专项审计' });
    expect(audit.status, JSON.stringify(audit.body)).to.equal(201);
    await taskOf(t, 'sjju', audit.body.processInstanceId, 'Audit');
    // the reviewers who held a task on it see it (第5条) — Finance reviewed its payments —, nobody else does
    expect((await t.as('czj').get(`/api/projects/${project.id}`)).status).to.equal(200);
    // so does the participating department that confirmed the shared content (第5条第（三）项)
    expect((await t.as('jyj').get(`/api/projects/${project.id}`)).status).to.equal(200);
    for (const outsider of ['gwh', 'wjw']) {
      const res = await t.as(outsider).get(`/api/projects/${project.id}`);
      expect(res.status, outsider).to.equal(403);
      expect(res.body.error.message, outsider).to.include('第5条');
      expect((await t.as(outsider).get('/api/projects')).body.map((p: { id: number }) => p.id), outsider).to.not.include(project.id);
      expect((await t.as(outsider).get(`/api/process-instances/${id}`)).status, outsider).to.equal(403);
    }
  });
});
