import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, instance, startInstance } from '../support/runtime';

interface TaskRow {
  id: number;
  activityId: string;
  assignee: string | null;
  candidateGroups: string[];
  processInstanceId: string;
}

const USERS = ['sjj', 'bmj', 'mmj', 'wxb', 'fgw', 'czj', 'sjju', 'gwh', 'zj1', 'rmyy', 'jyj', 'wjw'];

describe('user tasks without assignee and candidates: the administrators\' queue (issue 12 item 14)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await deploy(t, 'unassigned.bpmn');
    await deploy(t, 'approval.bpmn', ['review-form.form']);
  });
  after(() => t.close());

  it('deploys, waits in GET /api/tasks?unassigned=true for admins only, and runs once an admin assigned it', async () => {
    // given an instance whose task names nobody, and one whose task has candidates
    const started = await startInstance(t, 'unassigned-task');
    expect(started.activeActivityIds).to.deep.equal(['Handle']);
    const other = await startInstance(t, 'simple-approval');
    // then nobody has it in their list
    for (const u of USERS) {
      const mine = (await t.as(u).get('/api/tasks')).body as TaskRow[];
      expect(mine.filter((x) => x.processInstanceId === started.id), u).to.deep.equal([]);
    }
    // and the administrators were told
    await t.gf.outbox.dispatch();
    const inbox = (await t.as('admin').get('/api/notifications')).body as { title: string }[];
    expect(inbox.map((n) => n.title)).to.include('新待办：办理（由管理员分配）');
    // the admin queue lists every open task without an assignee, those nobody may take first
    const queue = await t.as('admin').get('/api/tasks?unassigned=true');
    expect(queue.status).to.equal(200);
    const rows = queue.body as TaskRow[];
    expect(rows[0]).to.include({ processInstanceId: started.id, activityId: 'Handle', assignee: null });
    expect(rows[0].candidateGroups).to.deep.equal([]);
    expect(rows.map((r) => r.processInstanceId)).to.include(other.id);
    // and is refused to everyone else
    for (const u of USERS) expect((await t.as(u).get('/api/tasks?unassigned=true')).status, u).to.equal(403);
    expect((await t.api.get('/api/tasks?unassigned=true')).status).to.equal(401);

    // when a non-admin tries to assign: 403; an unknown user: 422; nothing changes
    const taskId = rows[0].id;
    expect((await t.as('sjj').post(`/api/tasks/${taskId}/assign`, { assignee: 'sjj' })).status).to.equal(403);
    expect((await t.as('admin').post(`/api/tasks/${taskId}/assign`, { assignee: 'ghost' })).status).to.equal(422);
    expect((await t.as('admin').post(`/api/tasks/${taskId}/assign`, {})).status).to.equal(422);
    // when the admin assigns it to 区发展改革委
    const assigned = await t.as('admin').post(`/api/tasks/${taskId}/assign`, { assignee: 'fgw' });
    expect(assigned.status, JSON.stringify(assigned.body)).to.equal(200);
    expect(assigned.body).to.include({ id: taskId, assignee: 'fgw' });
    // then it left the queue, fgw has it (and was told), and can complete it
    expect(((await t.as('admin').get('/api/tasks?unassigned=true')).body as TaskRow[]).map((r) => r.id)).not.to.include(taskId);
    const mine = (await t.as('fgw').get(`/api/tasks?processInstanceId=${started.id}`)).body as TaskRow[];
    expect(mine.map((x) => x.id)).to.deep.equal([taskId]);
    await t.gf.outbox.dispatch();
    expect(((await t.as('fgw').get('/api/notifications')).body as { title: string }[]).map((n) => n.title)).to.include('新待办：办理（由管理员分配）');
    const done = await t.as('fgw').post(`/api/tasks/${taskId}/complete`, { variables: {} });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    expect(done.body.processInstance.state).to.equal('completed');
    const ops = (await instance(t, started.id)).operations.map((o: { operation: string }) => o.operation);
    expect(ops).to.include('assign');
    // and a task that is no longer open cannot be assigned
    expect((await t.as('admin').post(`/api/tasks/${taskId}/assign`, { assignee: 'sjj' })).status).to.equal(409);
  });

  it('lets an admin reassign a claimed task', async () => {
    // given a claimed review
    const started = await startInstance(t, 'simple-approval');
    const [task] = ((await t.as('sjj').get(`/api/tasks?processInstanceId=${started.id}`)).body as TaskRow[]);
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/claim`)).status).to.equal(200);
    // when the admin reassigns it
    expect((await t.as('admin').post(`/api/tasks/${task.id}/assign`, { assignee: 'admin' })).status).to.equal(200);
    // then the former holder no longer has it
    expect(((await t.as('sjj').get(`/api/tasks?processInstanceId=${started.id}`)).body as TaskRow[])).to.deep.equal([]);
    expect(((await t.as('admin').get(`/api/tasks?processInstanceId=${started.id}`)).body as TaskRow[]).map((x) => x.id)).to.deep.equal([task.id]);
  });
});
