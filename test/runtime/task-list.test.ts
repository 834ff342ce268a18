import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { startInstance } from '../support/runtime';

interface TaskRow {
  id: number;
  activityId: string;
  assignee: string | null;
  processInstanceId: string;
}

/** one user task with the given zeebe:assignmentDefinition attributes */
const diagram = (key: string, assignment: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d-${key}" targetNamespace="http://govflow.example/test">
  <bpmn:process id="${key}" name="任务列表 ${key}" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Do" />
    <bpmn:userTask id="Do" name="办理">
      <bpmn:extensionElements><zeebe:assignmentDefinition ${assignment} /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Do" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * GET /api/tasks: open tasks the user holds (assignee) or may take (unassigned, the user or one of the user's
 * groups a candidate), oldest first — whichever way the candidate rows are read (issue 13 item 6).
 */
describe('the task list: assignee, candidate user, candidate group, in creation order', () => {
  let t: TestApp;
  const list = async (u: string, query = '') => {
    const res = await t.as(u).get(`/api/tasks${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as TaskRow[];
  };
  const mine = async (u: string, ids: string[]) => (await list(u)).filter((x) => ids.includes(x.processInstanceId));
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    for (const [key, assignment] of [
      ['tl-users', 'candidateUsers="rmyy, fgw"'],
      ['tl-group', 'candidateGroups="data-bureau"'],
      ['tl-assigned', 'assignee="fgw"'],
    ]) {
      const res = await t.as('admin').post('/api/process-definitions', { xml: diagram(key, assignment) });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    }
  });
  after(() => t.close());

  it('lists candidate-user tasks to those users only, in start order, until one claims it; completed tasks leave the list', async () => {
    const started = [];
    for (let i = 0; i < 3; i++) started.push((await startInstance(t, 'tl-users')).id);
    const byUser = await mine('rmyy', started);
    expect(byUser.map((x) => x.processInstanceId)).to.deep.equal(started);
    expect(byUser.map((x) => x.id)).to.deep.equal([...byUser.map((x) => x.id)].sort((a, b) => a - b));
    expect((await mine('fgw', started)).map((x) => x.processInstanceId)).to.deep.equal(started);
    for (const u of ['sjj', 'admin', 'bmj']) expect(await mine(u, started), u).to.deep.equal([]);
    // the filter narrows to one instance
    expect((await list('rmyy', `?processInstanceId=${started[1]}`)).map((x) => x.processInstanceId)).to.deep.equal([started[1]]);
    // when rmyy claims the first: fgw no longer has it, rmyy still does (as assignee)
    const claimed = await t.as('rmyy').post(`/api/tasks/${byUser[0].id}/claim`, {});
    expect(claimed.status, JSON.stringify(claimed.body)).to.equal(200);
    expect((await mine('fgw', started)).map((x) => x.processInstanceId)).to.deep.equal(started.slice(1));
    expect((await mine('rmyy', started)).map((x) => x.processInstanceId)).to.deep.equal(started);
    // when rmyy completes it: gone from every list
    const done = await t.as('rmyy').post(`/api/tasks/${byUser[0].id}/complete`, {});
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect((await mine('rmyy', started)).map((x) => x.processInstanceId)).to.deep.equal(started.slice(1));
  });

  it('lists candidate-group tasks to the group, and assigned tasks to their assignee only', async () => {
    const group = (await startInstance(t, 'tl-group')).id;
    const assigned = (await startInstance(t, 'tl-assigned')).id;
    expect((await mine('sjj', [group, assigned])).map((x) => x.processInstanceId)).to.deep.equal([group]);
    expect((await mine('fgw', [group, assigned])).map((x) => x.processInstanceId)).to.deep.equal([assigned]);
    expect(await mine('rmyy', [group, assigned])).to.deep.equal([]);
  });
});
