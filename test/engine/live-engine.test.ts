import { expect } from 'chai';
import { runEngine, type LiveEngine } from '../../src/engine/engine-runner';
import type { CompiledDefinitionRef, EngineHost, RunResult } from '../../src/engine/types';
import { LiveEngines } from '../../src/services/live-engines';
import { CHINESE_DAYS } from '../support/calendar';

const NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" targetNamespace="http://govflow.example/test"';
const definition = (id: string, body: string): CompiledDefinitionRef => ({
  definitionId: `live:${id}`,
  xml: `<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions ${NS} id="d-${id}"><bpmn:process id="${id}" isExecutable="true">${body}</bpmn:process></bpmn:definitions>`,
});

const PARALLEL = definition(
  'parallel',
  `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fork" />
   <bpmn:parallelGateway id="Fork" />
   <bpmn:sequenceFlow id="f2" sourceRef="Fork" targetRef="A" /><bpmn:sequenceFlow id="f3" sourceRef="Fork" targetRef="B" />
   <bpmn:userTask id="A" /><bpmn:userTask id="B" />
   <bpmn:sequenceFlow id="f4" sourceRef="A" targetRef="Join" /><bpmn:sequenceFlow id="f5" sourceRef="B" targetRef="Join" />
   <bpmn:parallelGateway id="Join" /><bpmn:sequenceFlow id="f6" sourceRef="Join" targetRef="End" /><bpmn:endEvent id="End" />`,
);
const WITH_TIMER = definition(
  'timer',
  `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="A" /><bpmn:userTask id="A" />
   <bpmn:boundaryEvent id="Late" attachedToRef="A" cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>
   <bpmn:sequenceFlow id="f2" sourceRef="A" targetRef="End" /><bpmn:endEvent id="End" />`,
);
const MULTI = definition(
  'multi',
  `<bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sign" />
   <bpmn:userTask id="Sign"><bpmn:extensionElements /><bpmn:multiInstanceLoopCharacteristics>
     <bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=signers" inputElement="signer" /></bpmn:extensionElements>
   </bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>
   <bpmn:sequenceFlow id="f2" sourceRef="Sign" targetRef="End" /><bpmn:endEvent id="End" />`,
);

const host: EngineHost = { clock: { now: () => new Date('2026-12-01T02:00:00Z') }, calendar: CHINESE_DAYS, invokeService: async () => ({ kind: 'wait' }) };

async function start(def: CompiledDefinitionRef, variables: Record<string, unknown> = {}) {
  return runEngine({ definition: def, state: null, action: { kind: 'start', variables }, host, instanceId: `i-${def.definitionId}`, keepLive: true });
}

function complete(def: CompiledDefinitionRef, state: RunResult, live: LiveEngine | null, activityId: string) {
  const wait = state.userTasks.find((w) => w.activityId === activityId)!;
  return runEngine({ definition: def, state: state.engineStateText, action: { kind: 'complete-task', executionId: wait.executionId, variables: {} }, host, instanceId: `i-${def.definitionId}`, live, keepLive: true });
}

describe('live engines in the engine layer (issue 13 item 1)', () => {
  it('keeps the engine of a run that waits at user tasks (and a join) alone; a completion on it carries the other waits as not new', async () => {
    const started = await start(PARALLEL);
    expect(started.result.userTasks.map((w) => [w.activityId, w.isNew])).to.deep.equal([
      ['A', true],
      ['B', true],
    ]);
    expect(started.live, 'kept').to.not.equal(null);
    const a = await complete(PARALLEL, started.result, started.live, 'A');
    expect(a.live, 'the same engine, still fit: B waits, the join holds A’s token').to.equal(started.live);
    // what a recover of the saved state would announce: B was there before this run
    expect(a.result.userTasks.map((w) => [w.activityId, w.isNew])).to.deep.equal([['B', false]]);
    expect(a.result.history.map((h) => [h.activityId, h.event])).to.deep.equal([['A', 'end']]);
    const b = await complete(PARALLEL, a.result, a.live, 'B');
    expect(b.result.state).to.equal('completed');
    expect(b.live, 'an ended instance is not kept').to.equal(null);
  });

  it('answers what a recovered run answers', async () => {
    const started = await start(PARALLEL);
    const onLive = await complete(PARALLEL, started.result, started.live, 'A');
    const recovered = await complete(PARALLEL, started.result, null, 'A');
    const shape = (r: RunResult) => ({ ...r, engineState: undefined, engineStateText: undefined, history: r.history.map((h) => ({ ...h, executionId: h.executionId.replace(/_.*/, '') })) });
    expect(shape(onLive.result)).to.deep.equal(shape(recovered.result));
  });

  it('does not keep an engine that waits at a timer, or at a multi-instance task', async () => {
    expect((await start(WITH_TIMER)).live).to.equal(null);
    const multi = await start(MULTI, { signers: ['a', 'b'] });
    expect(multi.result.userTasks).to.have.length(2);
    expect(multi.live).to.equal(null);
  });

  it('a live engine is used only for a task completion on its own definition; otherwise the saved state is recovered', async () => {
    const started = await start(PARALLEL);
    const other = { ...PARALLEL, definitionId: 'live:parallel-copy' };
    const wait = started.result.userTasks[0];
    const onOther = await runEngine({ definition: other, state: started.result.engineStateText, action: { kind: 'complete-task', executionId: wait.executionId, variables: {} }, host, instanceId: 'x', live: started.live });
    expect(onOther.result.userTasks.map((w) => w.isNew), 'recovered: B announced again').to.deep.equal([false]);
    // the live engine was not moved by that run: A still waits on it
    const onLive = await complete(PARALLEL, started.result, started.live, 'A');
    expect(onLive.result.state).to.equal('running');
    expect(onLive.result.history.map((h) => [h.activityId, h.event])).to.deep.equal([['A', 'end']]);
  });
});

describe('LiveEngines: keyed by instance, definition and revision; taken out while used; the least recently put leave first', () => {
  const engine = (n: number) => ({ n }) as unknown as LiveEngine;

  it('answers an engine once, and only for the revision and definition it stands for', () => {
    const live = new LiveEngines(4);
    live.put('i1', 3, 7, engine(1));
    expect(live.take('i1', 2, 7), 'an older revision').to.equal(null);
    live.put('i1', 3, 7, engine(1));
    expect(live.take('i1', 3, 8), 'another definition').to.equal(null);
    live.put('i1', 3, 7, engine(1));
    expect(live.take('i1', 3, 7)).to.deep.equal({ n: 1 });
    expect(live.take('i1', 3, 7), 'taken out').to.equal(null);
    expect(live.counts).to.deep.equal({ hits: 1, misses: 3 });
  });

  it('holds at most its capacity; 0 holds none', () => {
    const live = new LiveEngines(2);
    live.put('i1', 1, 1, engine(1));
    live.put('i2', 1, 1, engine(2));
    live.put('i1', 2, 1, engine(3)); // put again: the most recent
    live.put('i3', 1, 1, engine(4));
    expect(live.size).to.equal(2);
    expect(live.take('i2', 1, 1), 'the least recently put left').to.equal(null);
    expect(live.take('i1', 2, 1)).to.deep.equal({ n: 3 });
    const none = new LiveEngines(0);
    none.put('i1', 1, 1, engine(1));
    expect(none.size).to.equal(0);
  });
});
