import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { setClock } from '../support/runtime';

/** 第25条: the measures' effective and expiry dates are settings (MEASURES_EFFECTIVE_FROM / _UNTIL, src/config.ts). */
describe('第25条: the measures apply between their effective and expiry dates (settings)', () => {
  it('reads the dates from the environment, checked (a real day each, not the other way round); unset means no bound', () => {
    expect(loadConfig({}).measuresValidity).to.deep.equal({ from: null, until: null });
    expect(loadConfig({ MEASURES_EFFECTIVE_FROM: '2025-03-01', MEASURES_EFFECTIVE_UNTIL: '2030-02-28' }).measuresValidity).to.deep.equal({ from: '2025-03-01', until: '2030-02-28' });
    expect(() => loadConfig({ MEASURES_EFFECTIVE_FROM: '2025-02-30' })).to.throw(/MEASURES_EFFECTIVE_FROM/);
    expect(() => loadConfig({ MEASURES_EFFECTIVE_UNTIL: '2030年' })).to.throw(/MEASURES_EFFECTIVE_UNTIL/);
    expect(() => loadConfig({ MEASURES_EFFECTIVE_FROM: '2030-01-01', MEASURES_EFFECTIVE_UNTIL: '2025-01-01' })).to.throw(/not be after/);
  });

  describe('through the API', () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp({ CLOCK: 'manual', MEASURES_EFFECTIVE_FROM: '2026-08-01', MEASURES_EFFECTIVE_UNTIL: '2026-12-31' });
    });
    after(() => t.close());

    async function submitOn(day: string) {
      await setClock(t, `${day}T10:00:00+08:00`);
      const p = await t.as('rmyy').post('/api/projects', draft());
      expect(p.status, JSON.stringify(p.body)).to.equal(201);
      return t.as('rmyy').post(`/api/projects/${p.body.id}/submit`);
    }

    it('refuses a submission before the effective date and after the expiry date with 422 citing 第25条; the draft stays a draft', async () => {
      for (const day of ['2026-07-31', '2027-01-01']) {
        const res = await submitOn(day);
        expect(res.status, day).to.equal(422);
        expect(res.body.error.code).to.equal('measures-not-in-force');
        expect(res.body.error.message).to.match(/^不符合第25条：《办法》自2026年8月1日起执行，有效期至2026年12月31日/);
        expect(res.body.error.details[0]).to.include({ rule: 'R25.1', article: '第25条' });
      }
      const drafts = (await t.as('rmyy').get('/api/projects')).body as { stage: string }[];
      expect(drafts.map((p) => p.stage)).to.deep.equal(['draft', 'draft']);
    });

    it('takes a submission on a day the measures are in force (the last day included)', async () => {
      const res = await submitOn('2026-12-31');
      expect(res.body.error?.code, JSON.stringify(res.body)).not.to.equal('measures-not-in-force');
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });
  });
});
