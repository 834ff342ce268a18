import { expect } from 'chai';
import { JobModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { instance, markAccepted, setClock, startInstance, taskOf } from '../support/runtime';


type History = { activityId: string; actor: string | null; endedAt: string | null }[];
type Notice = { kind: string; title: string; body: string };

/** Chapter 4 of the measures: performance evaluation (第21条), supervision (第22条), audit and accountability (第23条). */
describe('scenario: performance evaluation, supervision, audit and accountability (第21–23条)', () => {
  let t: TestApp;
  let project: { id: number; code: string };
  let unrelated: { id: number; code: string };
  let instanceId: string;

  const inbox = async (user: string): Promise<Notice[]> => {
    await t.gf.outbox.dispatch();
    return (await t.as(user).get('/api/notifications')).body;
  };
  const titled = async (user: string, title: string) => (await inbox(user)).filter((n) => n.title === title);
  const ran = (history: History, activityId: string) => history.filter((h) => h.activityId === activityId).length;
  const allTimers = async () => JobModel.findAll({ where: { instanceId, type: 'timer' }, order: [['dueAt', 'ASC']] });
  /** the evaluation's timers (第21条); the quarterly supervision (第22条) runs beside them */
  const timers = async () => (await allTimers()).filter((j) => j.activityId !== 'QuarterlySupervision').map((j) => j.dueAt.toISOString());
  const supervisionTimers = async () => (await allTimers()).filter((j) => j.activityId === 'QuarterlySupervision').map((j) => j.dueAt.toISOString());
  const complete = async (user: string, activityId: string, variables: Record<string, unknown>) => {
    const task = await taskOf(t, user, instanceId, activityId);
    return t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
  };
  const upload = async (user: string, projectId: number, materialType: string, filename: string) => {
    const res = await t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token(user)}`)
      .field('materialType', materialType)
      .attach('file', Buffer.from(`%PDF-1.4 ${filename}`), { filename, contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };
  const approve = { decision: 'approve', opinion: '同意' };
  const evaluation = { goalsAchieved: 'achieved', selfScore: 92, evaluationSummary: '系统运行稳定，门诊预约时间缩短40%' };

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-03-02T10:00:00+08:00');
    project = (await t.as('rmyy').post('/api/projects', draft({ name: '智慧医院信息平台' }))).body;
    unrelated = (await t.as('jyj').post('/api/projects', draft({ unitCode: 'jyj', name: '智慧校园平台' }))).body;
    expect(project.code).to.be.a('string');
    expect(unrelated.code).to.be.a('string');
    await markAccepted(project.code);
    await markAccepted(unrelated.code);
  });
  after(() => t.close());

  describe('第21条: performance evaluation within 12 months of acceptance', () => {
    it('starts at acceptance on 2026-03-02 with the unit\'s task due 12 months later and its reminders armed, and the supervision beside it (第21–22条)', async () => {
      // given a project accepted on 2026-03-02; when its performance-supervision process starts
      const started = await startInstance(t, 'performance-supervision', {
        businessKey: project.code,
        variables: { projectCode: project.code, unitGroup: 'unit:rmyy', acceptedAt: '2026-03-02' },
      });
      instanceId = started.id;
      // then the unit has the evaluation task, due 2027-03-02 end of day (R21.1: 12 months), and the system is in operation (第22条)
      expect(started.activeActivityIds).to.include.members(['PerformanceEvaluation', 'InOperation']);
      const task = await taskOf(t, 'rmyy', instanceId, 'PerformanceEvaluation');
      expect(task.dueAt).to.equal('2027-03-02T15:59:59.000Z');
      // and other units / bureaus do not
      expect((await t.as('jyj').get(`/api/tasks?processInstanceId=${instanceId}`)).body).to.have.length(0);
      // reminders 30 and 7 days before, escalation the day after the due date (all Shanghai midnight)
      expect(await timers()).to.deep.equal(['2027-01-30T16:00:00.000Z', '2027-02-22T16:00:00.000Z', '2027-03-02T16:00:00.000Z']);
      // and the first quarterly supervision three months after going into operation
      expect(await supervisionTimers()).to.deep.equal(['2026-06-02T02:00:00.000Z']);
    });

    it('第22条: supervises operation every quarter from go-live, while the evaluation is still open; problems are sent to the unit', async () => {
      await setClock(t, '2026-06-02T10:00:01+08:00');
      const task = await taskOf(t, 'sjj', instanceId, 'Supervision');
      expect(task.dueAt).to.equal('2026-07-02T15:59:59.000Z');
      expect((await instance(t, instanceId)).activeActivityIds).to.include.members(['InOperation', 'Supervision', 'PerformanceEvaluation']);
      // an incomplete record is refused field by field
      const partial = await complete('sjj', 'Supervision', { systemStatus: 'normal' });
      expect(partial.status).to.equal(422);
      expect(partial.body.error.details.map((d: { field: string }) => d.field)).to.have.members(['resourceEfficiency', 'dataSecurity', 'applicationEffect']);
      // a record with a data-security risk
      const record = { systemStatus: 'normal', resourceEfficiency: 'adequate', dataSecurity: 'risk', applicationEffect: 'good', remarks: '发现弱口令' };
      expect((await complete('sjj', 'Supervision', record)).status).to.equal(200);
      let inst = await instance(t, instanceId);
      expect(inst.variables.supervisionRecords).to.deep.equal([{ recordedAt: '2026-06-02T10:00:01+08:00', ...record }]);
      const rectify = await titled('rmyy', '运行监督发现问题，请整改（第22条）');
      expect(rectify).to.have.length(1);
      expect(rectify[0].body).to.contain('第22条').and.to.contain('数据安全：存在风险；应用效果：良好。监督意见：发现弱口令');
      // the next quarter: a second record, all fine, no new rectification notice; the evaluation is still the unit's
      expect(await supervisionTimers()).to.deep.equal(['2026-09-02T02:00:00.000Z']);
      await setClock(t, '2026-09-02T10:00:00+08:00');
      expect((await complete('sjj', 'Supervision', { systemStatus: 'normal', resourceEfficiency: 'high', dataSecurity: 'secure', applicationEffect: 'good' })).status).to.equal(200);
      inst = await instance(t, instanceId);
      expect(inst.variables.supervisionRecords).to.have.length(2);
      expect(inst.variables.supervisionRecords[1]).to.include({ recordedAt: '2026-09-02T10:00:00+08:00', dataSecurity: 'secure', remarks: '' });
      expect(await titled('rmyy', '运行监督发现问题，请整改（第22条）')).to.have.length(1);
      expect(inst.history.filter((h: History[number]) => h.activityId === 'Supervision').map((h: History[number]) => h.actor)).to.deep.equal(['sjj', 'sjj']);
      expect(inst.activeActivityIds).to.include('PerformanceEvaluation');
      await taskOf(t, 'rmyy', instanceId, 'PerformanceEvaluation');
    });

    it('reminds the unit 30 days and 7 days before the due date, citing 第21条, each once', async () => {
      // nothing before the reminder date
      await setClock(t, '2027-01-30T23:59:00+08:00');
      expect(await titled('rmyy', '绩效评价报告30日后到期（第21条）')).to.have.length(0);
      // 30 days before
      await setClock(t, '2027-01-31T09:00:00+08:00');
      const first = await titled('rmyy', '绩效评价报告30日后到期（第21条）');
      expect(first).to.have.length(1);
      expect(first[0].kind).to.equal('reminder');
      expect(first[0].body).to.contain('依据《办法》第21条').and.to.contain('2027年3月2日').and.not.to.match(/\d{4}-\d{2}-\d{2}/);
      // 7 days before
      await setClock(t, '2027-02-23T09:00:00+08:00');
      expect(await titled('rmyy', '绩效评价报告7日后到期（第21条）')).to.have.length(1);
      // the reminders do not repeat and the task stays with the unit
      await setClock(t, '2027-02-28T09:00:00+08:00');
      expect(await titled('rmyy', '绩效评价报告30日后到期（第21条）')).to.have.length(1);
      const inst = await instance(t, instanceId);
      expect(ran(inst.history, 'Remind30Days')).to.equal(1);
      expect(ran(inst.history, 'Remind7Days')).to.equal(1);
      expect(inst.activeActivityIds).to.include('PerformanceEvaluation');
    });

    it('escalates to data-bureau and finance once overdue; the unit\'s task stays open', async () => {
      // still due on the due date itself
      await setClock(t, '2027-03-02T23:00:00+08:00');
      expect(await titled('sjj', '绩效评价报告逾期未报送（第21条）')).to.have.length(0);
      // the day after
      await setClock(t, '2027-03-03T09:00:00+08:00');
      for (const user of ['sjj', 'czj']) {
        const escalated = await titled(user, '绩效评价报告逾期未报送（第21条）');
        expect(escalated, user).to.have.length(1);
        expect(escalated[0].kind).to.equal('escalation');
      }
      expect(await titled('rmyy', '绩效评价报告逾期未报送（第21条）')).to.have.length(1);
      const inst = await instance(t, instanceId);
      expect(inst.activeActivityIds).to.include('PerformanceEvaluation');
      await taskOf(t, 'rmyy', instanceId, 'PerformanceEvaluation');
      expect(await timers()).to.deep.equal([]);
    });

    it('never sends a reminder after its due date: an evaluation that starts after its deadline is escalated, not reminded', async () => {
      // given a project accepted on 2026-01-15, whose evaluation starts only now (2027-03-03), after its deadline 2027-01-15
      const late = await startInstance(t, 'performance-supervision', {
        businessKey: unrelated.code,
        variables: { projectCode: unrelated.code, unitGroup: 'unit:jyj', acceptedAt: '2026-01-15' },
      });
      await setClock(t, '2027-03-03T09:00:01+08:00');
      // then the past reminder dates send nothing; the overdue escalation goes out once
      const inst = await instance(t, late.id);
      expect(ran(inst.history, 'Remind30Days')).to.equal(0);
      expect(ran(inst.history, 'Remind7Days')).to.equal(0);
      expect(ran(inst.history, 'Remind30DaysSkipped')).to.equal(1);
      expect(ran(inst.history, 'Remind7DaysSkipped')).to.equal(1);
      expect(ran(inst.history, 'EscalateOverdueEvaluation')).to.equal(1);
      expect((await inbox('jyj')).filter((n) => n.kind === 'reminder')).to.deep.equal([]);
      expect(await titled('jyj', '绩效评价报告逾期未报送（第21条）')).to.have.length(1);
    });

    it('checks the form and that the performance report was uploaded before it goes to review', async () => {
      // a score outside 0–100: refused by the form, nothing changes
      const bad = await complete('rmyy', 'PerformanceEvaluation', { ...evaluation, selfScore: 120 });
      expect(bad.status).to.equal(422);
      expect(bad.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['selfScore']);
      // submitted without the report: back to the unit, told what is missing (第21条)
      const missing = await complete('rmyy', 'PerformanceEvaluation', evaluation);
      expect(missing.status, JSON.stringify(missing.body)).to.equal(200);
      let inst = await instance(t, instanceId);
      expect(inst.activeActivityIds).to.include('PerformanceEvaluation');
      expect(inst.activeActivityIds).not.to.include('ReviewPerformance');
      expect(inst.variables.performanceReportProblems).to.deep.equal([{ rule: 'R21.1', article: '第21条', field: 'performance-report', message: '不符合第21条：缺少绩效评价报告' }]);
      const returned = await titled('rmyy', '绩效评价报告未上传（第21条）');
      expect(returned).to.have.length(1);
      expect(returned[0].kind).to.equal('return');
      // re-entering the task does not re-fire the reminders or the escalation
      expect(ran(inst.history, 'EscalateOverdueEvaluation')).to.equal(1);
      expect(ran(inst.history, 'Remind30Days')).to.equal(1);
      expect(ran(inst.history, 'EscalationSkipped')).to.equal(1);
      expect((await titled('sjj', '绩效评价报告逾期未报送（第21条）')).filter((n) => n.body.includes(project.code))).to.have.length(1);
      expect(await titled('rmyy', '绩效评价报告30日后到期（第21条）')).to.have.length(1);
      // with the report uploaded it goes to data-bureau and finance in parallel
      await upload('rmyy', project.id, 'performance-report', '绩效评价报告.pdf');
      expect((await complete('rmyy', 'PerformanceEvaluation', evaluation)).status).to.equal(200);
      inst = await instance(t, instanceId);
      expect(inst.activeActivityIds).to.include.members(['ReviewPerformance', 'ReviewPerformanceFinance']);
      expect(inst.variables).to.include({ performanceReportOk: true, selfScore: 92 });
    });

    it('needs both data-bureau and finance to approve; a return goes back to the unit and through both again', async () => {
      // the data bureau approves, finance returns
      expect((await complete('sjj', 'ReviewPerformance', approve)).status).to.equal(200);
      expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${instanceId}`)).body.filter((x: { activityId: string }) => x.activityId.startsWith('ReviewPerformance'))).to.have.length(0);
      expect((await complete('czj', 'ReviewPerformanceFinance', { decision: 'return', opinion: '请补充资金使用绩效' })).status).to.equal(200);
      let inst = await instance(t, instanceId);
      expect(inst.variables.performanceReview).to.deep.equal({
        dataBureau: { decision: 'approve', opinion: '同意' },
        finance: { decision: 'return', opinion: '请补充资金使用绩效' },
      });
      expect(inst.activeActivityIds).to.include('RevisePerformance');
      // the unit revises; both review again
      expect((await complete('rmyy', 'RevisePerformance', { ...evaluation, selfScore: 88 })).status).to.equal(200);
      expect((await complete('czj', 'ReviewPerformanceFinance', approve)).status).to.equal(200);
      expect((await instance(t, instanceId)).activeActivityIds).to.include('ReviewPerformance');
      expect((await complete('sjj', 'ReviewPerformance', approve)).status).to.equal(200);
      inst = await instance(t, instanceId);
      // the evaluation is done; the system stays in operation under supervision (第22条)
      expect(inst.activeActivityIds).to.include('InOperation');
      for (const done of ['PerformanceEvaluation', 'ReviewPerformance', 'ReviewPerformanceFinance', 'RevisePerformance']) expect(inst.activeActivityIds).not.to.include(done);
      expect(inst.history.filter((h: History[number]) => h.activityId === 'ReviewPerformanceFinance').map((h: History[number]) => h.actor)).to.deep.equal(['czj', 'czj']);
      expect((await t.as('rmyy').get(`/api/projects/${project.id}`)).body.stage).to.equal('performance-evaluated');
    });
  });

  describe('第22条: data-bureau supervises operation periodically', () => {
    it('ends the supervision when the system is retired', async () => {
      // the quarters that came due meanwhile are recorded first (one after the other: a task reached twice runs twice)
      for (let open = 1, rounds = 0; open && rounds < 20; rounds++) {
        const tasks = ((await t.as('sjj').get(`/api/tasks?processInstanceId=${instanceId}`)).body as { id: number; activityId: string }[]).filter((x) => x.activityId === 'Supervision');
        open = tasks.length;
        for (const task of tasks) {
          const res = await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { systemStatus: 'normal', resourceEfficiency: 'high', dataSecurity: 'secure', applicationEffect: 'good' } });
          expect(res.status, JSON.stringify(res.body)).to.equal(200);
        }
      }
      const res = await t.as('admin').post('/api/messages', { messageName: 'system-retired', businessKey: project.code });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const inst = await instance(t, instanceId);
      expect(inst.state).to.equal('completed');
      expect(await timers()).to.deep.equal([]);
    });
  });

  describe('第23条: audit of any project, accountability', () => {
    it('audits an unrelated project at any time; the unit is told to provide records; an accountability case is recorded', async () => {
      // given a project of another unit that never went through chapter 4 (still a draft)
      await setClock(t, '2026-07-15T15:00:00+08:00');
      // the audit bureau opens the audit itself (not the data bureau)
      expect((await t.as('sjj').post(`/api/projects/${unrelated.id}/audits`, {})).status).to.equal(403);
      const started = await t.as('sjju').post(`/api/projects/${unrelated.id}/audits`, { reason: '专项资金审计' });
      expect(started.status, JSON.stringify(started.body)).to.equal(201);
      instanceId = started.body.processInstanceId;
      expect(started.body.activeActivityIds.slice().sort()).to.deep.equal(['Audit', 'ProvideRecords']);
      // the unit is asked for its records (第23条)
      const notice = await titled('jyj', '审计通知：智慧校园平台（第23条）');
      expect(notice).to.have.length(1);
      expect(notice[0].body).to.contain('实施审计（专项资金审计），请如实提供项目资料');
      // only the audit group sees the audit task; the unit has its own: provide the records (第23条: 不得拒绝、隐匿、瞒报)
      expect((await t.as('jyj').get(`/api/tasks?processInstanceId=${instanceId}`)).body.map((x: { activityId: string }) => x.activityId)).to.deep.equal(['ProvideRecords']);
      expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${instanceId}`)).body).to.have.length(0);
      const withheld = await complete('jyj', 'ProvideRecords', { recordsProvided: false, recordsNote: '暂不提供' });
      expect(withheld.status).to.equal(422);
      expect(withheld.body.error.details).to.deep.equal([{ rule: 'R23.1', article: '第23条', message: '不符合第23条：项目单位应如实提供建设项目有关资料和情况，不得拒绝、隐匿、瞒报' }]);
      expect((await complete('jyj', 'ProvideRecords', { recordsProvided: true, recordsNote: '合同、支付凭证、验收资料已上传' })).status).to.equal(200);
      const audited = await complete('sjju', 'Audit', { findings: '项目资金300万元中50万元被用于购置办公设备', violationFound: 'yes' });
      expect(audited.status, JSON.stringify(audited.body)).to.equal(200);
      // the violations offered are those of 第23条, in its words — refusal to provide records and 其他责任事故 among them
      const accountabilityTask = await taskOf(t, 'sjju', instanceId, 'RecordAccountability');
      const form = (await t.as('sjju').get(`/api/tasks/${accountabilityTask.id}`)).body.form;
      expect(form.components.find((c: { key?: string }) => c.key === 'violationType').values.map((v: { label: string }) => v.label)).to.deep.equal([
        '未履行审核审批程序', '未依规安排使用财政资金', '因管理不善、弄虚作假造成严重超概算', '因管理不善、弄虚作假造成质量低劣',
        '因管理不善、弄虚作假造成损失浪费', '因管理不善、弄虚作假造成安全事故', '因管理不善、弄虚作假造成其他责任事故', '拒绝、隐匿、瞒报建设项目有关资料和情况',
      ]);
      // an accountability case: the violation type must be one of the measures' list
      const wrong = await complete('sjju', 'RecordAccountability', { violationType: 'bad-luck', responsiblePeople: '王某', violationFacts: '—' });
      expect(wrong.status).to.equal(422);
      expect(wrong.body.error.details[0].field).to.equal('violationType');
      // and the responsible people must be named (a completion rule of the diagram, 第23条)
      const nobody = await complete('sjju', 'RecordAccountability', { violationType: 'misuse-of-funds', responsiblePeople: ' 、 ', violationFacts: '挪用资金' });
      expect(nobody.status).to.equal(422);
      expect(nobody.body.error.details).to.deep.equal([{ rule: 'R23.1', article: '第23条', message: '不符合第23条：责任追究须列明责任人' }]);
      expect((await instance(t, instanceId)).variables.accountabilityCases).to.equal(undefined);
      const recorded = await complete('sjju', 'RecordAccountability', {
        violationType: 'misuse-of-funds',
        responsiblePeople: '王某、李某',
        violationFacts: '挪用项目资金50万元购置办公设备',
        measures: '责令退回资金，给予处分',
      });
      expect(recorded.status, JSON.stringify(recorded.body)).to.equal(200);
      const inst = await instance(t, instanceId);
      expect(inst.state).to.equal('completed');
      expect(inst.variables.accountabilityCases).to.deep.equal([
        {
          caseNo: `${unrelated.code}-ZR-1`,
          rule: 'R23.1',
          article: '第23条',
          message: '不符合第23条：未依规安排使用财政资金：挪用项目资金50万元购置办公设备；责任人：王某、李某',
          projectCode: unrelated.code,
          violationType: 'misuse-of-funds',
          violationLabel: '未依规安排使用财政资金',
          responsiblePeople: ['王某', '李某'],
          description: '挪用项目资金50万元购置办公设备',
          recordedAt: '2026-07-15T07:00:00.000Z',
        },
      ]);
      expect(inst.history.find((h: History[number]) => h.activityId === 'RecordAccountability').actor).to.equal('sjju');
      expect(inst.history.find((h: History[number]) => h.activityId === 'Audit').actor).to.equal('sjju');
      for (const user of ['sjj', 'jyj']) expect(await titled(user, '责任追究：未依规安排使用财政资金（第23条）'), user).to.have.length(1);
    });

    it('第4条(五): 区财政局 opens a supervisory check of fiscal funds like an audit; the check is its own task', async () => {
      const started = await t.as('czj').post(`/api/projects/${unrelated.id}/audits`, { reason: '财政资金使用情况检查' });
      expect(started.status, JSON.stringify(started.body)).to.equal(201);
      instanceId = started.body.processInstanceId;
      expect((await instance(t, instanceId)).variables).to.include({ auditGroup: 'finance', openedBy: 'czj' });
      await taskOf(t, 'czj', instanceId, 'Audit');
      expect((await t.as('sjju').get(`/api/tasks?processInstanceId=${instanceId}`)).body).to.have.length(0);
      const notice = await titled('jyj', '监督检查通知：智慧校园平台（第23条）');
      expect(notice).to.have.length(1);
      expect(notice[0].body).to.contain('区财政局对项目「智慧校园平台」开展财政资金监督检查（财政资金使用情况检查）');
      expect((await complete('czj', 'Audit', { findings: '资金使用符合规定', violationFound: 'no' })).status).to.equal(200);
      expect((await complete('jyj', 'ProvideRecords', { recordsProvided: true, recordsNote: '支付凭证已上传' })).status).to.equal(200);
      expect((await instance(t, instanceId)).state).to.equal('completed');
      // other bureaus may not open one
      expect((await t.as('fgw').post(`/api/projects/${unrelated.id}/audits`, {})).status).to.equal(403);
    });

    it('closes an audit without findings of violations, and refuses to audit a project that does not exist', async () => {
      const clean = await startInstance(t, 'audit', { businessKey: project.code });
      instanceId = clean.id;
      expect((await complete('sjju', 'Audit', { findings: '未发现问题', violationFound: 'no' })).status).to.equal(200);
      expect((await complete('rmyy', 'ProvideRecords', { recordsProvided: true, recordsNote: '已提供' })).status).to.equal(200);
      const inst = await instance(t, clean.id);
      expect(inst.state).to.equal('completed');
      expect(inst.history.map((h: History[number]) => h.activityId)).to.include('AuditClosed').and.not.to.include('RecordAccountability');
      const none = await startInstance(t, 'audit', { businessKey: 'GF-1999-0000' });
      const gone = await instance(t, none.id);
      expect(gone.state).to.equal('completed');
      expect(gone.history.map((h: History[number]) => h.activityId)).to.include('NoSuchProject').and.not.to.include('Audit');
    });
  });
});
