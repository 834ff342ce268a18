import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance } from '../support/runtime';

interface TaskRow {
  id: number;
  activityId: string;
}

async function openTasks(t: TestApp, instanceId: string): Promise<TaskRow[]> {
  const res = await t.as('sjj').get(`/api/tasks?processInstanceId=${instanceId}`);
  expect(res.status).to.equal(200);
  return res.body as TaskRow[];
}

async function complete(t: TestApp, instanceId: string, activityId: string) {
  const task = (await openTasks(t, instanceId)).find((x) => x.activityId === activityId);
  expect(task, activityId).to.not.equal(undefined);
  const res = await t.as('sjj').post(`/api/tasks/${task!.id}/complete`, { variables: {} });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.processInstance as { state: string; activeActivityIds: string[] };
}

describe('escalation events (issue 12 item 13)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-03-02T09:00:00+08:00');
    await deploy(t, 'escalation.bpmn');
  });
  after(() => t.close());

  it('an intermediate escalation throw is caught by a non-interrupting boundary: the review goes on beside the leader\'s note', async () => {
    // when
    const started = await startInstance(t, 'escalation-review');

    // then both run
    expect(started.activeActivityIds).to.have.members(['Review', 'Assess', 'LeaderNote']);
    expect((await openTasks(t, started.id)).map((x) => x.activityId).sort()).to.deep.equal(['Assess', 'LeaderNote']);
    const inst = await instance(t, started.id);
    expect(inst.history.find((h: { activityId: string }) => h.activityId === 'ReportUp').endedAt).to.be.a('string');
    // and the instance ends when both are done
    await complete(t, started.id, 'LeaderNote');
    expect((await complete(t, started.id, 'Assess')).state).to.equal('completed');
  });

  it('an escalation end event is caught by an interrupting escalation event sub-process: the settlement is taken over', async () => {
    // when
    const started = await startInstance(t, 'escalation-takeover');

    // then the sub-process is interrupted and the leader decides; archiving never comes
    expect(started.activeActivityIds).to.deep.equal(['TakeOver', 'Decide']);
    expect((await complete(t, started.id, 'Decide')).state).to.equal('completed');
    const inst = await instance(t, started.id);
    expect(inst.history.map((h: { activityId: string }) => h.activityId)).not.to.include('Archive');
    expect(inst.history.find((h: { activityId: string }) => h.activityId === 'Settle').outcome).to.match(/discard/);
  });

  it('deploy validation refuses an escalation throw without code and an escalation boundary on a task, in Chinese', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
  <bpmn:process id="bad-escalation" isExecutable="true">
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="a" sourceRef="S" targetRef="Up" />
    <bpmn:intermediateThrowEvent id="Up"><bpmn:escalationEventDefinition escalationRef="NoCode" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="b" sourceRef="Up" targetRef="T" />
    <bpmn:task id="T" /><bpmn:sequenceFlow id="c" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" />
    <bpmn:boundaryEvent id="OnTask" attachedToRef="T"><bpmn:escalationEventDefinition /></bpmn:boundaryEvent>
  </bpmn:process>
  <bpmn:escalation id="NoCode" name="无代码" />
</bpmn:definitions>`;
    const res = await t.as('admin').post('/api/process-definitions', { xml });
    expect(res.status).to.equal(422);
    const messages = (res.body.error.details as { elementId: string; message: string }[]).map((d) => `${d.elementId}: ${d.message}`);
    expect(messages.join('\n')).to.contain('Up: ').and.contain('升级代码（escalationCode）');
    expect(messages.join('\n')).to.contain('OnTask: ').and.contain('只能附着在子流程上');
  });
});
