import { expect } from 'chai';
import { USERS } from '../../seed/organisation';
import { AuthTokenModel } from '../../src/persistence/models/auth.model';
import { onMysql } from '../support/database';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';

describe('API sign-in (POST /api/auth/token, GET /api/me)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('/healthz answers with the database dialect', async () => {
    const res = await t.api.get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok', db: onMysql() ? 'mysql' : 'sqlite' });
  });

  it('gives every seeded user a token, and /api/me shows their groups', async () => {
    for (const u of USERS) {
      // given a seeded user / when they sign in
      const res = await t.api.post('/api/auth/token').send({ username: u.username, password: PASSWORD }).expect(200);
      expect(res.body.token).to.be.a('string').with.length.greaterThan(30);
      expect(new Date(res.body.expiresAt).getTime()).to.be.greaterThan(Date.now());
      // then /api/me with the token shows the groups of seed.md
      const me = await t.api.get('/api/me').set('Authorization', `Bearer ${res.body.token}`).expect(200);
      expect(me.body.username).to.equal(u.username);
      expect(me.body.displayName).to.equal(u.displayName);
      expect(me.body.groups).to.deep.equal([...u.groups].sort());
    }
  });

  it('rmyy is in unit:rmyy', async () => {
    const me = await t.api.get('/api/me').set('Authorization', `Bearer ${await t.token('rmyy')}`).expect(200);
    expect(me.body.groups).to.deep.equal(['unit:rmyy']);
  });

  it('answers 401 without a token, with a bad token, and never leaks internals', async () => {
    const none = await t.api.get('/api/me').expect(401);
    expect(none.body.error.code).to.equal('unauthenticated');
    const bad = await t.api.get('/api/me').set('Authorization', 'Bearer nonsense').expect(401);
    expect(bad.body.error.message).to.match(/令牌/);
    expect(JSON.stringify(bad.body)).not.to.match(/at .*\.ts|SELECT|passwordHash/);
  });

  it('a revoked token stops working', async () => {
    // given a token
    const { body } = await t.api.post('/api/auth/token').send({ username: 'sjj', password: PASSWORD }).expect(200);
    // when it is revoked
    await t.api.delete('/api/auth/token').set('Authorization', `Bearer ${body.token}`).expect(204);
    // then it is refused
    await t.api.get('/api/me').set('Authorization', `Bearer ${body.token}`).expect(401);
  });

  it('an expired token stops working', async () => {
    const { body } = await t.api.post('/api/auth/token').send({ username: 'czj', password: PASSWORD }).expect(200);
    await AuthTokenModel.update({ expiresAt: new Date(Date.now() - 1000) }, { where: {} });
    await t.api.get('/api/me').set('Authorization', `Bearer ${body.token}`).expect(401);
  });

  it('answers 400 for a malformed request', async () => {
    const res = await t.api.post('/api/auth/token').send({ username: 'sjj' }).expect(400);
    expect(res.body.error.code).to.equal('malformed');
    const broken = await t.api.post('/api/auth/token').set('Content-Type', 'application/json').send('{"username":').expect(400);
    expect(broken.body.error.code).to.equal('malformed');
  });

  it('stores passwords as bcrypt hashes only', async () => {
    const u = await t.gf.org.findUserWithSecret('admin');
    expect(u!.passwordHash).to.match(/^\$2[aby]\$\d{2}\$/);
    expect(u!.passwordHash).not.to.contain(PASSWORD);
  });
});

describe('sign-in throttling', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(() => t.close());

  it('answers 401 for a wrong password, then 429 after 5 quick failures from one address — even for the right password', async () => {
    // given five wrong passwords for one user
    for (let i = 0; i < 5; i++) {
      const res = await t.api.post('/api/auth/token').send({ username: 'gaj', password: 'wrong' });
      expect(res.status, `attempt ${i + 1}`).to.equal(401);
    }
    // when the next attempt comes, then it is throttled, whatever the password
    const res = await t.api.post('/api/auth/token').send({ username: 'gaj', password: PASSWORD }).expect(429);
    expect(res.body.error.code).to.equal('throttled');
    // and other users are not affected
    await t.api.post('/api/auth/token').send({ username: 'jyj', password: PASSWORD }).expect(200);
  });

  it('does not let strangers lock an account: failures from five other addresses leave the owner signing in', async () => {
    // given five wrong passwords for admin, each from another address
    for (let i = 1; i <= 5; i++) {
      await t.api.post('/api/auth/token').set('X-Forwarded-For', `10.0.0.${i}`).send({ username: 'admin', password: 'wrong' }).expect(401);
    }
    // each recorded with its address
    const rows = (await t.gf.db.sequelize.query("SELECT address FROM login_failures WHERE username = 'admin'", { type: 'SELECT' })) as { address: string }[];
    expect(rows.map((r) => r.address).sort()).to.deep.equal(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5']);
    // then the owner, from an address with no failures, still signs in with the right password
    await t.api.post('/api/auth/token').set('X-Forwarded-For', '10.0.9.9').send({ username: 'admin', password: PASSWORD }).expect(200);
    // while five failures from one address stop that address for that account
    for (let i = 0; i < 5; i++) await t.api.post('/api/auth/token').set('X-Forwarded-For', '10.0.0.7').send({ username: 'sjj', password: 'wrong' }).expect(401);
    await t.api.post('/api/auth/token').set('X-Forwarded-For', '10.0.0.7').send({ username: 'sjj', password: PASSWORD }).expect(429);
    await t.api.post('/api/auth/token').set('X-Forwarded-For', '10.0.0.8').send({ username: 'sjj', password: PASSWORD }).expect(200);
  });

  it('throttles one address trying many usernames', async () => {
    for (let i = 0; i < 20; i++) {
      await t.api.post('/api/auth/token').send({ username: `nobody${i}`, password: 'x' }).expect(401);
    }
    await t.api.post('/api/auth/token').send({ username: 'jyj', password: PASSWORD }).expect(429);
  });

  it('a success clears the failures of that username', async () => {
    for (let i = 0; i < 4; i++) await t.api.post('/api/auth/token').send({ username: 'wjw', password: 'wrong' }).expect(401);
    await t.api.post('/api/auth/token').send({ username: 'wjw', password: PASSWORD }).expect(200);
    for (let i = 0; i < 4; i++) await t.api.post('/api/auth/token').send({ username: 'wjw', password: 'wrong' }).expect(401);
    await t.api.post('/api/auth/token').send({ username: 'wjw', password: PASSWORD }).expect(200);
  });
});
