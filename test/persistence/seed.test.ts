import { expect } from 'chai';
import { DEPARTMENTS, GROUPS, USERS } from '../../seed/organisation';
import { UserGroupModel, UserModel } from '../../src/persistence/models/organisation.model';
import { migrate } from '../../src/persistence/migrator';
import { startTestApp, type TestApp } from '../support/app';

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

  it('runs migrations once: a second run applies nothing', async () => {
    expect(await migrate(t.gf.db.sequelize)).to.deep.equal([]);
  });
});
