import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, fixture, form, startInstance } from '../support/runtime';

describe('deployments (POST /api/process-definitions)', () => {
  let t: TestApp;
  let statements: string[] | null = null;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' }, {}, { sqlLogging: (sql) => statements?.push(sql) });
  });
  after(() => t.close());

  it('stores a new version per deploy; running instances keep theirs, new ones use the newest', async () => {
    // given version 1 and an instance on it
    const v1 = await deploy(t, 'approval.bpmn', ['review-form.form']);
    expect(v1).to.include({ key: 'simple-approval', name: '简单审批', version: 1 });
    const onV1 = await startInstance(t, 'simple-approval');
    // when a changed diagram is deployed
    const changed = fixture('approval.bpmn').replace('name="审核"', 'name="审核（第二版）"');
    const v2 = await t.as('admin').post('/api/process-definitions', { xml: changed, forms: [form('review-form.form')] });
    expect(v2.status).to.equal(201);
    expect(v2.body.version).to.equal(2);
    // then the old instance stays on 1, a new one starts on 2
    const onV2 = await startInstance(t, 'simple-approval');
    const a = await t.as('admin').get(`/api/process-instances/${onV1.id}`);
    const b = await t.as('admin').get(`/api/process-instances/${onV2.id}`);
    expect(a.body.definitionVersion).to.equal(1);
    expect(b.body.definitionVersion).to.equal(2);
    const tasks = await t.as('sjj').get('/api/tasks');
    expect(tasks.body.map((x: { name: string }) => x.name)).to.include.members(['审核', '审核（第二版）']);
    // list / one / xml
    const list = await t.as('sjj').get('/api/process-definitions');
    expect(list.body.find((d: { key: string }) => d.key === 'simple-approval')).to.include({ version: 2, deployedBy: 'admin' });
    const one = await t.as('sjj').get('/api/process-definitions/simple-approval?version=1');
    expect(one.body.version).to.equal(1);
    const xml = await t.as('sjj').get('/api/process-definitions/simple-approval/xml?version=2');
    expect(xml.headers['content-type']).to.match(/application\/xml/);
    expect(xml.text).to.contain('审核（第二版）');
  });

  it('a start reads the newest version\'s id, not its document again, once this process knows the version (issue 13)', async () => {
    await deploy(t, 'approval.bpmn', ['review-form.form']);
    await startInstance(t, 'simple-approval'); // the newest version is read once
    statements = [];
    await startInstance(t, 'simple-approval');
    const reads = statements.filter((s) => /FROM `?process_definitions`?/.test(s));
    statements = null;
    expect(reads, reads.join('\n')).to.have.length(1);
    expect(reads[0]).to.match(/SELECT id FROM process_definitions WHERE `key` = \$1 ORDER BY version DESC LIMIT 1/);
  });

  it('hands out a diagram written without a layout (no BPMN DI) laid out, so the modeler draws it; the deployed document is unchanged', async () => {
    const xml = fixture('multi-review-subprocess.bpmn');
    expect(xml).not.to.match(/BPMNShape/);
    const deployed = await t.as('admin').post('/api/process-definitions', { xml });
    expect(deployed.status, JSON.stringify(deployed.body)).to.equal(201);
    const got = await t.as('sjj').get(`/api/process-definitions/${deployed.body.key}/xml?version=${deployed.body.version}`);
    expect(got.status).to.equal(200);
    // every flow node of the document is drawn, each embedded sub-process on a plane of its own
    const nodes = [...xml.matchAll(/<bpmn:(?:startEvent|endEvent|userTask|serviceTask|subProcess|exclusiveGateway|parallelGateway|intermediateCatchEvent|boundaryEvent)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(nodes.length).to.be.greaterThan(3);
    for (const id of nodes) expect(got.text, id).to.match(new RegExp(`<bpmndi:BPMNShape [^>]*bpmnElement="${id}"`));
    const subs = [...xml.matchAll(/<bpmn:subProcess\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    for (const id of subs) expect(got.text).to.match(new RegExp(`<bpmndi:BPMNPlane [^>]*bpmnElement="${id}"`));
    // the zeebe extension elements are kept
    const zeebe = [...new Set([...xml.matchAll(/<zeebe:(\w+)/g)].map((m) => m[1]))];
    expect(zeebe).not.to.be.empty;
    for (const name of zeebe) expect(got.text, name).to.contain(`<zeebe:${name}`);
    // as deployed: a second deploy of the original is the same version (its checksum did not change)
    const again = await t.as('admin').post('/api/process-definitions', { xml });
    expect(again.body.version).to.equal(deployed.body.version);
  });

  it('does not make a new version for an identical document', async () => {
    const first = await deploy(t, 'call-child.bpmn');
    const again = await t.as('admin').post('/api/process-definitions', { xml: fixture('call-child.bpmn') });
    expect(again.status).to.equal(201);
    expect(again.body).to.include({ key: 'call-child', version: first.version, duplicate: true });
  });

  it('accepts the raw XML as application/xml', async () => {
    const res = await t.as('admin').post('/api/process-definitions');
    expect(res.status).to.not.equal(201); // empty body: refused
    const raw = await t.api
      .post('/api/process-definitions')
      .set('Authorization', `Bearer ${await t.token('admin')}`)
      .set('Content-Type', 'application/xml')
      .send(fixture('message.bpmn'));
    expect(raw.status, JSON.stringify(raw.body)).to.equal(201);
    expect(raw.body.key).to.equal('await-plan');
  });

  it('versions forms with the diagram: a task keeps the form version its definition pinned', async () => {
    // given v1 of the form pinned by the deployment above; when the form changes in a new deployment
    const f2 = form('review-form.form');
    f2.components[1].label = '审核意见（新版）';
    const changed = fixture('approval.bpmn').replace('name="简单审批"', 'name="简单审批 v3"');
    const res = await t.as('admin').post('/api/process-definitions', { xml: changed, forms: [f2] });
    expect(res.status).to.equal(201);
    const inst = await startInstance(t, 'simple-approval');
    const task = (await t.as('sjj').get(`/api/tasks?processInstanceId=${inst.id}`)).body[0];
    const detail = await t.as('sjj').get(`/api/tasks/${task.id}`);
    expect(detail.body.form.components[1].label).to.equal('审核意见（新版）');
    // and an older instance's task still shows the old form
    const older = (await t.as('sjj').get('/api/tasks')).body.find((x: { name: string }) => x.name === '审核');
    const olderDetail = await t.as('sjj').get(`/api/tasks/${older.id}`);
    expect(olderDetail.body.form.components[1].label).to.equal('审核意见');
  });

  it('refuses non-admins (403), unknown media types (415), and unknown keys (404)', async () => {
    const res = await t.as('sjj').post('/api/process-definitions', { xml: fixture('approval.bpmn') });
    expect(res.status).to.equal(403);
    const text = await t.api.post('/api/process-definitions').set('Authorization', `Bearer ${await t.token('admin')}`).set('Content-Type', 'text/plain').send('hello');
    expect(text.status).to.equal(415);
    expect((await t.as('sjj').get('/api/process-definitions/nope')).status).to.equal(404);
  });

  it('refuses an undeployable diagram with every problem listed (422), and changes nothing', async () => {
    const before = (await t.as('admin').get('/api/process-definitions')).body.length;
    const bad = fixture('approval.bpmn')
      .replace('type="notify"', 'type="no-such-handler"')
      .replace('candidateGroups="data-bureau"', 'candidateGroups="no-such-group"')
      .replace('=decision = "approve"', '=decision = ("approve"');
    const res = await t.as('admin').post('/api/process-definitions', { xml: bad, forms: [form('review-form.form')] });
    expect(res.status).to.equal(422);
    const ids = res.body.error.details.map((d: { elementId: string }) => d.elementId);
    expect(ids).to.include.members(['NotifyUnit', 'Review', 'toNotify']);
    for (const d of res.body.error.details) expect(d.message).to.match(/[\u4e00-\u9fa5]/);
    expect((await t.as('admin').get('/api/process-definitions')).body.length).to.equal(before);
  });

  it('refuses a diagram whose form is neither deployed with it nor before', async () => {
    const xml = fixture('approval.bpmn').replace('formId="review-form"', 'formId="missing-form"').replace('id="simple-approval"', 'id="other-approval"');
    const res = await t.as('admin').post('/api/process-definitions', { xml });
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0].message).to.contain('missing-form');
  });

  it('answers every MIWG reference diagram with 201 or 422, never 5xx', async function () {
    const dir = path.resolve(__dirname, '../../../shared/corpus/miwg');
    if (!fs.existsSync(dir)) this.skip();
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.bpmn'))) {
      const res = await t.api
        .post('/api/process-definitions')
        .set('Authorization', `Bearer ${await t.token('admin')}`)
        .set('Content-Type', 'application/xml')
        .send(fs.readFileSync(path.join(dir, file), 'utf8'));
      expect([201, 422], `${file}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`).to.include(res.status);
      if (res.status === 422) expect(res.body.error.details.length, file).to.be.greaterThan(0);
    }
  });

  it('answers garbage with 422 or 400, never 5xx', async () => {
    for (const body of ['', 'not xml', '<a><b></a>', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', '\u0000\u0001binary']) {
      const res = await t.api.post('/api/process-definitions').set('Authorization', `Bearer ${await t.token('admin')}`).set('Content-Type', 'application/xml').send(body);
      expect([400, 422], JSON.stringify(body)).to.include(res.status);
    }
  });

  it('lists the handler registry and element templates', async () => {
    const handlers = await t.as('sjj').get('/api/handlers');
    expect(handlers.body.find((h: { name: string }) => h.name === 'notify')).to.include({ title: '发送通知', category: '通知' });
    const templates = await t.as('admin').get('/api/element-templates');
    const notify = templates.body.find((x: { id: string }) => x.id === 'govflow.notify');
    expect(notify.elementType.value).to.equal('bpmn:ServiceTask');
    expect(notify.properties[0]).to.deep.include({ type: 'Hidden', value: 'notify' });
  });
});
