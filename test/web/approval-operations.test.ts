import { expect } from 'chai';
import supertest from 'supertest';
import { createGovFlow } from '../../src/app';
import { loadConfig } from '../../src/config';
import { OperationLogModel } from '../../src/persistence/models/runtime.model';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance, taskOf } from '../support/runtime';

/**
 * The Chinese approval operations (issue 8 item 3, ../shared/spec/api.md): 转办, 委派, 加签 (签署), 退回,
 * 撤回, 抄送, 催办 — who may, what the history records, who is told, what a bad request gets — on a
 * diagram of the shape of the application chapter (unit → 区数据局 → 区财政局 with a deadline → 会签 → 审定).
 */

interface Task {
  id: number;
  activityId: string;
  assignee: string | null;
  owner: string | null;
  delegationState: string | null;
  state: string;
  returnableSteps: { activityId: string; name: string }[];
  signers: { username: string; opinion: string; signed: boolean }[];
}
interface Note {
  kind: string;
  title: string;
  body: string;
  taskId: number | null;
}

const ops = (instanceId: string) => OperationLogModel.findAll({ where: { instanceId }, order: [['id', 'ASC']] });

describe('approval operations: 转办 委派 加签 退回 撤回 抄送 催办 (issue 8 item 3)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-10-12T09:00:00+08:00');
    await deploy(t, 'approval-operations.bpmn');
  });
  after(() => t.close());

  const start = () => startInstance(t, 'ops-chain', { variables: { experts: ['zj1', 'zj2'] } });
  const inbox = async (u: string) => {
    await t.gf.outbox.dispatch();
    return (await t.as(u).get('/api/notifications')).body as Note[];
  };
  const complete = async (u: string, taskId: number, variables: Record<string, unknown>) => {
    const res = await t.as(u).post(`/api/tasks/${taskId}/complete`, { variables });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };
  const task = async (u: string, id: number) => {
    const res = await t.as(u).get(`/api/tasks/${id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Task;
  };
  /** the instance after Apply (rmyy) and Review (sjj), waiting at Finance */
  async function atFinance() {
    const { id } = await start();
    await complete('rmyy', (await taskOf(t, 'rmyy', id, 'Apply')).id, { opinion: '申报' });
    await complete('sjj', (await taskOf(t, 'sjj', id, 'Review')).id, { decision: 'approve', opinion: '同意' });
    return { id, finance: await taskOf(t, 'czj', id, 'Finance') };
  }

  it('转办: the holder gives the task to another user; recorded with opinion, the new holder told; bad input changes nothing', async () => {
    const { id } = await start();
    const apply = await taskOf(t, 'rmyy', id, 'Apply');
    // refusals: not the holder 403, anonymous 401, not JSON 415, no or unknown user 422
    expect((await t.as('sjj').post(`/api/tasks/${apply.id}/transfer`, { to: 'wjw' })).status).to.equal(403);
    expect((await t.api.post(`/api/tasks/${apply.id}/transfer`).send({ to: 'wjw' })).status).to.equal(401);
    expect((await t.api.post(`/api/tasks/${apply.id}/transfer`).set('Authorization', `Bearer ${await t.token('rmyy')}`).type('text/plain').send('wjw')).status).to.equal(415);
    const none = await t.as('rmyy').post(`/api/tasks/${apply.id}/transfer`, {});
    expect(none.status).to.equal(422);
    expect(none.body.error.details[0].field).to.equal('to');
    expect((await t.as('rmyy').post(`/api/tasks/${apply.id}/transfer`, { to: 'ghost' })).status).to.equal(422);
    expect((await t.as('rmyy').post(`/api/tasks/999999/transfer`, { to: 'wjw' })).status).to.equal(404);
    expect((await task('rmyy', apply.id)).assignee).to.equal(null);

    // when rmyy transfers it to 区卫健委
    const res = await t.as('rmyy').post(`/api/tasks/${apply.id}/transfer`, { to: 'wjw', opinion: '请卫健委代为填报' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ id: apply.id, assignee: 'wjw' });
    // then wjw holds it, rmyy no longer may act
    expect((await taskOf(t, 'wjw', id, 'Apply')).id).to.equal(apply.id);
    expect((await t.as('rmyy').post(`/api/tasks/${apply.id}/complete`, { variables: { opinion: 'x' } })).status).to.equal(403);
    // recorded with actor and opinion; wjw told
    const row = (await ops(id)).find((o) => o.operation === 'transfer')!;
    expect(row).to.include({ actor: 'rmyy', taskId: apply.id });
    expect(row.data).to.deep.include({ to: 'wjw', opinion: '请卫健委代为填报' });
    const note = (await inbox('wjw')).find((n) => n.taskId === apply.id && n.title.startsWith('转办'));
    expect(note?.body).to.contain('请卫健委代为填报');
    // a transfer to the holder themself: 422
    expect((await t.as('wjw').post(`/api/tasks/${apply.id}/transfer`, { to: 'wjw' })).status).to.equal(422);
    // the trail still verifies
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('委派: the delegate works on it and hands it back to the owner, who completes it', async () => {
    const { id } = await start();
    await complete('rmyy', (await taskOf(t, 'rmyy', id, 'Apply')).id, { opinion: '申报' });
    const review = await taskOf(t, 'sjj', id, 'Review');
    expect((await t.as('czj').post(`/api/tasks/${review.id}/delegate`, { to: 'admin' })).status).to.equal(403);
    const res = await t.as('sjj').post(`/api/tasks/${review.id}/delegate`, { to: 'fgw', opinion: '请发改委先行研判' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ owner: 'sjj', assignee: 'fgw', delegationState: 'pending' });
    expect((await inbox('fgw')).some((n) => n.taskId === review.id && n.title.startsWith('委派'))).to.equal(true);
    // while delegated: the owner cannot complete, nobody re-delegates
    expect((await t.as('sjj').post(`/api/tasks/${review.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(403);
    expect((await t.as('fgw').post(`/api/tasks/${review.id}/delegate`, { to: 'czj' })).status).to.equal(409);
    // when the delegate completes, it comes back to the owner (the process does not move)
    const back = await t.as('fgw').post(`/api/tasks/${review.id}/complete`, { variables: { decision: 'approve', opinion: '建议同意' } });
    expect(back.status, JSON.stringify(back.body)).to.equal(200);
    expect(back.body).to.deep.include({ delegation: 'resolved' });
    expect(back.body.task).to.include({ assignee: 'sjj', owner: 'sjj', delegationState: 'resolved' });
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Review']);
    const resolved = (await ops(id)).find((o) => o.operation === 'resolve')!;
    expect(resolved).to.include({ actor: 'fgw' });
    expect(resolved.data).to.deep.include({ owner: 'sjj', opinion: '建议同意' });
    expect((await inbox('sjj')).some((n) => n.taskId === review.id && n.title.startsWith('委派已办理'))).to.equal(true);
    // the owner completes it
    await complete('sjj', review.id, { decision: 'approve', opinion: '同意' });
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Finance']);
  });

  it('加签: the added signer must sign (their opinion kept) before the task can be completed', async () => {
    const { id, finance } = await atFinance();
    await t.as('czj').post(`/api/tasks/${finance.id}/claim`);
    expect((await t.as('fgw').post(`/api/tasks/${finance.id}/add-signer`, { to: 'rmyy' })).status).to.equal(403);
    expect((await t.as('czj').post(`/api/tasks/${finance.id}/add-signer`, { to: 'czj' })).status).to.equal(422);
    // a signer must be allowed to see the project (第5条): zj1 holds nothing in this instance
    const hidden = await t.as('czj').post(`/api/tasks/${finance.id}/add-signer`, { to: 'zj1' });
    expect(hidden.status).to.equal(422);
    expect(hidden.body.error.message).to.contain('第5条');
    const added = await t.as('czj').post(`/api/tasks/${finance.id}/add-signer`, { to: 'sjj', opinion: '请数据局会签' });
    expect(added.status, JSON.stringify(added.body)).to.equal(200);
    expect(added.body.signers).to.have.length(1);
    expect((await t.as('czj').post(`/api/tasks/${finance.id}/add-signer`, { to: 'sjj' })).status).to.equal(422);
    expect((await inbox('sjj')).some((n) => n.taskId === finance.id && n.title.startsWith('加签'))).to.equal(true);
    // then the holder cannot complete yet
    const early = await t.as('czj').post(`/api/tasks/${finance.id}/complete`, { variables: { opinion: '同意' } });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('signers-pending');
    expect(early.body.error.message).to.contain('区数据局 审核员');
    // the signer sees the task; signing needs an opinion; only the signer signs
    expect((await t.as('sjj').get(`/api/tasks/${finance.id}`)).status).to.equal(200);
    expect((await t.as('sjj').post(`/api/tasks/${finance.id}/sign`, {})).status).to.equal(422);
    expect((await t.as('fgw').post(`/api/tasks/${finance.id}/sign`, { opinion: '同意' })).status).to.equal(403);
    const signed = await t.as('sjj').post(`/api/tasks/${finance.id}/sign`, { opinion: '资金安排合规' });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    expect((await t.as('sjj').post(`/api/tasks/${finance.id}/sign`, { opinion: '再签' })).status).to.equal(409);
    // the opinion is kept with the task, the history has both, the holder was told
    expect((await task('czj', finance.id)).signers).to.deep.equal([{ ...(await task('czj', finance.id)).signers[0], username: 'sjj', opinion: '资金安排合规', signed: true }]);
    const log = await ops(id);
    expect(log.find((o) => o.operation === 'add-signer')?.data).to.deep.include({ to: 'sjj', opinion: '请数据局会签' });
    expect(log.find((o) => o.operation === 'sign')).to.include({ actor: 'sjj' });
    expect((await inbox('czj')).some((n) => n.title.startsWith('加签已签署') && n.body.includes('资金安排合规'))).to.equal(true);
    // now the holder completes
    await complete('czj', finance.id, { opinion: '同意' });
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Sign']);
  });

  it('退回: to an earlier user-task step (listed with the task), cancels the current task, reopens the step for its last handler; completing again goes on', async () => {
    const { id, finance } = await atFinance();
    // the steps it may go back to are listed with the task
    expect((await task('czj', finance.id)).returnableSteps).to.deep.equal([
      { activityId: 'Apply', name: '单位申报' },
      { activityId: 'Review', name: '区数据局审核' },
    ]);
    // refusals change nothing: not a holder 403, no opinion 422, a step not reached / not a user task / unknown 422
    expect((await t.as('sjj').post(`/api/tasks/${finance.id}/return`, { toActivityId: 'Apply', opinion: '退回' })).status).to.equal(403);
    expect((await t.as('czj').post(`/api/tasks/${finance.id}/return`, { toActivityId: 'Apply' })).status).to.equal(422);
    for (const to of ['Decide', 'Decision', 'Nowhere', 'Finance']) {
      const bad = await t.as('czj').post(`/api/tasks/${finance.id}/return`, { toActivityId: to, opinion: '退回' });
      expect(bad.status, to).to.equal(422);
      expect(bad.body.error.code, to).to.equal('not-returnable');
    }
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Finance']);

    // when czj returns it to the unit
    const res = await t.as('czj').post(`/api/tasks/${finance.id}/return`, { toActivityId: 'Apply', opinion: '预算测算依据不足，请补充' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.processInstance.activeActivityIds).to.deep.equal(['Apply']);
    expect(res.body.task).to.include({ activityId: 'Apply', assignee: 'rmyy', state: 'open' });
    // then the finance task is cancelled, its deadline timer gone, nothing downstream ran
    expect((await t.as('admin').get(`/api/tasks/${finance.id}`)).body.state).to.equal('canceled');
    const inst = await instance(t, id);
    expect(inst.state).to.equal('running');
    expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'LateNoted' || h.activityId === 'Sign')).to.deep.equal([]);
    // the unit was told, with the opinion; the history has it
    const note = (await inbox('rmyy')).find((n) => n.kind === 'return' && n.taskId === res.body.task.id);
    expect(note?.body).to.contain('预算测算依据不足，请补充');
    const log = (await ops(id)).filter((o) => o.operation === 'return' || o.operation === 'task-returned');
    expect(log.map((o) => o.actor)).to.deep.equal(['czj', 'czj']);
    expect(log[1].data).to.deep.include({ from: 'Finance', to: 'Apply', opinion: '预算测算依据不足，请补充' });
    // and completing again goes the whole way on
    await complete('rmyy', res.body.task.id, { opinion: '已补充' });
    await complete('sjj', (await taskOf(t, 'sjj', id, 'Review')).id, { decision: 'approve', opinion: '同意' });
    await complete('czj', (await taskOf(t, 'czj', id, 'Finance')).id, { opinion: '同意' });
    expect((await instance(t, id)).variables).to.include({ applyNote: '已补充', financeOpinion: '同意' });
    await complete('zj1', (await taskOf(t, 'zj1', id, 'Sign')).id, { approved: true, opinion: '可行' });
    await complete('zj2', (await taskOf(t, 'zj2', id, 'Sign')).id, { approved: true, opinion: '建议压缩预算' });
    await complete('gwh', (await taskOf(t, 'gwh', id, 'Decide')).id, { opinion: '同意' });
    expect((await instance(t, id)).state).to.equal('completed');
    // 会签: each signer's opinion is kept, and the 流转记录 of the tracking view shows every one of them
    const tracking = (await t.as('admin').get(`/api/process-instances/${id}/tracking`)).body as { records: { activityId: string; actor: string; opinion: string }[] };
    const signs = tracking.records.filter((r) => r.activityId === 'Sign');
    expect(signs.map((r) => r.opinion)).to.include.members(['可行', '建议压缩预算']);
    expect(signs.map((r) => r.actor)).to.include.members(['评审专家 一', '评审专家 二']);
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('退回 from a 会签 step: every signer task is cancelled', async () => {
    const { id, finance } = await atFinance();
    await complete('czj', finance.id, { opinion: '同意' });
    const sign = await taskOf(t, 'zj1', id, 'Sign');
    await complete('zj2', (await taskOf(t, 'zj2', id, 'Sign')).id, { approved: false, opinion: '不可行' });
    const res = await t.as('zj1').post(`/api/tasks/${sign.id}/return`, { toActivityId: 'Review', opinion: '需数据局重新审核' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.processInstance.activeActivityIds).to.deep.equal(['Review']);
    expect(((await t.as('zj1').get(`/api/tasks?processInstanceId=${id}`)).body as unknown[]).length).to.equal(0);
    expect(res.body.task).to.include({ assignee: 'sjj' });
  });

  it('撤回: the completer takes it back while the next step is untouched; refused once it was opened, and to anyone else', async () => {
    const { id } = await start();
    await complete('rmyy', (await taskOf(t, 'rmyy', id, 'Apply')).id, { opinion: '申报' });
    const review = await taskOf(t, 'sjj', id, 'Review');
    await complete('sjj', review.id, { decision: 'approve', opinion: '同意' });
    // not the completer: 403; an open task: 403
    expect((await t.as('czj').post(`/api/tasks/${review.id}/withdraw`)).status).to.equal(403);
    // when sjj withdraws while 区财政局 has not touched Finance
    const res = await t.as('sjj').post(`/api/tasks/${review.id}/withdraw`, { opinion: '意见有误，撤回修改' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.processInstance.activeActivityIds).to.deep.equal(['Review']);
    expect(res.body.task).to.include({ activityId: 'Review', assignee: 'sjj', state: 'open' });
    expect(((await t.as('czj').get(`/api/tasks?processInstanceId=${id}`)).body as unknown[]).length).to.equal(0);
    expect((await inbox('czj')).some((n) => n.title.startsWith('已撤回'))).to.equal(true);
    expect((await ops(id)).find((o) => o.operation === 'task-withdrawn')?.data).to.deep.include({ activityId: 'Review', opinion: '意见有误，撤回修改' });
    // redone
    await complete('sjj', res.body.task.id, { decision: 'approve', opinion: '同意（已修改）' });
    expect((await instance(t, id)).variables).to.include({ reviewOpinion: '同意（已修改）' });
    // once a holder of the next step opened it: 409, nothing changes
    const finance = await taskOf(t, 'czj', id, 'Finance');
    await task('czj', finance.id);
    const late = await t.as('sjj').post(`/api/tasks/${res.body.task.id}/withdraw`);
    expect(late.status).to.equal(409);
    expect(late.body.error.code).to.equal('not-withdrawable');
    expect((await instance(t, id)).activeActivityIds).to.deep.equal(['Finance']);
  });

  it('撤回 is refused once the next step was claimed or completed', async () => {
    const { id } = await start();
    const apply = await taskOf(t, 'rmyy', id, 'Apply');
    await complete('rmyy', apply.id, { opinion: '申报' });
    const review = await taskOf(t, 'sjj', id, 'Review');
    expect((await t.as('sjj').post(`/api/tasks/${review.id}/claim`)).status).to.equal(200);
    expect((await t.as('rmyy').post(`/api/tasks/${apply.id}/withdraw`)).status).to.equal(409);
    await complete('sjj', review.id, { decision: 'approve', opinion: '同意' });
    expect((await t.as('rmyy').post(`/api/tasks/${apply.id}/withdraw`)).status).to.equal(409);
  });

  it('抄送: read-only copies in the recipients\' 抄送我的; a recipient who may not see the project is refused', async () => {
    const { id, finance } = await atFinance();
    expect((await t.as('zj1').post(`/api/tasks/${finance.id}/cc`, { to: ['rmyy'] })).status).to.equal(403);
    expect((await t.as('czj').post(`/api/tasks/${finance.id}/cc`, { to: [] })).status).to.equal(422);
    expect((await t.as('czj').post(`/api/tasks/${finance.id}/cc`, { to: 'rmyy' })).status).to.equal(422);
    // zj1 holds nothing in this instance (it has no project): 第5条
    const hidden = await t.as('czj').post(`/api/tasks/${finance.id}/cc`, { to: ['zj1'] });
    expect(hidden.status).to.equal(422);
    expect(hidden.body.error.message).to.contain('第5条');
    const res = await t.as('czj').post(`/api/tasks/${finance.id}/cc`, { to: ['rmyy', 'sjj'], opinion: '供知悉' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    for (const u of ['rmyy', 'sjj']) {
      const copy = (await inbox(u)).find((n) => n.kind === 'copy' && n.taskId === finance.id);
      expect(copy?.body, u).to.contain('供知悉');
    }
    // the copy opens the task read-only: rmyy sees it, may not complete it
    expect((await t.as('rmyy').get(`/api/tasks/${finance.id}`)).status).to.equal(200);
    expect((await t.as('rmyy').post(`/api/tasks/${finance.id}/complete`, { variables: { opinion: 'x' } })).status).to.equal(403);
    expect((await ops(id)).find((o) => o.operation === 'cc')?.data).to.deep.include({ to: ['rmyy', 'sjj'], opinion: '供知悉' });
  });

  it('催办: by whoever waits on the task, notifies the holders, at most once an hour per task (429)', async () => {
    const { id } = await start();
    await complete('rmyy', (await taskOf(t, 'rmyy', id, 'Apply')).id, { opinion: '申报' });
    const review = await taskOf(t, 'sjj', id, 'Review');
    // the holder cannot urge themself; an outsider may not
    expect((await t.as('sjj').post(`/api/tasks/${review.id}/urge`, {})).status).to.equal(403);
    expect((await t.as('fgw').post(`/api/tasks/${review.id}/urge`, {})).status).to.equal(403);
    const res = await t.as('rmyy').post(`/api/tasks/${review.id}/urge`, { opinion: '项目急需，请尽快审核' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const note = (await inbox('sjj')).find((n) => n.kind === 'urge' && n.taskId === review.id);
    expect(note?.body).to.contain('项目急需，请尽快审核');
    // within the hour: 429, nothing recorded
    const again = await t.as('rmyy').post(`/api/tasks/${review.id}/urge`, {});
    expect(again.status).to.equal(429);
    expect(again.body.error.message).to.contain('每小时最多催办一次');
    expect((await ops(id)).filter((o) => o.operation === 'urge')).to.have.length(1);
    // an hour later: again
    await setClock(t, new Date(Date.parse((await t.as('admin').get('/api/dev/clock')).body.now) + 61 * 60_000).toISOString());
    expect((await t.as('rmyy').post(`/api/tasks/${review.id}/urge`, {})).status).to.equal(200);
    expect((await ops(id)).filter((o) => o.operation === 'urge').map((o) => o.actor)).to.deep.equal(['rmyy', 'rmyy']);
  });
});

describe('approval operations survive a restart: 退回 and 撤回 are state in the database', () => {
  it('a returned and a withdrawn instance go on after the server is replaced', async () => {
    const first = await startTestApp({ CLOCK: 'manual' });
    const url = first.gf.config.databaseUrl;
    await deploy(first, 'approval-operations.bpmn');
    const a = await startInstance(first, 'ops-chain', { variables: { experts: ['zj1'] } });
    const b = await startInstance(first, 'ops-chain', { variables: { experts: ['zj1'] } });
    for (const id of [a.id, b.id]) {
      const apply = await taskOf(first, 'rmyy', id, 'Apply');
      expect((await first.as('rmyy').post(`/api/tasks/${apply.id}/complete`, { variables: { opinion: '申报' } })).status).to.equal(200);
    }
    const reviewA = await taskOf(first, 'sjj', a.id, 'Review');
    expect((await first.as('sjj').post(`/api/tasks/${reviewA.id}/return`, { toActivityId: 'Apply', opinion: '材料不全' })).status).to.equal(200);
    const reviewB = await taskOf(first, 'sjj', b.id, 'Review');
    expect((await first.as('sjj').post(`/api/tasks/${reviewB.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(200);
    expect((await first.as('sjj').post(`/api/tasks/${reviewB.id}/withdraw`)).status).to.equal(200);
    await first.close();

    // a new server on the same database
    const gf = await createGovFlow({ ...loadConfig({ ...process.env, DATABASE_URL: url, SEED_PASSWORD: PASSWORD, CLOCK: 'manual' }) });
    try {
      const api = supertest(gf.app);
      const token = async (u: string) => `Bearer ${(await api.post('/api/auth/token').send({ username: u, password: PASSWORD })).body.token}`;
      const tasks = async (u: string, id: string) => (await api.get(`/api/tasks?processInstanceId=${id}`).set('Authorization', await token(u))).body as { id: number; activityId: string; assignee: string }[];
      const [applyA] = await tasks('rmyy', a.id);
      expect(applyA).to.include({ activityId: 'Apply', assignee: 'rmyy' });
      const [again] = await tasks('sjj', b.id);
      expect(again).to.include({ activityId: 'Review', assignee: 'sjj' });
      // and both go on
      expect((await api.post(`/api/tasks/${applyA.id}/complete`).set('Authorization', await token('rmyy')).send({ variables: { opinion: '已补齐' } })).status).to.equal(200);
      expect((await api.post(`/api/tasks/${again.id}/complete`).set('Authorization', await token('sjj')).send({ variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(200);
      expect((await tasks('sjj', a.id)).map((x) => x.activityId)).to.deep.equal(['Review']);
      expect((await tasks('czj', b.id)).map((x) => x.activityId)).to.deep.equal(['Finance']);
    } finally {
      await gf.close();
    }
  });
});
