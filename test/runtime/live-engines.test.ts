import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { instance, startInstance, taskOf } from '../support/runtime';

const LIVE = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="liveDefinitions" targetNamespace="http://govflow.example/test">
  <bpmn:process id="live-review" name="审核后会签" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="审核">
      <bpmn:extensionElements>
        <zeebe:assignmentDefinition candidateGroups="data-bureau" />
        <zeebe:ioMapping>
          <zeebe:output source="=decision" target="result" />
          <zeebe:output source="=amount" target="amount" />
        </zeebe:ioMapping>
        <zeebe:properties>
          <zeebe:property name="rule:R10.1" value="=amount &lt;= 100" />
          <zeebe:property name="message:R10.1" value="金额不得超过批准的预算" />
        </zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="Decide" />
    <bpmn:exclusiveGateway id="Decide" />
    <bpmn:sequenceFlow id="approve" sourceRef="Decide" targetRef="Fork"><bpmn:conditionExpression>=result = "approve"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="revise" sourceRef="Decide" targetRef="Revise"><bpmn:conditionExpression>=result != "approve"</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:userTask id="Revise" name="修改">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="Revise" targetRef="Review" />
    <bpmn:parallelGateway id="Fork" />
    <bpmn:sequenceFlow id="f4" sourceRef="Fork" targetRef="SignA" />
    <bpmn:sequenceFlow id="f5" sourceRef="Fork" targetRef="SignB" />
    <bpmn:userTask id="SignA" name="会签甲">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="SignB" name="会签乙">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f6" sourceRef="SignA" targetRef="Join" />
    <bpmn:sequenceFlow id="f7" sourceRef="SignB" targetRef="Join" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:sequenceFlow id="f8" sourceRef="Join" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

type History = { activityId: string; endedAt: string | null; outcome: string | null; actor: string | null }[];

/**
 * Hot instances stay live (issue 13 item 1): a completion signals the engine that the last unit of work of this
 * process left live for the instance, instead of recovering its saved state — only when the instance is still at the
 * revision that unit committed, and only once: a run that is refused or not saved loses the engine. Both databases.
 */
describe('live engines: a completion goes on from the engine the last committed unit left (issue 13 item 1)', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' });
    const res = await t.as('admin').post('/api/process-definitions', { xml: LIVE });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });
  after(async () => t?.close());

  const live = () => t.gf.runtime.liveEngines;
  const complete = (app: TestApp, taskId: number, variables: Record<string, unknown> = {}) => app.as('sjj').post(`/api/tasks/${taskId}/complete`, { variables });

  /** the same five completions: back to 修改 once, then approved and both signatures */
  async function walk(app: TestApp, id: string, before: () => void): Promise<void> {
    const steps: [string, Record<string, unknown>][] = [
      ['Review', { decision: 'revise', amount: 50 }],
      ['Revise', {}],
      ['Review', { decision: 'approve', amount: 80 }],
      ['SignA', {}],
      ['SignB', {}],
    ];
    for (const [activityId, variables] of steps) {
      const task = await taskOf(app, 'sjj', id, activityId);
      before();
      const res = await complete(app, task.id, variables);
      expect(res.status, `${activityId}: ${JSON.stringify(res.body)}`).to.equal(200);
    }
  }

  const described = async (id: string) => {
    const body = await instance(t, id);
    const history = (body.history as History).map((h) => [h.activityId, !!h.endedAt, h.outcome, h.actor]);
    return { state: body.state, variables: body.variables, history };
  };

  it('walks an instance on its live engine as it walks one recovered at every step: the same history, variables and end', async () => {
    const onLive = await startInstance(t, 'live-review');
    const hits = live().counts.hits;
    await walk(t, onLive.id, () => {});
    expect(live().counts.hits - hits, 'every completion on the engine the unit before left').to.equal(5);

    const recovered = await startInstance(t, 'live-review');
    const again = live().counts.hits;
    await walk(t, recovered.id, () => live().clear());
    expect(live().counts.hits - again, 'no completion on a live engine').to.equal(0);

    const a = await described(onLive.id);
    const b = await described(recovered.id);
    expect(a.state).to.equal('completed');
    expect(a).to.deep.equal(b);
    expect(a.variables).to.deep.equal({ result: 'approve', amount: 80 });
    expect(a.history.filter(([id]) => id === 'Review')).to.have.length(2);
  });

  it('a completion refused in its unit (a rule) loses the engine its run ahead moved on: the corrected completion recovers and goes on', async () => {
    const inst = await startInstance(t, 'live-review');
    const review = await taskOf(t, 'sjj', inst.id, 'Review');
    const counts = { ...live().counts };
    const refused = await complete(t, review.id, { decision: 'approve', amount: 500 });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.error.code).to.equal('rule-violation');
    expect(refused.body.error.message).to.match(/第10条.*金额不得超过/);
    expect(live().counts.hits - counts.hits, 'the refused completion ran ahead on the live engine').to.equal(1);

    const ok = await complete(t, review.id, { decision: 'approve', amount: 100 });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(live().counts.hits - counts.hits, 'the corrected one found no engine').to.equal(1);
    const now = await instance(t, inst.id);
    expect(now.activeActivityIds).to.have.members(['SignA', 'SignB']);
    expect(now.variables).to.deep.equal({ result: 'approve', amount: 100 });
  });

  it('another process moved the instance on: the live engine of this one stands for an older revision and is not used', async () => {
    const other = await startTestApp({ DATABASE_URL: t.gf.config.databaseUrl, CLOCK: 'manual', SCHEDULER_INTERVAL_MS: '3600000' });
    try {
      const inst = await startInstance(t, 'live-review');
      expect((await complete(t, (await taskOf(t, 'sjj', inst.id, 'Review')).id, { decision: 'approve', amount: 10 })).status).to.equal(200);
      // the other process signs 甲 (it recovers the state this one saved)
      expect((await complete(other, (await taskOf(other, 'sjj', inst.id, 'SignA')).id)).status).to.equal(200);
      const counts = { ...live().counts };
      const res = await complete(t, (await taskOf(t, 'sjj', inst.id, 'SignB')).id);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(live().counts.misses - counts.misses, 'the engine here was one revision behind').to.be.at.least(1);
      expect(live().counts.hits - counts.hits).to.equal(0);
      const now = await instance(t, inst.id);
      expect(now.state, 'both signatures joined').to.equal('completed');
      expect((await t.as('sjj').get(`/api/tasks?processInstanceId=${inst.id}`)).body).to.deep.equal([]);
    } finally {
      await other.close();
    }
  });
});
