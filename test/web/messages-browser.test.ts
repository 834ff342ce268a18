import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { setClock } from '../support/runtime';

/**
 * 消息 and 修改草稿 in a real browser: a new task's notification appears in the inbox (counted in the
 * navigation), opening it marks it read and lands on the task; 标为已读 by keyboard, 全部已读; cards on a
 * phone. A unit opens its draft from the list, changes a field, uploads a material and submits — the
 * process starts. Nothing here calls the API except to set the scene.
 */
describe('消息 and 修改草稿 in a real browser', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  const signIn = (username: string, viewport = DESKTOP, next = '/tasks') => signInAt(web.browser, web.url, username, next, viewport);

  const upload = async (projectId: number, material: string, name: string) =>
    web.t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await web.t.token('rmyy')}`)
      .field('materialType', material)
      .attach('file', Buffer.from(`%PDF-1.4 ${name}`), { filename: name, contentType: 'application/pdf' });
  /** rmyy submits an application: wjw, its supervising department, gets a 新待办 */
  const submitted = async (name: string) => {
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name }));
    await upload(p.id, 'application-form', '申报书.pdf');
    await upload(p.id, 'construction-plan', '建设方案.pdf');
    const sub = await web.t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    await web.t.gf.outbox.dispatch();
    return p as { id: number };
  };
  const unreadCount = async (page: Page) => ((await page.locator('[data-count="unread"]').count()) ? Number(await page.textContent('[data-count="unread"]')) : 0);

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
  });

  it('a new task\'s notification appears in 消息 with the unread count in the navigation; opening it marks it read and lands on the task (1366 px)', async () => {
    // given an application sent to wjw
    await submitted('消息浏览器测试项目');
    // when wjw looks at the navigation and opens 消息
    const page = await signIn('wjw');
    const unread = await unreadCount(page);
    // on a failure, say where the notification is (not yet sent, withheld, delivered to someone else)
    const why = unread === 1 ? '' : JSON.stringify(await web.t.gf.db.sequelize.query("SELECT o.id, o.channel, o.sentAt, o.attempts, o.lastError, (SELECT COUNT(*) FROM notifications n WHERE n.username = 'wjw') AS wjwNotifications, (SELECT COUNT(*) FROM tasks) AS tasks FROM outbox o", { type: 'SELECT' }).catch((err: Error) => err.message));
    expect(unread, why).to.equal(1);
    await Promise.all([page.waitForURL(`${web.url}/messages`), page.click('nav a[href="/messages"]')]);
    await page.waitForSelector('[data-island="messages"][data-island-ready="true"]');
    // then the 新待办 is there, unread, naming its project
    const row = page.locator('tr[data-kind="task"]').first();
    expect(await row.getAttribute('class')).to.contain('unread');
    const text = (await row.textContent())!.replace(/\s+/g, ' ');
    expect(text).to.contain('新待办').and.to.contain('未读').and.to.contain('主管部门扎口审核').and.to.contain('消息浏览器测试项目');
    await noOverflow(page);
    await shot(page, 'messages-1366');
    // when it is opened
    const href = (await row.locator('a[data-open]').getAttribute('href'))!;
    expect(href).to.match(/^\/tasks\/\d+$/);
    await Promise.all([page.waitForURL(`${web.url}${href}`), row.locator('a[data-open]').click()]);
    // then it lands on the task, and the message is read
    await page.waitForSelector('[data-island="task"][data-island-ready="true"]');
    expect(await unreadCount(page)).to.equal(0);
    await page.goto(`${web.url}/messages`);
    expect(await page.locator('tr[data-kind="task"]').first().getAttribute('class')).not.to.contain('unread');
    await page.close();
  });

  it('标为已读 by keyboard and 全部已读; at 390 px the messages are cards without sideways scrolling', async () => {
    // given three more applications sent to wjw
    for (const name of ['键盘测试项目甲', '键盘测试项目乙', '键盘测试项目丙']) await submitted(name);
    const page = await signIn('wjw', PHONE, '/messages');
    await page.waitForSelector('[data-island="messages"][data-island-ready="true"]');
    expect(await unreadCount(page)).to.equal(3);
    expect(await page.locator('tr.unread').count()).to.equal(3);
    await noOverflow(page);
    await shot(page, 'messages-390');
    // when the first 标为已读 is reached with Tab and pressed with Enter
    await page.focus('tr.unread a[data-open]');
    await page.keyboard.press('Tab'); // the project link
    await page.keyboard.press('Tab'); // 标为已读
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-read'))).to.equal(true);
    await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
    // then one less
    await page.waitForSelector('[data-island="messages"][data-island-ready="true"]');
    expect(await page.locator('tr.unread').count()).to.equal(2);
    expect(await unreadCount(page)).to.equal(2);
    // when 全部已读
    await Promise.all([page.waitForEvent('load'), page.click('button[data-read-all]')]);
    await page.waitForSelector('[data-island="messages"][data-island-ready="true"]');
    expect(await page.locator('tr.unread').count()).to.equal(0);
    expect(await unreadCount(page)).to.equal(0);
    expect(await page.locator('button[data-read-all]').count()).to.equal(0);
    await noOverflow(page);
    await page.close();
  });

  it('修改草稿: the unit opens its draft from the list, changes a field, uploads a material, removes one, and submits — the process starts', async () => {
    // given a draft of rmyy with one material (and a wrong one)
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name: '草稿修改浏览器测试' }));
    await upload(p.id, 'application-form', '申报书.pdf');
    await upload(p.id, 'other', '放错的材料.pdf');
    const page = await signIn('rmyy', PHONE, '/projects');
    // when it is opened from the list
    await Promise.all([page.waitForURL(`${web.url}/projects/${p.id}/edit`), page.click(`tr[data-project-id="${p.id}"] a[data-edit-draft]`)]);
    await page.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    expect(await page.inputValue('input[name=name]')).to.equal('草稿修改浏览器测试');
    expect(await page.locator('[data-required] li.missing').count()).to.equal(1);
    await noOverflow(page);
    await shot(page, 'draft-edit-390');
    // a field changed and saved
    await page.fill('input[name=investment]', '650000');
    await Promise.all([page.waitForURL(/\/edit\?saved=1$/), page.click('form[data-draft] button[type=submit]')]);
    await page.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    expect(await page.inputValue('input[name=investment]')).to.equal('650000');
    // the wrong material removed, the missing one uploaded
    await Promise.all([page.waitForEvent('load'), page.click('li:has-text("放错的材料.pdf") button[data-remove-document]')]);
    await page.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    expect(await page.locator('li[data-document-id]').count()).to.equal(1);
    await page.selectOption('select[name=materialType]', 'construction-plan');
    await page.setInputFiles('input[type=file]', { name: '建设方案.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 建设方案') });
    await Promise.all([page.waitForEvent('load'), page.click('form[data-upload] button[type=submit]')]);
    await page.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    expect(await page.locator('[data-required] li.missing').count()).to.equal(0);
    // a last change, then 提交申报 (which saves it first)
    await page.fill('textarea[name=description]', '建设全院统一的信息平台（修改后）');
    await Promise.all([page.waitForURL(/submitted=1/), page.click('[data-action="submit"]')]);
    // then the process has started on the changed draft
    expect(await page.textContent('[data-stage]')).to.equal('已申报');
    expect(await page.textContent('#h-progress + ul')).to.contain('项目申报和审批').and.to.contain('主管部门扎口审核（第5条）');
    const { body: after } = await web.t.as('rmyy').get(`/api/projects/${p.id}`);
    expect(after.investment).to.equal(650000);
    expect(after.description).to.equal('建设全院统一的信息平台（修改后）');
    expect(after.documents.map((d: { filename: string }) => d.filename)).to.deep.equal(['申报书.pdf', '建设方案.pdf']);
    // and the draft page is closed to it now
    expect(await page.locator('a[data-edit-draft]').count()).to.equal(0);
    await page.close();
  });
});
