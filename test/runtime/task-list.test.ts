import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
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
 * groups a candidate), oldest first — whichever way the candidate rows are read (issue 13 item 6): a caller with
 * few candidate rows has the offered tasks read by id, one with many (over 2,000) has the unassigned open tasks
 * walked in order. The second run of the suite gives every caller many rows (rows of tasks that do not exist,
 * which neither plan may list), so the same assertions hold on the walk.
 */
for (const plan of ['by id', 'walked'] as const) {
  describe(`the task list: assignee, candidate user, candidate group, in creation order (offered tasks ${plan})`, () => {
    let t: TestApp;
    const candidateRows = async (taskId: number) =>
      Number(((await t.gf.db.sequelize.query('SELECT COUNT(*) AS n FROM task_candidates WHERE taskId = ?', { replacements: [taskId], plain: true })) as { n: number }).n);
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
      if (plan === 'walked') {
        // 2,001 open tasks claimed by admin, offered to data-bureau, rmyy and fgw: copies of one real task's row
        const base = (await startInstance(t, 'tl-users')).id;
        const sequelize = t.gf.db.sequelize;
        const [row] = (await sequelize.query('SELECT * FROM tasks WHERE instanceId = ?', { replacements: [base], type: QueryTypes.SELECT })) as Record<string, unknown>[];
        const plain = Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'id').map(([k, v]) => [k, v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v]));
        await sequelize.query('UPDATE tasks SET assignee = ? WHERE instanceId = ?', { replacements: ['admin', base] });
        const copies = Array.from({ length: 2001 }, (_, n) => ({ ...plain, executionId: `${String(plain.executionId)}-${n}`, assignee: 'admin' }));
        await sequelize.getQueryInterface().bulkInsert('tasks', copies);
        const ids = (await sequelize.query('SELECT id FROM tasks WHERE instanceId = ?', { replacements: [base], type: QueryTypes.SELECT })) as { id: number }[];
        const rows = ids.flatMap(({ id }) => [['group', 'data-bureau'], ['user', 'rmyy'], ['user', 'fgw']].map(([kind, value]) => ({ taskId: id, kind, value })));
        await sequelize.getQueryInterface().bulkInsert('task_candidates', rows, { ignoreDuplicates: true } as never);
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
      // when rmyy completes it: gone from every list, its candidate rows with it (the task keeps its lists)
      expect(await candidateRows(byUser[0].id)).to.equal(2);
      const done = await t.as('rmyy').post(`/api/tasks/${byUser[0].id}/complete`, {});
      expect(done.status, JSON.stringify(done.body)).to.equal(200);
      expect((await mine('rmyy', started)).map((x) => x.processInstanceId)).to.deep.equal(started.slice(1));
      expect(await candidateRows(byUser[0].id)).to.equal(0);
      expect((await t.as('admin').get(`/api/tasks/${byUser[0].id}`)).body.candidateUsers).to.deep.equal(['rmyy', 'fgw']);
      // a task canceled with its instance: its candidate rows go too
      const terminated = await t.as('admin').delete(`/api/process-instances/${started[2]}`);
      expect(terminated.status, JSON.stringify(terminated.body)).to.be.oneOf([200, 204]);
      expect(await candidateRows(byUser[2].id)).to.equal(0);
      expect((await mine('fgw', started)).map((x) => x.processInstanceId)).to.deep.equal([started[1]]);
    });

    it("keeps the user's own task in its place among the offered ones (the two reads merged in creation order)", async () => {
      const started = [];
      for (let i = 0; i < 4; i++) started.push((await startInstance(t, 'tl-users')).id);
      const offered = await mine('fgw', started);
      // fgw claims the second and the fourth: own and offered tasks interleave
      for (const n of [1, 3]) expect((await t.as('fgw').post(`/api/tasks/${offered[n].id}/claim`, {})).status).to.equal(200);
      const listed = await mine('fgw', started);
      expect(listed.map((x) => x.processInstanceId)).to.deep.equal(started);
      expect(listed.map((x) => x.assignee)).to.deep.equal([null, 'fgw', null, 'fgw']);
      expect((await mine('rmyy', started)).map((x) => x.processInstanceId)).to.deep.equal([started[0], started[2]]);
    });

    it("shows an instance without a project to its task's candidates only, alone and in the list (第5条)", async () => {
      const [held, other] = [(await startInstance(t, 'tl-users')).id, (await startInstance(t, 'tl-group')).id];
      expect((await t.as('rmyy').get(`/api/process-instances/${held}`)).status).to.equal(200);
      expect((await t.as('rmyy').get(`/api/process-instances/${other}`)).status).to.equal(403);
      expect((await t.as('sjj').get(`/api/process-instances/${other}`)).status).to.equal(200);
      const listed = async (u: string) => ((await t.as(u).get('/api/process-instances')).body as { id: string }[]).map((x) => x.id).filter((id) => id === held || id === other);
      expect(await listed('rmyy')).to.deep.equal([held]);
      expect((await listed('sjj')).sort()).to.deep.equal([other]);
      expect((await listed('admin')).sort()).to.deep.equal([held, other].sort());
    });

    it('lists candidate-group tasks to the group, and assigned tasks to their assignee only', async () => {
      const group = (await startInstance(t, 'tl-group')).id;
      const assigned = (await startInstance(t, 'tl-assigned')).id;
      expect((await mine('sjj', [group, assigned])).map((x) => x.processInstanceId)).to.deep.equal([group]);
      expect((await mine('fgw', [group, assigned])).map((x) => x.processInstanceId)).to.deep.equal([assigned]);
      expect(await mine('rmyy', [group, assigned])).to.deep.equal([]);
    });
  });
}
