import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { instance, setClock, taskOf } from '../support/runtime';
import { PROCESSES_DIR } from '../../seed/processes';

/**
 * The words a Chinese reader sees (issue 7, point 13): no English field names or codes in refusals and
 * labels, every refusal cites its article (an item as 第二十四条第（一）项), each bureau under the one name
 * the seed gives it (区发展改革委, 区财政局, 区数据局 in full), the measures as 《办法》.
 */
const LATIN = /[A-Za-z]/;
/** the measures' own words may hold Latin letters (第6条: 移动端APP); nothing else may */
const words = (message: string) => message.replace(/APP/g, '');

describe('words: what a Chinese reader sees (第6条, 第8条, 第24条 refusals; bureau names; 《办法》)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
  });
  after(() => t.close());

  async function submit(over: Record<string, unknown>, materials = ['application-form', 'construction-plan']) {
    const { body: p } = await t.as('jyj').post('/api/projects', draft({ unitCode: 'jyj', ...over }));
    for (const m of materials) {
      const up = await t.api.post(`/api/projects/${p.id}/documents`).set('Authorization', `Bearer ${await t.token('jyj')}`).field('materialType', m).attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
    }
    const res = await t.as('jyj').post(`/api/projects/${p.id}/submit`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.processInstanceId as string;
  }
  const returnReasons = async (instanceId: string) => {
    const task = await taskOf(t, 'jyj', instanceId, 'ReviseApplication');
    return (await t.as('jyj').get(`/api/tasks/${task.id}`)).body.variables.returnReasons as { rule: string; article: string; message: string }[];
  };

  it('returns an application in Chinese only: 第6条 without field names, 第8条 naming its items', async () => {
    const mobile = await returnReasons(await submit({ standaloneMobileApp: true, existingSystems: [] }));
    expect(mobile.map((r) => r.rule)).to.deep.equal(['R6.1', 'R6.2']);
    for (const r of mobile) expect(words(r.message), r.message).not.to.match(LATIN);
    const outOfPlan = await returnReasons(await submit({ inAnnualPlan: false }));
    expect(outOfPlan.map((r) => r.rule)).to.deep.equal(['R8.1']);
    expect(outOfPlan[0].message).not.to.match(LATIN);
    expect(outOfPlan[0].message).to.contain('第八条第（一）项').and.to.contain('第八条第（三）项');
  });

  it('ends an out-of-scope application citing the item of 第24条, without the category code', async () => {
    const id = await submit({ name: '购置打印机', scopeCategory: 'office-equipment', investment: 60000 });
    const reason = (await instance(t, id)).variables.outOfScopeReason as string;
    expect(reason).to.match(/^不符合第24条：单独购置通用办公设备及维护项目（第二十四条第（一）项），不属于本办法管理范围$/);
    expect(reason).not.to.match(LATIN);
  });

  it('refuses a field the task does not have by its Chinese name, never by the variable name', async () => {
    const id = await submit({ name: '字段测试' });
    await t.gf.outbox.dispatch();
    const organise = await taskOf(t, 'sjj', id, 'OrganiseExpertReview');
    expect((await t.as('sjj').post(`/api/tasks/${organise.id}/complete`, { variables: { experts: ['zj1'] } })).status).to.equal(200);
    const expert = await taskOf(t, 'zj1', id, 'ExpertReview');
    const done = await t.as('zj1').post(`/api/tasks/${expert.id}/complete`, { variables: { decision: 'approve', opinion: '同意', scores: { necessity: 4, urgency: 4, feasibility: 4, security: 4, intensiveness: 4 }, recommendedInvestment: 800000 } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const task = await taskOf(t, 'fgw', id, 'InvestmentReview');
    const res = await t.as('fgw').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '同意', financeOpinion: '同意', remark: 'x' } });
    expect(res.status).to.equal(422);
    const details = res.body.error.details as { field: string; message: string }[];
    expect(details.map((d) => d.field)).to.deep.equal(['financeOpinion', 'remark']);
    expect(details[0].message).to.equal('「区财政局审核意见」不是此任务可填写的项目，不能提交');
    for (const d of details) expect(d.message).not.to.match(LATIN);
  });

  it('names every bureau in full in the shipped diagrams and forms, and the measures as 《办法》', async () => {
    // the task names the bureaus see in their lists
    const names = (await t.as('czj').get('/api/tasks')).body.map((x: { name: string }) => x.name) as string[];
    expect(names).to.include('区财政局审核资金来源和预算安排');
    for (const file of fs.readdirSync(PROCESSES_DIR).filter((f) => /\.(bpmn|form)$/.test(f))) {
      const text = fs.readFileSync(path.join(PROCESSES_DIR, file), 'utf8');
      const short = text.match(/(?<![区展])发改委|区发改委|(?<!区)财政局|(?<!区)数据局|区保密局|《管理办法》|《建设管理办法》/g);
      expect(short, file).to.equal(null);
    }
  });
});
