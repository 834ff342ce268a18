import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { deploy, setClock, startInstance } from '../support/runtime';
import { openTodo as openTodoAt, operate, ready, submit } from '../support/task-page';

/**
 * The approval operations in a real browser, through the pages only (issue 8 item 3): a reviewer 转办s,
 * another 加签s and the signer 签署s, an expert 委派s and the delegate hands it back, a completed step is
 * 撤回-ed from 已办 and redone, the leader 抄送s (it shows in 抄送我的) and 退回s to an earlier step, the
 * unit 催办s from its project page. Screenshots of the task page with its operations at both widths.
 */
describe('approval operations in a real browser (转办 · 加签 · 委派 · 撤回 · 抄送 · 退回 · 催办)', function () {
  this.timeout(240000);
  const web = browserSuite({ CLOCK: 'manual' });
  let projectId: number;
  const signIn = (username: string, next = '/tasks', viewport = DESKTOP) => signInAt(web.browser, web.url, username, next, viewport);

  before(async () => {
    await setClock(web.t, '2026-10-12T09:00:00+08:00');
    // the scene: a project of 区人民医院 whose review runs on the operations diagram
    await deploy(web.t, 'approval-operations.bpmn');
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name: '智慧病房建设项目' }));
    projectId = p.id;
    await startInstance(web.t, 'ops-chain', { businessKey: p.code, variables: { experts: ['zj1', 'zj2'] } });
  });

  const openTodo = (page: Page, step: string) => openTodoAt(page, web.url, step);

  it('runs every operation from the pages', async () => {
    // the unit submits its step
    const rmyy = await signIn('rmyy');
    await openTodo(rmyy, '单位申报');
    await submit(rmyy);

    // 转办: 区数据局 gives its review to 区发展改革委
    const sjj = await signIn('sjj');
    await openTodo(sjj, '区数据局审核');
    await operate(sjj, 'transfer', { to: 'fgw', opinion: '请发改委办理' }, /\/tasks\?op=transfer/);
    expect(await sjj.textContent('[data-notice]')).to.contain('已转办');

    // fgw completes it, takes it back from 已办 (撤回) while 区财政局 has not looked, and redoes it
    const fgw = await signIn('fgw');
    const reviewId = await openTodo(fgw, '区数据局审核');
    expect(await fgw.textContent('[data-trail]')).to.contain('转办').and.to.contain('请发改委办理');
    await submit(fgw);
    await fgw.goto(`${web.url}/tasks/done`);
    await fgw.waitForSelector('[data-island="list"][data-island-ready="true"]');
    const withdraw = fgw.locator(`button[data-row-op="withdraw"][data-task-id="${reviewId}"]`);
    await Promise.all([fgw.waitForURL(/op=withdraw/), withdraw.click()]);
    expect(await fgw.textContent('[data-notice]')).to.contain('已撤回');
    await ready(fgw);
    await submit(fgw);

    // 加签: 区财政局 asks 区审计局 to sign first; completing before the signature is refused in place
    const czj = await signIn('czj');
    const financeId = await openTodo(czj, '区财政局审核');
    await shot(czj, 'task-operations-1366');
    await operate(czj, 'add-signer', { to: 'sjju', opinion: '请审计局会签' }, /op=add-signer/);
    expect(await czj.textContent('[data-notice]')).to.contain('已加签');
    await ready(czj);
    await czj.click('[data-action="complete"]');
    await czj.waitForSelector('[data-errors]:not([hidden])');
    expect(await czj.textContent('[data-errors]')).to.contain('尚未签署');
    // the signer finds it in 待办 and signs
    const sjju = await signIn('sjju');
    await openTodo(sjju, '区财政局审核');
    await operate(sjju, 'sign', { opinion: '资金安排合规' }, /op=sign/);
    expect(await sjju.textContent('[data-signers]')).to.contain('资金安排合规').and.to.contain('已签署');
    await czj.goto(`${web.url}/tasks/${financeId}`);
    await ready(czj);
    await submit(czj);

    // 委派: an expert has a colleague work on his signature; it comes back to him, he completes it
    const zj1 = await signIn('zj1');
    await openTodo(zj1, '专家会签');
    await operate(zj1, 'delegate', { to: 'zj3', opinion: '请代为审阅' }, /op=delegate/);
    const zj3 = await signIn('zj3');
    await openTodo(zj3, '专家会签');
    expect(await zj3.textContent('[data-delegation]')).to.contain('委派您办理');
    await submit(zj3);
    await openTodo(zj1, '专家会签');
    expect(await zj1.textContent('[data-trail]')).to.contain('委派办理完毕');
    await submit(zj1);
    const zj2 = await signIn('zj2');
    await openTodo(zj2, '专家会签');
    await submit(zj2);

    // 抄送 to the unit, then 退回 to the finance step
    const gwh = await signIn('gwh');
    await openTodo(gwh, '区管委会审定');
    await operate(gwh, 'cc', { cc: ['rmyy'], opinion: '请单位知悉' }, /op=cc/);
    expect(await gwh.textContent('[data-notice]')).to.contain('已抄送');
    await ready(gwh);
    await operate(gwh, 'return', { toActivityId: 'Finance', opinion: '资金来源需重新确认' }, /\/tasks\?op=return/);
    expect(await gwh.textContent('[data-notice]')).to.contain('已退回');

    // the copy is in the unit's 抄送我的
    await web.t.gf.outbox.dispatch();
    await rmyy.goto(`${web.url}/tasks/cc`);
    expect(await rmyy.textContent('[data-count="cc"]')).to.equal('1');
    expect(await rmyy.textContent('tbody')).to.contain('抄送：区管委会审定').and.to.contain('请单位知悉');

    // the finance step is back in 区财政局's 待办; the unit urges it from its project page
    await czj.goto(`${web.url}/tasks`);
    expect(await czj.locator('tr[data-task-id]', { hasText: '区财政局审核' }).count()).to.equal(1);
    await rmyy.goto(`${web.url}/projects/${projectId}`);
    await rmyy.waitForSelector('[data-island="project"][data-island-ready="true"]');
    await rmyy.click('button[data-row-op="urge"]');
    await rmyy.waitForSelector('.row-result:has-text("已催办")');
    await rmyy.reload();
    await rmyy.waitForSelector('[data-island="project"][data-island-ready="true"]');
    await rmyy.click('button[data-row-op="urge"]');
    await rmyy.waitForSelector('.row-result.field-error');
    expect(await rmyy.textContent('.row-result.field-error')).to.contain('每小时最多催办一次');

    // the task page with its operations at phone width: nothing overflows, the forms unfold in place
    const phone = await signIn('czj', '/tasks', PHONE);
    await openTodo(phone, '区财政局审核');
    for (const s of await phone.locator('details.op summary').all()) await s.click();
    await noOverflow(phone);
    await shot(phone, 'task-operations-390');
    // and the English switch names the operations too
    await phone.goto(`${phone.url()}?lang=en`);
    expect(await phone.textContent('[data-operations] h2')).to.equal('Operations');
    expect(await phone.locator('details.op summary').allTextContents()).to.include.members(['Transfer', 'Delegate', 'Add signer', 'Return to an earlier step', 'Copy to']);
    for (const p of [rmyy, sjj, fgw, czj, sjju, zj1, zj2, zj3, gwh, phone]) await p.close();
  });
});
