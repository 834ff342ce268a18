import { expect } from 'chai';
import supertest from 'supertest';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('web sign-in with CSRF, shell, errors', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('redirects unauthenticated pages to the login page', async () => {
    const res = await t.api.get('/tasks').expect(302);
    expect(res.headers.location).to.equal('/login?next=%2Ftasks');
  });

  it('sets no CSRF nonce on an API answer to a bearer token; a page and a cookie-less API call still get one', async () => {
    const token = (await t.api.post('/api/auth/token').send({ username: 'sjj', password: PASSWORD }).expect(200)).body.token as string;
    const cookies = (res: { headers: Record<string, unknown> }) => ((res.headers['set-cookie'] as string[] | undefined) ?? []).filter((c) => c.startsWith('gf_csrf='));
    expect(cookies(await t.api.get('/api/tasks').set('authorization', `Bearer ${token}`).expect(200))).to.deep.equal([]);
    expect(cookies(await t.api.get('/login').expect(200))).to.have.length(1);
    expect(cookies(await t.api.get('/api/tasks').expect(401))).to.have.length(1);
  });

  it('refuses a login form without a valid CSRF token', async () => {
    const agent = supertest.agent(t.gf.app);
    await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ username: 'sjj', password: PASSWORD, _csrf: 'forged' }).expect(403);
    expect(res.headers['set-cookie'] ?? []).not.to.satisfy((c: string[]) => c.some((x) => x.startsWith('gf_session=')));
  });

  it('signs in with the form, shows the shell, and signs out (CSRF on every form)', async () => {
    const agent = supertest.agent(t.gf.app);
    // given the login page
    const page = await agent.get('/login?next=/monitor').expect(200);
    expect(page.text).to.contain('用户登录');
    // when the form is posted with its CSRF token
    const res = await agent.post('/login').type('form').send({ username: 'admin', password: PASSWORD, next: '/monitor', _csrf: csrfOf(page.text) }).expect(303);
    // then a httpOnly, SameSite=Lax session cookie is set and the user lands where they wanted
    expect(res.headers.location).to.equal('/monitor');
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gf_session='))!;
    expect(cookie).to.match(/HttpOnly/i).and.to.match(/SameSite=Lax/i);
    const shell = await agent.get('/tasks').expect(200);
    for (const item of ['待办', '项目', '流程', '监控', '系统管理员']) expect(shell.text).to.contain(item);
    // a session cookie alone cannot post without the token
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.post('/logout').type('form').send({ _csrf: csrfOf(shell.text) }).expect(303);
    await agent.get('/tasks').expect(302);
  });

  it('shows a wrong password on the page with 401, and keeps the shell for non-admins without 流程', async () => {
    const agent = supertest.agent(t.gf.app);
    const page = await agent.get('/login').expect(200);
    const bad = await agent.post('/login').type('form').send({ username: 'rmyy', password: 'nope', _csrf: csrfOf(page.text) }).expect(401);
    expect(bad.text).to.contain('用户名或密码错误');
    await agent.post('/login').type('form').send({ username: 'rmyy', password: PASSWORD, _csrf: csrfOf(page.text) }).expect(303);
    const shell = await agent.get('/tasks').expect(200);
    expect(shell.text).not.to.contain('href="/processes"');
    const refused = await agent.get('/processes').expect(403);
    expect(refused.text).to.contain('无权访问');
  });

  it('does not redirect off-site after login', async () => {
    const agent = supertest.agent(t.gf.app);
    const page = await agent.get('/login').expect(200);
    const res = await agent.post('/login').type('form').send({ username: 'sjj', password: PASSWORD, next: '//evil.example/x', _csrf: csrfOf(page.text) }).expect(303);
    expect(res.headers.location).to.equal('/tasks');
  });

  it('switches to English and back', async () => {
    const en = await t.api.get('/login?lang=en').expect(200);
    expect(en.text).to.contain('Sign in').and.to.contain('lang="en"');
    const zh = await t.api.get('/login').expect(200);
    expect(zh.text).to.contain('lang="zh-CN"');
  });

  it('renders a 404 page in the same style, and a JSON 404 for the API', async () => {
    const page = await t.api.get('/no-such-page').set('Accept', 'text/html').expect(404);
    expect(page.text).to.contain('页面不存在').and.to.contain('/assets/app.css');
    const api = await t.api.get('/api/no-such-thing').set('Authorization', `Bearer ${await t.token('sjj')}`).expect(404);
    expect(api.body.error.code).to.equal('not-found');
  });

  it('answers 413 for a body over the limit', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(3 * 1024 * 1024), password: 'y' });
    const res = await t.api.post('/api/auth/token').set('Content-Type', 'application/json').send(big).expect(413);
    expect(res.body.error.code).to.equal('too-large');
  });
});
