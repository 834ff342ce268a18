import { expect } from 'chai';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { deploy, setClock, startInstance, taskOf } from '../support/runtime';


/**
 * The staff workspace in a real browser, as the clerks use it: 待办 / 已办 / 我发起的 / 抄送我的 with their
 * counts, the task page (form-js form, 同意 / 退回 / 不同意 with 审批意见, claim and release, material,
 * the opinions so far) — at 1366 px and at 390 px. Nothing here calls the API except to set the scene.
 */
describe('the staff workspace in a real browser (待办 · 已办 · 我发起的 · 抄送我的 · task page)', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  let project: { id: number; code: string; instanceId: string };
  let review: { instanceId: string; taskId: number };
  const signIn = (username: string, viewport = DESKTOP, next = '/tasks') => signInAt(web.browser, web.url, username, next, viewport);


  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00'); // a Tuesday
    // rmyy applies: the application goes to its supervising department (wjw)
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name: '互联网医院建设项目' }));
    for (const m of ['application-form', 'construction-plan']) {
      await web.t.api
        .post(`/api/projects/${p.id}/documents`)
        .set('Authorization', `Bearer ${await web.t.token('rmyy')}`)
        .field('materialType', m)
        .attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m === 'application-form' ? '申报书' : '建设方案'}.pdf`, contentType: 'application/pdf' });
    }
    const sub = await web.t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    project = { id: p.id, code: p.code, instanceId: sub.body.processInstanceId };
    // a review of the same project for the finance bureau, due in two working days, copied to sjj
    await deploy(web.t, 'workspace.bpmn', ['review-form.form']);
    const started = await startInstance(web.t, 'workspace-review', { businessKey: p.code });
    review = { instanceId: started.id, taskId: (await taskOf(web.t, 'czj', started.id, 'Review')).id };
    await web.t.gf.outbox.dispatch();
  });

  it('待办: project and unit in Chinese, process and step, received and due in Shanghai time, working days left, counts in the navigation; overdue in red; filters; a row opens the task', async () => {
    const page = await signIn('czj');
    expect(await page.textContent('[data-count="todo"]')).to.equal('1');
    const row = page.locator(`tr[data-task-id="${review.taskId}"]`);
    const text = (await row.textContent())!.replace(/\s+/g, ' ');
    expect(text).to.contain('互联网医院建设项目').and.to.contain('区人民医院').and.to.contain('工作台测试审核').and.to.contain('区财政局技术审核');
    expect(text).to.contain('2026年9月15日 10:00').and.to.contain('2026年9月17日 23:59').and.to.contain('2 个工作日');
    expect(await row.getAttribute('class')).not.to.contain('overdue');
    await shot(page, 'todo-1366');
    // three days later it is overdue, in red
    await setClock(web.t, '2026-09-18T10:00:00+08:00');
    await page.reload();
    expect(await row.getAttribute('class')).to.contain('overdue');
    expect(await row.locator('td.left').textContent()).to.contain('已超期 1 个工作日');
    expect(await row.locator('td.left .overdue-tag').evaluate((e) => getComputedStyle(e).color)).to.equal('rgb(200, 30, 30)');
    // filters take effect on change (the list island)
    await page.waitForSelector('[data-island="list"][data-island-ready="true"]');
    await Promise.all([page.waitForURL(/due=soon/), page.selectOption('select[name=due]', 'soon')]);
    expect(await page.locator('tbody tr').count()).to.equal(0);
    await Promise.all([page.waitForURL(/due=overdue/), page.selectOption('select[name=due]', 'overdue')]);
    expect(await page.locator('tbody tr').count()).to.equal(1);
    await Promise.all([page.waitForURL(/process=workspace-review/), page.selectOption('select[name=process]', 'workspace-review')]);
    expect(await page.locator('tbody tr').count()).to.equal(1);
    // the row opens its task
    await page.goto(`${web.url}/tasks`);
    await Promise.all([page.waitForURL(`${web.url}/tasks/${review.taskId}`), page.locator(`tr[data-task-id="${review.taskId}"] td`).nth(2).click()]);
    await page.close();
    await setClock(web.t, '2026-09-15T11:00:00+08:00');
  });

  it('我发起的 and 抄送我的: the unit sees its application where it stands, the copy reaches sjj; another unit sees none of it (第5条)', async () => {
    const unit = await signIn('rmyy', DESKTOP, '/tasks/started');
    const started = (await unit.locator('tbody').textContent())!.replace(/\s+/g, ' ');
    expect(started).to.contain('互联网医院建设项目').and.to.contain('主管部门扎口审核（第5条）').and.to.contain('办理中');
    await unit.close();
    const sjj = await signIn('sjj', DESKTOP, '/tasks/cc');
    expect(await sjj.textContent('[data-count="cc"]')).to.equal('1');
    expect((await sjj.locator('tbody').textContent())!).to.contain('抄送：技术审核已开始').and.to.contain('互联网医院建设项目');
    await sjj.close();
    const other = await signIn('jyj');
    for (const list of ['todo', 'done', 'started', 'cc']) expect(await other.textContent(`[data-count="${list}"]`), list).to.equal('0');
    const refused = await other.goto(`${web.url}/tasks/${review.taskId}`);
    expect(refused!.status()).to.equal(403);
    expect(await other.textContent('main')).to.contain('第5条');
    await other.close();
  });

  it('task page at 390 px: summary, form-js form, documents, claim and release, the server’s field error at the field and its rule refusal as it is; 同意 completes (post-redirect-get) and lands in 已办', async () => {
    const page = await signIn('czj', PHONE, `/tasks/${review.taskId}`);
    await page.waitForSelector('[data-island="task"][data-island-ready="true"]');
    await noOverflow(page);
    expect(await page.textContent('[data-project-name]')).to.contain('互联网医院建设项目');
    expect(await page.locator('.documents li').count()).to.equal(2);
    expect(await page.getAttribute('.documents li a', 'href')).to.match(new RegExp(`^/api/projects/${project.id}/documents/\\d+$`));
    expect(await page.textContent('[data-assignee]')).to.contain('未签收').and.to.contain('区财政局');
    // claim, release, claim again (a group task)
    await Promise.all([page.waitForEvent('load'), page.click('[data-action="claim"]')]);
    expect(await page.textContent('[data-assignee]')).to.contain('区财政局 审核员');
    await Promise.all([page.waitForEvent('load'), page.click('[data-action="release"]')]);
    expect(await page.textContent('[data-assignee]')).to.contain('未签收');
    await Promise.all([page.waitForEvent('load'), page.click('[data-action="claim"]')]);
    await page.waitForSelector('[data-island="task"][data-island-ready="true"]');
    // the form deployed with the diagram, through the form-js viewer; decision and opinion are the page's own box
    await page.waitForSelector('.fjs-form');
    expect(await page.locator('.fjs-form-field-number input').count()).to.equal(1);
    expect(await page.locator('.fjs-form textarea').count()).to.equal(0);
    expect(await page.locator('[data-decision]').allTextContents()).to.deep.equal(['通过', '退回', '不通过']);
    await noOverflow(page);
    await shot(page, 'task-390');
    // 同意 without an opinion: the server's message at the opinion box
    await page.click('[data-decision="approve"]');
    await page.waitForSelector('[data-field="opinion"] .field-error');
    expect(await page.getAttribute('textarea[name=opinion]', 'aria-invalid')).to.equal('true');
    // a common phrase, a low score: the rule's refusal as the server wrote it (第7条)
    await page.click('[data-phrase="经审核，材料齐全，符合要求，同意。"]');
    expect(await page.inputValue('textarea[name=opinion]')).to.equal('经审核，材料齐全，符合要求，同意。');
    await page.fill('.fjs-form-field-number input', '2');
    await page.click('[data-decision="approve"]');
    await page.waitForSelector('[data-errors]:not([hidden])');
    expect(await page.textContent('[data-errors]')).to.contain('不符合第7条：评分低于 3 分的项目不得同意');
    // the completion guard holds: only form fields may be set
    const stray = await web.t.as('czj').post(`/api/tasks/${review.taskId}/complete`, { variables: { decision: 'approve', opinion: 'x', score: 4, stage: 'approved' } });
    expect(stray.status).to.equal(422);
    // a good score: completed, back to the list with a notice
    await page.fill('.fjs-form-field-number input', '4');
    await Promise.all([page.waitForURL(/\/tasks\?completed=/), page.click('[data-decision="approve"]')]);
    expect(await page.textContent('.notice')).to.contain('任务已办理完成');
    expect(await page.textContent('[data-count="done"]')).to.equal('1');
    await page.goto(`${web.url}/tasks/done`);
    expect((await page.locator('tbody').textContent())!).to.contain('区财政局技术审核').and.to.contain('同意');
    await noOverflow(page);
    await shot(page, 'done-390');
    await page.close();
  });

  it('the supervisor reads every earlier opinion in order and returns the application; the unit reads why and adds material on its own step', async () => {
    await setClock(web.t, '2026-09-15T14:30:00+08:00');
    const endorse = await taskOf(web.t, 'wjw', project.instanceId, 'SupervisorEndorsement');
    const page = await signIn('wjw', DESKTOP, `/tasks/${endorse.id}`);
    await page.waitForSelector('[data-island="task"][data-island-ready="true"]');
    const opinions = page.locator('[data-opinion]');
    expect(await opinions.count()).to.equal(1);
    const first = (await opinions.first().textContent())!.replace(/\s+/g, ' ');
    expect(first).to.contain('区财政局技术审核').and.to.contain('同意').and.to.contain('经审核，材料齐全，符合要求，同意。').and.to.contain('区财政局 审核员').and.to.contain('2026年9月15日 11:00');
    await shot(page, 'task-1366');
    // 退回 with an opinion
    await page.fill('textarea[name=opinion]', '请补充网络和数据安全方案。');
    await Promise.all([page.waitForURL(/\/tasks\?completed=/), page.click('[data-decision="return"]')]);
    await page.close();

    const revise = await taskOf(web.t, 'rmyy', project.instanceId, 'ReviseApplication');
    const unit = await signIn('rmyy', PHONE, `/tasks/${revise.id}`);
    await unit.waitForSelector('[data-island="task"][data-island-ready="true"]');
    const all = (await unit.locator('[data-opinion]').allTextContents()).map((x) => x.replace(/\s+/g, ' '));
    expect(all).to.have.length(2);
    expect(all[1]).to.contain('主管部门扎口审核（第5条）').and.to.contain('退回修改').and.to.contain('请补充网络和数据安全方案。').and.to.contain('2026年9月15日 14:30');
    expect(await unit.textContent('.return-reasons')).to.contain('请补充网络和数据安全方案。');
    // the unit's own step asks for material: limits shown before upload, the file lands in the list
    expect(await unit.textContent('form[data-upload]')).to.contain('10 MB');
    await unit.selectOption('select[name=materialType]', 'security-plan');
    await unit.setInputFiles('input[type=file]', { name: '安全方案.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 安全方案') });
    await Promise.all([unit.waitForEvent('load'), unit.click('form[data-upload] button[type=submit]')]);
    expect(await unit.locator('.documents li').count()).to.equal(3);
    expect(await unit.textContent('.documents')).to.contain('安全方案.pdf').and.to.contain('网络和数据安全方案');
    // an executable named .pdf: the server's refusal as it is
    await unit.setInputFiles('input[type=file]', { name: '病毒.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff', 'latin1') });
    await unit.click('form[data-upload] button[type=submit]');
    await unit.waitForSelector('[data-errors]:not([hidden])');
    expect((await unit.textContent('[data-errors]'))!.length).to.be.greaterThan(4);
    await noOverflow(unit);
    await unit.close();
  });
});
