import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { expect } from 'chai';
import { binary, startTestApp, type TestApp } from '../support/app';
import { deploy, instance, taskOf } from '../support/runtime';
import { draft } from '../support/builders';

describe('annual plan (R7.5): compile, approve, release every project at once; export; archive (R20.1)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'plan-stub-application.bpmn');
    await deploy(t, 'plan-stub.bpmn');
  });
  after(() => t.close());

  async function submitted(over: Record<string, unknown> = {}) {
    const unit = String(over.unitCode ?? 'rmyy');
    const { body: p } = await t.as(unit).post('/api/projects', draft(over));
    const res = await t.as(unit).post(`/api/projects/${p.id}/submit`);
    expect(res.body.activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    return { ...p, instanceId: res.body.processInstanceId as string };
  }

  it('compiles a plan only from projects waiting at AwaitAnnualPlan (422 citing 第7条), only by the data bureau (403)', async () => {
    const a = await submitted();
    const { body: notSubmitted } = await t.as('rmyy').post('/api/projects', draft());
    expect((await t.as('rmyy').post('/api/annual-plans', { year: 2027, projectIds: [a.id] })).status).to.equal(403);
    const res = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [a.id, notSubmitted.id] });
    expect(res.status).to.equal(422);
    expect(res.body.error.details).to.have.length(1);
    expect(res.body.error.details[0]).to.include({ rule: 'R7.5', article: '第7条' });
    expect(res.body.error.details[0].message).to.contain(notSubmitted.code);
    expect((await t.as('sjj').post('/api/annual-plans', { year: 2026, projectIds: [a.id] })).status).to.equal(422);
    expect((await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [] })).status).to.equal(400);
  });

  it('district-government approval releases every listed project at once and records it as budgeted', async () => {
    const projects = [await submitted({ name: '甲' }), await submitted({ name: '乙' }), await submitted({ name: '丙' })];
    const bystander = await submitted({ name: '不在计划内' });
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: projects.map((p) => p.id) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const approval = await taskOf(t, 'gwh', created.body.processInstanceId, 'PlanApproval');
    const done = await t.as('gwh').post(`/api/tasks/${approval.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
    expect(done.status).to.equal(200);
    for (const p of projects) {
      const inst = await instance(t, p.instanceId);
      expect(inst.state, p.name).to.equal('completed');
      expect(inst.variables).to.include({ budgeted: true, annualPlanYear: 2027 });
      const detail = (await t.as('rmyy').get(`/api/projects/${p.id}`)).body;
      expect(detail).to.include({ budgeted: true, stage: 'budgeted' });
    }
    expect((await instance(t, bystander.instanceId)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    // the plan as an Excel workbook, in priority order
    const xlsx = await t.api.get(`/api/annual-plans/${created.body.id}/export`).set('Authorization', `Bearer ${await t.token('sjj')}`).buffer(true).parse(binary);
    expect(xlsx.status).to.equal(200);
    expect(xlsx.headers['content-type']).to.contain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.name).to.equal('2027年度实施计划');
    // the printed layout: a title, the unit of the amounts, the columns a district office prints
    expect(ws.getCell('A1').value).to.equal('2027年度区级政务信息化项目实施计划');
    expect(String(ws.getCell('A2').value)).to.contain('金额单位：万元');
    expect((ws.getRow(3).values as unknown[]).slice(1)).to.deep.equal(['序号', '项目名称', '项目单位', '建设类型', '投资金额（万元）', '资金来源', '建设内容', '优先级']);
    // one row per project in priority order, Chinese names for every code
    expect((ws.getRow(4).values as unknown[]).slice(1)).to.deep.equal([1, '甲', '区人民医院', '新建', 80, '区级财政预算资金', '建设全院统一的信息平台', 1]);
    expect([4, 5, 6].map((r) => ws.getRow(r).getCell(2).value)).to.deep.equal(['甲', '乙', '丙']);
    // a total row with the sum, and a page set up for A4 landscape with the header on every page
    expect(ws.getCell('A7').value).to.equal('合计');
    expect((ws.getCell('E7').value as { formula: string; result: number })).to.deep.include({ formula: 'SUM(E4:E6)', result: 240 });
    expect(ws.getCell('G7').value).to.equal('共 3 个项目');
    expect(ws.pageSetup).to.deep.include({ orientation: 'landscape', paperSize: 9, fitToWidth: 1, printTitlesRow: '3:3' });
    expect(xlsx.headers['content-disposition']).to.contain(encodeURIComponent('2027年度区级政务信息化项目实施计划.xlsx'));
  });

  it('shows a plan to the bureaus that compile, approve and audit it, a unit only its own rows, a classified row without its name outside its circle (第5条, 第7条)', async () => {
    // given a plan with an open and a classified project of rmyy and one of jyj
    const open = await submitted({ name: '公开项目' });
    const secret = await submitted({ name: '涉密项目甲', classified: true });
    const school = await submitted({ name: '智慧校园', unitCode: 'jyj' });
    const created = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [open.id, secret.id, school.id] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const plan = async (user: string) => t.as(user).get(`/api/annual-plans/${created.body.id}`);
    const names = async (user: string) => (await plan(user)).body.items.map((i: { name: string }) => i.name);
    // then the data bureau and audit read every row by name
    for (const user of ['sjj', 'sjju']) expect(await names(user), user).to.deep.equal(['公开项目', '涉密项目甲', '智慧校园']);
    // DRC, Finance and the district government read every row, the classified one without its name, unit or content
    for (const user of ['fgw', 'czj', 'gwh']) {
      const items = (await plan(user)).body.items;
      expect(items.map((i: { name: string }) => i.name), user).to.deep.equal(['公开项目', '（涉密项目）', '智慧校园']);
      expect(items[1]).to.include({ code: secret.code, unitCode: null, description: null, investment: 800000, classified: true });
    }
    // a unit reads only its own rows; a unit with none, and anyone else, is refused
    expect(await names('rmyy')).to.deep.equal(['公开项目', '涉密项目甲']);
    expect(await names('jyj')).to.deep.equal(['智慧校园']);
    for (const user of ['gaj', 'zj1', 'wxb', 'mmj', 'bmj']) expect((await plan(user)).status, user).to.equal(403);
    // the export follows the same rule
    const exported = async (user: string) => t.api.get(`/api/annual-plans/${created.body.id}/export`).set('Authorization', `Bearer ${await t.token(user)}`).buffer(true).parse(binary);
    expect((await exported('gaj')).status).to.equal(403);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await exported('gwh')).body as unknown as ArrayBuffer);
    const rows = [4, 5, 6].map((r) => (wb.worksheets[0].getRow(r).values as unknown[]).slice(1));
    expect(rows.map((r) => r[1])).to.deep.equal(['公开项目', '（涉密项目）', '智慧校园']);
    // the classified row keeps its amount (the total adds up) but shows no unit, type or content
    expect(rows[1]).to.deep.equal([2, '（涉密项目）', '', '', 80, '区级财政预算资金', '', 2]);
    expect(rows[2][2]).to.equal('区教育局');
    // and the plan's process carries no classified name either
    const vars = (await instance(t, created.body.processInstanceId)).variables;
    expect(JSON.stringify(vars)).not.to.contain('涉密项目甲');
  });

  it('exports the project archive as one zip: project, documents as uploaded, every instance with its history; a manifest with sha256', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '档案测试' }));
    const content = Buffer.from('%PDF-1.4 建设方案');
    await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'construction-plan')
      .attach('file', content, { filename: '建设方案.pdf', contentType: 'application/pdf' });
    const sub = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    const res = await t.api.get(`/api/projects/${p.id}/archive`).set('Authorization', `Bearer ${await t.token('sjj')}`).buffer(true).parse(binary);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.equal('application/zip');
    const zip = await JSZip.loadAsync(res.body as Buffer);
    const manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
    expect(manifest.project).to.equal(p.code);
    for (const f of manifest.files) {
      const data = await zip.file(f.path)!.async('nodebuffer');
      expect(crypto.createHash('sha256').update(data).digest('hex'), f.path).to.equal(f.sha256);
    }
    const doc = manifest.files.find((f: { path: string }) => f.path.startsWith('documents/construction-plan/'));
    expect(doc.path).to.contain('建设方案.pdf');
    expect(await zip.file(doc.path)!.async('nodebuffer')).to.deep.equal(content);
    const proc = JSON.parse(await zip.file(`processes/application-approval-${sub.body.processInstanceId}.json`)!.async('string'));
    expect(proc.history.map((h: { activityId: string }) => h.activityId)).to.include('AwaitAnnualPlan');
    // others see nothing of it
    expect((await t.as('jyj').get(`/api/projects/${p.id}/archive`)).status).to.equal(403);
  });
});
