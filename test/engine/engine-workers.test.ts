import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { addWorkingDays } from '../../src/domain/calendar';
import { runInstance } from '../../src/engine/engine-runner';
import { EngineWorkers } from '../../src/engine/engine-workers';
import type { CompiledDefinitionRef, EngineAction, RunResult } from '../../src/engine/types';
import { CHINESE_DAYS } from '../support/calendar';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="workerDefinitions" targetNamespace="http://govflow.example/test">
  <bpmn:process id="worker-review" name="审核后限期办理" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="审核">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="data-bureau" />
        <zeebe:ioMapping><zeebe:output source="=amount * 2" target="doubled" /></zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Split" />
    <bpmn:parallelGateway id="Split" />
    <bpmn:sequenceFlow id="f3" sourceRef="Split" targetRef="Handle" />
    <bpmn:sequenceFlow id="f4" sourceRef="Split" targetRef="Wait" />
    <bpmn:userTask id="Handle" name="限期办理">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="=if doubled &gt; 100 then &quot;finance-bureau&quot; else &quot;data-bureau&quot;" />
        <zeebe:taskSchedule dueDate="=addWorkingDays(now(), 3)" />
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:intermediateCatchEvent id="Wait" name="等待五个工作日">
      <bpmn:timerEventDefinition><bpmn:timeDate>=addWorkingDays(now(), 5)</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f5" sourceRef="Handle" targetRef="Join" />
    <bpmn:sequenceFlow id="f6" sourceRef="Wait" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f7" sourceRef="Join" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

/** what a run decided, without the ids the engine draws at random (execution ids) */
function decided(r: RunResult) {
  return {
    state: r.state,
    incident: r.incident,
    variables: r.variables,
    activeActivityIds: [...r.activeActivityIds].sort(),
    userTasks: r.userTasks.map((u) => ({ activityId: u.activityId, name: u.name, candidateGroups: u.candidateGroups, dueAt: u.dueAt })),
    timers: r.timers.map((x) => ({ activityId: x.activityId, dueAt: x.dueAt, provisional: x.provisional ?? null })),
    history: r.history.map((h) => ({ activityId: h.activityId, type: h.type, event: h.event, at: h.at, outcome: h.outcome ?? null })),
  };
}

/**
 * The run a completion makes ahead of its unit of work is made in a worker thread (issue 13, P2): it must decide
 * exactly what the same run on the main thread decides — the same definition, state, action, clock instant and
 * calendar — and a worker that is gone or cannot run answers null, never an error (the unit then runs the engine).
 */
describe('engine workers: a run made in a worker thread', function () {
  this.timeout(60_000);
  const definition: CompiledDefinitionRef = { definitionId: 'worker-review:1', xml: XML, processId: 'worker-review' };
  // 2026-09-30, a Wednesday: the National Day holidays 10-01 … 10-07 are skipped, Saturday 10-10 is worked
  const now = new Date('2026-09-30T02:00:00Z');
  const host = { clock: { now: () => now }, calendar: CHINESE_DAYS, invokeService: async () => ({ kind: 'wait' as const }) };
  let pool: EngineWorkers;
  before(() => {
    pool = new EngineWorkers(1, true);
  });
  after(async () => pool?.close());

  async function started(amount: number): Promise<{ state: string; executionId: string }> {
    const r = await runInstance({ definition, state: null, action: { kind: 'start', variables: { amount } }, host, instanceId: `i-${amount}` });
    expect(r.state, JSON.stringify(r.incident)).to.equal('running');
    return { state: r.engineStateText!, executionId: r.userTasks[0].executionId };
  }

  for (const amount of [10, 80]) {
    it(`decides what the main thread decides (a completion: output mapping, FEEL group, working-day due dates; amount ${amount})`, async () => {
      const { state, executionId } = await started(amount);
      const action: EngineAction = { kind: 'complete-task', executionId, variables: {} };
      const here = await runInstance({ definition, state, action, host, instanceId: `i-${amount}` });
      const there = await pool.run({ definition, state, action, instanceId: `i-${amount}`, now: now.getTime(), calendar: CHINESE_DAYS });
      expect(there, 'the worker answered').to.not.equal(null);
      expect(there!.invoked).to.equal(false);
      expect(decided(there!.result)).to.deep.equal(decided(here));
      expect(here.userTasks.map((u) => u.candidateGroups)).to.deep.equal([[amount * 2 > 100 ? 'finance-bureau' : 'data-bureau']]);
      // counted on the statutory calendar (the National Day holidays skipped), not three days on
      expect(here.userTasks[0].dueAt?.toISOString()).to.equal(new Date(addWorkingDays(CHINESE_DAYS, now, 3)).toISOString());
      expect(here.userTasks[0].dueAt!.getTime() - now.getTime()).to.be.above(7 * 24 * 3_600_000);
      expect(here.timers.map((x) => x.activityId)).to.deep.equal(['Wait']);
      // the state travels back as text; the object is parsed from it when asked
      expect(there!.result.engineStateText).to.be.a('string');
      expect(there!.result.engineState).to.deep.equal(JSON.parse(there!.result.engineStateText!));
    });
  }

  it('a worker that is gone answers null (and the next request gets a new one)', async () => {
    const { state, executionId } = await started(10);
    const action: EngineAction = { kind: 'complete-task', executionId, variables: {} };
    const request = { definition, state, action, instanceId: 'i-gone', now: now.getTime(), calendar: CHINESE_DAYS };
    const failedBefore = pool.counts.failed;
    const running = pool.run(request);
    const slot = (pool as unknown as { slots: { worker: Worker | null }[] }).slots[0];
    await slot.worker!.terminate();
    expect(await running).to.equal(null);
    expect(pool.counts.failed - failedBefore).to.equal(1);
    const again = await pool.run(request);
    expect(again?.result.state).to.equal('running');
  });

  it("a worker's young generation holds a run's objects: semi-spaces of 64 MB, as npm start gives the main thread", async () => {
    const { state, executionId } = await started(10);
    const done = await pool.run({ definition, state, action: { kind: 'complete-task', executionId, variables: {} }, instanceId: 'i-heap', now: now.getTime(), calendar: CHINESE_DAYS });
    expect(done?.result.state).to.equal('running');
    const worker = (pool as unknown as { slots: { worker: Worker | null }[] }).slots[0].worker!;
    // V8 gives each of the two semi-spaces a third of the young generation; its default (48 MB) promoted a run's
    // objects to the old generation (bench: 2.5–3.3 ms of CPU per completion run against 1.5–1.7 in most runs)
    expect(worker.resourceLimits?.maxYoungGenerationSizeMb).to.equal(3 * 64);
    const start = (JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(start).to.match(/^tsx --max-semi-space-size=64 src\/main\.ts$/);
  });

  it('a closed pool, or one without workers, answers null at once', async () => {
    const none = new EngineWorkers(0, true);
    expect(await none.run({ definition, state: null, action: { kind: 'start', variables: { amount: 1 } }, instanceId: 'x', now: now.getTime(), calendar: CHINESE_DAYS })).to.equal(null);
    const closed = new EngineWorkers(1, true);
    await closed.close();
    expect(await closed.run({ definition, state: null, action: { kind: 'start', variables: { amount: 1 } }, instanceId: 'x', now: now.getTime(), calendar: CHINESE_DAYS })).to.equal(null);
  });
});
