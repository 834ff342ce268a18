import { expect } from 'chai';
import { EngineInstance, inlineDefinition } from '../support/engine-instance';

/** Event sub-processes in the engine layer alone (issue 12 item 12); the runtime tests are in test/runtime. */

const BODY = (espStart: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="a" sourceRef="S" targetRef="Fork" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="b1" sourceRef="Fork" targetRef="Boom" />
    <bpmn:serviceTask id="Boom"><bpmn:extensionElements><zeebe:taskDefinition type="boom" /></bpmn:extensionElements></bpmn:serviceTask>
    <bpmn:sequenceFlow id="b2" sourceRef="Boom" targetRef="E1" /><bpmn:endEvent id="E1" />
    <bpmn:sequenceFlow id="c1" sourceRef="Fork" targetRef="T1" />
    <bpmn:task id="T1" /><bpmn:sequenceFlow id="c2" sourceRef="T1" targetRef="T2" />
    <bpmn:task id="T2" /><bpmn:sequenceFlow id="c3" sourceRef="T2" targetRef="U" />
    <bpmn:userTask id="U"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="a" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="c5" sourceRef="U" targetRef="E2" /><bpmn:endEvent id="E2" />
    <bpmn:subProcess id="Esp" triggeredByEvent="true">
      ${espStart}
      <bpmn:sequenceFlow id="e1" sourceRef="EspStart" targetRef="Handle" />
      <bpmn:userTask id="Handle"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="b" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="e2" sourceRef="Handle" targetRef="EspEnd" /><bpmn:endEvent id="EspEnd" />
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:error id="Err" errorCode="LOSS" />
  <bpmn:message id="M" name="loss" />
</bpmn:definitions>`;

describe('engine: event sub-processes (issue 12 item 12)', () => {
  for (const steps of [0, 1, 2, 3]) {
    it(`an interrupting error start discards a concurrent branch even while it is held in the gate (error after ${steps} macrotasks)`, async () => {
      // given a service that answers with a BPMN error after a few macrotasks, while the other branch moves on
      const xml = BODY('<bpmn:startEvent id="EspStart"><bpmn:errorEventDefinition errorRef="Err" /></bpmn:startEvent>');
      const i = new EngineInstance(inlineDefinition(xml), async () => {
        for (let k = 0; k < steps; k++) await new Promise((r) => setImmediate(r));
        return { kind: 'bpmn-error', code: 'LOSS', message: '重大损失' };
      });

      // when
      const r = await i.start();

      // then only the event sub-process runs, and nothing of the other branch is left behind
      expect(r.state).to.equal('running');
      expect(r.activeActivityIds).to.deep.equal(['Esp', 'Handle']);
      expect(i.waiting()).to.deep.equal(['Handle']);
      expect((await i.resume()).activeActivityIds).to.deep.equal(['Esp', 'Handle']);
      expect((await i.complete('Handle')).state).to.equal('completed');
    });
  }

  it('an armed message start is a recovered wait after a resume, and is neither a position nor history', async () => {
    // given
    const xml = BODY('<bpmn:startEvent id="EspStart" isInterrupting="false"><bpmn:messageEventDefinition messageRef="M" /></bpmn:startEvent>');
    const i = new EngineInstance(inlineDefinition(xml), () => ({ kind: 'completed', output: {} }));

    // when
    const started = await i.start();
    const resumed = await i.resume();

    // then
    expect(started.messages.map((m) => [m.activityId, m.messageName, m.isNew])).to.deep.equal([['EspStart', 'loss', true]]);
    expect(resumed.messages.map((m) => [m.activityId, m.isNew])).to.deep.equal([['EspStart', false]]);
    expect(started.activeActivityIds).to.deep.equal(['U']);
    expect(started.history.map((h) => h.activityId)).not.to.include.members(['Esp', 'EspStart']);
    // when the message comes, the event sub-process runs beside U and is armed again after it ends
    const fired = await i.run({ kind: 'correlate-message', messageName: 'loss', variables: {} });
    expect(fired.activeActivityIds).to.have.members(['U', 'Esp', 'Handle']);
    expect(fired.messages).to.deep.equal([]);
    const again = await i.complete('Handle');
    expect(again.messages.map((m) => [m.activityId, m.isNew])).to.deep.equal([['EspStart', true]]);
    // and the instance ends with U: the armed start goes with it
    expect((await i.complete('U')).state).to.equal('completed');
  });

  const escalationDiagram = (catcher: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="Start" /><bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Sub" />
    <bpmn:subProcess id="Sub">
      <bpmn:startEvent id="s2"/><bpmn:sequenceFlow id="x0" sourceRef="s2" targetRef="A"/>
      <bpmn:userTask id="A"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="a" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="x1" sourceRef="A" targetRef="Throw"/>
      <bpmn:intermediateThrowEvent id="Throw"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:intermediateThrowEvent>
      <bpmn:sequenceFlow id="x2" sourceRef="Throw" targetRef="Inner"/>
      <bpmn:userTask id="Inner"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="a" /></bpmn:extensionElements></bpmn:userTask>
      <bpmn:sequenceFlow id="x3" sourceRef="Inner" targetRef="e2"/><bpmn:endEvent id="e2"/>
    </bpmn:subProcess>
    ${catcher}
    <bpmn:sequenceFlow id="f2" sourceRef="Sub" targetRef="End" /><bpmn:endEvent id="End" />
  </bpmn:process>
  <bpmn:escalation id="Esc" escalationCode="LATE" />
</bpmn:definitions>`;
  const handle = '<bpmn:sequenceFlow id="f3" sourceRef="Caught" targetRef="Handle" /><bpmn:userTask id="Handle"><bpmn:extensionElements><zeebe:assignmentDefinition assignee="b" /></bpmn:extensionElements></bpmn:userTask>';
  const catchers: [string, string, string[]][] = [
    ['a non-interrupting boundary', `<bpmn:boundaryEvent id="Caught" attachedToRef="Sub" cancelActivity="false"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:boundaryEvent>${handle}`, ['Handle', 'Inner']],
    ['an interrupting boundary', `<bpmn:boundaryEvent id="Caught" attachedToRef="Sub"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:boundaryEvent>${handle}`, ['Handle']],
    ['a non-interrupting event sub-process', `<bpmn:subProcess id="Esp" triggeredByEvent="true"><bpmn:startEvent id="Caught" isInterrupting="false"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:startEvent>${handle}</bpmn:subProcess>`, ['Handle', 'Inner']],
    ['an interrupting event sub-process', `<bpmn:subProcess id="Esp" triggeredByEvent="true"><bpmn:startEvent id="Caught"><bpmn:escalationEventDefinition escalationRef="Esc"/></bpmn:startEvent>${handle}</bpmn:subProcess>`, ['Handle']],
  ];
  for (const [what, catcher, waiting] of catchers) {
    it(`escalation (item 13): a throw after a recover is caught by ${what}`, async () => {
      // given an instance recovered from its saved state before the throw
      const i = new EngineInstance(inlineDefinition(escalationDiagram(catcher)));
      await i.start();
      await i.resume();
      // when the sub-process escalates
      const r = await i.complete('A');
      // then
      expect(r.state).to.equal('running');
      expect(i.waiting()).to.deep.equal(waiting);
      await i.resume();
      expect(i.waiting()).to.deep.equal(waiting);
    });
  }
});
