import { expect } from 'chai';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import supertest from 'supertest';
import { createGovFlow, type GovFlow } from '../../src/app';
import { schedulesFromChineseDays } from '../../src/domain/calendar';
import { loadConfig } from '../../src/config';
import { CalendarDayModel, CalendarYearModel } from '../../src/persistence/models/calendar.model';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { freshDatabaseUrl, onMysql } from '../support/database';
import { deploy, instance, setClock, startInstance, taskOf } from '../support/runtime';

// A made-up 2027 schedule that moves the deadlines of deadline.bpmn (from 2026-12-24) both ways:
// Saturday 01-02 worked (the 8-day reminder comes a day earlier), 01-05 and 01-06 off (the rest later).
const SCHEDULE_2027 = { holidays: ['2027-01-05', '2027-01-06'], workdays: ['2027-01-02'] };

// what the seed stores: every year of the package's data file with its holidays and adjusted working days
const PACKAGE = schedulesFromChineseDays(chineseDays);
const PACKAGE_YEARS = PACKAGE.length;
const PACKAGE_DAYS = PACKAGE.reduce((n, y) => n + y.holidays.length + y.workdays.length, 0);

describe('working-day calendar: provisional deadlines and a new year entered (api.md "Working-day calendar")', function () {
  this.timeout(120_000);
  let t: TestApp;
  let other: GovFlow;
  let projectId: number;
  let instanceId: string;
  let taskId: number;

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'deadline.bpmn');
    // a second app process on the same database, holding the calendar as it was at its start
    other = await createGovFlow(t.gf.config);
  });
  after(async () => {
    await other?.close();
    await t.close();
  });

  it('lists 2004–2026 from chinese-days and the years without data; any signed-in user may read it', async () => {
    // given today is 2026-12-01
    await setClock(t, '2026-12-01T09:00:00+08:00');
    // when
    const res = await t.as('rmyy').get('/api/calendar');
    // then
    expect(res.status).to.equal(200);
    const years = res.body.years as { year: number; source: string | null; provisional: boolean }[];
    const seeded = years.filter((y) => y.source === 'chinese-days').map((y) => y.year);
    expect(seeded).to.deep.equal(Array.from({ length: 23 }, (_, i) => 2004 + i));
    expect(years.find((y) => y.year === 2026)).to.deep.equal({ year: 2026, source: 'chinese-days', provisional: false });
    expect(years.find((y) => y.year === 2027)).to.deep.include({ source: null, provisional: true, provisionalDeadlines: 0 });
    const y2026 = await t.as('rmyy').get('/api/calendar/2026');
    expect(y2026.status).to.equal(200);
    expect(y2026.body.holidays).to.include.members(['2026-01-01', '2026-10-01', '2026-10-07']);
    expect(y2026.body.workdays).to.include.members(['2026-02-14', '2026-09-20', '2026-10-10']);
    expect((await t.as('rmyy').get('/api/calendar/2027')).status).to.equal(404);
    expect((await t.api.get('/api/calendar')).status).to.equal(401);
  });

  it('creates a task and timers that cross into 2027 (no incident): weekends only, marked provisional', async () => {
    // given a contract signed on Thursday 2026-12-24 on a project of rmyy
    await setClock(t, '2026-12-24T09:00:00+08:00');
    const project = await t.as('rmyy').post('/api/projects', draft());
    expect(project.status).to.equal(201);
    projectId = project.body.id;
    // when the filing deadline (10 working days) and its timers (8 and 11) are computed
    const started = await startInstance(t, 'contract-deadline', { businessKey: project.body.code, variables: { contractSignedAt: '2026-12-24' } });
    instanceId = started.id;
    // then the instance runs, the due date counts 2027 on weekends only: 12-25, 12-28…31, 01-01, 01-04…07
    expect(started.state).to.equal('running');
    const task = await taskOf(t, 'rmyy', instanceId);
    taskId = task.id;
    expect(task).to.include({ dueAt: '2027-01-07T15:59:59.000Z', provisional: true });
    expect((await t.as('rmyy').get(`/api/tasks/${taskId}`)).body).to.include({ dueAt: '2027-01-07T15:59:59.000Z', provisional: true });
    const deadlines = (await t.as('rmyy').get(`/api/projects/${projectId}`)).body.deadlines;
    expect(deadlines).to.deep.equal([{ rule: null, article: null, activityId: 'FileContract', name: '合同备案', dueAt: '2027-01-07T15:59:59.000Z', state: 'open', provisional: true }]);
    const inst = await instance(t, instanceId);
    expect(inst.incidents).to.deep.equal([]);
    expect(inst.timers).to.deep.equal([
      { activityId: 'Reminder', dueAt: '2027-01-04T16:00:00.000Z', provisional: true },
      { activityId: 'Overdue', dueAt: '2027-01-07T16:00:00.000Z', provisional: true },
    ]);
    const overview = (await t.as('admin').get('/api/calendar')).body.years;
    expect(overview.find((y: { year: number }) => y.year === 2027)).to.deep.include({ provisional: true, provisionalDeadlines: 3 });
  });

  it('refuses PUT /api/calendar/2027 to non-admins (403) and a malformed schedule (422 per field), changing nothing', async () => {
    // when
    const refused = await t.as('sjj').put('/api/calendar/2027', SCHEDULE_2027);
    const malformed = await t.as('admin').put('/api/calendar/2027', { holidays: ['2027-13-01', '2026-12-31', '2027-01-05'], workdays: ['2027-01-04', '2027-01-05'] });
    const notLists = await t.as('admin').put('/api/calendar/2027', { holidays: '2027-01-01', workdays: null });
    // then
    expect(refused.status).to.equal(403);
    expect(malformed.status).to.equal(422);
    expect(malformed.body.error.code).to.equal('invalid-calendar');
    expect(malformed.body.error.details).to.deep.equal([
      { field: 'holidays', message: '法定节假日「2027-13-01」不是有效日期，格式须为 YYYY-MM-DD' },
      { field: 'holidays', message: '法定节假日 2026-12-31 不在 2027 年内' },
      { field: 'workdays', message: '调休上班日 2027-01-04 不是周六或周日（工作日本来就上班）' },
      { field: 'workdays', message: '2027-01-05 不能同时是法定节假日和调休上班日' },
      { field: 'workdays', message: '调休上班日 2027-01-05 不是周六或周日（工作日本来就上班）' },
    ]);
    expect(notLists.status).to.equal(422);
    expect(notLists.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['holidays', 'workdays']);
    expect((await t.as('admin').put('/api/calendar/abc', SCHEDULE_2027)).status).to.equal(400);
    // and nothing changed
    expect((await t.as('admin').get('/api/calendar/2027')).status).to.equal(404);
    expect((await t.as('rmyy').get(`/api/tasks/${taskId}`)).body).to.include({ dueAt: '2027-01-07T15:59:59.000Z', provisional: true });
    expect((await instance(t, instanceId)).timers.every((x: { provisional: boolean }) => x.provisional)).to.equal(true);
  });

  it('PUT /api/calendar/2027 recomputes the open task and timers in the same transaction: no longer provisional', async () => {
    // when the administrator enters the 2027 schedule
    const res = await t.as('admin').put('/api/calendar/2027', SCHEDULE_2027);
    // then
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ year: 2027, source: 'entered', enteredBy: 'admin', ...SCHEDULE_2027, recomputed: { tasks: 1, timers: 2 } });
    // the task: 12-25, 12-28…31, 01-01, 01-02 (worked), 01-04, 01-07, 01-08
    expect((await t.as('rmyy').get(`/api/tasks/${taskId}`)).body).to.include({ dueAt: '2027-01-08T15:59:59.000Z', provisional: false });
    expect((await taskOf(t, 'rmyy', instanceId)).provisional).to.equal(false);
    const deadlines = (await t.as('rmyy').get(`/api/projects/${projectId}`)).body.deadlines;
    expect(deadlines).to.deep.equal([{ rule: null, article: null, activityId: 'FileContract', name: '合同备案', dueAt: '2027-01-08T15:59:59.000Z', state: 'open', provisional: false }]);
    // the timers: the reminder a day earlier (01-04), the escalation three days later (01-11)
    expect((await instance(t, instanceId)).timers).to.deep.equal([
      { activityId: 'Reminder', dueAt: '2027-01-03T16:00:00.000Z', provisional: false },
      { activityId: 'Overdue', dueAt: '2027-01-10T16:00:00.000Z', provisional: false },
    ]);
    // and the calendar lists 2027 as entered
    const years = (await t.as('rmyy').get('/api/calendar')).body.years;
    expect(years.find((y: { year: number }) => y.year === 2027)).to.deep.equal({ year: 2027, source: 'entered', enteredBy: 'admin', enteredAt: '2026-12-24T01:00:00.000Z', provisional: false });
    expect((await t.as('rmyy').get('/api/calendar/2027')).body).to.deep.include({ year: 2027, ...SCHEDULE_2027 });
  });

  it('fires each timer at its recomputed time, not at the old one', async () => {
    // when the clock reaches 01-04 (the old reminder time was 01-05)
    await setClock(t, '2027-01-04T08:00:00+08:00');
    // then the reminder has fired, the filing task is still open
    let inst = await instance(t, instanceId);
    expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'SendReminder')).to.have.length(1);
    expect(inst.activeActivityIds).to.deep.equal(['FileContract']);
    // when the old escalation time (01-08 00:00) passes: nothing
    await setClock(t, '2027-01-08T12:00:00+08:00');
    inst = await instance(t, instanceId);
    expect(inst.activeActivityIds).to.deep.equal(['FileContract']);
    expect(inst.timers).to.deep.equal([{ activityId: 'Overdue', dueAt: '2027-01-10T16:00:00.000Z', provisional: false }]);
    // when the recomputed one passes: escalated
    await setClock(t, '2027-01-11T00:00:01+08:00');
    inst = await instance(t, instanceId);
    expect(inst.activeActivityIds).to.deep.equal(['Escalate']);
  });

  it('another app process computes with the calendar entered in this one', async () => {
    // given the other process loaded the calendar before 2027 was entered; when it starts an instance there
    const api = supertest(other.app);
    const admin = (await api.post('/api/auth/token').send({ username: 'admin', password: PASSWORD })).body.token;
    const started = await api.post('/api/process-definitions/contract-deadline/instances').set('Authorization', `Bearer ${admin}`).send({ variables: { contractSignedAt: '2027-01-04' } });
    expect(started.status).to.equal(201);
    // then it counted the 2027 schedule (01-05 and 01-06 off): 01-07, 01-08, 01-11 … 01-15, 01-18 … 01-20
    const task = await taskOf(t, 'rmyy', started.body.id);
    expect(task).to.include({ dueAt: '2027-01-20T15:59:59.000Z', provisional: false });
  });
});

describe('working-day calendar: seeding from chinese-days', function () {
  this.timeout(120_000);

  it('seeds every year once: again, or from two app processes at once, adds no row and raises no error', async () => {
    // given an app (seeded at its start) and a second one on the same database
    const t = await startTestApp();
    const second = await createGovFlow(t.gf.config);
    try {
      const counts = async () => ({ years: await CalendarYearModel.count(), days: await CalendarDayModel.count() });
      expect(await counts()).to.deep.equal({ years: PACKAGE_YEARS, days: PACKAGE_DAYS });
      // when both seed again, at once
      const again = await Promise.all([t.gf.calendar.seed(), second.calendar.seed(), t.gf.calendar.seed()]);
      // then nothing is added
      expect(again).to.deep.equal([[], [], []]);
      expect(await counts()).to.deep.equal({ years: PACKAGE_YEARS, days: PACKAGE_DAYS });
      // when the table is empty and both seed at once
      await CalendarDayModel.destroy({ where: {} });
      await CalendarYearModel.destroy({ where: {} });
      const both = await Promise.all([t.gf.calendar.seed(), second.calendar.seed()]);
      // then exactly one of them filled it, with each row once
      expect(both.map((years) => years.length).sort((a, b) => a - b)).to.deep.equal([0, PACKAGE_YEARS]);
      expect(await counts()).to.deep.equal({ years: PACKAGE_YEARS, days: PACKAGE_DAYS });
      // and an entered year is never overwritten by a seed
      expect((await t.as('admin').put('/api/calendar/2026', { holidays: ['2026-01-01'], workdays: [] })).status).to.equal(200);
      expect(await second.calendar.seed()).to.deep.equal([]);
      expect((await t.as('sjj').get('/api/calendar/2026')).body).to.deep.include({ source: 'entered', holidays: ['2026-01-01'], workdays: [] });
    } finally {
      await second.close();
      await t.close();
    }
  });

  it('two app processes starting together on an empty MySQL database both start, and seed it once', async function () {
    if (!onMysql()) this.skip(); // SQLite: one file, migrations without the MySQL named lock (see README)
    // given an empty database
    const config = loadConfig({ ...process.env, DATABASE_URL: await freshDatabaseUrl(), SEED_PASSWORD: PASSWORD });
    // when two processes start at once
    const [a, b] = await Promise.all([createGovFlow(config), createGovFlow(config)]);
    try {
      // then the calendar is there once, and both hold it
      expect(await CalendarYearModel.count()).to.equal(PACKAGE_YEARS);
      expect(await CalendarDayModel.count()).to.equal(PACKAGE_DAYS);
      expect(a.calendar.current().covers(2026) && b.calendar.current().covers(2026)).to.equal(true);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
