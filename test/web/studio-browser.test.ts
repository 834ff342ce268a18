import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/app';
import { browserSuite } from '../support/browser';
import { setClock, startInstance, taskOf } from '../support/runtime';

const SHOTS = path.resolve(__dirname, '../../.tmp/screenshots');
const DESKTOP = { width: 1366, height: 768 };
const STUDIO = path.resolve(__dirname, '../fixtures/studio');
const demo = () => fs.readFileSync(path.join(STUDIO, 'studio-demo.bpmn'), 'utf8');

/**
 * The process studio in a real browser, as an administrator uses it: the 流程 pages (every version with
 * who, when, the change note, instance counts, incidents; a version read-only in the bpmn-js viewer;
 * the .bpmn download) and the modeler (edit, deploy with a change note, the server's refusals on the
 * offending elements). Nothing here calls the API except to set the scene.
 */
describe('the process studio in a real browser (流程 · viewer · modeler)', function () {
  this.timeout(240000);
  const web = browserSuite({ CLOCK: 'manual' });
  const errors: Error[] = [];

  const signIn = async (username: string, next: string): Promise<Page> => {
    const page = await web.browser.newPage({ viewport: DESKTOP });
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${web.url}/login?next=${encodeURIComponent(next)}`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}${next}`);
    return page;
  };
  /** opens a group of the properties panel by its (Chinese) title, unless it is open */
  const openGroup = async (page: Page, title: string) => {
    const header = page.locator('.bio-properties-panel-group-header').filter({ has: page.locator('.bio-properties-panel-group-header-title', { hasText: new RegExp(`^${title}$`) }) });
    if (!((await header.getAttribute('class')) ?? '').includes('open')) await header.click();
  };
  const shot = async (page: Page, name: string) => {
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  };

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    // version 1 of the demo: one instance finished, one waiting at 登记
    const v1 = await web.t.as('admin').post('/api/process-definitions', { xml: demo(), note: '首次部署' });
    expect(v1.status, JSON.stringify(v1.body)).to.equal(201);
    const done = await startInstance(web.t, 'studio-demo');
    const task = await taskOf(web.t, 'sjj', done.id, 'Register');
    await web.t.as('sjj').post(`/api/tasks/${task.id}/claim`);
    const completed = await web.t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} });
    expect(completed.status, JSON.stringify(completed.body)).to.equal(200);
    await startInstance(web.t, 'studio-demo');
  });
  afterEach(() => {
    const seen = errors.splice(0);
    expect(seen.map((e) => e.message), 'errors in the page').to.deep.equal([]);
  });

  it('流程: every version with who deployed it, when, the change note, running and completed instances; a version opens read-only in the viewer; .bpmn downloads', async () => {
    const v2 = await web.t.as('admin').post('/api/process-definitions', { xml: demo().replace('name="登记"', 'name="登记受理"'), note: '登记改名为登记受理' });
    expect(v2.status, JSON.stringify(v2.body)).to.equal(201);
    expect(v2.body).to.include({ version: 2, note: '登记改名为登记受理' });

    const page = await signIn('admin', '/processes');
    const card = page.locator('section[data-process="studio-demo"]');
    await expect(await card.locator('h2').textContent()).to.contain('演示流程');
    const row1 = card.locator('tr[data-version="1"]');
    const row2 = card.locator('tr[data-version="2"]');
    expect(await row1.locator('.note').textContent()).to.equal('首次部署');
    expect(await row2.locator('.note').textContent()).to.equal('登记改名为登记受理');
    expect(await row1.locator('.running').textContent()).to.equal('1');
    expect(await row1.locator('.completed').textContent()).to.equal('1');
    expect(await row2.locator('.running').textContent()).to.equal('0');
    expect(await row2.textContent()).to.contain('admin').and.contain('2026年9月15日 10:00').and.contain('最新');
    // the shipped processes are there too
    expect(await page.locator('section[data-process="application-approval"]').count()).to.equal(1);
    await shot(page, 'studio-processes');

    // version 1 in the viewer: the diagram drawn from our own origin, the old name
    await row1.locator('a', { hasText: '查看' }).click();
    await page.waitForURL(`${web.url}/processes/studio-demo/versions/1`);
    await page.waitForSelector('[data-island="viewer"][data-island-ready="true"]');
    expect(await page.locator('[data-island="viewer"] .djs-element[data-element-id="Register"]').count()).to.equal(1);
    expect(await page.locator('[data-island="viewer"] .djs-element[data-element-id="Register"]').textContent()).to.contain('登记');
    expect(await page.locator('[data-note]').textContent()).to.equal('首次部署');
    // read-only: no palette, no context pad
    expect(await page.locator('.djs-palette').count()).to.equal(0);
    await shot(page, 'studio-viewer');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a[download]')]);
    expect(download.suggestedFilename()).to.equal('studio-demo-v1.bpmn');
    const saved = fs.readFileSync((await download.path())!, 'utf8');
    expect(saved).to.contain('name="登记"').and.not.contain('登记受理');
    await page.close();
  });

  it('the modeler in Chinese: change a task’s name in the properties panel, deploy with a change note → version 3, listed with its note; undo', async () => {
    const page = await signIn('admin', '/processes');
    await page.locator('section[data-process="studio-demo"] a[data-action="edit"]').click();
    await page.waitForURL(`${web.url}/processes/studio-demo/edit`);
    await page.waitForSelector('[data-island="modeler"][data-island-ready="true"]');
    // the latest version (2) is open; palette and panel speak Chinese; the minimap is there
    expect(await page.locator('.djs-element[data-element-id="Register"]').textContent()).to.contain('登记受理');
    expect(await page.locator('.djs-palette [data-action="create.start-event"]').getAttribute('aria-label')).to.equal('创建开始事件');
    expect(await page.locator('.djs-minimap').count()).to.equal(1);
    await page.click('.djs-element[data-element-id="Register"]');
    await page.waitForSelector('.bio-properties-panel-header');
    expect(await page.locator('.bio-properties-panel-header').textContent()).to.contain('用户任务');
    expect(await page.locator('[data-properties]').textContent()).to.contain('常规').and.contain('分派').and.contain('表单');
    expect(await page.locator('.djs-context-pad').count()).to.equal(1);
    await openGroup(page, '常规');
    await page.fill('#bio-properties-panel-name', '登记审核');
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="Register"]')?.textContent?.includes('登记审核'));
    // undo and redo as bpmn-js gives them
    await page.click('[data-action="undo"]');
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="Register"]')?.textContent?.includes('登记受理'));
    await page.click('[data-action="redo"]');
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="Register"]')?.textContent?.includes('登记审核'));
    // … and from the keyboard once the canvas has the focus
    await page.click('.djs-element[data-element-id="Start"]');
    expect(await page.evaluate(() => document.activeElement?.tagName.toLowerCase())).to.equal('svg');
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="Register"]')?.textContent?.includes('登记受理'));
    await page.keyboard.press('Control+y');
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="Register"]')?.textContent?.includes('登记审核'));
    await shot(page, 'studio-modeler');

    await page.fill('textarea[name=note]', '登记改为登记审核');
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-deployed-version]');
    expect(await page.getAttribute('[data-island="modeler"]', 'data-deployed-version')).to.equal('3');
    expect(await page.textContent('[data-status]')).to.contain('已部署为 v3');

    const xml = await web.t.as('admin').get('/api/process-definitions/studio-demo/xml');
    expect(xml.text).to.contain('name="登记审核"');
    await page.goto(`${web.url}/processes`);
    const row3 = page.locator('section[data-process="studio-demo"] tr[data-version="3"]');
    expect(await row3.locator('.note').textContent()).to.equal('登记改为登记审核');
    await page.close();
  });

  it('the modeler shows the refusal (the deploy’s own rules, run before anything is sent) in a list and on the offending element; nothing is deployed', async () => {
    const page = await signIn('admin', '/processes/studio-demo/edit');
    await page.waitForSelector('[data-island="modeler"][data-island-ready="true"]');
    await page.click('.djs-element[data-element-id="Register"]');
    await page.waitForSelector('.bio-properties-panel-header');
    await openGroup(page, '分派');
    await page.fill('#bio-properties-panel-assignmentDefinitionCandidateGroups', 'no-such-group');
    await page.click('.djs-element[data-element-id="Start"]'); // leave the field: the panel writes it
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-problems]:not([hidden]) li');
    const item = page.locator('[data-problems] li[data-element-id="Register"]');
    expect(await item.textContent()).to.contain('no-such-group').and.contain('不存在');
    expect(await page.locator('.djs-element[data-element-id="Register"].studio-problem').count()).to.equal(1);
    expect(await page.locator('.studio-problem-badge[data-problem-of="Register"]').count()).to.equal(1);
    expect(await page.textContent('[data-errors]')).to.contain('流程图不可部署');
    await item.click();
    // the group picker shows the unknown group for what it is
    expect(await page.locator('[data-group-picker] label.unknown').textContent()).to.contain('no-such-group').and.contain('不存在');
    await shot(page, 'studio-refusal');
    const latest = await web.t.as('admin').get('/api/process-definitions/studio-demo');
    expect(latest.body.version).to.equal(3);
    await page.close();
  });

  it('the handler catalogue as element templates: a new task on the flow becomes 核对项目材料 by a pick from the chooser, its input filled, deployed → version 4', async () => {
    const page = await signIn('admin', '/processes/studio-demo/edit');
    await page.waitForSelector('[data-island="modeler"][data-island-ready="true"]');
    expect(Number(await page.getAttribute('[data-island="modeler"]', 'data-templates'))).to.be.greaterThan(3);
    // a task from the palette, dropped on the flow 登记审核 → 办结
    const flow = (await page.locator('.djs-element[data-element-id="toEnd"]').boundingBox())!;
    await page.click('.djs-palette [data-action="create.task"]');
    await page.mouse.move(flow.x + flow.width / 2 - 20, flow.y + flow.height / 2);
    await page.mouse.move(flow.x + flow.width / 2, flow.y + flow.height / 2);
    await page.mouse.click(flow.x + flow.width / 2, flow.y + flow.height / 2);
    await page.waitForSelector('.bio-properties-panel-select-template-button');
    await page.click('.bio-properties-panel-select-template-button');
    await page.waitForSelector('.djs-popup');
    expect(await page.textContent('.djs-popup')).to.contain('选择元素模板').and.contain('发送通知');
    await page.locator('.djs-popup [data-id="apply-template-govflow.check-project-materials"]').click();
    await page.waitForFunction(() => document.querySelector('.bio-properties-panel-header')?.textContent?.includes('核对项目材料'));
    // the handler's inputs, in Chinese, required ones marked
    expect(await page.locator('[data-properties]').textContent()).to.contain('模板').and.contain('不能为空');
    await openGroup(page, '自定义属性');
    await page.getByLabel('所需材料清单').fill('=[{type: "application-form", label: "申报书"}]');
    await openGroup(page, '常规');
    await page.fill('#bio-properties-panel-name', '材料核查');
    await page.click('.djs-element[data-element-id="Start"]');
    await shot(page, 'studio-template');
    await page.fill('textarea[name=note]', '登记审核后增加材料核查');
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-deployed-version]');
    expect(await page.getAttribute('[data-island="modeler"]', 'data-deployed-version')).to.equal('4');

    const xml = (await web.t.as('admin').get('/api/process-definitions/studio-demo/xml')).text;
    expect(xml).to.match(/<bpmn:serviceTask id="[^"]+" name="材料核查" zeebe:modelerTemplate="govflow.check-project-materials"/);
    expect(xml).to.contain('<zeebe:taskDefinition type="check-project-materials" />');
    expect(xml).to.contain('target="required"');
    await page.close();
  });

  it('candidate groups are picked from the organisation’s groups (Chinese names), not typed: 登记审核 goes to 区财政局, deployed → version 5', async () => {
    const page = await signIn('admin', '/processes/studio-demo/edit');
    await page.waitForSelector('[data-island="modeler"][data-island-ready="true"]');
    await page.click('.djs-element[data-element-id="Register"]');
    await page.waitForSelector('[data-group-picker]:not([hidden])');
    expect(await page.locator('[data-group-picker] input[value="data-bureau"]').isChecked()).to.equal(true);
    await page.locator('[data-group-picker] label', { hasText: '区财政局' }).locator('input').check();
    await page.locator('[data-group-picker] label', { hasText: '区数据局' }).locator('input').uncheck();
    await openGroup(page, '分派');
    expect(await page.inputValue('#bio-properties-panel-assignmentDefinitionCandidateGroups')).to.equal('finance');
    await shot(page, 'studio-groups');
    await page.fill('textarea[name=note]', '登记审核改由区财政局办理');
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-deployed-version]');
    expect(await page.getAttribute('[data-island="modeler"]', 'data-deployed-version')).to.equal('5');
    const xml = (await web.t.as('admin').get('/api/process-definitions/studio-demo/xml')).text;
    expect(xml).to.contain('<zeebe:assignmentDefinition candidateGroups="finance" />');
    await page.close();
  });

  it('the 流程 pages are for administrators only', async () => {
    const page = await signIn('sjj', '/tasks');
    const res = await page.goto(`${web.url}/processes/studio-demo/versions/1`);
    expect(res!.status()).to.equal(403);
    await page.close();
  });
});
