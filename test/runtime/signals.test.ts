import { expect } from 'chai';
import { SignalSubscriptionModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { freshDatabaseUrl, onMysql } from '../support/database';
import { deploy, fixture, instance, setClock, startInstance } from '../support/runtime';
import { startServerProcess, type ServerProcess } from '../support/server-process';

/**
 * Signals (issue 12 item 13): POST /api/signals and signal throw events broadcast to every waiting
 * catch of every instance (subscription rows), each once; across a restart; on two nodes at once.
 */

/** A GovFlow on a given database (seeding is idempotent), so that a second one can take over the first's data. */
const openApp = (databaseUrl: string): Promise<TestApp> => startTestApp({ DATABASE_URL: databaseUrl, CLOCK: 'manual' });

interface TaskRow {
  id: number;
  activityId: string;
}

async function tasks(t: TestApp, username: string, instanceId: string): Promise<string[]> {
  const res = await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`);
  expect(res.status).to.equal(200);
  return (res.body as TaskRow[]).map((x) => x.activityId).sort();
}

async function complete(t: TestApp, username: string, instanceId: string, activityId: string) {
  const task = ((await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`)).body as TaskRow[]).find((x) => x.activityId === activityId);
  expect(task, activityId).to.not.equal(undefined);
  const res = await t.as(username).post(`/api/tasks/${task!.id}/complete`, { variables: {} });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.processInstance as { state: string; activeActivityIds: string[] };
}

async function signal(t: TestApp, name: string, variables: Record<string, unknown> = {}) {
  const res = await t.as('admin').post('/api/signals', { name, variables });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return (res.body.signalled as { processInstanceId: string; activeActivityIds: string[] }[]).map((x) => x.processInstanceId).sort();
}

const signalOperations = (inst: { operations: { operation: string }[] }) => inst.operations.filter((o) => o.operation === 'signal').length;

describe('signals (issue 12 item 13)', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await openApp(await freshDatabaseUrl());
    await setClock(t, '2026-03-02T09:00:00+08:00');
    await deploy(t, 'signals.bpmn');
  });
  after(() => t.close());

  it('a broadcast reaches every waiting intermediate catch of every instance, once, with its variables', async () => {
    // given three instances waiting for the release
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await startInstance(t, 'signal-waiter')).id);
    expect((await SignalSubscriptionModel.findAll({ where: { signalName: 'annual-release' } })).length).to.equal(3);

    // when the signal is broadcast
    const reached = await signal(t, 'annual-release', { year: 2026 });

    // then each goes on, once, with the variables
    expect(reached).to.deep.equal([...ids].sort());
    for (const id of ids) {
      expect(await tasks(t, 'sjj', id)).to.deep.equal(['Proceed']);
      const inst = await instance(t, id);
      expect(inst.variables).to.include({ year: 2026 });
      expect(inst.history.find((h: { activityId: string }) => h.activityId === 'AwaitRelease').outcome).to.equal('annual-release');
    }
    // and a second broadcast finds nobody (not an error)
    expect(await signal(t, 'annual-release')).to.deep.equal([]);
    expect(await SignalSubscriptionModel.count({ where: { signalName: 'annual-release' } })).to.equal(0);
  });

  it('boundaries (non-interrupting stays subscribed, interrupting ends the task) and a non-interrupting signal start of an event sub-process', async () => {
    // given
    const id = (await startInstance(t, 'signal-catcher')).id;
    // when the policy is updated: a reading task beside the work, which stays subscribed
    await signal(t, 'policy-update');
    expect(await tasks(t, 'sjj', id)).to.deep.equal(['ReadPolicy', 'Work']);
    expect(await SignalSubscriptionModel.count({ where: { instanceId: id, signalName: 'policy-update' } })).to.equal(1);
    // when the audit season opens: an audit beside it
    await signal(t, 'audit-season');
    expect(await tasks(t, 'sjju', id)).to.deep.equal(['AuditCheck']);
    // when the project is withdrawn: the work ends, the boundaries go with it
    await signal(t, 'project-withdrawn');
    expect(await tasks(t, 'sjj', id)).to.deep.equal(['ReadPolicy']);
    expect(await SignalSubscriptionModel.count({ where: { instanceId: id, signalName: ['policy-update', 'project-withdrawn'] } })).to.equal(0);
    const inst = await instance(t, id);
    expect(inst.history.find((h: { activityId: string }) => h.activityId === 'Work').outcome).to.match(/discard/);
    // and the instance ends when what runs beside is done
    await complete(t, 'sjj', id, 'ReadPolicy');
    expect((await complete(t, 'sjju', id, 'AuditCheck')).state).to.equal('completed');
    expect(await SignalSubscriptionModel.count({ where: { instanceId: id } })).to.equal(0);
  });

  it('signal throw and end events broadcast to the other instances (through a job), with the throw\'s inputs', async () => {
    // given waiting instances of both kinds
    const waiter = (await startInstance(t, 'signal-waiter')).id;
    const catcher = (await startInstance(t, 'signal-catcher')).id;
    const thrower = (await startInstance(t, 'signal-thrower', { variables: { planYear: 2027 } })).id;

    // when the plan is released
    expect((await complete(t, 'sjj', thrower, 'Prepare')).state).to.equal('completed');

    // then the waiter got the release with the year, the catcher the policy update
    expect(await tasks(t, 'sjj', waiter)).to.deep.equal(['Proceed']);
    expect((await instance(t, waiter)).variables).to.include({ year: 2027 });
    expect(await tasks(t, 'sjj', catcher)).to.deep.equal(['ReadPolicy', 'Work']);
    expect(signalOperations(await instance(t, waiter))).to.equal(1);
  });

  it('POST /api/signals: a name is required (422), administrators only (403)', async () => {
    expect((await t.as('admin').post('/api/signals', { variables: {} })).status).to.equal(422);
    expect((await t.as('admin').post('/api/signals', { name: 'x', variables: [1] })).status).to.equal(422);
    expect((await t.as('sjj').post('/api/signals', { name: 'annual-release' })).status).to.equal(403);
  });
});

describe('signals across a restart on the same database (issue 12 item 13)', function () {
  this.timeout(120_000);

  it('the subscriptions are rows: a new GovFlow delivers the broadcast to instances started before', async () => {
    const url = await freshDatabaseUrl();
    const a = await openApp(url);
    await setClock(a, '2026-03-02T09:00:00+08:00');
    await deploy(a, 'signals.bpmn');
    const waiter = (await startInstance(a, 'signal-waiter')).id;
    const catcher = (await startInstance(a, 'signal-catcher')).id;
    await signal(a, 'policy-update');
    await a.close();

    const b = await openApp(url);
    try {
      // the non-interrupting boundary is still subscribed after the restart, the waiter too
      expect(await signal(b, 'annual-release')).to.deep.equal([waiter]);
      expect(await tasks(b, 'sjj', waiter)).to.deep.equal(['Proceed']);
      expect(await tasks(b, 'sjj', catcher)).to.deep.equal(['ReadPolicy', 'Work']);
      expect(await signal(b, 'project-withdrawn')).to.deep.equal([catcher]);
      expect(await tasks(b, 'sjj', catcher)).to.deep.equal(['ReadPolicy']);
      const created = (await instance(b, catcher)).operations.filter((o: { operation: string }) => o.operation === 'task-created');
      expect(created).to.have.length(2); // Work, ReadPolicy: nothing created twice
    } finally {
      await b.close();
    }
  });
});

describe('signals on two nodes at once (issue 12 item 13)', function () {
  this.timeout(300_000);
  const servers: ServerProcess[] = [];
  before(function () {
    if (!onMysql()) this.skip(); // two processes on one SQLite file is not a supported deployment
  });
  after(async () => {
    for (const s of servers) if (s.child.exitCode === null) await s.kill();
  });

  it('the same signal broadcast on both nodes at once reaches each waiting instance exactly once', async () => {
    const url = await freshDatabaseUrl();
    const p1 = await startServerProcess(url);
    servers.push(p1);
    const p2 = await startServerProcess(url);
    servers.push(p2);
    const bearer = async (s: ServerProcess) => `Bearer ${await s.token('admin')}`;
    expect((await p1.api.post('/api/process-definitions').set('Authorization', await bearer(p1)).send({ xml: fixture('signals.bpmn') })).status).to.equal(201);
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      const s = i % 2 ? p2 : p1;
      const res = await s.api.post('/api/process-definitions/signal-waiter/instances').set('Authorization', await bearer(s)).send({});
      expect(res.status, res.text).to.equal(201);
      ids.push(res.body.id);
    }
    // when both nodes broadcast at once
    const results = await Promise.all(
      [p1, p2].map(async (s) => {
        const res = await s.api.post('/api/signals').set('Authorization', await bearer(s)).send({ name: 'annual-release', variables: { year: 2026 } });
        expect(res.status, res.text).to.equal(200);
        return (res.body.signalled as { processInstanceId: string }[]).map((x) => x.processInstanceId);
      }),
    );
    // then every instance was reached by exactly one of them, and went on once
    expect([...results[0], ...results[1]].sort()).to.deep.equal([...ids].sort());
    for (const id of ids) {
      const inst = (await p1.api.get(`/api/process-instances/${id}`).set('Authorization', await bearer(p1))).body;
      expect(inst.activeActivityIds, id).to.deep.equal(['Proceed']);
      expect(inst.operations.filter((o: { operation: string }) => o.operation === 'signal'), id).to.have.length(1);
      expect(inst.operations.filter((o: { operation: string }) => o.operation === 'task-created'), id).to.have.length(1);
    }
  });
});
