import { expect } from 'chai';
import { browserSuite, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { deploy, setClock } from '../support/runtime';

/**
 * 年度实施计划 pages (issue 10 item 4): the plans a reader may open, one plan in the eight columns of the
 * printed list with its total, linked to its Excel and to its approval's tracking; a unit sees its own
 * rows, whoever is not a reader gets 403.
 */
describe('annual plan pages in a real browser (年度实施计划)', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  let planId: number;
  const signIn = (username: string, next: string, viewport?: { width: number; height: number }) => signInAt(web.browser, web.url, username, next, viewport);

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    // applications that wait for the plan at once (a stub of the application process)
    await deploy(web.t, 'plan-stub-application.bpmn');
    const ids: number[] = [];
    for (const [user, over] of [['rmyy', { name: '智慧医院平台', investment: 1200000 }], ['jyj', { unitCode: 'jyj', name: '智慧校园平台', investment: 800000 }]] as const) {
      const { body: p } = await web.t.as(user).post('/api/projects', draft(over));
      expect((await web.t.as(user).post(`/api/projects/${p.id}/submit`)).status).to.equal(201);
      ids.push(p.id);
    }
    const plan = await web.t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: ids });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    planId = plan.body.id;
  });

  it('a leader finds the plan in the list and reads it in Chinese with its total, its Excel and its approval', async () => {
    const page = await signIn('gwh', '/annual-plans');
    await page.click(`a[href="/annual-plans/${planId}"]`);
    await page.waitForURL(`${web.url}/annual-plans/${planId}`);
    const rows = page.locator('table[data-items] tbody tr');
    expect(await rows.count()).to.equal(2);
    expect(await rows.nth(0).textContent()).to.contain('智慧医院平台').and.contain('区人民医院').and.contain('新建').and.contain('120');
    expect(await page.textContent('.facts')).to.contain('200 万元（2 个项目）');
    expect(await page.getAttribute('[data-export]', 'href')).to.equal(`/api/annual-plans/${planId}/export`);
    const download = await Promise.all([page.waitForEvent('download'), page.click('[data-export]')]);
    expect(download[0].suggestedFilename()).to.match(/\.xlsx$/);
    await shot(page, 'annual-plan-1366');
  });

  it('a unit reads its own rows only, on a phone; a bureau that does not read plans gets 403', async () => {
    const page = await signIn('rmyy', '/annual-plans', PHONE);
    expect(await page.locator(`a[href="/annual-plans/${planId}"]`).count()).to.equal(1);
    await page.goto(`${web.url}/annual-plans/${planId}`);
    expect(await page.locator('table[data-items] tbody tr').count()).to.equal(1);
    expect(await page.textContent('table[data-items]')).to.not.contain('智慧校园平台');
    await noOverflow(page);
    const stranger = await signIn('wxb', '/annual-plans');
    expect(await stranger.locator('table[data-plans]').count()).to.equal(0);
    const res = await stranger.goto(`${web.url}/annual-plans/${planId}`);
    expect(res!.status()).to.equal(403);
  });
});
