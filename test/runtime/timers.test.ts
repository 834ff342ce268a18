import { expect } from 'chai';
import { JobModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance, taskOf } from '../support/runtime';

describe('durable timers (database rows, fired by the scheduler)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'timers.bpmn');
    await deploy(t, 'deadline.bpmn');
  });
  after(() => t.close());

  it('fires a 40-day and then a 13-month timer (both beyond 2^31 ms) when the clock moves', async () => {
    // given an instance started on 2026-01-05
    await setClock(t, '2026-01-05T10:00:00+08:00');
    const started = await startInstance(t, 'long-timers');
    expect(started.activeActivityIds).to.deep.equal(['Wait40Days']);
    const [timer] = await JobModel.findAll({ where: { instanceId: started.id, type: 'timer' } });
    expect(timer.dueAt.toISOString()).to.equal('2026-02-14T02:00:00.000Z');
    // when the clock moves to one second before: nothing fires
    await setClock(t, '2026-02-14T09:59:59+08:00');
    expect((await instance(t, started.id)).activeActivityIds).to.deep.equal(['Wait40Days']);
    // when it passes the due date: the 40-day timer fires and the 13-month one is armed
    const moved = await setClock(t, '2026-02-14T10:00:01+08:00');
    expect(moved.firedJobs).to.equal(1);
    let inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Wait13Months']);
    const [second] = await JobModel.findAll({ where: { instanceId: started.id, type: 'timer' } });
    expect(second.dueAt.getTime()).to.be.greaterThan(new Date('2027-03-13T00:00:00+08:00').getTime());
    expect(second.dueAt.getTime()).to.be.lessThanOrEqual(new Date('2027-03-15T00:00:00+08:00').getTime());
    // 12 months later: still waiting; 13 months: the task appears
    await setClock(t, '2027-02-14T12:00:00+08:00');
    expect((await instance(t, started.id)).activeActivityIds).to.deep.equal(['Wait13Months']);
    await setClock(t, '2027-03-15T00:00:00+08:00');
    inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Evaluate']);
    const waited = inst.history.find((h: { activityId: string }) => h.activityId === 'Wait13Months');
    expect(waited.endedAt).to.be.a('string');
    expect(await JobModel.count({ where: { instanceId: started.id } })).to.equal(0);
  });

  it('counts a working-day deadline across the National Day holiday (第13条: 10 working days)', async () => {
    // given a contract signed on Monday 2026-09-28, before the 10/1–10/7 holiday
    await setClock(t, '2026-09-28T09:00:00+08:00');
    const started = await startInstance(t, 'contract-deadline', { businessKey: 'HT-1', variables: { contractSignedAt: '2026-09-28' } });
    const task = await taskOf(t, 'rmyy', started.id);
    // then the due date is the 10th working day: 2026-10-16, not 10-12 as weekdays alone would give
    expect(task.dueAt).to.equal('2026-10-16T15:59:59.000Z');
    const timers = await JobModel.findAll({ where: { instanceId: started.id, type: 'timer' }, order: [['dueAt', 'ASC']] });
    expect(timers.map((x) => x.dueAt.toISOString())).to.deep.equal(['2026-10-13T16:00:00.000Z', '2026-10-18T16:00:00.000Z']);
    // the holiday passes without anything firing
    await setClock(t, '2026-10-12T12:00:00+08:00');
    expect((await instance(t, started.id)).activeActivityIds).to.deep.equal(['FileContract']);
    // the reminder (non-interrupting, 2 working days before) fires once; the task stays
    await setClock(t, '2026-10-14T08:00:00+08:00');
    let inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['FileContract']);
    expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'SendReminder')).to.have.length(1);
    await t.gf.outbox.dispatch();
    const inbox = await t.as('rmyy').get('/api/notifications');
    expect(inbox.body.filter((n: { title: string }) => n.title === '合同备案即将到期')).to.have.length(1);
    // past the deadline the interrupting timer escalates to the data bureau and cancels the filing task
    await setClock(t, '2026-10-19T00:00:01+08:00');
    inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Escalate']);
    expect((await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, {})).status).to.equal(409);
    await taskOf(t, 'sjj', started.id, 'Escalate');
  });

  it('removes the timers of a task completed in time', async () => {
    await setClock(t, '2026-09-28T09:00:00+08:00');
    const started = await startInstance(t, 'contract-deadline', { variables: { contractSignedAt: '2026-09-28' } });
    expect(await JobModel.count({ where: { instanceId: started.id } })).to.equal(2);
    const task = await taskOf(t, 'rmyy', started.id);
    expect((await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, {})).status).to.equal(200);
    expect(await JobModel.count({ where: { instanceId: started.id } })).to.equal(0);
    expect((await instance(t, started.id)).state).to.equal('completed');
  });

  it('counts a deadline in a year without calendar data on weekends only: provisional, not an incident (test/runtime/calendar.test.ts)', async () => {
    await setClock(t, '2026-12-20T09:00:00+08:00');
    const res = await t.as('admin').post('/api/process-definitions/contract-deadline/instances', { variables: { contractSignedAt: '2026-12-28' } });
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal('running');
    const task = (await t.as('rmyy').get(`/api/tasks?processInstanceId=${res.body.id}`)).body[0];
    // 12-29, 12-30, 12-31, then 2027 on weekends only: 01-01, 01-04 … 01-08, 01-11
    expect(task).to.include({ dueAt: '2027-01-11T15:59:59.000Z', provisional: true });
  });
});

describe('cycle timers and event-based gateways, persisted', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'race.bpmn');
  });
  after(() => t.close());

  it('repeats a non-interrupting cycle timer with a new due date each time, and stops it with the task', async () => {
    await setClock(t, '2026-06-01T09:00:00+08:00');
    const started = await startInstance(t, 'reply-or-timeout', { businessKey: 'SUP-1' });
    const due = async () => (await JobModel.findAll({ where: { instanceId: started.id, type: 'timer' } })).map((j) => j.dueAt.toISOString());
    expect(await due()).to.deep.equal(['2026-06-02T01:00:00.000Z']);
    await setClock(t, '2026-06-02T09:30:00+08:00');
    // the cycle keeps its anchor: every day at 09:00, not 24 h after the late firing
    expect(await due()).to.deep.equal(['2026-06-03T01:00:00.000Z']);
    await setClock(t, '2026-06-03T10:00:00+08:00');
    const inst = await instance(t, started.id);
    expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'Remind')).to.have.length(2);
    expect(inst.activeActivityIds).to.deep.equal(['Supervise']);
    // completing the task ends the cycle; the race arms a message subscription and a timer
    const task = await taskOf(t, 'sjj', started.id);
    await t.as('sjj').post(`/api/tasks/${task.id}/complete`, {});
    expect((await instance(t, started.id)).activeActivityIds).to.have.members(['Race', 'Reply', 'NoReply']);
    expect(await due()).to.deep.equal(['2026-06-09T16:00:00.000Z']);
  });

  it('an event-based gateway: the message wins and the timer is gone; or the timer wins and the subscription is gone', async () => {
    await setClock(t, '2026-06-01T09:00:00+08:00');
    const a = await startInstance(t, 'reply-or-timeout', { businessKey: 'SUP-A' });
    const b = await startInstance(t, 'reply-or-timeout', { businessKey: 'SUP-B' });
    for (const id of [a.id, b.id]) {
      const task = await taskOf(t, 'sjj', id);
      await t.as('sjj').post(`/api/tasks/${task.id}/complete`, {});
    }
    const replied = await t.as('admin').post('/api/messages', { messageName: 'unit-reply', businessKey: 'SUP-A' });
    expect(replied.status).to.equal(200);
    expect((await instance(t, a.id)).state).to.equal('completed');
    expect(await JobModel.count({ where: { instanceId: a.id } })).to.equal(0);
    await setClock(t, '2026-06-09T00:00:01+08:00');
    const timedOut = await instance(t, b.id);
    expect(timedOut.state).to.equal('completed');
    expect(timedOut.history.map((h: { activityId: string }) => h.activityId)).to.include('Escalated');
    expect((await t.as('admin').post('/api/messages', { messageName: 'unit-reply', businessKey: 'SUP-B' })).status).to.equal(404);
  });
});
