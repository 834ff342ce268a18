import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { OutboxModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { onMysql } from '../support/database';
import { instance, startInstance, taskOf } from '../support/runtime';
import { holdTheWriter } from '../support/writer';

const PARALLEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="aheadDefinitions" targetNamespace="http://govflow.example/test">
  <bpmn:process id="ahead-parallel" name="会签后汇总" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="f2" sourceRef="Fork" targetRef="ReviewA" />
    <bpmn:sequenceFlow id="f3" sourceRef="Fork" targetRef="ReviewB" />
    <bpmn:userTask id="ReviewA" name="技术审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="ReviewB" name="财务审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="ReviewA" targetRef="Join" />
    <bpmn:sequenceFlow id="f5" sourceRef="ReviewB" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f6" sourceRef="Join" targetRef="Summary" />
    <bpmn:userTask id="Summary" name="汇总">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f7" sourceRef="Summary" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
  <bpmn:process id="ahead-service" name="审核后通知" isExecutable="true">
    <bpmn:startEvent id="SStart" />
    <bpmn:sequenceFlow id="s1" sourceRef="SStart" targetRef="Check" />
    <bpmn:userTask id="Check" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="s2" sourceRef="Check" targetRef="Notify" />
    <bpmn:serviceTask id="Notify" name="通知">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="notify" />
        <zeebe:ioMapping>
          <zeebe:input source="=[&quot;group:data-bureau&quot;]" target="to" />
          <zeebe:input source="=&quot;审核完成&quot;" target="title" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="s3" sourceRef="Notify" targetRef="SEnd" />
    <bpmn:endEvent id="SEnd" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * A task completion's engine run is made before its unit of work takes the writer's turn (issue 13, P2): the unit
 * saves it only if the locked instance is the one it ran on. Two completions of one instance that both ran ahead on
 * the same revision: the second unit finds the first one's revision and runs the engine again — else it would save
 * a state without the first completion and the join would wait forever. A run that reaches a service task is
 * dropped (the handler acts in the unit's transaction, once). Both databases.
 */
describe('a completion runs the engine before its unit of work, and the unit checks the revision it ran on', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' }, {}, { sqlLogging: (sql) => void (logging && sqlLog.push(sql)) });
    const res = await t.as('admin').post('/api/process-definitions', { xml: PARALLEL });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => t?.close());

  const complete = (taskId: number) => t.as('sjj').post(`/api/tasks/${taskId}/complete`, { variables: {} });
  const sqlLog: string[] = [];
  let logging = false;

  it('a completion reads its task and its instance in one statement before its unit of work (the task service’s read is the run’s), and in the unit its task with the signers yet to sign in one statement', async () => {
    const inst = await startInstance(t, 'ahead-parallel');
    const task = await taskOf(t, 'sjj', inst.id, 'ReviewA');
    await t.token('sjj');
    sqlLog.length = 0;
    logging = true;
    let res;
    try {
      res = await complete(task.id);
    } finally {
      logging = false;
    }
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const outside = sqlLog.filter((l) => /^Executing \(default\): SELECT .* (FROM|JOIN) `?(tasks|process_instances)`?/.test(l));
    expect(outside, outside.join('\n')).to.have.length(1);
    expect(outside[0]).to.match(/FROM tasks LEFT JOIN process_instances ON .* WHERE tasks\.id = /);
    const signers = sqlLog.filter((l) => /^Executing \([^)]+\): SELECT [^(]* FROM `?task_signers`? WHERE/.test(l));
    expect(signers, signers.join('\n')).to.have.length(0);
    expect(sqlLog.filter((l) => /FROM tasks WHERE id = /.test(l) && /task_signers/.test(l))).to.have.length(1);
  });

  it('a start asks nothing of the wait rows of the instance it creates (it has none): its tasks are made all the same', async () => {
    sqlLog.length = 0;
    logging = true;
    let inst;
    try {
      inst = await startInstance(t, 'ahead-parallel');
    } finally {
      logging = false;
    }
    const asked = sqlLog.filter((l) => /SELECT EXISTS \(SELECT 1 FROM tasks/.test(l) || /FROM `?(tasks|jobs|message_subscriptions|signal_subscriptions)`? WHERE .*instanceId/.test(l));
    expect(asked, asked.join('\n')).to.have.length(0);
    expect(sqlLog.filter((l) => /INSERT INTO `?tasks`?/.test(l)), 'the two tasks').to.have.length(2);
    // taskOf finds exactly one open task of each activity
    const open = [await taskOf(t, 'sjj', inst.id, 'ReviewA'), await taskOf(t, 'sjj', inst.id, 'ReviewB')];
    expect(open.map((x) => x.activityId)).to.deep.equal(['ReviewA', 'ReviewB']);
  });

  it('a plain completion saves the run made ahead: on the live engine the start left, else in an engine worker', async () => {
    const inst = await startInstance(t, 'ahead-parallel');
    const before = { ...t.gf.runtime.runsAhead };
    const hits = t.gf.runtime.liveEngines.counts.hits;
    const res = await complete((await taskOf(t, 'sjj', inst.id, 'ReviewA')).id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(t.gf.runtime.runsAhead.made - before.made).to.equal(1);
    expect(t.gf.runtime.runsAhead.saved - before.saved).to.equal(1);
    expect(t.gf.runtime.liveEngines.counts.hits - hits, 'made on the live engine').to.equal(1);
    expect(t.gf.runtime.runsAhead.inWorker - before.inWorker, 'not in a worker').to.equal(0);
    expect((await instance(t, inst.id)).activeActivityIds).to.deep.equal(['ReviewB']);

    // without it (evicted, or the process restarted): in a worker
    t.gf.runtime.liveEngines.clear();
    const next = { ...t.gf.runtime.runsAhead };
    expect((await complete((await taskOf(t, 'sjj', inst.id, 'ReviewB')).id)).status).to.equal(200);
    expect(t.gf.runtime.runsAhead.saved - next.saved).to.equal(1);
    expect(t.gf.runtime.runsAhead.inWorker - next.inWorker, 'made in an engine worker (ENGINE_WORKERS default: cores − 1)').to.equal(t.gf.config.engineWorkers ? 1 : 0);
    expect((await instance(t, inst.id)).activeActivityIds).to.deep.equal(['Summary']);
  });

  it('two completions that ran ahead on one revision: the second unit runs the engine again, and the join goes on', async () => {
    const inst = await startInstance(t, 'ahead-parallel');
    const a = await taskOf(t, 'sjj', inst.id, 'ReviewA');
    const b = await taskOf(t, 'sjj', inst.id, 'ReviewB');
    const sequelize = t.gf.db.sequelize;

    // hold the instance (MySQL: its row lock; SQLite: the one writer) until both completions have run ahead: a unit
    // of work asks for its transaction after its run ahead — two asks, both runs made
    const writer = await holdTheWriter(sequelize, async (tx) => {
      if (onMysql()) await sequelize.query('SELECT id FROM process_instances WHERE id = ? FOR UPDATE', { replacements: [inst.id], type: QueryTypes.SELECT, transaction: tx });
    });
    const counts = { ...t.gf.runtime.runsAhead };
    let done: Awaited<ReturnType<typeof complete>>[];
    try {
      const both = Promise.all([complete(a.id), complete(b.id)]);
      await writer.asked(2);
      expect(t.gf.runtime.runsAhead.made - counts.made, 'both ran ahead on the same revision').to.equal(2);
      await writer.release();
      done = await both;
    } finally {
      await writer.release();
    }
    expect(done.map((r) => r.status), JSON.stringify(done.map((r) => r.body))).to.deep.equal([200, 200]);
    expect(t.gf.runtime.runsAhead.saved - counts.saved, 'the first unit saved its run').to.equal(1);
    expect(t.gf.runtime.runsAhead.ranAgain - counts.ranAgain, 'the second ran the engine again').to.equal(1);
    const now = await instance(t, inst.id);
    expect(now.activeActivityIds).to.deep.equal(['Summary']);
    const ended = (id: string) => now.history.filter((h: { activityId: string; endedAt: string | null }) => h.activityId === id && h.endedAt).length;
    expect([ended('ReviewA'), ended('ReviewB'), ended('Join')]).to.deep.equal([1, 1, 1]);
    const summary = await taskOf(t, 'sjj', inst.id, 'Summary');
    expect((await complete(summary.id)).status).to.equal(200);
    expect((await instance(t, inst.id)).state).to.equal('completed');
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('a completion that reaches a service task: the handler acts once, in the unit; that task no longer runs ahead', async () => {
    const counts = { ...t.gf.runtime.runsAhead };
    for (let round = 0; round < 2; round++) {
      const inst = await startInstance(t, 'ahead-service');
      const res = await complete((await taskOf(t, 'sjj', inst.id, 'Check')).id);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect((await instance(t, inst.id)).state).to.equal('completed');
      const rows = (await OutboxModel.findAll()).filter((o) => JSON.stringify(o.payload).includes(inst.id));
      expect(rows.filter((o) => o.channel === 'inbox' && (o.payload as { title?: string }).title === '审核完成'), 'the notification, once').to.have.length(1);
    }
    expect(t.gf.runtime.runsAhead.dropped - counts.dropped, 'the first run ahead was dropped, the second not made').to.equal(1);
    expect(t.gf.runtime.runsAhead.made - counts.made).to.equal(0);
    expect(t.gf.runtime.runsAhead.saved - counts.saved).to.equal(0);
  });
});
