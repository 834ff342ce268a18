import { expect } from 'chai';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { setClock } from '../support/runtime';

/**
 * 第5条第（一）项 申报批次 page (/application-batches): the Data Bureau lists the batches with their Chinese
 * dates and status, opens one with the form (errors on the page) and closes it; a unit reads the list
 * without the form or the 关闭 buttons; at 1366 px and 390 px.
 */
describe('申报批次 page in a real browser (第5条第（一）项)', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  const signIn = (username: string, next: string, viewport?: { width: number; height: number }) => signInAt(web.browser, web.url, username, next, viewport);

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
  });

  for (const [label, viewport] of [['1366', DESKTOP], ['390', PHONE]] as const) {
    it(`the Data Bureau opens a batch and closes it (${label} px)`, async () => {
      const year = label === '1366' ? 2032 : 2033;
      const name = `${year}年度补充申报`;
      const page = await signIn('sjj', '/tasks', viewport);
      // the navigation leads there (on a phone the menu may wrap; the link is in the page either way)
      await page.goto(`${web.url}/application-batches`);
      expect(await page.locator('nav a[href="/application-batches"]').count()).to.equal(1);
      // the seeded batches, in Chinese with their status
      const seeded = page.locator('tr', { hasText: '2027年度项目集中申报' });
      expect(await seeded.textContent()).to.contain('2026年7月1日').and.contain('2026年12月31日').and.contain('进行中');
      expect(await page.locator('tr', { hasText: '2026年度项目集中申报' }).textContent()).to.contain('已结束');
      // a last day before the first: refused on the page, the form kept
      await page.fill('#batch-name', name);
      await page.fill('#batch-year', String(year));
      await page.fill('#batch-opens', '2026-09-20');
      await page.fill('#batch-closes', '2026-09-10');
      await Promise.all([page.waitForLoadState('load'), page.click('.batch-form button[type="submit"]')]);
      expect(await page.textContent('.batch-form .alert')).to.contain('截止日期不能早于开始日期');
      expect(await page.inputValue('#batch-name')).to.equal(name);
      // corrected: opened, listed as 未开始
      await page.fill('#batch-closes', '2026-10-31');
      await Promise.all([page.waitForURL(/saved=\d+/), page.click('.batch-form button[type="submit"]')]);
      expect(await page.textContent('p.notice')).to.contain(name);
      const row = page.locator('tr', { hasText: name });
      expect(await row.textContent()).to.contain('2026年9月20日').and.contain('2026年10月31日').and.contain('未开始');
      await noOverflow(page);
      await shot(page, `application-batches-${label}`);
      // closed with its 关闭 button
      await Promise.all([page.waitForURL(/closed=\d+/), row.locator('button.close-batch').click()]);
      expect(await page.locator('tr', { hasText: name }).textContent()).to.contain('已关闭');
      expect(await page.locator('tr', { hasText: name }).locator('button.close-batch').count()).to.equal(0);
      const listed = (await web.t.as('sjj').get('/api/application-batches')).body as { name: string; status: string }[];
      expect(listed.find((b) => b.name === name)?.status).to.equal('closed');
      await noOverflow(page);
      await page.close();
    });
  }

  it('a unit reads the batches without the form or 关闭, and has no navigation link', async () => {
    const page = await signIn('rmyy', '/application-batches', PHONE);
    expect(await page.locator('tr', { hasText: '2027年度项目集中申报' }).count()).to.equal(1);
    expect(await page.locator('.batch-form').count()).to.equal(0);
    expect(await page.locator('button.close-batch').count()).to.equal(0);
    expect(await page.locator('nav a[href="/application-batches"]').count()).to.equal(0);
    await noOverflow(page);
    await page.close();
  });
});
