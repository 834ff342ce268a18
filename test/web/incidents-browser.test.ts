import { expect } from 'chai';
import { browserSuite, DESKTOP, PHONE, noOverflow, shot, signIn } from '../support/browser';
import { instance, setClock, startInstance, taskOf } from '../support/runtime';

const doc = (condition: string) => `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="incDefinitions" targetNamespace="http://govflow.example/bpmn">
  <bpmn:process id="incident-demo" name="故障演示" isExecutable="true">
    <bpmn:startEvent id="Start" name="开始" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Fill" />
    <bpmn:userTask id="Fill" name="填报"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Fill" targetRef="AmountCheck" />
    <bpmn:exclusiveGateway id="AmountCheck" name="金额判断" default="toSmall" />
    <bpmn:sequenceFlow id="toLarge" sourceRef="AmountCheck" targetRef="LargeReview"><bpmn:conditionExpression>${condition}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="toSmall" sourceRef="AmountCheck" targetRef="SmallReview" />
    <bpmn:userTask id="LargeReview" name="大额审核"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:userTask id="SmallReview" name="小额审核"><bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="LargeReview" targetRef="End" />
    <bpmn:sequenceFlow id="f4" sourceRef="SmallReview" targetRef="End" />
    <bpmn:endEvent id="End" name="结束" />
  </bpmn:process>
</bpmn:definitions>`;

/**
 * The 故障 page in a real browser (issue 9 item 8): an administrator sees the open incident with its
 * instance, the element's Chinese name, the message and the attempts; 重试 tries it again (and counts);
 * after a fixed version is deployed, 迁移到新版本 opens the migration dialog for that instance — a dry
 * run, then the migration — and the incident is resolved on the new version.
 */
describe('the 故障 (incidents) page in a real browser', function () {
  this.timeout(240000);
  const web = browserSuite({ CLOCK: 'manual' });
  let instanceId: string;

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    // v1: a condition that gives null when no amount was entered → an incident at 金额判断
    const v1 = await web.t.as('admin').post('/api/process-definitions', { xml: doc('=amount &gt; 100000') });
    expect(v1.status, JSON.stringify(v1.body)).to.equal(201);
    instanceId = (await startInstance(web.t, 'incident-demo')).id;
    const task = await taskOf(web.t, 'sjj', instanceId, 'Fill');
    await web.t.as('sjj').post(`/api/tasks/${task.id}/claim`);
    await web.t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} });
    expect((await instance(web.t, instanceId)).state).to.equal('incident');
  });

  it('lists the incident, retries it, and resolves it by migrating to a fixed version', async () => {
    const page = await signIn(web.browser, web.url, 'admin', '/incidents');
    // the navigation has 故障 and the studio's links (节假日安排 among them)
    await expect(await page.locator('nav.nav a[href="/incidents"]').textContent()).to.equal('故障');
    expect(await page.locator('.studio-nav a[href="/calendar"]').count()).to.equal(1);
    const row = page.locator('tr[data-incident]');
    expect(await row.count()).to.equal(1);
    expect(await row.locator('[data-element]').textContent()).to.equal('金额判断');
    expect(await row.locator('[data-attempts]').textContent()).to.equal('1');
    expect(await row.locator(`a[href="/instances/${instanceId}"]`).count()).to.equal(1);
    expect(await row.textContent()).to.contain('故障演示 v1');
    await shot(page, 'incidents-1366');

    // 重试: still failing on v1 — said so, and counted
    await row.locator('[data-retry]').click();
    await page.waitForFunction(() => document.querySelector('[data-status]')?.textContent?.includes('重试后仍失败'));
    await page.reload();
    expect(await page.locator('tr[data-incident] [data-attempts]').textContent()).to.equal('2');

    // a phone: no sideways scrolling
    const phone = await signIn(web.browser, web.url, 'admin', '/incidents', PHONE);
    await noOverflow(phone);
    await shot(phone, 'incidents-390');
    await phone.close();

    // the fix: v2 decides on a missing amount; then 迁移到新版本 opens the dialog for this instance
    const v2 = await web.t.as('admin').post('/api/process-definitions', { xml: doc('=amount != null and amount &gt; 100000'), note: '未填金额按小额处理' });
    expect(v2.status, JSON.stringify(v2.body)).to.equal(201);
    await page.reload();
    await page.locator('tr[data-incident] a[data-migrate]').click();
    await page.waitForURL(/\/processes\/incident-demo\/versions\/1\?migrate=/);
    const dialog = page.locator('[data-island="migrate"][data-island-ready="true"]');
    expect(await dialog.getAttribute('data-instance')).to.equal(instanceId);
    expect(await dialog.locator('[data-target]').inputValue()).to.equal('2');
    await dialog.locator('[data-action="dry-run"]').click();
    await page.waitForSelector('[data-island="migrate"][data-done="dry-run"]');
    expect(await dialog.locator('[data-summary]').textContent()).to.contain('可迁移 1 个');
    expect(await dialog.locator('tr[data-move="Fill"]').getAttribute('data-fate')).to.equal('kept');
    // nothing changed by the dry run
    expect((await instance(web.t, instanceId)).definitionVersion).to.equal(1);
    await shot(page, 'migrate-dialog-1366');
    await dialog.locator('[data-action="migrate"]').click();
    await page.waitForSelector('[data-island="migrate"][data-done="migrated"], [data-island="migrate"][data-done="error"]');
    expect(await dialog.getAttribute("data-done"), (await dialog.locator("[data-errors]").textContent()) ?? "").to.equal("migrated");
    expect(await dialog.locator('[data-summary]').textContent()).to.contain('已迁移 1 个');

    // then the instance runs on v2, its incident was retried there and is resolved; the page is empty
    const after = await instance(web.t, instanceId);
    expect(after.definitionVersion).to.equal(2);
    expect(after.incidents).to.deep.equal([]);
    expect(after.activeActivityIds).to.deep.equal(['SmallReview']);
    await page.goto(`${web.url}/incidents`);
    expect(await page.locator('[data-empty]').count()).to.equal(1);
    await page.close();
  });

  it('migrates every instance of a version from its page: a dry-run summary first, then the migration', async () => {
    // given two instances on v2 (the newest) waiting at 填报
    const ids = [(await startInstance(web.t, 'incident-demo')).id, (await startInstance(web.t, 'incident-demo')).id];
    const page = await signIn(web.browser, web.url, 'admin', '/processes/incident-demo/versions/2');
    const dialog = page.locator('[data-island="migrate"][data-island-ready="true"]');
    expect(await dialog.getAttribute('data-instance')).to.equal('');
    expect(await dialog.locator('h2').textContent()).to.contain('全部运行中实例');
    // 执行迁移 waits for a dry run
    expect(await dialog.locator('[data-action="migrate"]').isDisabled()).to.equal(true);
    await dialog.locator('[data-target]').selectOption('1');
    await dialog.locator('[data-action="dry-run"]').click();
    await page.waitForSelector('[data-island="migrate"][data-done="dry-run"]');
    expect(await dialog.locator('[data-summary]').textContent()).to.contain('共 3 个实例，可迁移 3 个');
    for (const id of ids) expect((await instance(web.t, id)).definitionVersion).to.equal(2);
    await dialog.locator('[data-action="migrate"]').click();
    await page.waitForSelector('[data-island="migrate"][data-done="migrated"]');
    expect(await dialog.locator('[data-summary]').textContent()).to.contain('已迁移 3 个');
    for (const id of ids) expect((await instance(web.t, id)).definitionVersion).to.equal(1);
    await page.close();
  });

  it('is for administrators only', async () => {
    const page = await signIn(web.browser, web.url, 'sjj', '/tasks', DESKTOP);
    expect(await page.locator('nav.nav a[href="/incidents"]').count()).to.equal(0);
    const res = await page.goto(`${web.url}/incidents`);
    expect(res!.status()).to.equal(403);
    await page.close();
  });
});
