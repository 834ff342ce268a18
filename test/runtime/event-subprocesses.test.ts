import { expect } from 'chai';
import type { GovFlowOptions } from '../../src/app';
import { MessageSubscriptionModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { freshDatabaseUrl } from '../support/database';
import { deploy, instance, setClock, startInstance, testHandlers } from '../support/runtime';

/**
 * Event sub-processes (issue 12 item 12): message, timer and error starts, interrupting and not,
 * through the HTTP API on a real GovFlow, and across a restart on the same database (a new GovFlow
 * recovers every instance from its saved state and its job / subscription rows).
 */

/** A GovFlow on a given database (seeded: idempotent), so that a second one can take over the first's data. */
const openApp = (databaseUrl: string, options: GovFlowOptions = {}): Promise<TestApp> => startTestApp({ DATABASE_URL: databaseUrl, CLOCK: 'manual' }, {}, options);

interface TaskRow {
  id: number;
  activityId: string;
  processInstanceId: string;
}

async function openTasks(t: TestApp, username: string, instanceId: string): Promise<string[]> {
  const res = await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`);
  expect(res.status).to.equal(200);
  return (res.body as TaskRow[]).map((x) => x.activityId).sort();
}

async function completeTask(t: TestApp, username: string, instanceId: string, activityId: string, variables: Record<string, unknown> = {}) {
  const res = await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`);
  const task = (res.body as TaskRow[]).find((x) => x.activityId === activityId);
  expect(task, `${activityId} open for ${username}`).to.not.equal(undefined);
  const done = await t.as(username).post(`/api/tasks/${task!.id}/complete`, { variables });
  expect(done.status, JSON.stringify(done.body)).to.equal(200);
  return done.body.processInstance as { state: string; activeActivityIds: string[] };
}

async function message(t: TestApp, messageName: string, businessKey: string, variables: Record<string, unknown> = {}) {
  return t.as('admin').post('/api/messages', { messageName, businessKey, variables });
}

const historyOf = (inst: { history: { activityId: string; outcome: string | null; endedAt: string | null }[] }) => inst.history.map((h) => h.activityId);

describe('event sub-processes (issue 12 item 12)', function () {
  this.timeout(120_000);
  const h = testHandlers();
  let t: TestApp;
  before(async () => {
    t = await openApp(await freshDatabaseUrl(), { extraHandlers: h.handlers });
    await setClock(t, '2026-03-02T09:00:00+08:00');
    await deploy(t, 'event-subprocesses.bpmn');
  });
  after(() => t.close());

  it('armed event sub-processes are subscriptions and timer jobs, not positions or history', async () => {
    // given
    const started = await startInstance(t, 'esp-implementation', { businessKey: 'ESP-1', variables: { projectCode: 'ESP-1' } });

    // then the token is at Implement only; the message starts wait as subscriptions, the timers as jobs
    expect(started.activeActivityIds).to.deep.equal(['Implement']);
    const inst = await instance(t, started.id);
    expect(historyOf(inst)).to.deep.equal(['Start', 'Implement']);
    expect(inst.timers.map((x: { activityId: string; dueAt: string }) => `${x.activityId} ${x.dueAt}`).sort()).to.deep.equal([
      'After30d 2026-04-01T01:00:00.000Z',
      'After48h 2026-03-04T01:00:00.000Z',
    ]);
    const subscriptions = await MessageSubscriptionModel.findAll({ where: { instanceId: started.id } });
    expect(subscriptions.map((x) => `${x.activityId} ${x.messageName}`).sort()).to.deep.equal(['AuditStart open-audit', 'LossReported major-loss']);
  });

  it('interrupting message start: a 重大损失 report cancels implementation, drops the other triggers, and the instance ends with the handling', async () => {
    // given
    const started = await startInstance(t, 'esp-implementation', { businessKey: 'ESP-2', variables: { projectCode: 'ESP-2' } });
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Implement']);

    // when the loss is reported
    const res = await message(t, 'major-loss', 'ESP-2', { loss: 500 });

    // then implementation is cancelled and the loss is handled instead
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.correlated[0].activeActivityIds).to.deep.equal(['LossReport', 'HandleLoss']);
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['HandleLoss']);
    // and nothing else can fire any more: the audit subscription is gone, the timers too
    expect((await message(t, 'open-audit', 'ESP-2')).status).to.equal(404);
    await setClock(t, '2026-04-30T09:00:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['HandleLoss']);
    await setClock(t, '2026-03-02T09:00:00+08:00');
    // when the loss is handled, the instance ends (the interrupted scope ends with its event sub-process)
    const done = await completeTask(t, 'sjj', started.id, 'HandleLoss');
    expect(done.state).to.equal('completed');
    const inst = await instance(t, started.id);
    expect(inst.variables).to.include({ loss: 500 });
    expect(historyOf(inst)).to.include.members(['LossReport', 'LossReported', 'HandleLoss', 'LossEnd']);
    expect(inst.history.find((x: { activityId: string }) => x.activityId === 'Implement').outcome).to.match(/discard/);
    expect(historyOf(inst)).not.to.include('Accept');
  });

  it('non-interrupting message start: an audit runs beside implementation, and can be opened again after it ends', async () => {
    // given
    const started = await startInstance(t, 'esp-implementation', { businessKey: 'ESP-3', variables: { projectCode: 'ESP-3' } });

    // when an audit is opened
    expect((await message(t, 'open-audit', 'ESP-3')).status).to.equal(200);

    // then implementation goes on beside the audit
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Implement']);
    expect(await openTasks(t, 'sjju', started.id)).to.deep.equal(['Audit']);
    // one occurrence at a time: no second audit while the first runs
    expect((await message(t, 'open-audit', 'ESP-3')).status).to.equal(404);
    // when the audit ends, the audit can be opened again
    await completeTask(t, 'sjju', started.id, 'Audit');
    expect((await message(t, 'open-audit', 'ESP-3')).status).to.equal(200);
    expect(await openTasks(t, 'sjju', started.id)).to.deep.equal(['Audit']);
    // when implementation and acceptance end while the second audit runs, the instance waits for the audit
    await completeTask(t, 'sjj', started.id, 'Implement');
    let state = await completeTask(t, 'sjj', started.id, 'Accept');
    expect(state.state).to.equal('running');
    expect(state.activeActivityIds).to.deep.equal(['AuditOpened', 'Audit']);
    state = await completeTask(t, 'sjju', started.id, 'Audit');
    expect(state.state).to.equal('completed');
    const inst = await instance(t, started.id);
    expect(inst.history.filter((x: { activityId: string }) => x.activityId === 'Audit')).to.have.length(2);
  });

  it('the instance ends when only armed event sub-processes are left (their subscriptions and timers go)', async () => {
    // given
    const started = await startInstance(t, 'esp-implementation', { businessKey: 'ESP-4', variables: { projectCode: 'ESP-4' } });
    // when the normal flow ends
    await completeTask(t, 'sjj', started.id, 'Implement');
    const state = await completeTask(t, 'sjj', started.id, 'Accept');
    // then
    expect(state.state).to.equal('completed');
    expect((await message(t, 'major-loss', 'ESP-4')).status).to.equal(404);
    const inst = await instance(t, started.id);
    expect(historyOf(inst)).to.deep.equal(['Start', 'Implement', 'Accept', 'End']);
  });

  it('timer starts: the non-interrupting reminder fires once beside implementation, the interrupting deadline cancels it', async () => {
    // given
    await setClock(t, '2026-03-02T09:00:00+08:00');
    const started = await startInstance(t, 'esp-implementation', { businessKey: 'ESP-5', variables: { projectCode: 'ESP-5' } });
    // when 48 hours pass
    await setClock(t, '2026-03-04T10:00:00+08:00');
    // then the reminder is there beside implementation
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Implement', 'Remind']);
    // and it does not come again after it is done
    await completeTask(t, 'sjj', started.id, 'Remind');
    await setClock(t, '2026-03-10T10:00:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Implement']);
    // when 30 days pass, the deadline interrupts implementation
    await setClock(t, '2026-04-02T10:00:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['ExplainDelay']);
    const inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Overdue', 'ExplainDelay']);
    expect((await message(t, 'major-loss', 'ESP-5')).status).to.equal(404);
    await setClock(t, '2026-03-02T09:00:00+08:00');
  });

  it('a non-interrupting timeCycle start fires on its grid, armed again after each occurrence, until its repetitions are used up', async () => {
    // given
    await setClock(t, '2026-03-02T09:00:00+08:00');
    const started = await startInstance(t, 'esp-cycle');
    expect((await instance(t, started.id)).timers.map((x: { dueAt: string }) => x.dueAt)).to.deep.equal(['2026-03-03T01:00:00.000Z']);
    // when the first day passes (late), the reminder comes once; while it runs nothing is armed
    await setClock(t, '2026-03-03T11:00:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Build', 'Nudge']);
    expect((await instance(t, started.id)).timers).to.deep.equal([]);
    // when it is done, the next occurrence is on the cycle's grid (not a day after the completion)
    await completeTask(t, 'sjj', started.id, 'Nudge');
    expect((await instance(t, started.id)).timers.map((x: { dueAt: string }) => x.dueAt)).to.deep.equal(['2026-03-04T01:00:00.000Z']);
    await setClock(t, '2026-03-04T09:30:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Build', 'Nudge']);
    // R2: after the second, it is over
    await completeTask(t, 'sjj', started.id, 'Nudge');
    expect((await instance(t, started.id)).timers).to.deep.equal([]);
    await setClock(t, '2026-03-09T09:30:00+08:00');
    expect(await openTasks(t, 'sjj', started.id)).to.deep.equal(['Build']);
    expect((await instance(t, started.id)).variables).to.deep.equal({});
    expect((await completeTask(t, 'sjj', started.id, 'Build')).state).to.equal('completed');
    await setClock(t, '2026-03-02T09:00:00+08:00');
  });

  it('error start: a service task\'s BPMN error is caught by the error event sub-process of its sub-process, which then ends normally', async () => {
    // given an amount over the handler's limit (test-calc throws TOO_BIG above 1000)
    const started = await startInstance(t, 'esp-errors', { variables: { amount: 5000 } });

    // then the error event sub-process of Settle handles it
    expect(started.state).to.equal('running');
    expect(started.activeActivityIds).to.deep.equal(['Settle', 'TooBigHandling', 'FixAmount']);
    // when it is fixed, Settle ends and the process goes on after it
    const state = await completeTask(t, 'sjj', started.id, 'FixAmount');
    expect(state.activeActivityIds).to.deep.equal(['Archive']);
    const inst = await instance(t, started.id);
    expect(inst.history.find((x: { activityId: string }) => x.activityId === 'Calculate').outcome).to.match(/discard/);
    // and without an error it is not triggered
    const fine = await startInstance(t, 'esp-errors', { variables: { amount: 10 } });
    expect(fine.activeActivityIds).to.deep.equal(['Archive']);
  });
});

describe('event sub-processes across a restart on the same database (issue 12 item 12)', function () {
  this.timeout(120_000);

  it('armed triggers survive the restart: a message fires once after it, the timer fires on the new server', async () => {
    const url = await freshDatabaseUrl();
    // given an instance with an audit running and everything else armed
    const a = await openApp(url, { extraHandlers: testHandlers().handlers });
    await setClock(a, '2026-03-02T09:00:00+08:00');
    await deploy(a, 'event-subprocesses.bpmn');
    const started = await startInstance(a, 'esp-implementation', { businessKey: 'ESP-R', variables: { projectCode: 'ESP-R' } });
    expect((await message(a, 'open-audit', 'ESP-R')).status).to.equal(200);
    await a.close();

    // when a new GovFlow takes over the database
    const b = await openApp(url, { extraHandlers: testHandlers().handlers });
    try {
      // then the waits are the same rows: no task created twice
      expect(await openTasks(b, 'sjj', started.id)).to.deep.equal(['Implement']);
      expect(await openTasks(b, 'sjju', started.id)).to.deep.equal(['Audit']);
      // the non-interrupting timer fires on the new server, once
      await setClock(b, '2026-03-04T10:00:00+08:00');
      expect(await openTasks(b, 'sjj', started.id)).to.deep.equal(['Implement', 'Remind']);
      // the audit ends and is armed again (a new subscription) after the restart
      await completeTask(b, 'sjju', started.id, 'Audit');
      expect((await message(b, 'open-audit', 'ESP-R')).status).to.equal(200);
      // the interrupting message still interrupts everything
      expect((await message(b, 'major-loss', 'ESP-R')).status).to.equal(200);
      expect(await openTasks(b, 'sjj', started.id)).to.deep.equal(['HandleLoss']);
      expect(await openTasks(b, 'sjju', started.id)).to.deep.equal([]);
      const inst = await instance(b, started.id);
      const created = inst.operations.filter((o: { operation: string }) => o.operation === 'task-created');
      // Implement, Audit, Remind, Audit again, HandleLoss
      expect(created).to.have.length(5);
      expect((await completeTask(b, 'sjj', started.id, 'HandleLoss')).state).to.equal('completed');
    } finally {
      await b.close();
    }
  });
});
