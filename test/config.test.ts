import { expect } from 'chai';
import { loadConfig } from '../src/config';

describe('configuration', () => {
  it('refuses CLOCK=manual when NODE_ENV=production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CLOCK: 'manual' })).to.throw(/CLOCK=manual/);
    expect(loadConfig({ NODE_ENV: 'production' }).clock).to.equal('system');
  });

  it('defaults to embedded SQLite', () => {
    expect(loadConfig({}).databaseUrl).to.equal('sqlite:./data/govflow.db');
  });
});
