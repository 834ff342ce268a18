import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { PASSWORD } from '../support/app';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot } from '../support/browser';
import { draft } from '../support/builders';
import { instance, setClock } from '../support/runtime';

const STUDIO = path.resolve(__dirname, '../fixtures/studio');
/** ../shared/corpus/miwg of the checkout (the main checkout and a worktree sit at different depths) */
const MIWG = (() => {
  for (let dir = path.resolve(__dirname, '../..'); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(path.dirname(dir), 'shared/corpus/miwg');
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(__dirname, '../../../shared/corpus/miwg');
})();

const APPROVE = { decision: 'approve', opinion: '同意' };
const FINANCE = { decision: 'approve', opinion: '同意', fundingSource: '区级财政预算资金' };
const EXPERT = (investment: number) => ({ decision: 'approve', opinion: '必要且可行', scores: { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 }, recommendedInvestment: investment });

/**
 * The modeler before a deploy (issue 9 items 4, 6, 9), in a real browser as an administrator: the
 * deploy's own lint rules live on the elements and in a list, the difference from the deployed version,
 * token simulation, a change note, deploy → new version; the server's refusals on the elements;
 * opening .bpmn files — every MIWG diagram among them.
 */
describe('the modeler before a deploy: lint, diff, simulation, import (a real browser)', function () {
  this.timeout(300000);
  const web = browserSuite({ CLOCK: 'manual' });
  const errors: Error[] = [];

  const signIn = async (next: string, viewport = DESKTOP): Promise<Page> => {
    const page = await web.browser.newPage({ viewport });
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`${web.url}/login?next=${encodeURIComponent(next)}`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}${next}`);
    await page.waitForSelector('[data-island="modeler"][data-island-ready="true"]');
    return page;
  };
  const openGroup = async (page: Page, title: string) => {
    const header = page.locator('.bio-properties-panel-group-header').filter({ has: page.locator('.bio-properties-panel-group-header-title', { hasText: new RegExp(`^${title}$`) }) });
    if (!((await header.getAttribute('class')) ?? '').includes('open')) await header.click();
  };
  /** opens a file in the modeler through its 打开 .bpmn 文件 input and waits for the import to finish */
  const importFile = async (page: Page, file: string) => {
    const before = Number((await page.getAttribute('[data-island="modeler"]', 'data-imports')) ?? 0);
    await page.setInputFiles('input[data-action="import"]', file);
    await page.waitForSelector(`[data-island="modeler"][data-imports="${before + 1}"]`);
  };

  // an application through the API as the seeded users, up to the 立项 gateway
  const upload = async (id: number, materialType: string) => {
    const res = await web.t.api
      .post(`/api/projects/${id}/documents`)
      .set('Authorization', `Bearer ${await web.t.token('jyj')}`)
      .field('materialType', materialType)
      .attach('file', Buffer.from(`%PDF-1.4 ${materialType}`), { filename: `${materialType}.pdf`, contentType: 'application/pdf' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  };
  const submit = async (name: string, investment: number) => {
    const created = await web.t.as('jyj').post('/api/projects', draft({ unitCode: 'jyj', name, investment }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    for (const m of ['application-form', 'construction-plan']) await upload(created.body.id, m);
    const res = await web.t.as('jyj').post(`/api/projects/${created.body.id}/submit`);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { code: created.body.code as string, instanceId: res.body.processInstanceId as string };
  };
  /** completes the open task `activityId` as whichever of `users` holds it */
  const complete = async (users: string[], instanceId: string, activityId: string, variables: Record<string, unknown>) => {
    for (const user of users) {
      const tasks = (await web.t.as(user).get(`/api/tasks?processInstanceId=${instanceId}`)).body as { id: number; activityId: string }[];
      const task = tasks.find((x) => x.activityId === activityId);
      if (!task) continue;
      const res = await web.t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
      expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
      return;
    }
    expect.fail(`nobody of ${users.join(', ')} holds ${activityId} in ${instanceId}`);
  };
  /** experts, the technical review round, the annual plan: the instance reaches the 立项 gateway */
  const toProjectApprovalGateway = async (p: { code: string; instanceId: string }, investment: number) => {
    // 第7条(二): the Data Bureau picks the experts, then each signs
    await complete(['sjj'], p.instanceId, 'OrganiseExpertReview', { experts: ['zj1', 'zj2', 'zj3'], opinion: '组织专家评审' });
    for (const expert of ['zj1', 'zj2', 'zj3']) await complete([expert], p.instanceId, 'ExpertReview', EXPERT(investment));
    for (const [user, activityId, vars] of [
      ['sjj', 'TechnicalReview', APPROVE],
      ['wxb', 'SecurityReview', APPROVE],
      ['mmj', 'CryptoReview', APPROVE],
      ['fgw', 'InvestmentReview', APPROVE],
      ['czj', 'FinanceReview', FINANCE],
    ] as const) {
      await complete([user], p.instanceId, activityId, vars);
    }
    const res = await web.t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: p.code, variables: { budgeted: true } });
    expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201, 202]);
    return instance(web.t, p.instanceId);
  };

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
  });
  afterEach(() => {
    const seen = errors.splice(0);
    expect(seen.map((e) => e.message), 'errors in the page').to.deep.equal([]);
  });

  it('application-approval: the 立项 threshold 500000 → 1000000 in the properties panel, the diff listed and marked, deployed with a note; a new 800,000-yuan application skips 立项, one started before keeps its version and reaches it', async () => {
    // given an 800,000-yuan construction application started on version 1
    const v1 = (await web.t.as('admin').get('/api/process-definitions/application-approval')).body as { version: number };
    const older = await submit('旧版本下申报的项目', 800000);

    const page = await signIn('/processes/application-approval/edit');
    // the shipped diagram passes the deploy's lint and does not differ from what is deployed
    await page.waitForSelector('[data-island="modeler"][data-lint-problems="0"]');
    expect(await page.textContent('[data-lint-summary]')).to.contain('检查通过');
    expect(await page.textContent('[data-diff-summary]')).to.contain(`与已部署的 v${v1.version} 相同`);

    // when the administrator selects the flow 50万元以上建设类 and edits its condition in the panel
    await page.click('.djs-element[data-element-id="f_project_approval_label"]');
    await page.waitForFunction(() => document.querySelector('.bio-properties-panel-header')?.textContent?.includes('50万元以上建设类'));
    await openGroup(page, '条件');
    const editor = page.locator('[data-entry-id="conditionExpression"] .cm-content');
    expect(await editor.textContent()).to.contain('investment >= 500000');
    await editor.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Delete');
    await editor.fill('investment >= 1000000 and list contains(["new", "expansion", "renovation", "continuation"], type)');
    await page.click('.djs-element[data-element-id="GwProjectApproval"]');

    // then the diff lists the changed condition, before and after, and marks the flow
    const changed = page.locator('[data-diff] li[data-diff="changed"][data-element-id="f_project_approval"]');
    await changed.waitFor();
    expect(await changed.textContent()).to.contain('修改 顺序流「50万元以上建设类」').and.contain('条件').and.contain('500000').and.contain('1000000');
    expect(await page.textContent('[data-diff-summary]')).to.contain('1 处变更');
    expect(await page.locator('.djs-element[data-element-id="f_project_approval"].diff-changed').count()).to.equal(1);
    expect(await page.getAttribute('[data-island="modeler"]', 'data-lint-problems')).to.equal('0');
    // a click on the entry shows the flow, readable
    await changed.click();
    await page.waitForFunction(() => document.querySelector('.djs-element[data-element-id="f_project_approval"].selected'));
    await shot(page, 'studio-diff');

    // token simulation: switched on, a token is started at the start event; switched off again, editing is back
    await page.click('[data-action="simulate"]');
    expect(await page.getAttribute('[data-action="simulate"]', 'aria-pressed')).to.equal('true');
    expect(await page.locator('.simulation').count()).to.equal(1);
    expect(await page.locator('.djs-palette.hidden').count()).to.equal(1);
    await page.hover('.djs-element[data-element-id="Start"]');
    await page.locator('.djs-overlays[data-container-id="Start"] .bts-context-pad').first().click();
    await page.waitForSelector('.bts-token-count, .bts-token');
    await shot(page, 'studio-simulation');
    await page.click('[data-action="simulate"]');
    expect(await page.getAttribute('[data-action="simulate"]', 'aria-pressed')).to.equal('false');
    expect(await page.locator('.djs-palette.hidden').count()).to.equal(0);

    // deployed with a change note → version 2, listed with its note; the diff now compares with v2
    await page.fill('textarea[name=note]', '立项门槛由50万元调整为100万元');
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-deployed-version]');
    const v2 = Number(await page.getAttribute('[data-island="modeler"]', 'data-deployed-version'));
    expect(v2).to.equal(v1.version + 1);
    expect(await page.textContent('[data-status]')).to.contain(`已部署为 v${v2}`);
    expect(await page.textContent('[data-diff-summary]')).to.contain(`与已部署的 v${v2} 相同`);
    const xml = (await web.t.as('admin').get('/api/process-definitions/application-approval/xml')).text;
    expect(xml).to.contain('investment &gt;= 1000000').and.not.contain('investment &gt;= 500000');
    await page.goto(`${web.url}/processes`);
    expect(await page.locator(`section[data-process="application-approval"] tr[data-version="${v2}"] .note`).textContent()).to.equal('立项门槛由50万元调整为100万元');
    await page.close();

    // a new 800,000-yuan application runs on the new version and skips ProjectApproval
    const newer = await submit('新版本下申报的项目', 800000);
    const after = await toProjectApprovalGateway(newer, 800000);
    expect(after.definitionVersion).to.equal(v2);
    const newerPath = (after.history as { activityId: string }[]).map((h) => h.activityId);
    expect(newerPath).to.include('GwProjectApproval').and.not.include('ProjectApproval');
    // the one started before keeps version 1 and still reaches ProjectApproval
    const old = await toProjectApprovalGateway(older, 800000);
    expect(old.definitionVersion).to.equal(v1.version);
    expect(old.activeActivityIds).to.deep.equal(['ProjectApproval']);
  });

  it('a diagram with an unknown group: the lint error on the element and in the list, live; the deploy button refuses and nothing is deployed', async () => {
    const page = await signIn('/processes/application-approval/edit');
    const before = (await web.t.as('admin').get('/api/process-definitions')).body as { key: string }[];
    await importFile(page, path.join(STUDIO, 'unknown-group.bpmn'));
    expect(await page.getAttribute('[data-island="modeler"]', 'data-import-error')).to.equal(null);
    // the deploy's rule, run in the browser with the organisation's groups from GET /api/groups
    const item = page.locator('[data-lint] li[data-element-id="Register"]');
    await item.waitFor();
    expect(await item.textContent()).to.equal('用户任务「登记」的候选组 "no-such-group" 不存在');
    expect(await page.textContent('[data-lint-summary]')).to.contain('1 个问题');
    // bpmn-js-bpmnlint marks the element itself
    expect(await page.locator('.djs-overlays[data-container-id="Register"] .bjsl-overlay').count()).to.equal(1);
    // shown at the element's own overlay, open: the message in words
    await page.hover('.djs-overlays[data-container-id="Register"] .bjsl-overlay');
    await shot(page, 'studio-lint');
    // the deploy button refuses: the same problem in the refusal list and on the element
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-refused="lint"]');
    expect(await page.textContent('[data-errors]')).to.contain('流程图不可部署');
    expect(await page.locator('[data-problems] li[data-element-id="Register"]').textContent()).to.contain('no-such-group');
    expect(await page.locator('.djs-element[data-element-id="Register"].studio-problem').count()).to.equal(1);
    expect(await page.getAttribute('[data-island="modeler"]', 'data-deployed-version')).to.equal(null);
    const after = (await web.t.as('admin').get('/api/process-definitions')).body as { key: string }[];
    expect(after.map((d) => d.key)).to.deep.equal(before.map((d) => d.key)).and.not.include('studio-imported');

    // mended in the properties panel (a known group): the lint clears and the deploy goes through
    await page.click('.djs-element[data-element-id="Register"]');
    await openGroup(page, '分派');
    await page.fill('#bio-properties-panel-assignmentDefinitionCandidateGroups', 'data-bureau');
    await page.click('.djs-element[data-element-id="Start"]');
    await page.waitForSelector('[data-island="modeler"][data-lint-problems="0"]');
    expect(await page.locator('.djs-overlays[data-container-id="Register"] .bjsl-overlay').count()).to.equal(0);
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-deployed-version]');
    expect((await web.t.as('admin').get('/api/process-definitions/studio-imported')).status).to.equal(200);
    await page.close();
  });

  it('the server’s refusal (a form that does not exist: only the server knows the forms) is listed and shown on the offending element', async () => {
    const page = await signIn('/processes/application-approval/edit');
    await importFile(page, path.join(STUDIO, 'unknown-form.bpmn'));
    await page.waitForSelector('[data-island="modeler"][data-lint-problems="0"]');
    await page.click('[data-action="deploy"]');
    await page.waitForSelector('[data-island="modeler"][data-refused="server"]');
    expect(await page.textContent('[data-problems] h2')).to.contain('服务器拒绝部署');
    expect(await page.locator('[data-problems] li[data-element-id="Register"]').textContent()).to.contain('no-such-form');
    expect(await page.locator('.djs-element[data-element-id="Register"].studio-problem').count()).to.equal(1);
    expect(await page.locator('.studio-problem-badge[data-problem-of="Register"]').count()).to.equal(1);
    await page.close();
  });

  it('exports the draft as .bpmn and opens it again', async () => {
    const page = await signIn('/processes/application-approval/edit');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action="download"]')]);
    expect(download.suggestedFilename()).to.equal('application-approval-draft.bpmn');
    const file = (await download.path())!;
    expect(fs.readFileSync(file, 'utf8')).to.contain('id="application-approval"').and.contain('<bpmndi:BPMNDiagram');
    const copy = path.join(path.dirname(file), 'application-approval-draft.bpmn');
    fs.copyFileSync(file, copy);
    await importFile(page, copy);
    expect(await page.getAttribute('[data-island="modeler"]', 'data-import-error')).to.equal(null);
    expect(await page.getAttribute('[data-island="modeler"]', 'data-diff-entries')).to.equal('0');
    await page.close();
  });

  it('every diagram of the MIWG corpus opens in the modeler without an error', async () => {
    const files = fs.readdirSync(MIWG).filter((f) => f.endsWith('.bpmn')).sort();
    expect(files.length).to.be.greaterThan(20);
    const page = await signIn('/processes/application-approval/edit');
    const failed: string[] = [];
    for (const f of files) {
      await importFile(page, path.join(MIWG, f));
      expect(await page.getAttribute('[data-island="modeler"]', 'data-imported')).to.equal(f);
      const error = await page.getAttribute('[data-island="modeler"]', 'data-import-error');
      if (error !== null) failed.push(`${f}: ${error}`);
      // drawn: at least one shape on the canvas
      expect(await page.locator('.djs-element.djs-shape').count(), f).to.be.greaterThan(0);
    }
    expect(failed).to.deep.equal([]);
    await page.close();
  });

  it('at 390 px the check and the diff stack under the diagram and nothing scrolls sideways', async () => {
    const page = await signIn('/processes/application-approval/edit', PHONE);
    await page.waitForSelector('[data-island="modeler"][data-lint-problems="0"]');
    await noOverflow(page);
    const lint = (await page.locator('[data-lint]').boundingBox())!;
    const diff = (await page.locator('[data-diff]').boundingBox())!;
    expect(diff.y).to.be.greaterThan(lint.y + lint.height - 1);
    await shot(page, 'studio-modeler-phone');
    await page.close();
  });
});
