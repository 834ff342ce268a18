import { expect } from 'chai';
import { EngineInstance, inlineDefinition } from '../support/engine-instance';

/**
 * The engine action `move` (退回 / 撤回, src/engine/engine-runner.ts moveTokens): the target step starts
 * afresh, every activity running at the process's top level ends without passing a token or a discard on.
 */
const PARALLEL = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="apply" />
    <bpmn:userTask id="apply" />
    <bpmn:sequenceFlow id="f2" sourceRef="apply" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="a" />
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="b" />
    <bpmn:userTask id="a" />
    <bpmn:userTask id="b" />
    <bpmn:sequenceFlow id="f5" sourceRef="a" targetRef="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="b" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f7" sourceRef="join" targetRef="decide" />
    <bpmn:exclusiveGateway id="decide" default="f9" />
    <bpmn:sequenceFlow id="f8" sourceRef="decide" targetRef="apply">
      <bpmn:conditionExpression>=again = true</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f9" sourceRef="decide" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('engine: token move (退回 / 撤回)', () => {
  it('given tokens in two parallel branches, when moved back before the split, then both branches end and nothing downstream runs; the instance then runs to its end', async () => {
    const i = new EngineInstance(inlineDefinition(PARALLEL));
    await i.start({ again: false });
    await i.complete('apply');
    await i.complete('a');
    expect(i.waiting()).to.deep.equal(['b']);
    await i.run({ kind: 'move', toActivityId: 'apply' });
    expect(i.last.state).to.equal('running');
    expect(i.waiting()).to.deep.equal(['apply']);
    expect(i.last.history.filter((h) => ['join', 'decide', 'end'].includes(h.activityId))).to.deep.equal([]);
    expect(i.last.history.find((h) => h.activityId === 'b')?.event).to.equal('discard');
    // after a recover, the join holds nothing from the first pass: both branches are needed again
    await i.resume();
    await i.complete('apply');
    expect(i.waiting().sort()).to.deep.equal(['a', 'b']);
    await i.complete('a');
    expect(i.last.state).to.equal('running');
    await i.complete('b');
    expect(i.last.state).to.equal('completed');
  });

  it('refuses a target that is running, and one the process does not have', async () => {
    const i = new EngineInstance(inlineDefinition(PARALLEL));
    await i.start({ again: false });
    await expectConflict(i.run({ kind: 'move', toActivityId: 'apply' }), 'move-target-running');
    await expectConflict(i.run({ kind: 'move', toActivityId: 'nowhere' }), 'move-target-unknown');
    expect(i.waiting()).to.deep.equal(['apply']);
  });
});

async function expectConflict(p: Promise<unknown>, code: string) {
  try {
    await p;
  } catch (err) {
    expect((err as { code?: string }).code).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}
