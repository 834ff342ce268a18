import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { freshDatabaseUrl } from '../support/database';
import { deploy, fixture, instance, setClock, startInstance } from '../support/runtime';
import { startServerProcess, type ServerProcess } from '../support/server-process';

interface TaskRow {
  id: number;
  activityId: string;
  assignee: string | null;
  processInstanceId: string;
}

/** The open tasks of an instance that `username` sees. */
async function tasksOf(t: TestApp, username: string, instanceId: string, activityId = 'Sign'): Promise<TaskRow[]> {
  const res = await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`);
  expect(res.status).to.equal(200);
  return (res.body as TaskRow[]).filter((x) => x.activityId === activityId);
}

async function complete(t: TestApp, username: string, taskId: number, variables: Record<string, unknown>) {
  const res = await t.as(username).post(`/api/tasks/${taskId}/complete`, { variables });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.processInstance as { state: string; activeActivityIds: string[] };
}

describe('multi-instance user tasks and sub-processes (issue 12 item 11)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-03-02T09:00:00+08:00');
    for (const file of ['multi-sign.bpmn', 'multi-sign-sequential.bpmn', 'any-sign.bpmn', 'multi-review-subprocess.bpmn', 'multi-sign-deadline.bpmn']) {
      await deploy(t, file);
    }
  });
  after(() => t.close());

  it('parallel 会签: one task per expert, assigned by inputElement; the opinions are collected in input order', async () => {
    // given an instance for three experts
    const started = await startInstance(t, 'multi-sign', { variables: { experts: ['zj1', 'zj2', 'zj3'] } });
    expect(started.activeActivityIds).to.deep.equal(['Sign']);
    // then each expert has exactly one task, assigned to them, with the item as a local variable
    const mine = await Promise.all(['zj1', 'zj2', 'zj3'].map((u) => tasksOf(t, u, started.id)));
    for (const [i, u] of ['zj1', 'zj2', 'zj3'].entries()) {
      expect(mine[i].map((x) => x.assignee), u).to.deep.equal([u]);
      const detail = await t.as(u).get(`/api/tasks/${mine[i][0].id}`);
      expect(detail.body.variables).to.include({ expert: u, loopCounter: i + 1 });
    }
    const inst = await instance(t, started.id);
    expect(inst.variables.opinions).to.deep.equal([null, null, null]);
    expect(inst.variables).not.to.have.property('expert');
    expect(inst.variables).not.to.have.property('govflowLoops');
    // when they sign out of order
    await complete(t, 'zj3', mine[2][0].id, { approved: true, note: '同意' });
    // then the others still wait, and a signer cannot sign twice
    expect(await tasksOf(t, 'zj1', started.id)).to.have.length(1);
    expect((await t.as('zj3').post(`/api/tasks/${mine[2][0].id}/complete`, { variables: { approved: false } })).status).to.equal(409);
    // and a field the task does not declare is refused
    expect((await t.as('zj1').post(`/api/tasks/${mine[0][0].id}/complete`, { variables: { expert: 'zj9' } })).status).to.equal(422);
    await complete(t, 'zj1', mine[0][0].id, { approved: false, note: '资料不全' });
    const last = await complete(t, 'zj2', mine[1][0].id, { approved: true, note: '可行' });
    // then the body completes after the third signature and the summary task opens
    expect(last.activeActivityIds).to.deep.equal(['Decide']);
    const after = await instance(t, started.id);
    expect(after.variables.opinions).to.deep.equal([
      { expert: 'zj1', approved: false, note: '资料不全' },
      { expert: 'zj2', approved: true, note: '可行' },
      { expert: 'zj3', approved: true, note: '同意' },
    ]);
    const signs = after.history.filter((h: { activityId: string }) => h.activityId === 'Sign');
    expect(signs).to.have.length(1);
    expect(signs[0].endedAt).to.be.a('string');
  });

  it('sequential: one task at a time, in input order', async () => {
    // given
    const started = await startInstance(t, 'multi-sign-sequential', { variables: { experts: ['zj2', 'zj1'] } });
    // then only the first expert has a task
    expect(await tasksOf(t, 'zj1', started.id)).to.deep.equal([]);
    const first = await tasksOf(t, 'zj2', started.id);
    expect(first).to.have.length(1);
    // when the first signs, the second gets a task
    await complete(t, 'zj2', first[0].id, { approved: true, note: '一' });
    expect(await tasksOf(t, 'zj2', started.id)).to.deep.equal([]);
    const second = await tasksOf(t, 'zj1', started.id);
    expect(second).to.have.length(1);
    const done = await complete(t, 'zj1', second[0].id, { approved: false, note: '二' });
    // then
    expect(done.activeActivityIds).to.deep.equal(['Decide']);
    expect((await instance(t, started.id)).variables.opinions).to.deep.equal([
      { expert: 'zj2', approved: true, note: '一' },
      { expert: 'zj1', approved: false, note: '二' },
    ]);
  });

  it('或签: the completion condition ends the body at the first approval; the other tasks are cancelled', async () => {
    // given three signers
    const started = await startInstance(t, 'any-sign', { variables: { signers: ['gwh', 'sjj', 'fgw'] } });
    const [gwh] = await tasksOf(t, 'gwh', started.id);
    const [sjj] = await tasksOf(t, 'sjj', started.id);
    const [fgw] = await tasksOf(t, 'fgw', started.id);
    // when one declines: the condition is false, the others go on
    const afterNo = await complete(t, 'sjj', sjj.id, { approved: false });
    expect(afterNo.activeActivityIds).to.deep.equal(['Sign']);
    // when one approves
    const afterYes = await complete(t, 'fgw', fgw.id, { approved: true });
    // then the body is over and the remaining task is cancelled
    expect(afterYes.activeActivityIds).to.deep.equal(['Record']);
    expect(await tasksOf(t, 'gwh', started.id)).to.deep.equal([]);
    expect((await t.as('gwh').post(`/api/tasks/${gwh.id}/complete`, { variables: { approved: true } })).status).to.equal(409);
    const inst = await instance(t, started.id);
    expect(inst.variables.approvals).to.deep.equal([null, false, true]);
    const ops = inst.operations.filter((o: { operation: string; taskId: number }) => o.operation === 'task-canceled');
    expect(ops.map((o: { taskId: number }) => o.taskId)).to.deep.equal([gwh.id]);
  });

  it('a multi-instance sub-process: the item is local to each instance and seen by the tasks inside', async () => {
    // given two items, each for its reviewer
    const items = [
      { name: '机房', reviewer: 'zj1' },
      { name: '软件', reviewer: 'zj2' },
    ];
    const started = await startInstance(t, 'multi-review', { variables: { items } });
    const [a] = await tasksOf(t, 'zj1', started.id, 'Check');
    const [b] = await tasksOf(t, 'zj2', started.id, 'Check');
    expect(a.assignee).to.equal('zj1');
    expect((await t.as('zj2').get(`/api/tasks/${b.id}`)).body.variables).to.include({ itemName: '软件' });
    // when both are reviewed, the second first
    await complete(t, 'zj2', b.id, { score: 80 });
    const done = await complete(t, 'zj1', a.id, { score: 90 });
    // then
    expect(done.state).to.equal('completed');
    expect((await instance(t, started.id)).variables.results).to.deep.equal([
      { name: '机房', score: 90 },
      { name: '软件', score: 80 },
    ]);
  });

  it('a timer boundary on the body interrupts every instance: their tasks are cancelled', async () => {
    // given a 会签 with a 3-day deadline, one signature in
    const started = await startInstance(t, 'multi-sign-deadline', { variables: { experts: ['zj1', 'zj2'] } });
    const [first] = await tasksOf(t, 'zj1', started.id);
    await complete(t, 'zj1', first.id, { approved: true, note: '同意' });
    // when the deadline passes
    await setClock(t, '2026-03-06T09:00:00+08:00');
    // then the body was interrupted, the open task cancelled, and the flow goes on
    const inst = await instance(t, started.id);
    expect(inst.activeActivityIds).to.deep.equal(['Decide']);
    expect(await tasksOf(t, 'zj2', started.id)).to.deep.equal([]);
    expect(inst.variables.opinions).to.deep.equal([{ expert: 'zj1', approved: true, note: '同意' }, null]);
  });

  it('an inputCollection that is not a list is an incident of the element', async () => {
    // when
    const res = await t.as('admin').post('/api/process-definitions/multi-sign/instances', { variables: { experts: 'zj1' } });
    // then
    const inst = await instance(t, res.body.id);
    expect(inst.state).to.equal('incident');
    expect(JSON.stringify(inst)).to.contain('不是列表');
  });
});

describe('multi-instance across a server restart (issue 12 item 11)', function () {
  this.timeout(180_000);
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) if (s.child.exitCode === null) await s.kill();
  });

  it('keeps each instance one task: nothing is created twice, the outputs are collected after the restart', async () => {
    const url = await freshDatabaseUrl();
    const a = await startServerProcess(url);
    servers.push(a);
    const as = async (s: ServerProcess, u: string) => `Bearer ${await s.token(u)}`;
    expect((await a.api.post('/api/process-definitions').set('Authorization', await as(a, 'admin')).send({ xml: fixture('multi-sign.bpmn') })).status).to.equal(201);
    const started = await a.api.post('/api/process-definitions/multi-sign/instances').set('Authorization', await as(a, 'admin')).send({ variables: { experts: ['zj1', 'zj2', 'zj3'] } });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const id = started.body.id as string;
    const taskOn = async (s: ServerProcess, u: string) =>
      ((await s.api.get(`/api/tasks?processInstanceId=${id}`).set('Authorization', await as(s, u))).body as TaskRow[]);
    // when one expert signs, then the server is killed
    const [t2] = await taskOn(a, 'zj2');
    expect((await a.api.post(`/api/tasks/${t2.id}/complete`).set('Authorization', await as(a, 'zj2')).send({ variables: { approved: true, note: '好' } })).status).to.equal(200);
    await a.kill();
    // and another server starts on the same database (every action recovers the saved state: the
    // waiting instances are announced again as recovered)
    const b = await startServerProcess(url);
    servers.push(b);
    // then the two open tasks are the same rows, none created twice
    const all = (await b.api.get(`/api/process-instances/${id}`).set('Authorization', await as(b, 'admin'))).body;
    const created = all.operations.filter((o: { operation: string }) => o.operation === 'task-created');
    expect(created).to.have.length(3);
    const [t1] = await taskOn(b, 'zj1');
    const [t3] = await taskOn(b, 'zj3');
    expect([t1, t3].every(Boolean)).to.equal(true);
    expect(await taskOn(b, 'zj2')).to.deep.equal([]);
    // when the others sign on the new server
    expect((await b.api.post(`/api/tasks/${t3.id}/complete`).set('Authorization', await as(b, 'zj3')).send({ variables: { approved: false, note: '否' } })).status).to.equal(200);
    const last = await b.api.post(`/api/tasks/${t1.id}/complete`).set('Authorization', await as(b, 'zj1')).send({ variables: { approved: true, note: '是' } });
    expect(last.status).to.equal(200);
    // then the opinions are collected in input order, and no task was created twice
    const final = (await b.api.get(`/api/process-instances/${id}`).set('Authorization', await as(b, 'admin'))).body;
    expect(final.activeActivityIds).to.deep.equal(['Decide']);
    expect(final.variables.opinions).to.deep.equal([
      { expert: 'zj1', approved: true, note: '是' },
      { expert: 'zj2', approved: true, note: '好' },
      { expert: 'zj3', approved: false, note: '否' },
    ]);
    expect(final.operations.filter((o: { operation: string }) => o.operation === 'task-created')).to.have.length(4);
  });
});
