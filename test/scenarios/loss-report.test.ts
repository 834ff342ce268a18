import { expect } from 'chai';
import supertest from 'supertest';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { instance, setClock, taskOf } from '../support/runtime';
import { draft } from '../support/builders';

/**
 * 第16条 重大投资损失: during implementation the project's unit or the Data Bureau reports a major
 * investment loss (POST /api/projects/:id/loss-reports); the report is recorded (project, history) and
 * opens the same 第16条 path as a serious delay — the unit's report and rectification plan, the
 * opinions of 区发展改革委 and 区财政局, the Data Bureau's decision to rectify or suspend.
 */
const CONTRACT_FILING = ['tender-docs', 'winning-bid', 'contract', 'payment-plan', 'security-plan', 'crypto-plan'];
const approve = (opinion = '同意') => ({ decision: 'approve', opinion });
const LOSS = { description: '中标供应商破产，已支付的首付款无法追回', amount: 150000 };

describe('第16条: a major investment loss reported during implementation opens the delay/suspension decision', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-01-05T09:00:00+08:00');
  });
  after(() => t.close());

  async function done(user: string, id: string, activityId: string, variables: Record<string, unknown>) {
    const task = await taskOf(t, user, id, activityId);
    const res = await t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
  }
  const active = async (id: string) => ((await instance(t, id)).activeActivityIds as string[]).slice().sort();
  const report = (user: string, projectId: number, body: unknown) => t.as(user).post(`/api/projects/${projectId}/loss-reports`, body);

  /** a construction project of rmyy started into implementation (立项 done): procurement is its first step */
  async function started(extra: Record<string, unknown> = {}) {
    const { body: project } = await t.as('rmyy').post('/api/projects', draft({ investment: 600000 }));
    const res = await t.as('admin').post('/api/process-definitions/implementation-acceptance/instances', {
      businessKey: project.code,
      variables: { projectId: project.id, projectCode: project.code, unitGroup: 'unit:rmyy', type: 'new', investment: 600000, approvedAmount: 600000, ...extra },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { project: project as { id: number; code: string }, id: res.body.id as string };
  }

  /** …its procurement recorded (not yet filed) */
  async function procured(extra: Record<string, unknown> = {}) {
    const { project, id } = await started(extra);
    await done('rmyy', id, 'RecordProcurement', { procurementMethod: 'public-tender', supplier: '某信息技术有限公司', contractAmount: 580000, contractSignedAt: '2026-01-05', contractCompletionDate: '2026-12-31' });
    for (const materialType of CONTRACT_FILING) {
      const up = await t.api.post(`/api/projects/${project.id}/documents`).set('Authorization', `Bearer ${await t.token('rmyy')}`).field('materialType', materialType).attach('file', Buffer.from(`%PDF-1.4 ${materialType}`), { filename: `${materialType}.pdf`, contentType: 'application/pdf' });
      expect(up.status).to.equal(201);
    }
    return { project, id };
  }

  async function implementing() {
    const p = await procured();
    await done('rmyy', p.id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 24, paymentPlan: { advance: 280000, progress: 300000 } }); // 第14条: stages adding up to the contract amount
    await done('sjj', p.id, 'ReviewContractFiling', approve());
    expect(await active(p.id)).to.deep.equal(['Implementation', 'PaymentRequest']);
    return p;
  }

  it('the unit reports a loss: recorded on the project and in the history, the bureaus told, the unit reports its plan, 会同 opinions, the Data Bureau suspends', async () => {
    // a project still being applied for (no implementation yet) is not being implemented: 409
    const { body: applying } = await t.as('rmyy').post('/api/projects', draft({ investment: 300000 }));
    const notYet = await report('rmyy', applying.id, LOSS);
    expect(notYet.status, JSON.stringify(notYet.body)).to.equal(409);
    expect(notYet.body.error.message).to.contain('第16条').and.contain('立项后至竣工验收前');

    const { project, id } = await implementing();
    // only the project's unit or the Data Bureau may report (others: 403; the shape is checked: 422)
    for (const user of ['fgw', 'czj', 'zj1', 'jyj', 'gwh']) expect((await report(user, project.id, LOSS)).status, user).to.equal(403);
    const bad = await report('rmyy', project.id, { description: ' ', amount: -5 });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['description', 'amount']);
    expect((await report('rmyy', project.id, { description: '损失', amount: '150000' })).status).to.equal(422);
    expect(await active(id)).to.deep.equal(['Implementation', 'PaymentRequest']);

    // when the unit reports the loss
    const res = await report('rmyy', project.id, LOSS);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ projectId: project.id, description: LOSS.description, amount: 150000, reportedBy: 'rmyy', processInstanceId: id });
    // then the 第16条 path opens while implementation goes on
    expect(await active(id)).to.deep.equal(['DelayReport', 'Implementation', 'PaymentRequest']);
    await t.gf.outbox.dispatch();
    for (const user of ['fgw', 'czj', 'sjj']) {
      const told = ((await t.as(user).get('/api/notifications')).body as { title: string; body: string }[]).filter((n) => n.title === '项目报告重大投资损失（第16条）');
      expect(told, user).to.have.length(1);
      expect(told[0].body).to.contain(project.code).and.contain('150000').and.contain(LOSS.description);
    }
    // recorded: on the project (API and page) and in the instance's history
    const got = (await t.as('sjj').get(`/api/projects/${project.id}`)).body;
    expect(got.lossReports).to.have.length(1);
    expect(got.lossReports[0]).to.include({ description: LOSS.description, amount: 150000, reportedBy: 'rmyy', instanceId: id });
    const inst = await instance(t, id);
    expect(inst.history.map((h: { activityId: string }) => h.activityId)).to.include.members(['LossReported', 'NotifyLoss', 'DelayReport']);
    expect(inst.variables).to.include({ lossAmount: 150000, lossDescription: LOSS.description, article16Cause: '重大投资损失' });
    const agent = supertest.agent(t.gf.app);
    const login = await agent.get('/login').expect(200);
    await agent.post('/login').type('form').send({ username: 'fgw', password: PASSWORD, _csrf: /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '' }).expect(303);
    const page = await agent.get(`/projects/${project.id}`);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('重大投资损失报告（第16条）').and.contain(LOSS.description).and.contain('15 万元');

    // the same decision as a serious delay: the unit's plan, both bureaus' opinions, the Data Bureau suspends
    await done('rmyy', id, 'DelayReport', { delayReason: '供应商破产', rectificationPlan: '重新采购，追偿首付款' });
    expect(await active(id)).to.deep.equal(['DelayConsultDrc', 'DelayConsultFinance', 'Implementation', 'PaymentRequest']);
    await done('fgw', id, 'DelayConsultDrc', { suggestedMeasure: 'suspend', opinion: '建议暂停' });
    await done('czj', id, 'DelayConsultFinance', { suggestedMeasure: 'suspend', opinion: '暂停拨付' });
    await done('sjj', id, 'DelayDecision', { ...approve('暂停实施，重新采购'), delayMeasure: 'suspend' });
    expect((await t.as('rmyy').get(`/api/projects/${project.id}`)).body.stage).to.equal('suspended');
    expect(await active(id)).to.deep.equal(['Implementation', 'PaymentRequest', 'SuspensionReview']);
    await t.gf.outbox.dispatch();
    const suspended = ((await t.as('czj').get('/api/notifications')).body as { title: string; body: string }[]).filter((n) => n.title === '项目暂停（第16条）');
    expect(suspended).to.have.length(1);
    expect(suspended[0].body).to.contain('重大投资损失');
  });

  it('the Data Bureau may report a loss too; a second report opens the decision again', async () => {
    const { project, id } = await implementing();
    const res = await report('sjj', project.id, { description: '审计发现虚报工程量，造成资金损失', amount: 88000.5 });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(await active(id)).to.deep.equal(['DelayReport', 'Implementation', 'PaymentRequest']);
    await done('rmyy', id, 'DelayReport', { delayReason: '工程量虚报', rectificationPlan: '核减工程量' });
    const again = await report('rmyy', project.id, { description: '设备损毁', amount: 20000 });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
    expect((await active(id)).filter((a) => a === 'DelayReport')).to.have.length(1);
    expect(((await t.as('rmyy').get(`/api/projects/${project.id}`)).body.lossReports as { reportedBy: string; amount: number }[]).map((r) => [r.reportedBy, r.amount])).to.deep.equal([['sjj', 88000.5], ['rmyy', 20000]]);
  });

  it('at any time from 立项: during procurement, the classified procurement review, the contract filing and its review a report opens the same decision while the step goes on', async () => {
    const atProcurement = await started();
    expect(await active(atProcurement.id)).to.deep.equal(['RecordProcurement']);
    const r1 = await report('rmyy', atProcurement.project.id, LOSS);
    expect(r1.status, JSON.stringify(r1.body)).to.equal(201);
    expect(r1.body.processInstanceId).to.equal(atProcurement.id);
    expect(await active(atProcurement.id)).to.deep.equal(['DelayReport', 'RecordProcurement']);
    const inst = await instance(t, atProcurement.id);
    expect(inst.history.map((h: { activityId: string }) => h.activityId)).to.include.members(['LossReportedProcurement', 'NotifyLoss', 'DelayReport']);
    expect(inst.variables).to.include({ article16Cause: '重大投资损失', lossAmount: 150000 });
    // the procurement step itself is still the unit's to complete
    await done('rmyy', atProcurement.id, 'RecordProcurement', { procurementMethod: 'public-tender', supplier: '某信息技术有限公司', contractAmount: 580000, contractSignedAt: '2026-01-05', contractCompletionDate: '2026-12-31' });
    expect(await active(atProcurement.id)).to.deep.equal(['DelayReport', 'FileContract']);

    const classified = await procured({ classified: true });
    expect(await active(classified.id)).to.deep.equal(['ClassifiedProcurementReview']);
    expect((await report('sjj', classified.project.id, LOSS)).status).to.equal(201);
    expect(await active(classified.id)).to.deep.equal(['ClassifiedProcurementReview', 'DelayReport']);

    const atFiling = await procured();
    expect(await active(atFiling.id)).to.deep.equal(['FileContract']);
    expect((await report('rmyy', atFiling.project.id, LOSS)).status).to.equal(201);
    expect(await active(atFiling.id)).to.deep.equal(['DelayReport', 'FileContract']);
    await done('rmyy', atFiling.id, 'FileContract', { eDocumentManagement: true, warrantyMonths: 24, paymentPlan: { advance: 280000, progress: 300000 } });
    expect(await active(atFiling.id)).to.deep.equal(['DelayReport', 'ReviewContractFiling']);
    // a second report during the filing review: its own decision
    expect((await report('sjj', atFiling.project.id, { description: '设备在仓库损毁', amount: 30000 })).status).to.equal(201);
    // the bureaus are told again at once; the unit's second report opens when it has sent the first
    const notified = (await instance(t, atFiling.id)).history.filter((h: { activityId: string }) => h.activityId === 'NotifyLoss');
    expect(notified).to.have.length(2);
    expect((await active(atFiling.id)).filter((a) => a === 'DelayReport')).to.have.length(1);
    await done('rmyy', atFiling.id, 'DelayReport', { delayReason: '供应商破产', rectificationPlan: '重新采购' });
    expect(await active(atFiling.id)).to.deep.equal(['DelayConsultDrc', 'DelayConsultFinance', 'DelayReport', 'ReviewContractFiling']);
    const reports = (await t.as('rmyy').get(`/api/projects/${atFiling.project.id}`)).body.lossReports as { reportedBy: string; amount: number; instanceId: string }[];
    expect(reports.map((r) => [r.reportedBy, r.amount, r.instanceId])).to.deep.equal([['rmyy', 150000, atFiling.id], ['sjj', 30000, atFiling.id]]);
  });
});
