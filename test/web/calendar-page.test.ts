import { expect } from 'chai';
import supertest from 'supertest';
import { datesFromText } from '../../src/web/controllers/calendar.controller';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { setClock } from '../support/runtime';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function signedIn(t: TestApp, username: string) {
  const agent = supertest.agent(t.gf.app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ username, password: PASSWORD, _csrf: csrfOf(page.text) }).expect(303);
  return agent;
}

describe('the holiday schedule page (/calendar, administrators)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-12-01T09:00:00+08:00'); // 2027 has no schedule yet
  });
  after(() => t.close());

  it('reads typed dates: one per line or separated, ranges expanded, anything else passed on to be named', () => {
    expect(datesFromText('2027-01-01\n2027-02-06~2027-02-08, 2027-02-08 2027-03-01至2027-03-02\r\nx')).to.deep.equal([
      '2027-01-01',
      '2027-02-06',
      '2027-02-07',
      '2027-02-08',
      '2027-03-01',
      '2027-03-02',
      'x',
    ]);
    expect(datesFromText('2027-02-08~2027-02-06')).to.deep.equal(['2027-02-08~2027-02-06']);
    expect(datesFromText(undefined)).to.deep.equal([]);
  });

  it('lists the years with their source, linked in the admin navigation, in Chinese and in English', async () => {
    // given
    const admin = await signedIn(t, 'admin');
    // when
    const page = await admin.get('/calendar').expect(200);
    // then
    expect(page.text).to.contain('href="/calendar"').and.to.contain('法定节假日安排').and.to.contain('录入年度节假日安排');
    expect(page.text).to.match(/data-year="2026"[\s\S]*?国务院办公厅通知（chinese-days 数据）/);
    expect(page.text).to.match(/data-year="2027" class="provisional"[\s\S]*?暂无安排（按周末计算）/);
    expect(page.text).not.to.contain('<script');
    const en = await admin.get('/calendar?lang=en').expect(200);
    expect(en.text).to.contain('Statutory holiday schedule').and.to.contain('No schedule (weekends only)');
    await admin.get('/calendar?lang=zh').expect(200);
    // a year's schedule prefills the form
    const y2026 = await admin.get('/calendar?year=2026').expect(200);
    expect(y2026.text).to.match(/<textarea id="cal-holidays" name="holidays" rows="12">2026-01-01\n2026-01-02\n/);
  });

  it('is not for other users, and refuses a post without its CSRF token', async () => {
    const unit = await signedIn(t, 'rmyy');
    const shell = await unit.get('/tasks').expect(200);
    expect(shell.text).not.to.contain('href="/calendar"');
    await unit.get('/calendar').expect(403);
    await unit.post('/calendar').type('form').send({ year: '2027', holidays: '2027-01-01', workdays: '', _csrf: csrfOf(shell.text) }).expect(403);
    const admin = await signedIn(t, 'admin');
    await admin.post('/calendar').type('form').send({ year: '2027', holidays: '2027-01-01', workdays: '' }).expect(403);
    expect((await t.as('admin').get('/api/calendar/2027')).status).to.equal(404);
  });

  it('shows the errors of a wrong schedule on the page (422) with what was typed, and saves nothing', async () => {
    // given
    const admin = await signedIn(t, 'admin');
    const page = await admin.get('/calendar').expect(200);
    // when
    const res = await admin
      .post('/calendar')
      .type('form')
      .send({ year: '2027', holidays: '2027-01-01\n2027-02-30', workdays: '2027-01-04', _csrf: csrfOf(page.text) })
      .expect(422);
    // then
    expect(res.text).to.contain('未保存，请更正以下问题');
    expect(res.text).to.contain('法定节假日「2027-02-30」不是有效日期，格式须为 YYYY-MM-DD');
    expect(res.text).to.contain('调休上班日 2027-01-04 不是周六或周日');
    expect(res.text).to.contain('aria-invalid="true"');
    expect(res.text).to.contain('>2027-01-01\n2027-02-30</textarea>');
    expect((await t.as('admin').get('/api/calendar/2027')).status).to.equal(404);
  });

  it('enters a year from the form and redirects to the list (post-redirect-get)', async () => {
    // given
    const admin = await signedIn(t, 'admin');
    const page = await admin.get('/calendar?year=2027').expect(200);
    // when
    const res = await admin
      .post('/calendar')
      .type('form')
      .send({ year: '2027', holidays: '2027-01-01~2027-01-03\n2027-02-06~2027-02-13', workdays: '2027-02-14 2027-02-20', _csrf: csrfOf(page.text) })
      .expect(303);
    // then
    expect(res.headers.location).to.equal('/calendar?saved=2027&recomputed=0');
    const after = await admin.get(res.headers.location).expect(200);
    expect(after.text).to.contain('已保存节假日安排：2027');
    expect(after.text).to.match(/data-year="2027" class="">[\s\S]*?管理员录入[\s\S]*?admin/);
    const stored = (await t.as('sjj').get('/api/calendar/2027')).body;
    expect(stored.holidays).to.deep.equal(['2027-01-01', '2027-01-02', '2027-01-03', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12', '2027-02-13']);
    expect(stored.workdays).to.deep.equal(['2027-02-14', '2027-02-20']);
  });
});
