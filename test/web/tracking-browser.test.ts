import { expect } from 'chai';
import { browserSuite, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { deploy, setClock, startInstance } from '../support/runtime';


/**
 * 流程跟踪 and 运行监控 in a real browser (issue 10, items 1 and 3): an instance on the diagram of its
 * own version with the path taken, where it waits and what is overdue marked, its records per
 * element; the monitor's figures, charts, overdue tasks and running instances — each linking on.
 */
describe('tracking and the monitor in a real browser (流程跟踪 · 运行监控)', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  let application: string;
  let late: string;
  let code: string;
  let projectId: number;
  const signIn = (username: string, next: string, viewport?: { width: number; height: number }) => signInAt(web.browser, web.url, username, next, viewport);


  before(async () => {
    await setClock(web.t, '2026-11-04T10:00:00+08:00');
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name: '智慧医院跟踪项目' }));
    const sub = await web.t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    application = sub.body.processInstanceId;
    code = p.code;
    projectId = p.id;
    await deploy(web.t, 'due-review.bpmn', ['review-form.form']);
    late = (await startInstance(web.t, 'due-review', { businessKey: p.code, variables: { due: '2026-11-02T12:00:00+08:00' } })).id;
  });

  it('the API gives the diagram of the instance version, the path taken and where it waits (第5条 applies)', async () => {
    const res = await web.t.as('sjj').get(`/api/process-instances/${application}/tracking`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const { markers, xml, records, instance } = res.body;
    expect(xml).to.contain('id="application-approval"');
    expect(instance).to.include({ processLabel: '申报审批', stateLabel: '办理中' });
    expect(instance.project.name).to.equal('智慧医院跟踪项目');
    expect(markers.active.length).to.be.greaterThan(0);
    expect(markers.completed.length).to.be.greaterThan(0);
    expect(markers.takenFlows.length).to.be.greaterThan(0);
    // every record named in Chinese (an unnamed start event is 开始)
    expect(records.every((r: { activityName: string }) => /[\u4e00-\u9fff]/.test(r.activityName)), JSON.stringify(records)).to.equal(true);
    const overdue = (await web.t.as('sjj').get(`/api/process-instances/${late}/tracking`)).body;
    expect(overdue.markers.overdue).to.deep.equal(['Review']);
    expect(overdue.records.find((r: { activityId: string }) => r.activityId === 'Review')).to.include({ overdue: true, running: true });
    // outside the project's circle: 403 citing 第5条, for the page too
    const stranger = await web.t.as('jyj').get(`/api/process-instances/${application}/tracking`);
    expect(stranger.status).to.equal(403);
    expect(stranger.body.error.message).to.contain('第5条');
  });

  it('流程跟踪: the diagram marks done, active and overdue elements and the flows taken; a click shows that element’s records', async () => {
    // a leader finds it from the project's page
    const leader = await signIn('gwh', `/projects/${projectId}`);
    await Promise.all([leader.waitForURL(`${web.url}/instances/${application}`), leader.click(`a[href="/instances/${application}"]`)]);
    await leader.waitForSelector('[data-canvas][data-ready=true]');
    const page = await signIn('sjj', `/instances/${application}`);
    await page.waitForSelector('[data-island-ready]');
    expect(await page.getAttribute('[data-island]', 'data-island-ready'), await page.textContent('[data-island]') ?? '').to.equal('true');
    await page.waitForSelector('[data-canvas][data-ready=true]');
    const active = (await web.t.as('sjj').get(`/api/process-instances/${application}`)).body.activeActivityIds as string[];
    expect(await page.locator(`.djs-element.gf-active[data-element-id="${active[0]}"]`).count()).to.equal(1);
    expect(await page.locator('.djs-element.gf-done').count()).to.be.greaterThan(0);
    expect(await page.locator('.djs-connection.gf-taken').count()).to.be.greaterThan(0);
    expect(await page.textContent('h1')).to.contain('办理中');
    const rows = page.locator('tr[data-activity]');
    const all = await rows.count();
    expect(all).to.be.greaterThan(1);
    await page.click(`.djs-element[data-element-id="${active[0]}"]`);
    expect(await page.locator('tr[data-activity]:visible').count()).to.be.lessThan(all);
    expect(await page.locator(`tr[data-activity="${active[0]}"]:visible`).count()).to.equal(1);
    await page.click('[data-show-all]');
    expect(await page.locator('tr[data-activity]:visible').count()).to.equal(all);
    await shot(page, 'tracking-1366');
    // the overdue task, on a phone
    const phone = await signIn('sjj', `/instances/${late}`, PHONE);
    await phone.waitForSelector('[data-canvas][data-ready=true]');
    expect(await phone.locator('.djs-element.gf-overdue[data-element-id="Review"]').count()).to.equal(1);
    expect(await phone.locator('tr.overdue[data-activity="Review"]').count()).to.equal(1);
    await noOverflow(phone);
    await shot(phone, 'tracking-390');
    // a stranger gets the refusal page
    const stranger = await signIn('jyj', '/tasks');
    const res = await stranger.goto(`${web.url}/instances/${application}`);
    expect(res!.status()).to.equal(403);
  });

  it('运行监控: figures, charts, overdue tasks and running instances, each a link; a stranger sees none of them', async () => {
    const page = await signIn('sjj', '/monitor');
    await page.waitForSelector('[data-chart="stage"][data-ready=true]');
    expect(await page.textContent('[data-figure="applied"]')).to.equal('80');
    expect(await page.locator('#overdue tr.overdue').count()).to.equal(1);
    expect(await page.textContent('#overdue tr.overdue')).to.contain('智慧医院跟踪项目');
    await shot(page, 'monitor-1366');
    await page.click(`table[data-instances] a[href="/instances/${late}"]`);
    await page.waitForURL(`${web.url}/instances/${late}`);
    const phone = await signIn('sjj', '/monitor', PHONE);
    await phone.waitForSelector('[data-chart="unit"][data-ready=true]');
    await noOverflow(phone);
    await shot(phone, 'monitor-390');
    const stranger = await signIn('jyj', '/monitor');
    expect(await stranger.locator(`a[href="/instances/${application}"]`).count()).to.equal(0);
    expect(await stranger.locator('#overdue tr.overdue').count()).to.equal(0);
    expect(await stranger.textContent('[data-figure="applied"]')).to.equal('0');
  });

  it('流程运行分析: the version heat-mapped by average duration, a badge of the instances waiting at each element; a stranger sees none of them', async () => {
    // one review completed after two hours, the late one still waiting
    const done = (await startInstance(web.t, 'due-review', { businessKey: code, variables: { due: '2027-06-01T12:00:00+08:00' } })).id;
    await setClock(web.t, '2026-11-04T12:00:00+08:00');
    const task = (await web.t.as('sjj').get(`/api/tasks?processInstanceId=${done}`)).body[0];
    expect((await web.t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(200);
    const page = await signIn('sjj', '/processes/due-review/statistics');
    await page.waitForSelector('[data-canvas][data-ready=true]');
    expect(await page.locator('.djs-element.heat-4[data-element-id="Review"]').count()).to.equal(1);
    expect(await page.textContent('.gf-badge[data-running="Review"]')).to.equal('1');
    expect(await page.textContent('tr[data-activity="Review"]')).to.contain('限期审核');
    expect(await page.textContent('tr[data-activity="Review"]')).to.contain('2.0 小时');
    await shot(page, 'process-statistics-1366');
    const stranger = await signIn('jyj', '/processes/due-review/statistics', PHONE);
    await stranger.waitForSelector('[data-canvas][data-ready=true]');
    expect(await stranger.locator('.gf-badge').count()).to.equal(0);
    expect(await stranger.textContent('table[data-elements]')).to.contain('没有可见的实例');
    await noOverflow(stranger);
  });

  it('a record lists the material its handler uploaded while the step was open', async () => {
    const task = (await web.t.as('rmyy').get(`/api/tasks?processInstanceId=${application}`)).body.find((x: { activityId: string }) => x.activityId === 'ReviseApplication');
    expect(task, 'the application waits for the unit').to.be.an('object');
    const projectId = (await web.t.as('rmyy').get(`/api/process-instances/${application}`)).body.projectId;
    const up = await web.t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await web.t.token('rmyy')}`)
      .field('materialType', 'application-form')
      .attach('file', Buffer.from('%PDF-1.4 申报书'), { filename: '申报书.pdf', contentType: 'application/pdf' });
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    const done = await web.t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { revisionNote: '已补充申报书' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const { records } = (await web.t.as('sjj').get(`/api/process-instances/${application}/tracking`)).body;
    const revised = records.find((r: { activityId: string; running: boolean }) => r.activityId === 'ReviseApplication' && !r.running);
    expect(revised.documents).to.deep.equal([{ label: '项目计划申报表', filename: '申报书.pdf', href: `/api/projects/${projectId}/documents/${up.body.id}` }]);
    expect(revised.actor).to.not.equal('');
  });
});
