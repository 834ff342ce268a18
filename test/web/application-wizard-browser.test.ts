import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSuite, noOverflow, shot, signIn as signInAt } from '../support/browser';
import { setClock } from '../support/runtime';


/** 新建申报 and the project page in a real browser: a unit drafts, uploads what the diagram's list requires, submits. */
describe('the application wizard and the project page in a real browser', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  let projectUrl = '';
  const signIn = (username: string, width: number, next: string) => signInAt(web.browser, web.url, username, next, { width, height: width > 800 ? 768 : 844 });

  const upload = async (page: Page, material: string, name: string) => {
    await page.selectOption('select[name=materialType]', material);
    await page.setInputFiles('input[type=file]', { name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4 ${name}`) });
    await Promise.all([page.waitForEvent('load'), page.click('form[data-upload] button[type=submit]')]);
  };

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00'); // the call for 2027 is open (第5条: from July)
  });

  it('a unit user drafts in the wizard (help texts, errors at their fields), sees the materials the diagram requires, uploads them and submits (390 px)', async () => {
    const page = await signIn('rmyy', 390, '/projects');
    await Promise.all([page.waitForURL(`${web.url}/projects/new`), page.click('a[href="/projects/new"]')]);
    await page.waitForSelector('[data-island="wizard"][data-island-ready="true"]');
    expect(await page.textContent('[data-field="type"] .hint')).to.contain('第7条');
    await noOverflow(page);
    // nothing filled: each error at its field
    await page.click('form[data-draft] button[type=submit]');
    for (const f of ['name', 'investment', 'description']) await page.waitForSelector(`[data-field="${f}"] .field-error`);
    // the server's own check at its field (three decimals)
    await page.fill('input[name=name]', '智慧病房建设项目');
    await page.fill('input[name=investment]', '1.234');
    await page.fill('textarea[name=description]', '建设智慧病房，联通区卫健委平台');
    await page.click('form[data-draft] button[type=submit]');
    await page.waitForSelector('[data-field="investment"] .field-error');
    expect(await page.textContent('[data-field="investment"] .field-error')).to.contain('至多两位小数');
    // a good draft: cross-department, with wjw taking part
    await page.fill('input[name=investment]', '300000');
    await page.selectOption('select[name=type]', 'new');
    await page.check('input[name=crossDepartment]');
    await page.check('input[name=participants][value=wjw]');
    await page.fill('textarea[name=existingSystems]', 'HIS\nLIS');
    await shot(page, 'wizard-390');
    await Promise.all([page.waitForURL(/\/projects\/\d+\?saved=1$/), page.click('form[data-draft] button[type=submit]')]);
    projectUrl = new URL(page.url()).pathname;
    await page.waitForSelector('[data-island="project"][data-island-ready="true"]');
    expect(await page.textContent('[data-stage]')).to.equal('草稿');
    // the diagram's list for a new cross-department project
    expect(await page.locator('[data-required] li.missing').count()).to.equal(3);
    expect(await page.textContent('[data-required]')).to.contain('项目计划申报表').and.to.contain('建设方案').and.to.contain('统一系统接口与数据资源目录（跨部门项目）').and.to.contain('第5条');
    await upload(page, 'application-form', '申报表.pdf');
    await upload(page, 'construction-plan', '建设方案.pdf');
    await upload(page, 'interface-and-catalog', '接口目录.pdf');
    expect(await page.locator('[data-required] li.present').count()).to.equal(3);
    await noOverflow(page);
    await shot(page, 'project-draft-390');
    await Promise.all([page.waitForURL(/submitted=1/), page.click('[data-action="submit"]')]);
    expect(await page.textContent('[data-stage]')).to.equal('已申报');
    // a cross-department project: its participating departments confirm the shared content first (第5条第（三）项)
    expect(await page.textContent('#h-progress + ul')).to.contain('项目申报和审批').and.to.contain('参与部门确认共建共享内容（第5条）');
    expect(await page.locator('[data-action="submit"]').count()).to.equal(0);
    await page.close();
  });

  it('the project page at 1366 px for the supervisor, in the list with Chinese labels; refused to another unit (第5条); the wizard is for unit users only', async () => {
    const page = await signIn('wjw', 1366, '/projects');
    const row = (await page.locator('tbody tr').first().textContent())!.replace(/\s+/g, ' ');
    expect(row).to.contain('智慧病房建设项目').and.to.contain('区人民医院').and.to.contain('新建').and.to.contain('30').and.to.contain('已申报');
    await Promise.all([page.waitForURL(`${web.url}${projectUrl}`), page.click('tbody tr a')]);
    expect(await page.textContent('[data-amounts]')).to.contain('30 万元');
    expect(await page.locator('.documents li[data-document-id]').count()).to.equal(3);
    expect(await page.locator('form[data-upload]').count()).to.equal(0);
    await shot(page, 'project-1366');
    await page.close();
    const other = await signIn('jyj', 1366, '/tasks');
    expect((await other.goto(`${web.url}${projectUrl}`))!.status()).to.equal(403);
    expect(await other.textContent('main')).to.contain('第5条');
    await other.close();
    const bureau = await signIn('czj', 1366, '/projects');
    expect(await bureau.locator('a[href="/projects/new"]').count()).to.equal(0);
    expect((await bureau.goto(`${web.url}/projects/new`))!.status()).to.equal(403);
    await bureau.close();
  });
});
