import { expect } from 'chai';
import supertest from 'supertest';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance, taskOf } from '../support/runtime';
import { draft } from '../support/builders';

/**
 * 第5条 on every read path (../shared/spec/api.md "Who may see what"): a classified project, its
 * instances, tasks, history, documents, notifications, archive and pages are visible only to its unit,
 * confidentiality, the data bureau, audit, and whoever holds or held a task on it. Lists leave it out;
 * single reads answer 403 citing 第5条.
 */
const APPROVE = { decision: 'approve', opinion: '同意' };
const EXPERT = { decision: 'approve', opinion: '必要且可行', scores: { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 }, recommendedInvestment: 700000 };
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('第5条: one visibility rule for every read path', () => {
  let t: TestApp;
  let project: { id: number; code: string };
  let instanceId: string;
  let docId: number;

  async function page(username: string, path: string) {
    const agent = supertest.agent(t.gf.app);
    const login = await agent.get('/login').expect(200);
    await agent.post('/login').type('form').send({ username, password: PASSWORD, _csrf: csrfOf(login.text) }).expect(303);
    return agent.get(path);
  }

  async function complete(user: string, activityId: string, variables: Record<string, unknown>) {
    const task = await taskOf(t, user, instanceId, activityId);
    const res = await t.as(user).post(`/api/tasks/${task.id}/complete`, { variables });
    expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res.body.processInstance as { activeActivityIds: string[] };
  }

  /** every read path of one user on the classified project: the statuses, and whether lists name it */
  async function reads(user: string) {
    const as = t.as(user);
    const openTask = (await t.gf.db.sequelize.query(`SELECT id FROM tasks WHERE instanceId = '${instanceId}' ORDER BY id DESC LIMIT 1`, { plain: true })) as { id: number };
    return {
      project: (await as.get(`/api/projects/${project.id}`)).status,
      instance: (await as.get(`/api/process-instances/${instanceId}`)).status,
      task: (await as.get(`/api/tasks/${openTask.id}`)).status,
      document: (await as.get(`/api/projects/${project.id}/documents/${docId}`)).status,
      archive: (await as.get(`/api/projects/${project.id}/archive`)).status,
      inProjects: (await as.get('/api/projects')).body.some((p: { id: number }) => p.id === project.id),
      inInstances: (await as.get('/api/process-instances')).body.some((i: { id: string }) => i.id === instanceId),
      byBusinessKey: (await as.get(`/api/process-instances?businessKey=${project.code}`)).body.length,
    };
  }
  const HIDDEN = { project: 403, instance: 403, task: 403, document: 403, archive: 403, inProjects: false, inInstances: false, byBusinessKey: 0 };
  const SHOWN = { project: 200, instance: 200, task: 200, document: 200, archive: 200, inProjects: true, inInstances: true, byBusinessKey: 1 };

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
    // given a classified application of 区人民医院 (supervised by 区卫健委), with its materials, submitted
    const created = await t.as('rmyy').post('/api/projects', draft({ name: '涉密指挥平台', classified: true }));
    expect(created.status).to.equal(201);
    project = created.body;
    for (const m of ['application-form', 'construction-plan']) {
      const up = await t.api
        .post(`/api/projects/${project.id}/documents`)
        .set('Authorization', `Bearer ${await t.token('rmyy')}`)
        .field('materialType', m)
        .attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
      docId = up.body.id;
    }
    const submitted = await t.as('rmyy').post(`/api/projects/${project.id}/submit`);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(201);
    instanceId = submitted.body.processInstanceId;
  });
  after(() => t.close());

  it('puts the confidentiality pre-review first, before the supervising department endorses (第5条)', async () => {
    const started = await instance(t, instanceId);
    // on a failure, say what the instance is in (an incident, a retry) rather than only that it is not there
    const why = started.activeActivityIds.length ? '' : JSON.stringify({ state: started.state, incidents: (await t.as('admin').get('/api/incidents')).body, jobs: await t.gf.db.sequelize.query(`SELECT type, activityId, dueAt, attempts, lastError FROM jobs WHERE instanceId = '${instanceId}'`, { type: 'SELECT' }) });
    expect(started.activeActivityIds, why).to.deep.equal(['ConfidentialityPreReview']);
    expect((await t.as('wjw').get(`/api/tasks?processInstanceId=${instanceId}`)).body).to.deep.equal([]);
    const after = await complete('bmj', 'ConfidentialityPreReview', APPROVE);
    expect(after.activeActivityIds).to.deep.equal(['SupervisorEndorsement']);
  });

  it('keeps the classified project out of every list and answers 403 citing 第5条 outside its circle', async () => {
    for (const outsider of ['jyj', 'gaj', 'fgw', 'czj', 'wxb', 'mmj', 'gwh', 'zj1']) {
      expect(await reads(outsider), outsider).to.deep.equal(HIDDEN);
      const refused = await t.as(outsider).get(`/api/projects/${project.id}`);
      expect(refused.body.error.message, outsider).to.include('第5条');
      expect(refused.body.error.details[0], outsider).to.include({ rule: 'R5.4', article: '第5条' });
      expect((await t.as(outsider).get(`/api/process-instances/${instanceId}`)).body.error.message).to.include('第5条');
    }
    // its unit, confidentiality, the data bureau and audit see it everywhere (and the supervisor holds a task on it now)
    for (const member of ['rmyy', 'bmj', 'sjj', 'sjju', 'wjw']) expect(await reads(member), member).to.deep.equal(SHOWN);
  });

  it('keeps it off the pages of outsiders (项目, 监控) and shows it to its circle', async () => {
    for (const path of ['/projects', '/monitor']) {
      const outsider = await page('jyj', path);
      expect(outsider.status).to.equal(200);
      expect(outsider.text, path).not.to.contain(project.code);
      const member = await page('sjj', path);
      expect(member.text, path).to.contain(project.code);
    }
  });

  it('opens the project to each reviewer while they hold a task on it, and for good once they did the task', async () => {
    // given the supervisor endorses and the Data Bureau organises the expert review (第7条(二))
    const next = await complete('wjw', 'SupervisorEndorsement', APPROVE);
    expect(next.activeActivityIds).to.deep.equal(['OrganiseExpertReview']);
    // no expert holds anything on it yet
    for (const expert of ['zj1', 'zj2']) expect((await t.as(expert).get(`/api/projects/${project.id}`)).status, expert).to.equal(403);
    // when the Data Bureau picks zj1, zj1 holds the review (assigned to them, multi-instance) and may open it
    expect((await complete('sjj', 'OrganiseExpertReview', { experts: ['zj1'] })).activeActivityIds).to.deep.equal(['ExpertReview']);
    expect(await reads('zj1')).to.deep.equal(SHOWN);
    // zj2, not picked, holds nothing on it
    expect((await t.as('zj2').get(`/api/projects/${project.id}`)).status).to.equal(403);
    const task = await taskOf(t, 'zj1', instanceId, 'ExpertReview');
    const reviewed = await t.as('zj1').post(`/api/tasks/${task.id}/complete`, { variables: EXPERT });
    expect(reviewed.status, JSON.stringify(reviewed.body)).to.equal(200);
    // then zj1, who held the task, still sees the project; zj2, who never held it, does not
    expect((await t.as('zj1').get(`/api/projects/${project.id}`)).status).to.equal(200);
    expect(await reads('zj2')).to.deep.equal(HIDDEN);
    // and the parallel reviewers — 网信办, 密码管理局, 发改委, 财政局 — open what they review
    expect((await instance(t, instanceId)).activeActivityIds).to.include.members(['SecurityReview', 'CryptoReview', 'InvestmentReview', 'FinanceReview']);
    for (const reviewer of ['wxb', 'mmj', 'fgw', 'czj']) expect((await t.as(reviewer).get(`/api/projects/${project.id}`)).status, reviewer).to.equal(200);
    // but not the district government, who has no task on it
    expect((await t.as('gwh').get(`/api/projects/${project.id}`)).status).to.equal(403);
  });

  it('tells nobody outside the circle about it, however a diagram addresses the notification', async () => {
    // given the new-task notices of the review round went out
    await t.gf.outbox.dispatch();
    const titles = async (user: string) => (await t.as(user).get('/api/notifications')).body.filter((n: { processInstanceId: string }) => n.processInstanceId === instanceId).length;
    expect(await titles('mmj')).to.be.greaterThan(0);
    // a diagram started on this project notifies the district government's group and the data bureau
    await deploy(t, 'notify-groups.bpmn');
    const notified = await startInstance(t, 'notify-groups', { businessKey: project.code });
    expect(notified.state).to.equal('completed');
    await t.gf.outbox.dispatch();
    // then the data bureau is told, the district government (outside the circle) is not
    const told = async (user: string) => (await t.as(user).get('/api/notifications')).body.filter((n: { title: string }) => n.title === '项目情况通报').length;
    expect(await told('sjj')).to.equal(1);
    expect(await told('gwh')).to.equal(0);
    expect(await titles('gwh')).to.equal(0);
    // and the started instance belongs to the project (its business key), so only the circle sees it
    expect((await t.as('gwh').get(`/api/process-instances/${notified.id}`)).status).to.equal(403);
    expect((await t.as('sjj').get(`/api/process-instances/${notified.id}`)).status).to.equal(200);
  });

  it('leaves incidents and the dev clock to administrators, and the clock to sane dates', async () => {
    expect((await t.as('sjj').get('/api/incidents')).status).to.equal(403);
    expect((await t.as('admin').get('/api/incidents')).status).to.equal(200);
    expect((await t.as('rmyy').post('/api/dev/clock', { now: '2026-09-16T10:00:00+08:00' })).status).to.equal(403);
    expect((await t.as('rmyy').get('/api/dev/clock')).status).to.equal(403);
    const far = await t.as('admin').post('/api/dev/clock', { now: '+275760-09-13T00:00:00.000Z' });
    expect(far.status).to.equal(400);
    expect(far.body.error.details[0].field).to.equal('now');
    expect((await t.as('admin').get('/api/dev/clock')).body.now).to.equal('2026-09-15T02:00:00.000Z');
  });
});
