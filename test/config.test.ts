import os from 'node:os';
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

  it('ENGINE_WORKERS: cores − 1 (at most 4) by default, 0 for none, anything else not a count refused', () => {
    expect(loadConfig({}).engineWorkers).to.equal(Math.max(0, Math.min(4, os.availableParallelism() - 1)));
    expect(loadConfig({ ENGINE_WORKERS: '0' }).engineWorkers).to.equal(0);
    expect(loadConfig({ ENGINE_WORKERS: '3' }).engineWorkers).to.equal(3);
    expect(() => loadConfig({ ENGINE_WORKERS: '-1' })).to.throw(/ENGINE_WORKERS/);
    expect(() => loadConfig({ ENGINE_WORKERS: 'two' })).to.throw(/ENGINE_WORKERS/);
  });

  it('LIVE_ENGINES: 32 by default, 0 for none, anything else not a count refused', () => {
    expect(loadConfig({}).liveEngines).to.equal(32);
    expect(loadConfig({ LIVE_ENGINES: '0' }).liveEngines).to.equal(0);
    expect(loadConfig({ LIVE_ENGINES: '500' }).liveEngines).to.equal(500);
    expect(() => loadConfig({ LIVE_ENGINES: '-1' })).to.throw(/LIVE_ENGINES/);
  });

  it('defaults to embedded SQLite', () => {
    expect(loadConfig({}).databaseUrl).to.equal('sqlite:./data/govflow.db');
  });
});
