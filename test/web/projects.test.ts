import crypto from 'node:crypto';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { docx, draft } from '../support/builders';
import { deploy, instance } from '../support/runtime';


describe('projects: drafts, documents, visibility (R5.4), submission', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(() => t.close());

  it('lets a unit draft a project and edit the draft', async () => {
    const res = await t.as('rmyy').post('/api/projects', draft());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ stage: 'draft' });
    expect(res.body.code).to.match(/^GF-2027-\d{4}$/);
    const patched = await t.api.patch(`/api/projects/${res.body.id}`).set('Authorization', `Bearer ${await t.token('rmyy')}`).send({ investment: 450000.5 });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body.investment).to.equal(450000.5);
  });

  it('refuses malformed fields (422, each field), another unit (403), an unknown unit (422)', async () => {
    const bad = await t.as('rmyy').post('/api/projects', draft({ type: 'castle', investment: -1, planYear: 'next', extra: 1 }));
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details.map((d: { field: string }) => d.field)).to.have.members(['type', 'investment', 'planYear', 'extra']);
    expect((await t.as('jyj').post('/api/projects', draft())).status).to.equal(403);
    const unknown = await t.as('rmyy').post('/api/projects', draft({ participants: ['nowhere'] }));
    expect(unknown.status).to.equal(422);
    expect((await t.as('rmyy').get('/api/projects')).body.every((p: { name: string }) => p.name === '智慧医院信息平台')).to.equal(true);
  });

  it('stores documents with their sha256 and material type, and refuses wrong types and sizes', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft());
    const content = Buffer.from('%PDF-1.4 申报表');
    const res = await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'application-form')
      .attach('file', content, { filename: '项目计划申报表.pdf', contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ materialType: 'application-form', filename: '项目计划申报表.pdf', size: content.length, sha256: crypto.createHash('sha256').update(content).digest('hex') });
    const exe = await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'other')
      .attach('file', Buffer.from('MZ'), { filename: 'virus.exe', contentType: 'application/octet-stream' });
    expect(exe.status).to.equal(415);
    const wrongType = await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'love-letter')
      .attach('file', content, { filename: 'a.pdf', contentType: 'application/pdf' });
    expect(wrongType.status).to.equal(422);
    const big = await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'other')
      .attach('file', Buffer.alloc(10 * 1024 * 1024 + 1), { filename: 'big.pdf', contentType: 'application/pdf' });
    expect(big.status).to.equal(413);
    const detail = await t.as('rmyy').get(`/api/projects/${p.id}`);
    expect(detail.body.documents).to.have.length(1);
  });

  it('shows a classified project only to its unit, confidentiality and the data bureau (R5.4)', async () => {
    const { body: p } = await t.as('gaj').post('/api/projects', draft({ unitCode: 'gaj', name: '涉密指挥系统', classified: true }));
    for (const u of ['gaj', 'bmj', 'sjj']) expect((await t.as(u).get(`/api/projects/${p.id}`)).status, u).to.equal(200);
    for (const u of ['wxb', 'fgw', 'czj', 'rmyy', 'gwh']) {
      const res = await t.as(u).get(`/api/projects/${p.id}`);
      expect(res.status, u).to.equal(403);
      expect(res.body.error.message).to.contain('第5条');
      expect((await t.as(u).get('/api/projects')).body.map((x: { id: number }) => x.id), u).not.to.include(p.id);
    }
    // an ordinary project is visible to the bureaus and to the unit's supervising department
    const { body: open } = await t.as('rmyy').post('/api/projects', draft());
    for (const u of ['wjw', 'fgw', 'czj']) expect((await t.as(u).get(`/api/projects/${open.id}`)).status, u).to.equal(200);
    expect((await t.as('jyj').get(`/api/projects/${open.id}`)).status).to.equal(403);
  });

  it('submits a draft into application-approval with businessKey = code and the project as variables; only once', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft());
    await deploy(t, 'submit-stub.bpmn'); // a newer version than the shipped diagram: this test is about submission itself
    await t.api
      .post(`/api/projects/${p.id}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'construction-plan')
      .attach('file', await docx(), { filename: '建设方案.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' });
    expect((await t.as('jyj').post(`/api/projects/${p.id}/submit`)).status).to.equal(403);
    const res = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.activeActivityIds).to.deep.equal(['Intake']);
    const inst = await instance(t, res.body.processInstanceId);
    expect(inst.businessKey).to.equal(p.code);
    expect(inst.projectId).to.equal(p.id);
    expect(inst.variables).to.include({ projectCode: p.code, unitGroup: 'unit:rmyy', supervisorGroup: 'unit:wjw', investment: 800000, type: 'new' });
    expect(inst.variables.materials).to.deep.equal(['construction-plan']);
    expect((await t.as('rmyy').post(`/api/projects/${p.id}/submit`)).status).to.equal(409);
    const detail = await t.as('rmyy').get(`/api/projects/${p.id}`);
    expect(detail.body.stage).to.equal('submitted');
    expect(detail.body.processInstances.map((i: { id: string }) => i.id)).to.deep.equal([res.body.processInstanceId]);
    const task = (await t.as('sjj').get(`/api/tasks?businessKey=${p.code}`)).body[0];
    expect(task.projectId).to.equal(p.id);
  });
});

describe('domain steps in diagrams: completion rules, update-project, start-process', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'submit-chain.bpmn');
    await deploy(t, 'call-child.bpmn');
  });
  after(() => t.close());

  it('refuses a completion that breaks a rule of the diagram with 422 citing the article, then continues, updates the project and starts the next process', async () => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ investment: 500000 }));
    const submitted = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(submitted.body.activeActivityIds).to.deep.equal(['RecordProcurement']);
    const task = (await t.as('rmyy').get(`/api/tasks?businessKey=${p.code}`)).body[0];
    // when the contract exceeds the approved budget
    const over = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { contractAmount: 500000.01 } });
    // then 422 citing 第10条, and nothing changed
    expect(over.status).to.equal(422);
    expect(over.body.error.details).to.deep.equal([{ rule: 'R10.1', article: '第10条', message: '不符合第10条：合同金额不得超过批准的预算' }]);
    expect((await instance(t, submitted.body.processInstanceId)).activeActivityIds).to.deep.equal(['RecordProcurement']);
    // within the budget it goes through
    const ok = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { contractAmount: 480000 } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    const project = (await t.as('rmyy').get(`/api/projects/${p.id}`)).body;
    expect(project).to.include({ stage: 'procured', approvedAmount: 480000 });
    const next = project.processInstances.find((i: { definitionKey: string }) => i.definitionKey === 'call-child');
    expect(next).to.include({ state: 'running' });
    const nextInstance = await instance(t, next.id);
    expect(nextInstance).to.include({ businessKey: p.code, projectId: p.id });
    expect(nextInstance.variables).to.deep.include({ contractAmount: 480000 });
  });
});

describe('audits (R23.1): the audit group opens one on any project at any time', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'audit-stub.bpmn');
  });
  after(() => t.close());

  it('opens an audit on a classified draft for the audit group only', async () => {
    const { body: p } = await t.as('gaj').post('/api/projects', draft({ unitCode: 'gaj', classified: true }));
    expect((await t.as('sjj').post(`/api/projects/${p.id}/audits`, {})).status).to.equal(403);
    const res = await t.as('sjju').post(`/api/projects/${p.id}/audits`, { reason: '专项审计' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.activeActivityIds).to.deep.equal(['Audit']);
    const inst = await instance(t, res.body.processInstanceId);
    expect(inst).to.include({ businessKey: p.code, projectId: p.id, definitionKey: 'audit' });
    expect(inst.variables).to.include({ auditReason: '专项审计', openedBy: 'sjju' });
    expect((await t.as('sjju').get(`/api/tasks?businessKey=${p.code}`)).body.map((x: { activityId: string }) => x.activityId)).to.deep.equal(['Audit']);
    expect((await t.as('sjju').post('/api/projects/99999/audits', {})).status).to.equal(404);
  });
});
