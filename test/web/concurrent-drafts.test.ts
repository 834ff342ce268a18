import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';

/**
 * Issue 11, hole 3: ten simultaneous drafts for one plan year used to answer 500 on MySQL (two took the
 * same project code). Codes come from a per-year sequence row that is safe under concurrency on both
 * databases; a unique-key race is retried, never a 500.
 */
describe('concurrent drafts get unique project codes (issue 11, hole 3)', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(() => t.close());

  for (const [round, year] of [[1, 2027], [2, 2027], [3, 2028]] as const) {
    it(`ten drafts at once for ${year} (${round === 1 ? 'a year with no project yet' : round === 2 ? 'a year with projects' : 'another year'}): ten 201s, ten codes`, async () => {
      const res = await Promise.all(Array.from({ length: 10 }, (_, i) => t.as(i % 2 ? 'rmyy' : 'jyj').post('/api/projects', draft({ name: `并发草稿 ${round}-${i}`, planYear: year, unitCode: i % 2 ? 'rmyy' : 'jyj' }))));
      expect(res.map((r) => r.status), JSON.stringify(res.filter((r) => r.status !== 201).map((r) => r.body))).to.deep.equal(Array(10).fill(201));
      const codes = res.map((r) => r.body.code as string);
      expect(new Set(codes).size).to.equal(10);
      for (const c of codes) expect(c).to.match(new RegExp(`^GF-${year}-\\d{4}$`));
    });
  }

  it('numbers each year from 0001 on, in order', async () => {
    const all = (await t.as('sjj').get('/api/projects')).body as { code: string; planYear: number }[];
    for (const year of [2027, 2028]) {
      const numbers = all.filter((p) => p.planYear === year).map((p) => Number(p.code.split('-')[2])).sort((a, b) => a - b);
      expect(numbers).to.deep.equal(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }
  });
});
