import { expect } from 'chai';
import { DEPARTMENTS, GROUPS, USERS } from '../../seed/organisation';
import { UserGroupModel, UserModel } from '../../src/persistence/models/organisation.model';
import { ApplicationBatchModel } from '../../src/persistence/models/project.model';
import { migrate } from '../../src/persistence/migrator';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { setClock } from '../support/runtime';
import { toShanghaiDate } from '../../src/domain/calendar';

describe('migrations and the demo organisation (seed.md)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('creates exactly the organisation of seed.md', async () => {
    const users = await UserModel.findAll({ order: [['username', 'ASC']] });
    expect(users.map((u) => u.username)).to.deep.equal(USERS.map((u) => u.username).sort());
    expect((await t.gf.org.listGroups()).map((g) => g.key)).to.have.members(GROUPS.map((g) => g.key));
    expect((await t.gf.org.listDepartments()).length).to.equal(DEPARTMENTS.length);
    const rmyy = await t.gf.org.findDepartment('rmyy');
    expect(rmyy).to.include({ name: '区人民医院', kind: 'unit', supervisorCode: 'wjw' });
    const admin = await t.gf.org.findUserWithSecret('admin');
    expect(admin!.groups).to.deep.equal(['admin', 'data-bureau']);
    expect(admin!.displayName).to.equal('系统管理员');
  });

  it('is idempotent: seeding again creates nothing and keeps a changed password', async () => {
    const before = await UserModel.findOne({ where: { username: 'jyj' } });
    await before!.update({ passwordHash: 'changed-by-user' });
    const result = await t.gf.seed();
    expect(result.created).to.equal(0);
    expect(await UserModel.count()).to.equal(USERS.length);
    expect(await UserGroupModel.count()).to.equal(USERS.reduce((n, u) => n + u.groups.length, 0));
    expect((await UserModel.findOne({ where: { username: 'jyj' } }))!.passwordHash).to.equal('changed-by-user');
  });

  it('第5条第（一）项: the demo opens, per plan year 2026–2030, the batch July 1 – December 31 of the year before, once however often it seeds', async () => {
    await Promise.all([t.gf.seed(), t.gf.seed()]);
    const rows = await ApplicationBatchModel.findAll({ order: [['planYear', 'ASC']] });
    expect(rows.map((b) => [b.name, b.planYear, b.opensOn, b.closesOn, b.closedAt])).to.deep.equal(
      // 2026–2030 while the clock is in 2026 (a later year: up to four years past it)
      Array.from({ length: Math.max(2030, Number(toShanghaiDate(t.gf.clock.now()).slice(0, 4)) + 4) - 2025 }, (_, i) => 2026 + i).map((y) => [`${y}年度项目集中申报`, y, `${y - 1}-07-01`, `${y - 1}-12-31`, null]),
    );
  });

  it('第5条第（一）项: a demo seeded in a later year opens the batches up to four years past it (2029 → 2033)', async () => {
    const later = await startTestApp({ CLOCK: 'manual' });
    try {
      await setClock(later, '2029-03-01T09:00:00+08:00');
      await later.gf.seed();
      const years = (await ApplicationBatchModel.findAll({ order: [['planYear', 'ASC']] })).map((b) => b.planYear);
      expect(years).to.deep.equal([2026, 2027, 2028, 2029, 2030, 2031, 2032, 2033]);
    } finally {
      await later.close();
    }
  });

  it('runs migrations once: a second run applies nothing', async () => {
    expect(await migrate(t.gf.db.sequelize)).to.deep.equal([]);
  });
});

describe('the seed in production (NODE_ENV=production)', () => {
  let t: TestApp;
  const ADMIN_PASSWORD = 'Production-Secret-2026!';
  before(async () => {
    t = await startTestApp({ NODE_ENV: 'production', ADMIN_PASSWORD });
  });
  after(() => t.close());

  it('creates the organisation and only the administrator, with the password from the environment — no demo users', async () => {
    expect((await UserModel.findAll()).map((u) => u.username)).to.deep.equal(['admin']);
    expect((await t.gf.org.listDepartments()).length).to.equal(DEPARTMENTS.length);
    expect((await t.gf.org.listGroups()).map((g) => g.key)).to.have.members(GROUPS.map((g) => g.key));
    // the demo password opens nothing
    for (const username of ['admin', 'sjj', 'rmyy']) await t.api.post('/api/auth/token').send({ username, password: PASSWORD }).expect(401);
    const res = await t.api.post('/api/auth/token').send({ username: 'admin', password: ADMIN_PASSWORD }).expect(200);
    expect(res.body.user.groups).to.deep.equal(['admin', 'data-bureau']);
    // and the shipped processes are deployed for the administrator to use
    const defs = await t.api.get('/api/process-definitions').set('Authorization', `Bearer ${res.body.token}`).expect(200);
    expect(defs.body.map((d: { key: string }) => d.key)).to.include('application-approval');
    // 第5条第（一）项: no 申报批次 — the Data Bureau opens them
    expect(await ApplicationBatchModel.count()).to.equal(0);
  });
});
