import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';

/**
 * Issue 13 item 3: a token's user is kept in memory for AUTH_CACHE_MS. A sign-out and an organisation change
 * made through this process are seen at once; a change another process makes (here: written straight into
 * the database) is seen within AUTH_CACHE_MS.
 */
describe('the signed-in user of a token is cached briefly (AUTH_CACHE_MS)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ AUTH_CACHE_MS: '400' });
  });
  after(() => t.close());

  const me = (token: string) => t.api.get('/api/me').set('Authorization', `Bearer ${token}`);
  const signIn = async (username: string) => (await t.api.post('/api/auth/token').send({ username, password: PASSWORD })).body.token as string;

  it('a revoked token is refused at once by the process that revoked it', async () => {
    const token = await signIn('sjj');
    expect((await me(token)).status).to.equal(200);
    expect((await t.api.delete('/api/auth/token').set('Authorization', `Bearer ${token}`)).status).to.be.within(200, 204);
    expect((await me(token)).status).to.equal(401);
  });

  it('a user deactivated by another process is refused within AUTH_CACHE_MS, and read afresh after it', async () => {
    const token = await signIn('fgw');
    expect((await me(token)).status).to.equal(200);
    await t.gf.db.sequelize.query("UPDATE users SET active = false WHERE username = 'fgw'", { type: QueryTypes.UPDATE });
    await new Promise((r) => setTimeout(r, 450));
    expect((await me(token)).status).to.equal(401);
    await t.gf.db.sequelize.query("UPDATE users SET active = true WHERE username = 'fgw'", { type: QueryTypes.UPDATE });
    expect((await me(token)).status).to.equal(200);
  });

  it('an organisation change made through this process is seen at once (groups of the user)', async () => {
    const token = await signIn('czj');
    const before = (await me(token)).body as { groups: string[] };
    expect(before.groups).to.include('finance');
    const hash = async () => 'unused';
    await t.gf.org.upsertOrganisation([], [], [{ username: 'czj', displayName: '区财政局 审核员', departmentCode: 'czj', groups: ['finance', 'audit'] }], hash);
    expect(((await me(token)).body as { groups: string[] }).groups).to.include('audit');
  });

  it('AUTH_CACHE_MS=0 reads the token at every request', async () => {
    const fresh = await startTestApp({ AUTH_CACHE_MS: '0', DATABASE_URL: t.gf.config.databaseUrl });
    try {
      const token = (await fresh.api.post('/api/auth/token').send({ username: 'jyj', password: PASSWORD })).body.token as string;
      expect((await fresh.api.get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      await fresh.gf.db.sequelize.query("UPDATE auth_tokens SET revokedAt = expiresAt WHERE userId = (SELECT id FROM users WHERE username = 'jyj')", { type: QueryTypes.UPDATE });
      expect((await fresh.api.get('/api/me').set('Authorization', `Bearer ${token}`)).status).to.equal(401);
    } finally {
      await fresh.close();
    }
  });
});
