import { expect } from 'chai';
import { PASSWORD } from '../support/app';
import { browserSuite } from '../support/browser';

describe('login page in a real browser', function () {
  this.timeout(60000);
  const web = browserSuite();

  it('signs in through the form, shows the shell in Chinese, switches to English, signs out', async () => {
    const page = await web.browser.newPage();
    // given an unauthenticated visit to the task list
    await page.goto(`${web.url}/tasks`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    // when a wrong password is typed
    await page.fill('input[name=username]', 'gwh');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    expect(await page.textContent('.alert')).to.contain('用户名或密码错误');
    // and then the right one
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    // then the task list shows, with the navigation and the user
    await page.waitForURL(`${web.url}/tasks`);
    expect(await page.textContent('nav.nav')).to.contain('待办').and.to.contain('监控');
    expect(await page.textContent('.who')).to.equal('区管委会 领导');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'gf_session')).to.include({ httpOnly: true, sameSite: 'Lax' });
    // English on request
    await page.click('a.lang');
    expect(await page.textContent('nav.nav')).to.contain('Tasks');
    // sign out through the form (with its CSRF token)
    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    await page.goto(`${web.url}/monitor`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    await page.close();
  });

  it('lists the projects a user may see, classified ones only for their unit (R5.4)', async () => {
    // given a classified project of gaj and an open one of rmyy
    const base = { type: 'new', investment: 300000, planYear: 2027, crossDepartment: false, participants: [], standaloneMobileApp: false, scopeCategory: 'informatization', inAnnualPlan: true, existingSystems: [], description: '测试' };
    await web.t.as('gaj').post('/api/projects', { ...base, name: '涉密指挥平台', unitCode: 'gaj', classified: true });
    await web.t.as('rmyy').post('/api/projects', { ...base, name: '互联网医院', unitCode: 'rmyy', classified: false });
    const page = await web.browser.newPage();
    const signIn = async (username: string) => {
      await page.goto(`${web.url}/login?next=/projects`);
      await page.fill('input[name=username]', username);
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL(`${web.url}/projects`);
    };
    // when the finance reviewer looks, then only the open project shows
    await signIn('czj');
    let rows = await page.locator('table.list tbody tr').allTextContents();
    expect(rows.join()).to.contain('互联网医院').and.not.to.contain('涉密指挥平台');
    await page.click('form[action="/logout"] button');
    await page.waitForURL(/\/login$/);
    // and the unit sees its classified project
    await signIn('gaj');
    rows = await page.locator('table.list tbody tr').allTextContents();
    expect(rows.join()).to.contain('涉密指挥平台（涉密）');
    await page.close();
  });
});
