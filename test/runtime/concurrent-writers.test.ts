import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy } from '../support/runtime';

/**
 * Issue 11, hole 13: concurrent writers on SQLite. Every transaction used to open its own SQLite
 * connection without a busy timeout, so writers that met answered SQLITE_BUSY as 500 (or after a long
 * stall). Writers now wait their turn: never a 500 for a busy database. Runs on MariaDB too.
 */
describe('concurrent writers through the HTTP API all succeed (issue 11, hole 13)', function () {
  this.timeout(180_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'approval.bpmn', ['review-form.form']);
  });
  after(() => t.close());

  const start = (i: number) => t.as('admin').post('/api/process-definitions/simple-approval/instances', { businessKey: `BUSY-${i}`, variables: { projectName: `并发 ${i}` } });
  const describeFailures = (rs: { status: number; body: unknown }[]) => JSON.stringify(rs.filter((r) => r.status >= 300).map((r) => [r.status, r.body]));

  it('twenty concurrent starts, then twenty concurrent completions (and their claims), twice: every answer 2xx', async () => {
    for (let round = 0; round < 2; round++) {
      const starts = await Promise.all(Array.from({ length: 20 }, (_, i) => start(round * 100 + i)));
      expect(starts.every((r) => r.status === 201), describeFailures(starts)).to.equal(true);
      const ids = new Set(starts.map((r) => r.body.id as string));
      const tasks = ((await t.as('sjj').get('/api/tasks')).body as { id: number; processInstanceId: string }[]).filter((x) => ids.has(x.processInstanceId));
      expect(tasks).to.have.length(20);
      const claims = await Promise.all(tasks.map((x, i) => t.as(i % 2 ? 'sjj' : 'admin').post(`/api/tasks/${x.id}/claim`)));
      expect(claims.every((r) => r.status < 300), describeFailures(claims)).to.equal(true);
      const done = await Promise.all(
        tasks.map((x, i) => t.as(i % 2 ? 'sjj' : 'admin').post(`/api/tasks/${x.id}/complete`, { variables: { decision: i % 3 ? 'approve' : 'reject', opinion: `第 ${i} 份` } })),
      );
      expect(done.every((r) => r.status === 200), describeFailures(done)).to.equal(true);
    }
  });
});
