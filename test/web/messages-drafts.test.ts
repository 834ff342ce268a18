import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { NotificationModel } from '../../src/persistence/models/runtime.model';
import { setClock, taskOf } from '../support/runtime';

/**
 * 消息 (the inbox page, 全部已读, the unread count in the navigation) and 修改草稿 (the draft's page,
 * removing a material) over HTTP: who may, what changes, what is refused.
 */
describe('消息 and 修改草稿 over HTTP', function () {
  this.timeout(120000);
  let t: TestApp;

  const upload = async (projectId: number, material: string, name: string) =>
    t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', material)
      .attach('file', Buffer.from(`%PDF-1.4 ${name}`), { filename: name, contentType: 'application/pdf' });
  /** a submitted application of rmyy: wjw (its supervising department) gets a 新待办 */
  const submitted = async (name: string) => {
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name }));
    await upload(p.id, 'application-form', '申报书.pdf');
    await upload(p.id, 'construction-plan', '建设方案.pdf');
    const sub = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    await t.gf.outbox.dispatch();
    return p as { id: number; code: string };
  };

  /** an inbox entry as the outbox delivers it (no instance: a plain 通知) */
  let seq = 0;
  const deliver = (username: string, title: string, body = '') =>
    NotificationModel.create({ username, kind: 'info', title, body, instanceId: null, taskId: null, dedupeKey: `test:${++seq}:${username}`, createdAt: new Date(), readAt: null });

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
  });
  after(async () => t?.close());

  describe('消息', () => {
    it('lists the caller\'s notifications newest first with the kind in Chinese, each linking to its task, unread marked and counted in the navigation', async () => {
      // given two applications sent to wjw
      const first = await submitted('消息测试项目甲');
      const second = await submitted('消息测试项目乙');
      // when wjw opens 消息
      const res = await t.as('wjw').get('/messages');
      // then both, the newer first, as 新待办 with links to their tasks, unread
      expect(res.status).to.equal(200);
      const html = res.text;
      expect(html.indexOf('消息测试项目乙')).to.be.greaterThan(-1).and.lessThan(html.indexOf('消息测试项目甲'));
      const { body: inbox } = await t.as('wjw').get('/api/notifications');
      const tasks = inbox.filter((n: { kind: string }) => n.kind === 'task');
      expect(tasks).to.have.length(2);
      for (const n of tasks) expect(html).to.contain(`href="/tasks/${n.taskId}" data-open`);
      expect(html).to.contain('新待办').and.to.contain(`href="/projects/${first.id}"`).and.to.contain(`href="/projects/${second.id}"`);
      expect((html.match(/data-unread-tag/g) ?? []).length).to.equal(2);
      expect(html).to.match(/data-count="unread"[^>]*>2</);
      // rmyy's inbox holds nothing of wjw's
      expect((await t.as('rmyy').get('/messages')).text).not.to.contain('data-unread-tag');
    });

    it('全部已读 marks every unread notification of the caller, and only the caller\'s', async () => {
      // given wjw has unread notifications, and so does czj
      await deliver('czj', '给区财政局的通知');
      const before = (await t.as('wjw').get('/api/notifications')).body.filter((n: { readAt: string | null }) => !n.readAt).length;
      expect(before).to.be.greaterThan(0);
      // when
      const res = await t.as('wjw').post('/api/notifications/read-all');
      // then
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ marked: before });
      expect((await t.as('wjw').get('/api/notifications')).body.every((n: { readAt: string | null }) => n.readAt)).to.equal(true);
      const page = (await t.as('wjw').get('/messages')).text;
      expect(page).not.to.contain('data-count="unread"');
      expect(page).not.to.contain('data-read-all');
      // a second call changes nothing
      expect((await t.as('wjw').post('/api/notifications/read-all')).body).to.deep.equal({ marked: 0 });
      // czj's stays unread
      expect((await t.as('czj').get('/api/notifications')).body.map((n: { title: string; readAt: string | null }) => [n.title, n.readAt])).to.deep.include(['给区财政局的通知', null]);
    });

    it('pages by 20', async () => {
      // given 21 notifications for wjw
      for (let i = 0; i < 19; i++) await deliver('wjw', `分页测试通知${i}`, `办理期限 2026-09-17T15:59:59.000Z（第${i}条）`);
      const all = (await t.as('wjw').get('/api/notifications')).body;
      expect(all.length).to.equal(21);
      // then page 1 has 20 rows and a next link, page 2 the oldest one
      const one = (await t.as('wjw').get('/messages')).text;
      expect((one.match(/data-notification=/g) ?? []).length).to.equal(20);
      expect(one).to.contain('href="/messages?page=2"');
      const two = (await t.as('wjw').get('/messages?page=2')).text;
      expect((two.match(/data-notification=/g) ?? []).length).to.equal(1);
      expect(two).to.contain('消息测试项目甲');
      // a plain 通知 (no task, no project) is listed in words and links nowhere
      expect(one).to.contain('分页测试通知18').and.to.contain('>通知<');
      // a deadline in a message's text reads in Shanghai time, not as a UTC instant
      expect(one).to.contain('办理期限 2026年9月17日 23:59').and.not.to.contain('2026-09-17T15:59:59');
    });
  });

  describe('修改草稿', () => {
    it('its unit opens the draft\'s edit page (the wizard, filled in, with its materials); everyone else 403; a submitted application 409', async () => {
      const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '草稿编辑测试' }));
      const mine = await t.as('rmyy').get(`/projects/${p.id}/edit`);
      expect(mine.status).to.equal(200);
      expect(mine.text).to.contain('data-island="wizard"').and.to.contain(`data-project-id="${p.id}"`).and.to.contain('value="草稿编辑测试"').and.to.contain('data-upload');
      // another unit may not see it (第5条), a bureau may see it but not edit it
      expect((await t.as('jyj').get(`/projects/${p.id}/edit`)).status).to.equal(403);
      expect((await t.as('sjj').get(`/projects/${p.id}/edit`)).status).to.equal(403);
      // the project page offers the edit to its unit only; the list marks the draft for its unit
      expect((await t.as('rmyy').get(`/projects/${p.id}`)).text).to.contain(`href="/projects/${p.id}/edit"`);
      expect((await t.as('sjj').get(`/projects/${p.id}`)).text).not.to.contain('/edit"');
      expect((await t.as('rmyy').get('/projects')).text).to.contain(`href="/projects/${p.id}/edit"`);
      // submitted: no longer here
      const sent = await submitted('已提交的申报');
      const refused = await t.as('rmyy').get(`/projects/${sent.id}/edit`);
      expect(refused.status).to.equal(409);
      expect(refused.text).to.contain('已提交');
      expect((await t.as('rmyy').get(`/projects/${sent.id}`)).text).not.to.contain(`href="/projects/${sent.id}/edit"`);
    });

    it('an application returned for revision is edited on its revise task, not here: 409 naming that task', async () => {
      // given an application sent without its construction plan: back at once with the unit (第7条)
      const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '退回修改的申报' }));
      await upload(p.id, 'application-form', '申报书.pdf');
      const sub = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
      expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
      expect((await t.as('rmyy').get(`/api/projects/${p.id}`)).body.stage).to.equal('revising');
      const revise = await taskOf(t, 'rmyy', sub.body.processInstanceId, 'ReviseApplication');
      // when its unit opens the draft page
      const res = await t.as('rmyy').get(`/projects/${p.id}/edit`);
      // then it is sent to the revise task
      expect(res.status).to.equal(409);
      expect(res.text).to.contain('项目单位修改完善申报').and.to.contain(`/tasks/${revise.id}`);
      expect((await t.as('rmyy').get(`/projects/${p.id}`)).text).not.to.contain(`href="/projects/${p.id}/edit"`);
    });

    it('removing a material: its unit, while a draft (204, gone); another unit 403; a submitted application 409; no such document 404', async () => {
      const { body: p } = await t.as('rmyy').post('/api/projects', draft({ name: '删除材料测试' }));
      const { body: doc } = await upload(p.id, 'other', '多余材料.pdf');
      expect((await t.as('jyj').delete(`/api/projects/${p.id}/documents/${doc.id}`)).status).to.equal(403);
      expect((await t.as('sjj').delete(`/api/projects/${p.id}/documents/${doc.id}`)).status).to.equal(403);
      expect((await t.as('rmyy').delete(`/api/projects/${p.id}/documents/${doc.id}`)).status).to.equal(204);
      expect((await t.as('rmyy').get(`/api/projects/${p.id}`)).body.documents).to.deep.equal([]);
      expect((await t.as('rmyy').delete(`/api/projects/${p.id}/documents/${doc.id}`)).status).to.equal(404);
      const sent = await submitted('提交后不能删除材料');
      const { body: sentProject } = await t.as('rmyy').get(`/api/projects/${sent.id}`);
      const res = await t.as('rmyy').delete(`/api/projects/${sent.id}/documents/${sentProject.documents[0].id}`);
      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('not-editable');
    });
  });
});
