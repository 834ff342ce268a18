import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { fixture, instance, setClock, startInstance } from '../support/runtime';

/**
 * Instance migration (issue 9 item 7): POST /api/process-instances/:id/migrate and the batch of a
 * version, through the HTTP API on the real database — dry run, refusal leaving everything unchanged,
 * success, a mapping, a restart, the batch, permissions.
 */

const REVIEW_V1 = `
    <bpmn:userTask id="Review" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:boundaryEvent id="Reminder" name="催办" attachedToRef="Review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>P10D</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="toReminded" sourceRef="Reminder" targetRef="Reminded" />
    <bpmn:endEvent id="Reminded" name="已催办" />`;

const doc = (body: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="migDefinitions" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="mig-demo" name="迁移演示" isExecutable="true">
    <bpmn:startEvent id="Start" name="开始" />
${body}
  </bpmn:process>
</bpmn:definitions>`;

/** v1: Start → Review (reminder after 10 days) → End */
const V1 = doc(`    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
${REVIEW_V1}
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" name="结束" />`);

/** v2: Start → Check (new) → Review (unchanged) → Approve (new) → End */
const V2 = doc(`    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Check" />
    <bpmn:userTask id="Check" name="复核"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f0" sourceRef="Check" targetRef="Review" />
${REVIEW_V1}
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Approve" />
    <bpmn:userTask id="Approve" name="批准"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Approve" targetRef="End" />
    <bpmn:endEvent id="End" name="结束" />`);

/** v3: Review renamed ReviewNew (its reminder too), in a document with another id */
const V3 = (x: string) => x.replace('id="migDefinitions"', 'id="migDefinitions3"');
const V3_DOC = doc(`    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="ReviewNew" />
${REVIEW_V1.replace(/"Review"/g, '"ReviewNew"').replace('id="Reminder"', 'id="ReminderNew"').replace('sourceRef="Reminder"', 'sourceRef="ReminderNew"').replace('name="审核"', 'name="审核（新）"')}
    <bpmn:sequenceFlow id="f2" sourceRef="ReviewNew" targetRef="End" />
    <bpmn:endEvent id="End" name="结束" />`);
const V3_XML = V3(V3_DOC);

/** v4: the reminder after 20 days instead of 10 */
const V4 = V1.replace('P10D', 'P20D');

interface Move { from: string; to: string | null; fate: string; reason?: string }

describe('instance migration (POST /api/process-instances/:id/migrate)', () => {
  let t: TestApp;

  const deployDoc = async (xml: string) => {
    const res = await t.as('admin').post('/api/process-definitions', { xml });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.version as number;
  };
  const migrate = (id: string, body: object, as = 'admin') => t.as(as).post(`/api/process-instances/${id}/migrate`, body);
  const openTasks = async (id: string) => (await t.as('sjj').get(`/api/tasks?processInstanceId=${id}`)).body as { id: number; activityId: string; name: string; assignee: string | null }[];
  const stored = async (id: string) => {
    const inst = await t.gf.db.sequelize.query('SELECT definitionId, definitionVersion, engineState, state FROM process_instances WHERE id = ?', { replacements: [id], plain: true });
    const tasks = await t.gf.db.sequelize.query('SELECT id, activityId, assignee, state FROM tasks WHERE instanceId = ? ORDER BY id', { replacements: [id] });
    const jobs = await t.gf.db.sequelize.query('SELECT id, activityId, dueAt FROM jobs WHERE instanceId = ? ORDER BY id', { replacements: [id] });
    return JSON.stringify([inst, tasks[0], jobs[0]]);
  };

  let v: { v1: number; v2: number; v3: number; v4: number };
  /** instances started on v1 before the later versions were deployed */
  const pool: string[] = [];
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-03-02T09:00:00+08:00');
    const v1 = await deployDoc(V1);
    for (let i = 0; i < 8; i++) pool.push((await startInstance(t, 'mig-demo')).id);
    v = { v1, v2: await deployDoc(V2), v3: await deployDoc(V3_XML), v4: await deployDoc(V4) };
  });
  after(() => t.close());

  /** an instance on v1, waiting at Review, claimed by sjj */
  async function onV1() {
    const id = pool.shift()!;
    const [task] = await openTasks(id);
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/claim`)).status).to.equal(200);
    return { id, taskId: task.id };
  }

  it('a dry run lists each active element’s fate and changes nothing', async () => {
    // given an instance on v1 waiting at Review with its reminder armed
    const { id } = await onV1();
    const before = await stored(id);
    // when a dry run to v2 is asked
    const res = await migrate(id, { targetVersion: v.v2, dryRun: true });
    // then each active element is kept (same ids), nothing is refused, nothing changed
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ instanceId: id, from: v.v1, to: v.v2, migrated: false });
    expect(res.body.problems).to.deep.equal([]);
    expect((res.body.moves as Move[]).map((m) => [m.from, m.to, m.fate]).sort()).to.deep.equal([
      ['Reminder', 'Reminder', 'kept'],
      ['Review', 'Review', 'kept'],
    ]);
    expect(await stored(id)).to.equal(before);
  });

  it('refuses (422, in Chinese) an instance whose active element has no target, and nothing changes', async () => {
    const { id } = await onV1();
    const before = await stored(id);
    // v3 has no Review: without a mapping the dry run says refused, the migration 422
    const dry = await migrate(id, { targetVersion: v.v3, dryRun: true });
    expect(dry.status).to.equal(200);
    expect((dry.body.moves as Move[]).find((m) => m.from === 'Review')).to.include({ fate: 'refused', to: null });
    const res = await migrate(id, { targetVersion: v.v3 });
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.error.code).to.equal('migration-refused');
    expect(res.body.error.message).to.match(/不能迁移到版本 3/);
    expect(res.body.error.details.map((d: { elementId: string }) => d.elementId)).to.include('Review');
    expect(res.body.error.details[0].message).to.match(/目标版本没有环节/);
    // a changed timer is refused too (its due date was computed from the old definition)
    const timer = await migrate(id, { targetVersion: v.v4 });
    expect(timer.status).to.equal(422);
    expect(timer.body.error.details.find((d: { elementId: string }) => d.elementId === 'Reminder').message).to.match(/定时器在目标版本中已改变/);
    expect(await stored(id)).to.equal(before);
    expect((await instance(t, id)).definitionVersion).to.equal(v.v1);
  });

  it('migrates: the task keeps its id and assignee, the timer its due date, the instance goes on on the new version; recorded with the actor', async () => {
    const { id, taskId } = await onV1();
    const timerBefore = (await instance(t, id)).timers;
    const res = await migrate(id, { targetVersion: v.v2 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ migrated: true, from: v.v1, to: v.v2 });
    const after = await instance(t, id);
    expect(after.definitionVersion).to.equal(v.v2);
    expect(after.activeActivityIds).to.deep.equal(['Review']);
    expect(after.timers).to.deep.equal(timerBefore);
    const [task] = await openTasks(id);
    expect(task).to.include({ id: taskId, activityId: 'Review', assignee: 'sjj' });
    const op = (after.operations as { operation: string; actor: string; data: { fromVersion: number; toVersion: number } }[]).find((o) => o.operation === 'migrate' && o.data.toVersion === v.v2);
    expect(op).to.include({ actor: 'admin' });
    expect(op!.data.fromVersion).to.equal(v.v1);
    // completing Review now leads to v2's new step 批准 (v1 would have ended)
    const done = await t.as('sjj').post(`/api/tasks/${taskId}/complete`, { variables: {} });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.processInstance.activeActivityIds).to.deep.equal(['Approve']);
  });

  it('maps renamed elements: Review → ReviewNew keeps the task, with its new id and name', async () => {
    const { id, taskId } = await onV1();
    const res = await migrate(id, { targetVersion: v.v3, mapping: { Review: 'ReviewNew', Reminder: 'ReminderNew' }, dryRun: false });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect((res.body.moves as Move[]).map((m) => [m.from, m.to, m.fate]).sort()).to.deep.equal([
      ['Reminder', 'ReminderNew', 'mapped'],
      ['Review', 'ReviewNew', 'mapped'],
    ]);
    const [task] = await openTasks(id);
    expect(task).to.include({ id: taskId, activityId: 'ReviewNew', name: '审核（新）', assignee: 'sjj' });
    // the reminder (renamed) still fires on its date, as ReminderNew
    const timers = (await instance(t, id)).timers as { activityId: string }[];
    expect(timers.map((x) => x.activityId)).to.deep.equal(['ReminderNew']);
    const done = await t.as('sjj').post(`/api/tasks/${taskId}/complete`, { variables: {} });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.processInstance.state).to.equal('completed');
  });

  it('survives a restart: the migrated state recovers and resumes on the new version (the timer fires, the new path is taken)', async () => {
    const { id, taskId } = await onV1();
    expect((await migrate(id, { targetVersion: v.v2 })).status).to.equal(200);
    // when the server stops and a new one starts on the same database
    const url = t.gf.config.databaseUrl;
    await t.close();
    t = await startTestApp({ CLOCK: 'manual', DATABASE_URL: url });
    // then the timer kept from v1 fires on the new version (10 days later), the task stays
    await setClock(t, '2026-03-13T09:00:00+08:00');
    const after = await instance(t, id);
    expect(after.definitionVersion).to.equal(v.v2);
    expect(after.history.map((h: { activityId: string }) => h.activityId)).to.include('Reminded');
    const done = await t.as('sjj').post(`/api/tasks/${taskId}/complete`, { variables: {} });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.processInstance.activeActivityIds).to.deep.equal(['Approve']);
  });

  it('migrates every instance of a version at once, after a dry-run summary; refused ones stay', async () => {
    // given v1 instances (the earlier tests left some) — one of them moved to v3 cannot go back without a mapping
    const a = await onV1();
    const b = await onV1();
    const url = '/api/process-definitions/mig-demo/versions/' + v.v1 + '/migrate';
    const dry = await t.as('admin').post(url, { targetVersion: v.v2, dryRun: true });
    expect(dry.status, JSON.stringify(dry.body)).to.equal(200);
    expect(dry.body).to.include({ dryRun: true, from: v.v1, to: v.v2 });
    expect(dry.body.total).to.be.at.least(2);
    expect(dry.body.ok).to.equal(dry.body.total);
    expect((await instance(t, a.id)).definitionVersion).to.equal(v.v1);
    const res = await t.as('admin').post(url, { targetVersion: v.v2 });
    expect(res.status).to.equal(200);
    expect(res.body.ok).to.equal(dry.body.total);
    for (const x of [a, b]) expect((await instance(t, x.id)).definitionVersion).to.equal(v.v2);
    // the batch into v3 without a mapping: every instance refused and left on v2
    const refused = await t.as('admin').post(`/api/process-definitions/mig-demo/versions/${v.v2}/migrate`, { targetVersion: v.v3 });
    expect(refused.status).to.equal(200);
    expect(refused.body.refused).to.equal(refused.body.total);
    expect((await instance(t, a.id)).definitionVersion).to.equal(v.v2);
  });

  it('re-creates a message subscription as the target says (a renamed message)', async () => {
    // given an instance waiting for annual-plan-approved on v1 of await-plan
    const msg = fixture('message.bpmn').replace('id="messageDefinitions"', 'id="msgDefinitions"').replace('id="await-plan"', 'id="mig-message"');
    await deployDoc(msg);
    const waiting = await startInstance(t, 'mig-message', { businessKey: 'GF-MIG-1', variables: { projectCode: 'GF-MIG-1' } });
    const v2 = await deployDoc(msg.replace('name="annual-plan-approved"', 'name="plan-approved-v2"'));
    // when it is migrated to v2, whose message has another name
    const res = await migrate(waiting.id, { targetVersion: v2 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const [subs] = await t.gf.db.sequelize.query('SELECT messageName, activityId FROM message_subscriptions WHERE instanceId = ?', { replacements: [waiting.id] });
    expect(subs).to.deep.equal([{ messageName: 'plan-approved-v2', activityId: 'AwaitAnnualPlan' }]);
    // then the new name reaches it, the old one no longer does
    expect((await t.as('admin').post('/api/messages', { messageName: 'annual-plan-approved', businessKey: 'GF-MIG-1' })).status).to.equal(404);
    const delivered = await t.as('admin').post('/api/messages', { messageName: 'plan-approved-v2', businessKey: 'GF-MIG-1' });
    expect(delivered.status, JSON.stringify(delivered.body)).to.equal(200);
    expect((await instance(t, waiting.id)).activeActivityIds).to.deep.equal(['Implement']);
  });

  it('is for administrators only; malformed bodies are 400', async () => {
    const started = await startInstance(t, 'mig-demo');
    for (const user of ['sjj', 'rmyy', 'sjju']) {
      expect((await migrate(started.id, { targetVersion: v.v1, dryRun: true }, user)).status).to.equal(403);
      expect((await t.as(user).post(`/api/process-definitions/mig-demo/versions/${v.v4}/migrate`, { targetVersion: v.v1, dryRun: true })).status).to.equal(403);
    }
    expect((await migrate(started.id, { targetVersion: 'latest' })).status).to.equal(400);
    expect((await migrate(started.id, { targetVersion: 1, mapping: ['Review'] })).status).to.equal(400);
    expect((await migrate(started.id, { targetVersion: 99 })).status).to.equal(404);
    expect((await migrate(started.id, { targetVersion: v.v4 })).status).to.equal(422); // already there
  });
});
