import { expect } from 'chai';
import { EngineInstance, inlineDefinition } from '../support/engine-instance';

const head = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="Defs" targetNamespace="http://govflow.example/bpmn">`;
const userTask = (id: string) => `<bpmn:userTask id="${id}"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>`;

/**
 * The shape of application-approval: a chain of reviews, each followed by an exclusive gateway whose 退回 flow
 * goes to one step (prepare) before the unit's revision (revise); each review's pass flow goes to the next review.
 */
function returnsChain(levels: number): string {
  const parts: string[] = [`<bpmn:process id="returns" isExecutable="true"><bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="r0" />`];
  for (let i = 0; i < levels; i++) {
    const next = i + 1 < levels ? `r${i + 1}` : 'end';
    parts.push(userTask(`r${i}`));
    parts.push(`<bpmn:sequenceFlow id="fr${i}" sourceRef="r${i}" targetRef="g${i}" /><bpmn:exclusiveGateway id="g${i}" default="pass${i}" />`);
    parts.push(`<bpmn:sequenceFlow id="ret${i}" sourceRef="g${i}" targetRef="prepare"><bpmn:conditionExpression>=decision = "return"</bpmn:conditionExpression></bpmn:sequenceFlow>`);
    parts.push(`<bpmn:sequenceFlow id="pass${i}" sourceRef="g${i}" targetRef="${next}" />`);
  }
  parts.push(`<bpmn:task id="prepare" /><bpmn:sequenceFlow id="toRevise" sourceRef="prepare" targetRef="revise" />${userTask('revise')}`);
  parts.push(`<bpmn:sequenceFlow id="revised" sourceRef="revise" targetRef="r0" /><bpmn:endEvent id="end" /></bpmn:process></bpmn:definitions>`);
  return head + parts.join('');
}

const discardsIn = (state: string | null) => (state ?? '').split('"flow.discard"').length - 1;

describe('engine: a flow not taken ends there — no dead-path elimination, as in Zeebe (issue 13)', () => {
  it('when the first of eight reviews returns the application, then the state waiting at the revision holds no discard, and stays as small after each round', async () => {
    const i = new EngineInstance(inlineDefinition(returnsChain(8)));
    await i.start();
    await i.complete('r0', { decision: 'return' });
    expect(i.waiting()).to.deep.equal(['revise']);
    // bpmn-elements sent the pass flow's discard down every loop-free path: through the seven reviews after it, each
    // gateway's 退回 flow into prepare and on into revise, queued there while it waits (and replayed when it is done)
    expect(discardsIn(i.saved), 'discards queued in the saved state').to.equal(0);
    const size = i.saved!.length;
    for (let round = 0; round < 3; round++) {
      await i.complete('revise');
      await i.complete('r0', { decision: 'pass' });
      await i.complete('r1', { decision: 'return' });
      expect(i.waiting()).to.deep.equal(['revise']);
      expect(i.last.history.filter((h) => h.activityId === 'prepare' && h.event === 'start'), 'this run passed prepare').to.have.length(1);
      expect(discardsIn(i.saved)).to.equal(0);
      expect(i.saved!.length, `round ${round + 1}: the state does not grow`).to.be.below(size * 1.5);
    }
    await i.complete('revise');
    for (let r = 0; r < 8; r++) await i.complete(`r${r}`, { decision: 'pass' });
    expect(i.last.state).to.equal('completed');
  });

  it('when a parallel block lies wholly on the path not taken, then the instance still completes (nothing waits at its join)', async () => {
    const xml = `${head}<bpmn:process id="block" isExecutable="true"><bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose" />
      <bpmn:exclusiveGateway id="choose" default="toBlock" />
      <bpmn:sequenceFlow id="toA" sourceRef="choose" targetRef="a"><bpmn:conditionExpression>=short = true</bpmn:conditionExpression></bpmn:sequenceFlow>
      <bpmn:sequenceFlow id="toBlock" sourceRef="choose" targetRef="split" />
      ${userTask('a')}<bpmn:sequenceFlow id="aEnd" sourceRef="a" targetRef="end1" /><bpmn:endEvent id="end1" />
      <bpmn:parallelGateway id="split" /><bpmn:sequenceFlow id="s1" sourceRef="split" targetRef="p1" /><bpmn:sequenceFlow id="s2" sourceRef="split" targetRef="p2" />
      ${userTask('p1')}${userTask('p2')}
      <bpmn:sequenceFlow id="j1" sourceRef="p1" targetRef="join" /><bpmn:sequenceFlow id="j2" sourceRef="p2" targetRef="join" />
      <bpmn:parallelGateway id="join" /><bpmn:sequenceFlow id="toEnd2" sourceRef="join" targetRef="end2" /><bpmn:endEvent id="end2" />
    </bpmn:process></bpmn:definitions>`;
    const i = new EngineInstance(inlineDefinition(xml));
    await i.start({ short: true });
    expect(i.waiting()).to.deep.equal(['a']);
    await i.complete('a');
    expect(i.last.state).to.equal('completed');

    const j = new EngineInstance(inlineDefinition(xml));
    await j.start({ short: false });
    expect(j.waiting().sort()).to.deep.equal(['p1', 'p2']);
    await j.complete('p1');
    expect(j.last.state).to.equal('running');
    await j.complete('p2');
    expect(j.last.state).to.equal('completed');
    expect(j.last.history.filter((h) => h.activityId === 'join' && h.event === 'start')).to.have.length(1);
  });
});
