import { expect } from 'chai';
import { defineHandler } from '../../src/handlers/handler';
import { startTestApp, type TestApp } from '../support/app';
import { onMysql } from '../support/database';
import { fixture } from '../support/runtime';

const XML = fixture('rendezvous-timers.bpmn');

/**
 * Issue 13 (P5): the due jobs of one claimed batch run side by side, JOB_CONCURRENCY instances at a time, each in
 * its own unit of work — a process's share of a burst keeps its connections busy instead of waiting on each
 * commit in turn. The handler of the service task after the timer waits until the other instance's run reaches
 * it too: side by side both meet; one after the other each waits alone until its patience ends.
 * MySQL only: SQLite has one writer, so its units of work run one after the other whatever runs side by side.
 */
describe('due jobs of a claimed batch run side by side (JOB_CONCURRENCY)', function () {
  const arrived: string[] = [];
  const met: Record<string, boolean> = {};
  let everyone: () => void = () => {};
  let together = new Promise<void>((r) => (everyone = r));
  const rendezvous = defineHandler({
    name: 'test-rendezvous',
    title: '测试：会合',
    description: 'waits (at most 3 s) until two instances have reached it',
    category: 'test',
    inputs: [],
    outputs: [],
    async run(_input, ctx) {
      arrived.push(ctx.instanceId);
      if (arrived.length >= 2) everyone();
      met[ctx.instanceId] = await Promise.race([together.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      return {};
    },
  });

  const fire = async (concurrency: number) => {
    arrived.length = 0;
    for (const k of Object.keys(met)) delete met[k];
    together = new Promise<void>((r) => (everyone = r));
    const t: TestApp = await startTestApp({ CLOCK: 'manual', JOB_CONCURRENCY: String(concurrency), SCHEDULER_INTERVAL_MS: '3600000' }, {}, { extraHandlers: [rendezvous] });
    try {
      await t.gf.definitions.deploy({ xml: XML }, 'admin');
      const ids = [];
      for (let i = 0; i < 2; i++) ids.push((await t.gf.runtime.start('side-by-side', { variables: { i } }, 'admin')).id);
      await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));
      expect(await t.gf.runtime.runDueJobs()).to.equal(2);
      const states = await Promise.all(ids.map(async (id) => (await t.as('admin').get(`/api/process-instances/${id}`)).body.state));
      expect(states).to.deep.equal(['completed', 'completed']);
      return ids.map((id) => met[id]);
    } finally {
      await t.close();
    }
  };

  before(function () {
    if (!onMysql()) this.skip();
  });

  it('with JOB_CONCURRENCY 4 the two timers of the batch run at once (each handler meets the other)', async () => {
    expect(await fire(4)).to.deep.equal([true, true]);
  });

  it('with JOB_CONCURRENCY 1 they run one after the other (the first waits alone)', async () => {
    expect(await fire(1)).to.deep.equal([false, true]);
  });
});
