import { expect } from 'chai';
import { loadConfig } from '../src/config';

describe('configuration', () => {
  it('refuses CLOCK=manual when NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CLOCK: 'manual' })).to.throw(/CLOCK=manual/);
    expect(loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'a-long-admin-secret' }).clock).to.equal('system');
  });

  it('refuses to start in production without an administrator password from the environment', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ NODE_ENV: 'production', ADMIN_PASSWORD: 'short' })).to.throw(/ADMIN_PASSWORD/);
  });

  it('defaults to embedded SQLite', () => {
    expect(loadConfig({}).databaseUrl).to.equal('sqlite:./data/govflow.db');
  });
});
