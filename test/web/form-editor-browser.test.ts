import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { browserSuite, PHONE, noOverflow, shot, signIn } from '../support/browser';
import { setClock, startInstance, taskOf } from '../support/runtime';

const DEMO = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="formDemoDefinitions" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="form-demo" name="表单演示" isExecutable="true">
    <bpmn:startEvent id="Start" name="开始">
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Approve" />
    <bpmn:userTask id="Approve" name="批准">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="data-bureau" />
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Approve" targetRef="End" />
    <bpmn:endEvent id="End" name="结束">
      <bpmn:incoming>f2</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_form-demo">
    <bpmndi:BPMNPlane id="BPMNPlane_form-demo" bpmnElement="form-demo">
      <bpmndi:BPMNShape id="Start_di" bpmnElement="Start">
        <dc:Bounds x="57" y="52" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="Approve_di" bpmnElement="Approve">
        <dc:Bounds x="175" y="30" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="End_di" bpmnElement="End">
        <dc:Bounds x="357" y="52" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
        <di:waypoint x="93" y="70" />
        <di:waypoint x="175" y="70" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
        <di:waypoint x="275" y="70" />
        <di:waypoint x="357" y="70" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;

/**
 * The form editor in a real browser (issue 9 item 5): from the process's 表单 list an administrator makes
 * a new form for a user task without one in @bpmn-io/form-js-editor, previews it and deploys it — the
 * process gets a new version with the task linked to the form — and a new instance's task page shows
 * that form; an instance started before keeps its version (no form).
 */
describe('the form editor in a real browser (表单)', function () {
  this.timeout(240000);
  const web = browserSuite({ CLOCK: 'manual' });

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    const v1 = await web.t.as('admin').post('/api/process-definitions', { xml: DEMO });
    expect(v1.status, JSON.stringify(v1.body)).to.equal(201);
  });

  it('makes a new form for a task, previews it, deploys it with the diagram; the new task page shows it', async () => {
    const before = await startInstance(web.t, 'form-demo');
    // given the 表单 list of the process (reached from 流程)
    const page = await signIn(web.browser, web.url, 'admin', '/processes');
    await page.locator('section[data-process="form-demo"] a[data-action="forms"]').click();
    await page.waitForURL(`${web.url}/processes/form-demo/forms`);
    // when a new form is made for 批准
    await page.fill('#new-form-id', 'approve-form');
    await page.selectOption('#new-form-task', 'Approve');
    await page.locator('.new-form button[type=submit]').click();
    await page.waitForURL(/\/processes\/form-demo\/forms\/editor\?form=approve-form&task=Approve/);
    const island = page.locator('[data-island="form-editor"][data-island-ready="true"]');
    await island.waitFor();
    // a text field from the palette (keyboard: Enter on the palette entry adds it), labelled in the properties panel
    await page.locator('.fjs-palette-field[data-field-type="textfield"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('.fjs-editor-container .fjs-form-field-textfield').first().click();
    const general = page.locator('.bio-properties-panel-group-header').filter({ hasText: '常规' });
    if (!((await general.getAttribute('class')) ?? '').includes('open')) await general.click();
    await page.fill('#bio-properties-panel-label', '批准文号');
    await page.fill('#bio-properties-panel-key', 'approvalNumber');
    await page.locator('.fjs-editor-container .fjs-form-field-textfield label').filter({ hasText: '批准文号' }).waitFor();
    // the palette and the panel speak Chinese (the canvas shows the form's own words)
    expect(await page.locator('.fjs-palette-field[data-field-type="textfield"] .fjs-palette-field-text').textContent()).to.equal('单行文本');
    expect(await page.locator('label[for="bio-properties-panel-key"]').textContent()).to.contain('字段名');
    await shot(page, 'form-editor-1366');
    // 预览: the form as the task page's viewer draws it
    await page.locator('[data-tab="preview"]').click();
    await page.waitForSelector('[data-island="form-editor"][data-preview-ready="true"]');
    expect(await page.locator('[data-preview] .fjs-form label').allTextContents()).to.include('批准文号');
    await shot(page, 'form-editor-preview-1366');
    // 部署: a new version of the process with the form
    await page.fill('[data-note]', '批准环节增加批准文号');
    await page.locator('[data-action="deploy"]').click();
    await page.waitForSelector('[data-island="form-editor"][data-deployed-version]');
    expect(await island.getAttribute('data-deployed-version')).to.equal('2');
    expect(await page.locator('[data-deployed]').textContent()).to.contain('已部署为流程版本 2');
    const forms = await web.t.as('admin').get('/api/process-definitions/form-demo/forms');
    expect(forms.body.forms).to.deep.equal([{ formId: 'approve-form', version: 1, tasks: [{ id: 'Approve', name: '批准' }] }]);
    expect((await web.t.as('admin').get('/api/process-definitions/form-demo')).body.note).to.equal('批准环节增加批准文号');

    // then a new instance's 批准 task shows the form on its page; the one started before has none
    const after = await startInstance(web.t, 'form-demo');
    const task = await taskOf(web.t, 'sjj', after.id, 'Approve');
    const staff = await signIn(web.browser, web.url, 'sjj', `/tasks/${task.id}`);
    await staff.waitForSelector('[data-island="task"][data-island-ready="true"]');
    expect(await staff.locator('.fjs-form label').allTextContents()).to.include('批准文号');
    const old = await taskOf(web.t, 'sjj', before.id, 'Approve');
    expect((await web.t.as('sjj').get(`/api/tasks/${old.id}`)).body.form).to.equal(null);
    await staff.close();

    // editing the form again, reached from the modeler page's 表单 link
    await page.goto(`${web.url}/processes/form-demo/edit`);
    await page.locator('[data-forms-link]').click();
    await page.waitForURL(`${web.url}/processes/form-demo/forms`);
    await page.locator('tr[data-form="approve-form"] a').click();
    await page.locator('[data-island="form-editor"][data-island-ready="true"]').waitFor();
    expect(await page.locator('.fjs-editor-container .fjs-form-field-textfield label').allTextContents()).to.include('批准文号');
    await page.close();
  });

  it('a user task selected in the modeler links to its form; a form downloaded as .form and opened again', async () => {
    const page = await signIn(web.browser, web.url, 'admin', '/processes/form-demo/edit');
    await page.locator('[data-island="modeler"][data-island-ready="true"]').waitFor();
    expect(await page.locator('[data-form-link]').isHidden()).to.equal(true);
    await page.click('.djs-element[data-element-id="Approve"]');
    const link = page.locator('[data-form-link] a');
    await link.waitFor();
    expect(await link.textContent()).to.equal('编辑表单「approve-form」');
    await link.click();
    await page.waitForURL(`${web.url}/processes/form-demo/forms/editor?form=approve-form`);
    await page.locator('[data-island="form-editor"][data-island-ready="true"]').waitFor();
    // 下载 .form: the schema as deployed, with its field
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="download-form"]')]);
    expect(download.suggestedFilename()).to.equal('approve-form.form');
    const saved = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as { id: string; components: { label?: string; key?: string; type: string }[] };
    expect(saved.id).to.equal('approve-form');
    expect(saved.components.map((c) => c.label)).to.include('批准文号');
    // 打开 .form 文件: a file with one more field takes the editor's place (keeping this form's id)
    const file = path.join(os.tmpdir(), `govflow-${process.pid}-imported.form`);
    fs.writeFileSync(file, JSON.stringify({ ...saved, id: 'other-id', components: [...saved.components, { type: 'textfield', key: 'importedNote', label: '导入的字段' }] }));
    await page.setInputFiles('input[data-action="import-form"]', file);
    await page.waitForFunction(() => [...document.querySelectorAll('.fjs-editor-container .fjs-form-field-textfield label')].some((l) => l.textContent?.includes('导入的字段')));
    expect(await page.locator('[data-island="form-editor"]').getAttribute('data-imported')).to.equal(path.basename(file));
    // a file that is no form is refused in place, and the editor keeps what it had
    fs.writeFileSync(file, '{"not":"a form"}');
    await page.setInputFiles('input[data-action="import-form"]', file);
    await page.locator('[data-errors]:not([hidden])').waitFor();
    expect(await page.textContent('[data-errors]')).to.contain('不是有效的表单文件');
    fs.rmSync(file, { force: true });
    await page.close();
  });

  it('the 表单 list and the editor page fit a phone (390 px)', async () => {
    for (const url of ['/processes/form-demo/forms', '/processes/form-demo/forms/editor?form=approve-form']) {
      const phone = await signIn(web.browser, web.url, 'admin', url, PHONE);
      if (url.includes('editor')) await phone.locator('[data-island="form-editor"][data-island-ready="true"]').waitFor();
      await noOverflow(phone);
      await shot(phone, url.includes('editor') ? 'form-editor-390' : 'form-list-390');
      await phone.close();
    }
  });

  it('refuses a form for a task that does not exist, and one no task uses (422, nothing deployed)', async () => {
    const bad = await web.t.as('admin').post('/api/process-definitions/form-demo/forms', { formId: 'x-form', schema: { components: [] }, taskId: 'NoSuchTask' });
    expect(bad.status).to.equal(422);
    expect(bad.body.error.details[0].message).to.match(/没有用户任务/);
    const unused = await web.t.as('admin').post('/api/process-definitions/form-demo/forms', { formId: 'x-form', schema: { components: [] } });
    expect(unused.status).to.equal(422);
    expect((await web.t.as('admin').get('/api/process-definitions/form-demo')).body.version).to.equal(2);
  });
});
