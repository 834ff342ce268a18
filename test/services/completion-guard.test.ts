import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, instance, setClock, startInstance, taskOf } from '../support/runtime';
import { draft } from '../support/builders';

/**
 * A completion sets only what its task declares (its form's fields, or what its output mappings read);
 * protected variables are never written by a task of another role; completion rules judge exactly
 * what will be stored. Each refusal is 422 naming the field, and nothing changes.
 */
describe('task completion: only the declared fields, never a protected variable, rules on what is stored', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-10T09:00:00+08:00');
  });
  after(() => t.close());

  it('refuses the 第10条 smuggle: a unit recording its procurement cannot set the approved amount (shipped diagram)', async () => {
    // given the shipped implementation process of an 800,000-yuan project, waiting for the unit's procurement
    const { body: p } = await t.as('rmyy').post('/api/projects', draft({ investment: 800000 }));
    const started = await t.as('admin').post('/api/process-definitions/implementation-acceptance/instances', {
      businessKey: p.code,
      variables: { projectId: p.id, projectCode: p.code, unitGroup: 'unit:rmyy', type: 'new', investment: 800000, approvedAmount: 800000, designApprovedAt: '2026-03-20' },
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const task = await taskOf(t, 'rmyy', started.body.id, 'RecordProcurement');
    const procurement = { procurementMethod: 'public-tender', supplier: '某某科技有限公司', contractSignedAt: '2026-09-28', contractCompletionDate: '2027-06-30' };
    // when the unit submits a 5,000,000 contract together with an approved amount of 9,000,000
    const smuggled = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { ...procurement, contractAmount: 5000000, approvedAmount: 9000000 } });
    // then 422 naming the field, and nothing changed
    expect(smuggled.status).to.equal(422);
    expect(smuggled.body.error.code).to.equal('field-not-allowed');
    expect(smuggled.body.error.details).to.deep.equal([{ field: 'approvedAmount', message: '「批准金额」不是此任务可填写的项目，不能提交' }]);
    const after = await instance(t, started.body.id);
    expect(after.activeActivityIds).to.deep.equal(['RecordProcurement']);
    expect(after.variables).to.include({ approvedAmount: 800000 });
    expect(after.variables).not.to.have.property('contractAmount');
    // and without the smuggled field the 第10条 check judges the real approved amount
    const over = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { ...procurement, contractAmount: 5000000 } });
    expect(over.status).to.equal(422);
    expect(over.body.error.details[0]).to.include({ rule: 'R10.1', article: '第10条' });
    // nested names outside the form are refused too
    const nested = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { ...procurement, contractAmount: 700000, extra: { approvedAmount: 1 } } });
    expect(nested.status).to.equal(422);
    expect(nested.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['extra']);
  });

  it('never lets a task of another role write a protected variable, even when an administrator put it in its form', async () => {
    await deploy(t, 'guarded-completion.bpmn', ['unit-amounts.form']);
    const started = await startInstance(t, 'guarded-completion', { variables: { approvedAmount: 800 } });
    const task = await taskOf(t, 'rmyy', started.id, 'UnitForm');
    const res = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { supplier: '甲公司', approvedAmount: 900000 } });
    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('protected-variable');
    expect(res.body.error.details).to.deep.equal([{ field: 'approvedAmount', message: '「批准金额」只能由区发展改革委或区管委会（区政府）的审批环节确定，此环节不能修改' }]);
    expect((await instance(t, started.id)).variables).to.include({ approvedAmount: 800 });
    expect((await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { supplier: '甲公司' } })).status).to.equal(200);
  });

  it('judges a completion rule on what the output mapping stores, not on the submitted names', async () => {
    // given a task whose output mapping stores `amount` as contractAmount, with 第10条 on contractAmount
    const started = await startInstance(t, 'guarded-completion', { variables: { approvedAmount: 800 } });
    await t.as('rmyy').post(`/api/tasks/${(await taskOf(t, 'rmyy', started.id, 'UnitForm')).id}/complete`, { variables: { supplier: '乙公司' } });
    const task = await taskOf(t, 'rmyy', started.id, 'MappedAmount');
    // a name the mapping does not read is not the task's to take
    const stray = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { amount: 100, contractAmount: 1 } });
    expect(stray.status).to.equal(422);
    expect(stray.body.error.details.map((d: { field: string }) => d.field)).to.deep.equal(['contractAmount']);
    // over the approved amount once stored: refused citing 第10条
    const over = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { amount: 900 } });
    expect(over.status).to.equal(422);
    expect(over.body.error.details[0]).to.include({ rule: 'R10.1', article: '第10条' });
    // within it: stored as contractAmount and accepted
    const ok = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { amount: 100 } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect((await instance(t, started.id)).variables).to.include({ contractAmount: 100 });
  });
});
