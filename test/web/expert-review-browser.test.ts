import { expect } from 'chai';
import { browserSuite, DESKTOP, noOverflow, PHONE, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { instance, setClock, taskOf } from '../support/runtime';

/**
 * 第7条(二) in a real browser: the Data Bureau picks the experts on its task page (a form-js checklist
 * whose options are the users of the experts group, by name), each picked expert opens their own
 * review, and the project page lists each expert's scores and the mean — at 1366 px and at 390 px.
 */
describe('the expert review in a real browser (第7条(二))', function () {
  this.timeout(180000);
  const web = browserSuite({ CLOCK: 'manual' });
  let project: { id: number; instanceId: string };
  const signIn = (username: string, viewport = DESKTOP, next = '/tasks') => signInAt(web.browser, web.url, username, next, viewport);

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    const { body: p } = await web.t.as('jyj').post('/api/projects', draft({ unitCode: 'jyj', name: '智慧校园平台', investment: 300000 }));
    for (const m of ['application-form', 'construction-plan']) {
      await web.t.api.post(`/api/projects/${p.id}/documents`).set('Authorization', `Bearer ${await web.t.token('jyj')}`).field('materialType', m).attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
    }
    const sub = await web.t.as('jyj').post(`/api/projects/${p.id}/submit`);
    expect(sub.body.activeActivityIds).to.deep.equal(['OrganiseExpertReview']);
    project = { id: p.id, instanceId: sub.body.processInstanceId };
  });

  it('the Data Bureau ticks experts by name (390 px and 1366 px) and submits; each picked expert has a review of their own', async () => {
    const task = await taskOf(web.t, 'sjj', project.instanceId, 'OrganiseExpertReview');
    const phone = await signIn('sjj', PHONE, `/tasks/${task.id}`);
    await phone.waitForSelector('[data-island="task"][data-island-ready="true"]');
    await phone.waitForSelector('.fjs-form');
    const labels = (await phone.locator('.fjs-form-field-checklist label').allTextContents()).map((s) => s.trim());
    expect(labels).to.include.members(['评审专家 一', '评审专家 二', '评审专家 三']);
    await noOverflow(phone);
    await shot(phone, 'expert-selection-390');
    await phone.close();

    const page = await signIn('sjj', DESKTOP, `/tasks/${task.id}`);
    await page.waitForSelector('[data-island="task"][data-island-ready="true"]');
    await page.waitForSelector('.fjs-form-field-checklist');
    await page.locator('.fjs-form-field-checklist').getByLabel('评审专家 一').check();
    await page.locator('.fjs-form-field-checklist').getByLabel('评审专家 三').check();
    await shot(page, 'expert-selection-1366');
    await Promise.all([page.waitForURL(/\/tasks\?completed=/), page.click('[data-action="complete"]')]);
    expect((await instance(web.t, project.instanceId)).variables.experts).to.deep.equal(['zj1', 'zj3']);
    for (const zj of ['zj1', 'zj3']) expect((await taskOf(web.t, zj, project.instanceId, 'ExpertReview')).activityId).to.equal('ExpertReview');
    expect((await web.t.as('zj2').get(`/api/tasks?processInstanceId=${project.instanceId}`)).body).to.deep.equal([]);

    // each expert signs (through the API here: the review form is the shipped one), then the project page shows them
    const scores = { necessity: 5, urgency: 4, feasibility: 4, security: 4, intensiveness: 3 };
    for (const [zj, amount] of [['zj1', 300000], ['zj3', 250000]] as const) {
      const mine = await taskOf(web.t, zj, project.instanceId, 'ExpertReview');
      const res = await web.t.as(zj).post(`/api/tasks/${mine.id}/complete`, { variables: { decision: 'approve', opinion: `${zj} 同意`, scores, recommendedInvestment: amount } });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
    // summing up the reviews changes nothing of the project: it is being reviewed, not a draft again
    expect((await web.t.as('jyj').get(`/api/projects/${project.id}`)).body.stage).to.equal('submitted');
    for (const [viewport, name] of [[PHONE, 'expert-project-390'], [DESKTOP, 'expert-project-1366']] as const) {
      const p = await signIn('fgw', viewport, `/projects/${project.id}`);
      const section = p.locator('[data-expert-reviews]');
      expect(await section.locator('[data-expert-review]').count()).to.equal(2);
      expect(await section.textContent()).to.contain('评审专家 三').and.contain('必要性 5').and.contain('建议投资 25 万元');
      expect(await p.textContent('[data-amounts]')).to.contain('27.5 万元');
      await noOverflow(p);
      await shot(p, name);
      await p.close();
    }
  });
});
