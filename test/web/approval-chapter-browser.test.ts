import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { OperationLogModel } from '../../src/persistence/models/runtime.model';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { instance, setClock } from '../support/runtime';
import { decide, openTodo as openTodoAt, operate, ready, submit } from '../support/task-page';

/**
 * The application and approval chapter (processes/application-approval.bpmn) done in the browser alone
 * (issue 8, Tests): 区人民医院 drafts in 新建申报, uploads the materials and submits; 区卫健委 endorses,
 * withdraws it from 已办 (撤回) and endorses again; 区数据局 picks three experts and copies the task to
 * 区发展改革委 (抄送我的); the experts sign (会签); the parallel reviews — 区委网信办 转办s to the
 * administrator who approves, 区财政局 加签s 区审计局 who signs first, 区发展改革委 委派s and completes
 * when it comes back, 区数据局 returns with an opinion; the unit reads that opinion on its own task page
 * and resubmits; 区数据局's recheck 退回s to the revision step, then approves the second resubmission;
 * the second technical round, 区管委会 (计划外, 第8条) and 区发展改革委 立项 (第9条) approve: approved.
 * The API is only used to set the clock, to let the outbox run and to read the final state.
 */
describe('the application and approval chapter in a real browser (one project, every step)', function () {
  this.timeout(600000);
  const pages = new Map<string, Page>();
  // the pages close before the browser does
  const web = browserSuite({ CLOCK: 'manual' }, {
    beforeClose: async () => {
      for (const p of pages.values()) await p.close();
    },
  });
  /** one signed-in desktop page per user, reused */
  const as = async (username: string) => {
    let p = pages.get(username);
    if (!p) pages.set(username, (p = await signInAt(web.browser, web.url, username, '/tasks', DESKTOP)));
    return p;
  };
  const openTodo = (page: Page, step: string) => openTodoAt(page, web.url, step);
  const stageOn = async (page: Page, projectPath: string) => {
    await page.goto(`${web.url}${projectPath}`);
    return (await page.textContent('[data-stage]'))!.trim();
  };

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00'); // a Tuesday; the call for 2027 is open (第5条)
  });

  it('drafts, endorses, reviews, returns, revises, rechecks and approves — every step on the pages', async () => {
    // 1. 区人民医院 drafts in the wizard (an out-of-plan emergency project over 50万: 第8条 and 第9条 apply)
    const rmyy = await as('rmyy');
    await rmyy.goto(`${web.url}/projects`);
    await Promise.all([rmyy.waitForURL(`${web.url}/projects/new`), rmyy.click('a[href="/projects/new"]')]);
    await rmyy.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    await rmyy.fill('input[name=name]', '区人民医院应急指挥系统建设项目');
    await rmyy.selectOption('select[name=type]', 'new');
    await rmyy.fill('input[name=investment]', '800000');
    await rmyy.uncheck('input[name=inAnnualPlan]');
    await rmyy.selectOption('select[name=outOfPlanCategory]', 'emergency');
    await rmyy.fill('textarea[name=existingSystems]', 'HIS\n急救调度系统'); // 第6条: the systems it joins or replaces
    await rmyy.fill('textarea[name=description]', '建设突发公共卫生事件应急指挥系统，联通区卫健委平台');
    await noOverflow(rmyy);
    await shot(rmyy, 'chapter-wizard-1366');
    await Promise.all([rmyy.waitForURL(/\/projects\/\d+\?saved=1$/), rmyy.click('form[data-draft] button[type=submit]')]);
    const projectPath = new URL(rmyy.url()).pathname;
    const projectId = Number(projectPath.split('/').pop());
    await rmyy.waitForSelector('[data-island="project"][data-island-ready="true"]');
    expect(await rmyy.textContent('[data-stage]')).to.equal('草稿');
    expect(await rmyy.locator('[data-required] li.missing').count()).to.equal(2);
    for (const [material, name] of [['application-form', '申报表.pdf'], ['construction-plan', '建设方案.pdf']]) {
      await rmyy.selectOption('select[name=materialType]', material);
      await rmyy.setInputFiles('input[type=file]', { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${name}`) });
      await Promise.all([rmyy.waitForEvent('load'), rmyy.click('form[data-upload] button[type=submit]')]);
    }
    expect(await rmyy.locator('[data-required] li.present').count()).to.equal(2);
    await Promise.all([rmyy.waitForURL(/submitted=1/), rmyy.click('[data-action="submit"]')]);
    expect(await rmyy.textContent('[data-stage]'), (await rmyy.textContent('main'))!.replace(/\s+/g, ' ')).to.equal('已申报');
    expect(await rmyy.textContent('#h-progress + ul')).to.contain('主管部门扎口审核（第5条）');
    // the wizard at phone width (a second draft is not saved: only the page is looked at)
    const phoneWizard = await signInAt(web.browser, web.url, 'rmyy', '/projects/new', PHONE);
    await phoneWizard.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    await noOverflow(phoneWizard);
    await shot(phoneWizard, 'chapter-wizard-390');
    await phoneWizard.close();

    // 2. 区卫健委 endorses (同意 with an opinion), takes it back from 已办 (撤回) and endorses again
    const wjw = await as('wjw');
    const endorseId = await openTodo(wjw, '主管部门扎口审核');
    expect(await wjw.textContent('[data-project-name]')).to.contain('区人民医院应急指挥系统建设项目');
    await decide(wjw, 'approve', '同意报送，请区数据局审核。');
    await wjw.goto(`${web.url}/tasks/done`);
    await wjw.waitForSelector('[data-island="list"][data-island-ready="true"]');
    expect(await wjw.textContent('tbody')).to.contain('主管部门扎口审核');
    await Promise.all([wjw.waitForURL(/op=withdraw/), wjw.click(`button[data-row-op="withdraw"][data-task-id="${endorseId}"]`)]);
    expect(await wjw.textContent('[data-notice]')).to.contain('已撤回');
    await ready(wjw);
    expect(await wjw.textContent('[data-project-name]')).to.contain('区人民医院应急指挥系统建设项目');
    await decide(wjw, 'approve', '经复核，同意报送。');

    // 3. 区数据局 picks the three experts (form checklist) and copies the task to 区发展改革委
    const sjj = await as('sjj');
    await openTodo(sjj, '区数据局组织专家评审');
    expect((await sjj.locator('[data-opinion]').allTextContents()).join(' ')).to.contain('经复核，同意报送。');
    await operate(sjj, 'cc', { cc: ['fgw'], opinion: '请发改委提前了解本项目' }, /op=cc/);
    expect(await sjj.textContent('[data-notice]')).to.contain('已抄送');
    await ready(sjj);
    await sjj.waitForSelector('.fjs-form-field-checklist');
    for (const name of ['评审专家 一', '评审专家 二', '评审专家 三']) await sjj.locator('.fjs-form').getByLabel(name, { exact: true }).check();
    await submit(sjj);
    await web.t.gf.outbox.dispatch();
    const fgw = await as('fgw');
    await fgw.goto(`${web.url}/tasks/cc`);
    expect(await fgw.textContent('[data-count="cc"]')).to.equal('1');
    expect(await fgw.textContent('tbody')).to.contain('区人民医院应急指挥系统建设项目').and.to.contain('请发改委提前了解本项目');

    // 4. the three experts each sign their review (会签)
    for (const [zj, score, amount] of [['zj1', '5', '700000'], ['zj2', '4', '650000'], ['zj3', '4', '750000']] as const) {
      const p = await as(zj);
      await openTodo(p, '专家评审');
      await p.waitForSelector('.fjs-form');
      for (const label of ['必要性（1–5）', '紧迫性（1–5）', '可行性（1–5）', '安全性（1–5）', '集约性（1–5）']) await p.locator('.fjs-form').getByLabel(label).fill(score);
      await p.locator('.fjs-form').getByLabel('建议投资金额（元）').fill(amount);
      await decide(p, 'approve', `${zj}：建设必要，方案可行。`);
    }
    expect(await stageOn(rmyy, projectPath)).to.equal('已申报');

    // 5. the parallel reviews
    // 转办: 区委网信办 (one user in its group) gives its review to the administrator, who approves
    const wxb = await as('wxb');
    await openTodo(wxb, '区委网信办网络和数据安全审核');
    await operate(wxb, 'transfer', { to: 'admin', opinion: '请管理员代为审核' }, /\/tasks\?op=transfer/);
    expect(await wxb.textContent('[data-notice]')).to.contain('已转办');
    const admin = await as('admin');
    await openTodo(admin, '区委网信办网络和数据安全审核');
    expect(await admin.textContent('[data-trail]')).to.contain('转办').and.to.contain('请管理员代为审核');
    await decide(admin, 'approve', '网络和数据安全方案可行，同意。');
    // 加签: 区财政局 asks 区审计局 to sign first; completing before the signature is refused in place
    const czj = await as('czj');
    const financeId = await openTodo(czj, '区财政局审核资金来源');
    await operate(czj, 'add-signer', { to: 'sjju', opinion: '请审计局会签' }, /op=add-signer/);
    expect(await czj.textContent('[data-notice]')).to.contain('已加签');
    await ready(czj);
    const pickFunding = async () => {
      await czj.waitForSelector('.fjs-form-field-select');
      await czj.locator('.fjs-form-field-select .fjs-input-group').click();
      await czj.locator('.fjs-dropdownlist-item', { hasText: '区级财政预算资金' }).first().click();
    };
    await pickFunding();
    await czj.fill('textarea[name=opinion]', '资金来源为区级财政预算资金，同意。');
    await czj.click('[data-decision="approve"]');
    await czj.waitForSelector('[data-errors]:not([hidden])');
    expect(await czj.textContent('[data-errors]')).to.contain('尚未签署');
    const sjju = await as('sjju');
    await openTodo(sjju, '区财政局审核资金来源');
    await operate(sjju, 'sign', { opinion: '资金安排合规' }, /op=sign/);
    expect(await sjju.textContent('[data-signers]')).to.contain('资金安排合规').and.to.contain('已签署');
    await czj.goto(`${web.url}/tasks/${financeId}`);
    await ready(czj);
    await pickFunding();
    await decide(czj, 'approve', '资金来源为区级财政预算资金，同意。');
    // 委派: 区发展改革委 has the administrator work on it; it comes back, 区发展改革委 completes
    await openTodo(fgw, '区发展改革委审核投资规模');
    await operate(fgw, 'delegate', { to: 'admin', opinion: '请代为核算投资规模' }, /op=delegate/);
    await openTodo(admin, '区发展改革委审核投资规模');
    expect(await admin.textContent('[data-delegation]')).to.contain('委派您办理');
    await decide(admin, 'approve', '投资规模核算无误。');
    await openTodo(fgw, '区发展改革委审核投资规模');
    expect(await fgw.textContent('[data-trail]')).to.contain('委派办理完毕');
    await decide(fgw, 'approve', '投资规模合理，同意。');
    // 区国家密码管理局 approves; 区数据局's technical review returns it with an opinion
    const mmj = await as('mmj');
    await openTodo(mmj, '区国家密码管理局密码应用审核');
    await decide(mmj, 'approve', '密码应用方案符合要求。');
    const returnOpinion = '请补充应急指挥系统与区卫健委平台的数据共享清单。';
    await openTodo(sjj, '区数据局技术审核');
    await shot(sjj, 'chapter-task-1366');
    await decide(sjj, 'return', returnOpinion);

    // 6. the unit reads the opinion on its revision step, revises and resubmits; the inbox has the return
    await web.t.gf.outbox.dispatch();
    expect(await stageOn(rmyy, projectPath)).to.equal('退回修改中');
    await openTodo(rmyy, '项目单位修改完善申报');
    expect(await rmyy.textContent('.return-reasons')).to.contain(returnOpinion);
    expect((await rmyy.locator('[data-opinion]').allTextContents()).join(' ')).to.contain(returnOpinion);
    const phoneTask = await signInAt(web.browser, web.url, 'rmyy', new URL(rmyy.url()).pathname, PHONE);
    await ready(phoneTask);
    await noOverflow(phoneTask);
    await shot(phoneTask, 'chapter-task-390');
    await phoneTask.goto(`${web.url}/messages`);
    expect(await phoneTask.textContent('main')).to.contain(returnOpinion);
    await noOverflow(phoneTask);
    await shot(phoneTask, 'chapter-inbox-390');
    await phoneTask.close();
    await rmyy.goto(`${web.url}/messages`);
    await shot(rmyy, 'chapter-inbox-1366');
    await openTodo(rmyy, '项目单位修改完善申报');
    await rmyy.locator('.fjs-form').getByLabel('修改说明').fill('已补充数据共享清单。');
    await submit(rmyy);
    expect(await stageOn(rmyy, projectPath)).to.equal('已申报'); // back with the Data Bureau (ReloadApplication)

    // 7. the recheck: first 退回 to the revision step (the operation), then approve the second resubmission
    await openTodo(sjj, '区数据局审核修改稿');
    await operate(sjj, 'return', { toActivityId: 'ReviseApplication', opinion: '共享清单缺少字段说明，请补充。' }, /\/tasks\?op=return/);
    expect(await sjj.textContent('[data-notice]')).to.contain('已退回');
    await openTodo(rmyy, '项目单位修改完善申报');
    expect(await rmyy.textContent('[data-trail]')).to.contain('共享清单缺少字段说明，请补充。');
    await rmyy.locator('.fjs-form').getByLabel('修改说明').fill('已补充字段说明。');
    await submit(rmyy);
    await sjj.goto(`${web.url}/tasks`);
    expect(await sjj.textContent('[data-count="todo"]')).to.equal('1');
    await openTodo(sjj, '区数据局审核修改稿');
    await decide(sjj, 'approve', '修改稿符合要求，同意。');
    // the second technical round: each approves
    for (const [user, step] of [['sjj', '区数据局技术审核'], ['wxb', '区委网信办网络和数据安全审核'], ['mmj', '区国家密码管理局密码应用审核'], ['fgw', '区发展改革委审核投资规模']] as const) {
      const p = await as(user);
      await openTodo(p, step);
      await decide(p, 'approve', '修改稿同意。');
    }
    await openTodo(czj, '区财政局审核资金来源');
    await pickFunding();
    await decide(czj, 'approve', '修改稿同意。');
    // 计划外 (第8条): 区管委会 approves; 立项 (第9条): 区发展改革委 approves with the design approval date
    const gwh = await as('gwh');
    await openTodo(gwh, '区管委会审批计划外项目');
    await decide(gwh, 'approve', '同意作为计划外项目实施。');
    await openTodo(fgw, '区发展改革委立项审批');
    const date = fgw.locator('.fjs-form-field-datetime input.flatpickr-input');
    await date.fill('09/15/2026');
    await date.press('Enter');
    await decide(fgw, 'approve', '同意立项。');

    // the end: approved (批准实施) and handed to the implementation chapter — the project page says so,
    // with the experts' mean as the approved amount, and so do the API and the instance
    expect(await stageOn(rmyy, projectPath)).to.equal('实施中');
    expect(await rmyy.textContent('[data-amounts]')).to.contain('70 万元');
    const project = (await web.t.as('rmyy').get(`/api/projects/${projectId}`)).body;
    expect(project.stage).to.equal('implementing');
    const list = (await web.t.as('admin').get(`/api/process-instances?definitionKey=application-approval&businessKey=${encodeURIComponent(project.code)}`)).body as { id: string }[];
    expect(list).to.have.length(1);
    const inst = await instance(web.t, list[0].id);
    expect(inst.state).to.equal('completed');
    expect(inst.variables).to.include({ supervisorDecision: 'approve', recheckDecision: 'approve', technicalDecision: 'approve', outOfPlanDecision: 'approve', projectApprovalDecision: 'approve', designApprovedAt: '2026-09-15' });
    expect(inst.variables.experts).to.deep.equal(['zj1', 'zj2', 'zj3']);
    // 会签: each signer's review is kept
    expect((inst.variables.expertReviews as { expert: string; decision: string; opinion: string }[]).map((r) => `${r.expert}:${r.decision}:${r.opinion}`)).to.have.members(['zj1:approve:zj1：建设必要，方案可行。', 'zj2:approve:zj2：建设必要，方案可行。', 'zj3:approve:zj3：建设必要，方案可行。']);
    expect(inst.activeActivityIds).to.deep.equal([]);
    // who did each user task, in order (the history): the withdrawn endorsement and both revisions are there
    const done = (inst.history as { activityId: string; type: string; actor: string | null; endedAt: string | null }[]).filter((h) => h.type === 'bpmn:UserTask' && h.endedAt);
    const actors = (id: string) => done.filter((h) => h.activityId === id).map((h) => h.actor);
    expect(actors('SupervisorEndorsement')).to.deep.equal(['wjw', 'wjw']);
    expect(actors('SecurityReview')).to.deep.equal(['admin', 'wxb']);
    expect(actors('InvestmentReview')).to.deep.equal(['fgw', 'fgw']);
    expect(actors('ReviseApplication')).to.deep.equal(['rmyy', 'rmyy']);
    expect(actors('DataBureauRecheck')).to.deep.equal(['sjj', 'sjj']); // returned (the operation), then approved
    expect(actors('ProjectApproval')).to.deep.equal(['fgw']);
    // and each operation in the operation log, with its actor and opinion
    const ops = (await OperationLogModel.findAll({ where: { instanceId: list[0].id }, order: [['id', 'ASC']] })).map((o) => `${o.operation}:${o.actor}:${String((o.data ?? {}).opinion ?? '')}`);
    expect(ops).to.include.members([
      'task-withdrawn:wjw:',
      'cc:sjj:请发改委提前了解本项目',
      'transfer:wxb:请管理员代为审核',
      'add-signer:czj:请审计局会签',
      'sign:sjju:资金安排合规',
      'delegate:fgw:请代为核算投资规模',
      'task-returned:sjj:共享清单缺少字段说明，请补充。',
    ]);
    expect(ops.filter((o) => o.startsWith('resolve:admin'))).to.have.length(1);
  });
});
