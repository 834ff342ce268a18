import { expect } from 'chai';
import { EffectModel, JobModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance, taskOf, testHandlers } from '../support/runtime';

describe('execution: instances, user tasks, forms, history', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'approval.bpmn', ['review-form.form']);
  });
  after(() => t.close());

  it('runs start → user task → complete → service task → end, saving state, history and the inbox', async () => {
    // given a started instance
    const started = await startInstance(t, 'simple-approval', { businessKey: 'GF-2026-001', variables: { projectName: '智慧医院' } });
    expect(started).to.include({ state: 'running' });
    expect(started.activeActivityIds).to.deep.equal(['Review']);
    // then the data bureau sees the task, with its form
    const task = await taskOf(t, 'sjj', started.id);
    expect(task).to.include({ name: '审核', activityId: 'Review', businessKey: 'GF-2026-001', definitionKey: 'simple-approval', assignee: null });
    const detail = await t.as('sjj').get(`/api/tasks/${task.id}`);
    expect(detail.body.form.id).to.equal('review-form');
    expect(detail.body.variables).to.include({ projectName: '智慧医院' });
    // and others do not
    expect((await t.as('rmyy').get('/api/tasks')).body).to.deep.equal([]);
    // the new task reached the candidates' inboxes
    await t.gf.outbox.dispatch();
    const inbox = await t.as('admin').get('/api/notifications');
    expect(inbox.body.map((n: { title: string }) => n.title)).to.include('新待办：审核');
    // when the reviewer approves
    const done = await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.processInstance).to.include({ id: started.id, state: 'completed' });
    // then the instance completed through the notify handler, with its history
    const inst = await instance(t, started.id);
    expect(inst.state).to.equal('completed');
    expect(inst.variables).to.include({ decision: 'approve', opinion: '同意', projectName: '智慧医院' });
    const steps = inst.history.map((h: { activityId: string }) => h.activityId);
    expect(steps).to.include.ordered.members(['Submitted', 'Review', 'Decision', 'NotifyUnit', 'Approved']);
    const review = inst.history.find((h: { activityId: string }) => h.activityId === 'Review');
    expect(review).to.include({ actor: 'sjj', type: 'bpmn:UserTask' });
    expect(review.endedAt).to.be.a('string');
    expect(inst.operations.map((o: { operation: string }) => o.operation)).to.include.members(['start', 'task-created', 'complete', 'variables']);
    await t.gf.outbox.dispatch();
    const unitInbox = await t.as('rmyy').get('/api/notifications');
    expect(unitInbox.body.map((n: { title: string }) => n.title)).to.include('申请已通过：同意');
  });

  it('checks completion variables against the form: 422 listing each field, and nothing changes', async () => {
    const started = await startInstance(t, 'simple-approval');
    const task = await taskOf(t, 'sjj', started.id);
    const res = await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'maybe', score: 9 } });
    expect(res.status).to.equal(422);
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).to.have.members(['decision', 'opinion', 'score']);
    expect(res.body.error.details.find((d: { field: string }) => d.field === 'opinion').message).to.contain('必填');
    const inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Review']);
    expect((await taskOf(t, 'sjj', started.id)).id).to.equal(task.id);
  });

  it('refuses reserved variable names', async () => {
    const res = await t.as('admin').post('/api/process-definitions/simple-approval/instances', { variables: { content: 1 } });
    expect(res.status).to.equal(422);
    expect(res.body.error.details[0].field).to.equal('content');
  });

  it('lets only the assignee or a candidate act (403), and a claimed task is the claimer\'s (409)', async () => {
    const started = await startInstance(t, 'simple-approval');
    const task = await taskOf(t, 'sjj', started.id);
    const stranger = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: 'x' } });
    expect(stranger.status).to.equal(403);
    expect((await t.as('rmyy').post(`/api/tasks/${task.id}/claim`)).status).to.equal(403);
    // sjj claims; admin (also data-bureau) can no longer claim or complete it
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/claim`)).body.assignee).to.equal('sjj');
    expect((await t.as('admin').post(`/api/tasks/${task.id}/claim`)).status).to.equal(409);
    expect((await t.as('admin').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: 'x' } })).status).to.equal(403);
    expect((await t.as('admin').get('/api/tasks')).body.map((x: { id: number }) => x.id)).not.to.include(task.id);
    // unclaim gives it back to the group
    expect((await t.as('admin').post(`/api/tasks/${task.id}/unclaim`)).status).to.equal(403);
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/unclaim`)).body.assignee).to.equal(null);
    expect((await t.as('admin').get('/api/tasks')).body.map((x: { id: number }) => x.id)).to.include(task.id);
  });

  it('two completions at once: exactly one 200 and one 409, nothing half-done', async () => {
    const started = await startInstance(t, 'simple-approval');
    const task = await taskOf(t, 'sjj', started.id);
    const [a, b] = await Promise.all([
      t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'reject', opinion: '甲' } }),
      t.as('admin').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '乙' } }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    const winner = a.status === 200 ? '甲' : '乙';
    const inst = await instance(t, started.id);
    expect(inst.state).to.equal('completed');
    expect(inst.variables.opinion).to.equal(winner);
    expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'Review')).to.have.length(1);
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '丙' } })).status).to.equal(409);
  });

  it('lists and filters instances', async () => {
    const a = await startInstance(t, 'simple-approval', { businessKey: 'FILTER-1' });
    const list = await t.as('admin').get('/api/process-instances?businessKey=FILTER-1');
    expect(list.body.map((i: { id: string }) => i.id)).to.deep.equal([a.id]);
    const running = await t.as('admin').get('/api/process-instances?definitionKey=simple-approval&state=running');
    expect(running.body.every((i: { state: string }) => i.state === 'running')).to.equal(true);
    expect((await t.as('admin').get('/api/process-instances/nope')).status).to.equal(404);
  });

  it('terminates an instance (admin) and cancels its tasks', async () => {
    const a = await startInstance(t, 'simple-approval');
    const task = await taskOf(t, 'sjj', a.id);
    expect((await t.as('sjj').delete(`/api/process-instances/${a.id}`)).status).to.equal(403);
    const res = await t.as('admin').delete(`/api/process-instances/${a.id}`);
    expect(res.body.state).to.equal('terminated');
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: 'x' } })).status).to.equal(409);
  });

  it('has no dev clock route without CLOCK=manual', async () => {
    const plain = await startTestApp();
    try {
      const res = await plain.as('admin').post('/api/dev/clock', { now: '2027-01-01T00:00:00Z' });
      expect(res.status).to.equal(404);
    } finally {
      await plain.close();
    }
  });
});

describe('execution: service tasks, BPMN errors, retries, incidents', () => {
  let t: TestApp;
  const h = testHandlers();
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' }, {}, { extraHandlers: h.handlers, runtime: { retryBaseMs: 60_000 } });
    await deploy(t, 'service.bpmn');
    await setClock(t, '2026-03-02T09:00:00+08:00');
  });
  after(() => t.close());

  it('maps inputs (FEEL) and headers into the handler and its result back; retries a technical failure with back-off, charging once', async () => {
    h.state.flakyFailures = 2;
    const before = { ...h.calls };
    const started = await startInstance(t, 'service-steps', { variables: { amount: 10 } });
    // Calculate ran: (10 + 1) × factor 3; Flaky failed once and waits for its retry
    expect(started.activeActivityIds).to.deep.equal(['Flaky']);
    let inst = await instance(t, started.id);
    expect(inst.variables.calculated).to.equal(33);
    expect(inst.state).to.equal('running');
    // nothing happens before the back-off is over
    await setClock(t, '2026-03-02T09:00:30+08:00');
    expect((await instance(t, started.id)).activeActivityIds).to.deep.equal(['Flaky']);
    // after 1 min the second attempt fails, after 2 more the third succeeds
    await setClock(t, '2026-03-02T09:01:01+08:00');
    expect((await instance(t, started.id)).activeActivityIds).to.deep.equal(['Flaky']);
    await setClock(t, '2026-03-02T09:03:02+08:00');
    inst = await instance(t, started.id);
    expect(inst.state).to.equal('completed');
    expect(inst.variables.receipt).to.equal(`R-${before.charged + 1}`);
    expect(h.calls.flaky - before.flaky).to.equal(3);
    expect(h.calls.charged - before.charged).to.equal(1);
  });

  it('a BpmnError from a handler is caught by the boundary event with its code', async () => {
    const started = await startInstance(t, 'service-steps', { variables: { amount: 5000 } });
    expect(started.activeActivityIds).to.deep.equal(['FixAmount']);
    const inst = await instance(t, started.id);
    expect(inst.history.find((x: { activityId: string }) => x.activityId === 'TooBig')).to.be.an('object');
  });

  it('a run that fires a timer, invokes a service that fails and ends the instance (terminate end on another branch): the service finishes inside the run, and its retry job is removed (the wait kinds the lock read are not used after a service ran)', async () => {
    await deploy(t, 'service-terminate.bpmn');
    h.state.flakyFailures = 99;
    const started = await startInstance(t, 'service-terminate');
    expect(started.activeActivityIds).to.deep.equal(['Wait']);
    const calls = h.calls.flaky;
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));
    await t.gf.runtime.runDueJobs();
    expect(h.calls.flaky - calls, 'the service was invoked in the timer\'s run').to.equal(1);
    // the service finished inside the run, before its commit: what it recorded (its charge, ctx.once) is stored
    const effects = await EffectModel.findAll({ where: { instanceId: started.id } });
    expect(effects.map((e) => e.key), 'the service\'s effects').to.deep.equal(['charge']);
    const inst = await instance(t, started.id);
    expect(inst.state, 'a terminate end event ends the instance').to.equal('completed');
    const left = await JobModel.findAll({ where: { instanceId: started.id } });
    expect(left.map((j) => `${j.type} ${j.activityId}`), 'jobs left of the ended instance').to.deep.equal([]);
    h.state.flakyFailures = 0;
  });

  it('turns a service task that keeps failing into an incident, and a retry continues it', async () => {
    h.state.flakyFailures = 99;
    const started = await startInstance(t, 'service-steps', { variables: { amount: 1 } });
    for (const day of ['03', '04', '05']) await setClock(t, `2026-03-${day}T09:00:00+08:00`);
    const inst = await instance(t, started.id);
    expect(inst.state).to.equal('incident');
    expect(inst.incidents).to.have.length(1);
    expect(inst.incidents[0]).to.include({ activityId: 'Flaky', kind: 'job' });
    expect(inst.incidents[0].message).to.contain('外部接口超时');
    // incidents are the administrators' (第5条: their messages name projects)
    expect((await t.as('sjj').get('/api/incidents')).status).to.equal(403);
    const listed = await t.as('admin').get('/api/incidents');
    expect(listed.body.map((i: { id: number }) => i.id)).to.include(inst.incidents[0].id);
    // only admins retry
    expect((await t.as('sjj').post(`/api/incidents/${inst.incidents[0].id}/retry`)).status).to.equal(403);
    // when the outside system is back and an admin retries
    h.state.flakyFailures = 0;
    const retried = await t.as('admin').post(`/api/incidents/${inst.incidents[0].id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).to.equal(200);
    const after = await instance(t, started.id);
    expect(after.state).to.equal('completed');
    expect(after.incidents).to.deep.equal([]);
  });
});

describe('execution: messages, call activities, loop guard', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'message.bpmn');
    await deploy(t, 'call-child.bpmn');
    await deploy(t, 'call.bpmn');
    await deploy(t, 'loop.bpmn');
  });
  after(() => t.close());

  it('correlates a message to one instance by businessKey', async () => {
    const a = await startInstance(t, 'await-plan', { businessKey: 'P-1', variables: { projectCode: 'P-1' } });
    const b = await startInstance(t, 'await-plan', { businessKey: 'P-2', variables: { projectCode: 'P-2' } });
    expect(a.activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    const ambiguous = await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved' });
    expect(ambiguous.status).to.equal(409);
    const res = await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: 'P-1', variables: { budgeted: true } });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.correlated.map((c: { processInstanceId: string }) => c.processInstanceId)).to.deep.equal([a.id]);
    expect((await instance(t, a.id)).activeActivityIds).to.deep.equal(['Implement']);
    expect((await instance(t, a.id)).variables.budgeted).to.equal(true);
    expect((await instance(t, b.id)).activeActivityIds).to.deep.equal(['AwaitAnnualPlan']);
    const none = await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: 'P-1' });
    expect(none.status).to.equal(404);
  });

  it('releases every waiting instance at once with all', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await startInstance(t, 'await-plan', { businessKey: `ALL-${i}`, variables: { projectCode: `ALL-${i}` } })).id);
    const res = await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', all: true });
    expect(res.status).to.equal(200);
    expect(res.body.correlated.map((c: { processInstanceId: string }) => c.processInstanceId)).to.include.members(ids);
    for (const id of ids) expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Implement']);
  });

  it('runs a call activity: the child starts, and its completion continues the parent', async () => {
    const parent = await startInstance(t, 'call-parent', { businessKey: 'CALL-1', variables: { x: 1 } });
    expect(parent.activeActivityIds).to.deep.equal(['CallChild']);
    const children = await t.as('admin').get('/api/process-instances?definitionKey=call-child&businessKey=CALL-1');
    expect(children.body).to.have.length(1);
    expect(children.body[0].parentInstanceId).to.equal(parent.id);
    const childTask = await taskOf(t, 'czj', children.body[0].id);
    const done = await t.as('czj').post(`/api/tasks/${childTask.id}/complete`, { variables: { fromChild: 'ok' } });
    expect(done.status).to.equal(200);
    const p = await instance(t, parent.id);
    expect(p.activeActivityIds).to.deep.equal(['AfterChild']);
    expect(p.variables).to.include({ fromChild: 'ok', x: 1 });
  });

  it('turns an instance that loops without waiting into an incident, not a crash', async () => {
    const res = await t.as('admin').post('/api/process-definitions/endless-loop/instances', { variables: { spin: true } });
    expect(res.status).to.equal(201);
    expect(res.body.state).to.equal('incident');
    const inst = await instance(t, res.body.id);
    expect(inst.incidents[0].kind).to.equal('engine');
    expect(inst.incidents[0].message).to.match(/1000|loop|循环/i);
    // the server still answers
    expect((await t.api.get('/healthz')).status).to.equal(200);
  });
});
