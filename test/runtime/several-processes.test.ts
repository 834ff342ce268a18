import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { fixture, form, instance, startInstance, taskOf } from '../support/runtime';

describe('one document with several executable processes, each deployed as its own key (issue 12 item 15)', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(() => t.close());

  it('deploys both keys from one upload, runs each alone, and lets one call the other', async () => {
    // when the document is deployed
    const res = await t.as('admin').post('/api/process-definitions', { xml: fixture('two-processes.bpmn'), forms: [form('review-form.form')] });
    // then both processes are deployed, the answer describes the first and lists both
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ key: 'pair-main', name: '主办流程', version: 1 });
    expect(res.body.processes.map((p: { key: string; version: number }) => [p.key, p.version])).to.deep.equal([
      ['pair-main', 1],
      ['pair-helper', 1],
    ]);
    const listed = (await t.as('admin').get('/api/process-definitions')).body.map((d: { key: string }) => d.key);
    expect(listed).to.include.members(['pair-main', 'pair-helper']);
    expect((await t.as('admin').get('/api/process-definitions/pair-helper')).body).to.include({ name: '协办流程', version: 1 });

    // when the helper is started on its own, only the helper runs
    const helper = await startInstance(t, 'pair-helper');
    expect(helper.activeActivityIds).to.deep.equal(['HelperTask']);
    expect(await (await t.as('sjj').get(`/api/tasks?processInstanceId=${helper.id}`)).body).to.deep.equal([]);

    // when the main process is started, only the main process runs, and its form is the one deployed with it
    const main = await startInstance(t, 'pair-main');
    expect(main.activeActivityIds).to.deep.equal(['MainReview']);
    const review = await taskOf(t, 'sjj', main.id);
    expect((await t.as('sjj').get(`/api/tasks/${review.id}`)).body.form.id).to.equal('review-form');
    const done = await t.as('sjj').post(`/api/tasks/${review.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    // then it calls the helper, deployed from the same document
    expect(done.body.processInstance.activeActivityIds).to.deep.equal(['CallHelper']);
    const children = (await t.as('admin').get('/api/process-instances')).body.filter(
      (i: { definitionKey: string; parentId?: string | null; id: string }) => i.definitionKey === 'pair-helper' && i.id !== helper.id,
    );
    expect(children).to.have.length(1);
    const task = await taskOf(t, 'fgw', children[0].id);
    expect((await t.as('fgw').post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).to.equal(200);
    expect((await instance(t, main.id)).state).to.equal('completed');
  });

  it('re-deploying the same document changes nothing; a changed one gives each key a new version', async () => {
    // when the same document is deployed again
    const again = await t.as('admin').post('/api/process-definitions', { xml: fixture('two-processes.bpmn'), forms: [form('review-form.form')] });
    // then
    expect(again.status).to.equal(201);
    expect(again.body.processes.map((p: { key: string; version: number; duplicate: boolean }) => [p.key, p.version, p.duplicate])).to.deep.equal([
      ['pair-main', 1, true],
      ['pair-helper', 1, true],
    ]);
    // when it changes
    const changed = fixture('two-processes.bpmn').replace('name="协办"', 'name="协办（新）"');
    const next = await t.as('admin').post('/api/process-definitions', { xml: changed, forms: [form('review-form.form')] });
    expect(next.body.processes.map((p: { key: string; version: number }) => [p.key, p.version])).to.deep.equal([
      ['pair-main', 2],
      ['pair-helper', 2],
    ]);
  });

  it('refuses the whole document when one of its processes cannot run (422), deploying neither', async () => {
    // given
    const bad = fixture('two-processes.bpmn').replace('id="pair-main"', 'id="pair-main-2"').replace('id="pair-helper"', 'id="pair-helper-2"').replace('candidateGroups="drc"', 'candidateGroups="no-such-group"');
    // when
    const res = await t.as('admin').post('/api/process-definitions', { xml: bad, forms: [form('review-form.form')] });
    // then
    expect(res.status).to.equal(422);
    expect(res.body.error.details.map((d: { elementId: string }) => d.elementId)).to.deep.equal(['HelperTask']);
    expect((await t.as('admin').get('/api/process-definitions/pair-main-2')).status).to.equal(404);
  });
});
