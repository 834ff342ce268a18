import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { addWorkingDays, shanghaiDayStart } from '../../src/domain/calendar';
import { CHINESE_DAYS } from '../support/calendar';
import { AppError, BpmnError } from '../../src/domain/errors';
import { ENGINE_VERSION, runInstance } from '../../src/engine/engine-runner';
import type {
  CompiledDefinitionRef,
  EngineAction,
  EngineHost,
  RunResult,
  ServiceInvocation,
  ServiceOutcome,
} from '../../src/engine/types';

// ---- collaborators: a movable clock, in-test service handlers, an instance that saves its state
// ---- the way the database will (JSON text between every step)

function fixture(name: string): CompiledDefinitionRef {
  return { definitionId: `fixture:${name}`, xml: readFileSync(join(__dirname, '../fixtures/engine', `${name}.bpmn`), 'utf8') };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

class TestClock {
  constructor(public current: Date) {}
  now = (): Date => this.current;
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(iso: string): void {
    this.current = new Date(iso);
  }
}

type Handler = (inv: ServiceInvocation) => ServiceOutcome | Promise<ServiceOutcome>;

class TestHost implements EngineHost {
  readonly invocations: ServiceInvocation[] = [];
  calendar = CHINESE_DAYS;
  maxActivitiesPerRun?: number;
  constructor(
    readonly clock: TestClock,
    public handlers: Record<string, Handler> = {},
  ) {}
  async invokeService(inv: ServiceInvocation): Promise<ServiceOutcome> {
    this.invocations.push(inv);
    const handler = this.handlers[inv.handler];
    if (!handler) return { kind: 'wait' };
    return handler(inv);
  }
  invocationsOf(handler: string): ServiceInvocation[] {
    return this.invocations.filter((i) => i.handler === handler);
  }
}

class TestInstance {
  /** the saved engine state, as JSON text (what the database holds) */
  savedState: string | null = null;
  last!: RunResult;

  constructor(
    readonly definition: CompiledDefinitionRef,
    readonly host: TestHost,
    readonly settleTimeoutMs?: number,
  ) {}

  async run(action: EngineAction): Promise<RunResult> {
    const state = this.savedState === null ? null : (JSON.parse(this.savedState) as unknown);
    const result = await runInstance({
      definition: this.definition,
      state,
      action,
      host: this.host,
      instanceId: 'instance-under-test',
      settleTimeoutMs: this.settleTimeoutMs,
    });
    if (result.engineState !== null) {
      const text = JSON.stringify(result.engineState);
      expect(JSON.parse(text), 'engineState survives a JSON round trip').to.deep.equal(result.engineState);
      this.savedState = text;
      this.history.push(...result.history);
      this.expectBalancedHistory(result.state !== 'running');
    }
    this.last = result;
    return result;
  }

  /** the history of every saved run */
  readonly history: RunResult['history'] = [];

  /**
   * every activity execution starts at most once and is closed (end, discard, error) at most once —
   * and is closed once the instance is over
   */
  private expectBalancedHistory(finished: boolean): void {
    const seen = new Map<string, { starts: number; closes: number }>();
    for (const h of this.history) {
      const s = seen.get(h.executionId) ?? { starts: 0, closes: 0 };
      if (h.event === 'start') s.starts++;
      else s.closes++;
      seen.set(h.executionId, s);
    }
    for (const [executionId, s] of seen) {
      expect(s.starts, `starts of ${executionId}`).to.be.at.most(1);
      expect(s.closes, `closes of ${executionId}`).to.be.at.most(1);
      if (finished) expect(s.closes, `${executionId} closed when the instance is over`).to.equal(1);
    }
  }

  start(variables: Record<string, unknown> = {}): Promise<RunResult> {
    return this.run({ kind: 'start', variables });
  }
  resume(): Promise<RunResult> {
    return this.run({ kind: 'resume' });
  }
  completeTask(activityId: string, variables: Record<string, unknown> = {}): Promise<RunResult> {
    return this.run({ kind: 'complete-task', executionId: this.userTask(activityId).executionId, variables });
  }
  correlate(messageName: string, variables: Record<string, unknown> = {}, executionIds?: string[]): Promise<RunResult> {
    return this.run({ kind: 'correlate-message', messageName, variables, executionIds });
  }
  userTask(activityId: string) {
    const task = this.last.userTasks.find((t) => t.activityId === activityId);
    if (!task) throw new Error(`user task ${activityId} is not waiting: ${JSON.stringify(this.last.userTasks)}`);
    return task;
  }
  timer(activityId: string) {
    const timer = this.last.timers.find((t) => t.activityId === activityId);
    if (!timer) throw new Error(`timer ${activityId} is not waiting: ${JSON.stringify(this.last.timers)}`);
    return timer;
  }
}

const waitingTaskIds = (r: RunResult) => r.userTasks.map((t) => t.activityId).sort();
const historyOf = (r: RunResult, activityId: string) => r.history.filter((h) => h.activityId === activityId);

async function expectRejected(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('engine-runner', () => {
  let clock: TestClock;
  let host: TestHost;

  beforeEach(() => {
    clock = new TestClock(new Date('2026-03-02T09:00:00+08:00'));
    host = new TestHost(clock);
  });

  describe('user task', () => {
    it('starts, waits at the user task with its zeebe assignment, schedule, form and input', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);

      // when
      const result = await instance.start({
        applicant: { name: '张三', reviewer: 'wang.wu' },
        amount: 21,
        submittedOn: '2026-03-02',
      });

      // then
      expect(result.state).to.equal('running');
      expect(result.incident).to.equal(null);
      expect(result.engineVersion).to.equal(ENGINE_VERSION).and.match(/^25\./);
      expect(result.activeActivityIds).to.deep.equal(['reviewApplicationTask']);
      expect(result.userTasks).to.have.length(1);
      const task = result.userTasks[0];
      expect(task).to.include({
        activityId: 'reviewApplicationTask',
        name: '审核申请材料',
        assignee: 'wang.wu',
        formId: 'review-application-form',
        isNew: true,
      });
      expect(task.candidateGroups).to.deep.equal(['bureau-reviewers', 'district-office']);
      expect(task.candidateUsers).to.deep.equal(['li.lei', 'han.meimei']);
      expect(task.dueAt?.toISOString()).to.equal(shanghaiDayStart(addWorkingDays(CHINESE_DAYS, '2026-03-02', 3)).toISOString());
      expect(task.followUpAt?.toISOString()).to.equal('2026-03-02T01:00:00.000Z');
      expect(task.input).to.deep.equal({ applicantName: '张三', doubledAmount: 42 });
      expect(result.history.map((h) => `${h.activityId}:${h.event}`)).to.deep.equal([
        'applicationSubmitted:start',
        'applicationSubmitted:end',
        'reviewApplicationTask:start',
      ]);
      expect(result.history[2]).to.include({ type: 'bpmn:UserTask', activityName: '审核申请材料' });
      expect(result.history[2].at.getTime()).to.equal(clock.now().getTime());
    });

    it('completes the task through its output mappings and ends the process', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);
      await instance.start({ applicant: { name: '张三', reviewer: 'wang.wu' }, amount: 21, submittedOn: '2026-03-02' });

      // when
      const result = await instance.completeTask('reviewApplicationTask', { decision: 'approve', comment: '材料齐全' });

      // then
      expect(result.state).to.equal('completed');
      expect(result.userTasks).to.deep.equal([]);
      expect(result.activeActivityIds).to.deep.equal([]);
      expect(result.variables).to.deep.include({ approved: true, reviewComment: '材料齐全', amount: 21 });
      expect(result.variables).not.to.have.property('decision'); // outputs given: only they are written
      expect(result.history.map((h) => `${h.activityId}:${h.event}`)).to.deep.equal([
        'reviewApplicationTask:end',
        'applicationReviewed:start',
        'applicationReviewed:end',
      ]);
    });

    it('reports a recovered user task as not new, and keeps the state small and free of the diagram source', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);
      const started = await instance.start({ applicant: { name: '张三', reviewer: 'wang.wu' }, amount: 1, submittedOn: '2026-03-02' });

      // when
      const resumed = await instance.resume();

      // then
      expect(resumed.state).to.equal('running');
      expect(resumed.userTasks).to.have.length(1);
      expect(resumed.userTasks[0]).to.include({ executionId: started.userTasks[0].executionId, isNew: false });
      expect(resumed.history).to.deep.equal([]);
      const state = JSON.parse(instance.savedState as string) as { engineVersion: string; definitions: object[] };
      expect(state.engineVersion).to.equal(ENGINE_VERSION);
      expect(state.definitions[0]).not.to.have.property('source');
      expect((instance.savedState as string).length).to.be.below(20_000);
    });

    it('refuses to complete an execution that is not a waiting user task', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);
      await instance.start({ applicant: { name: '张三', reviewer: 'wang.wu' }, amount: 1, submittedOn: '2026-03-02' });
      const executionId = instance.userTask('reviewApplicationTask').executionId;
      const stateBefore = instance.savedState;

      // when
      const err = await expectRejected(
        instance.run({ kind: 'complete-task', executionId: 'reviewApplicationTask_nope', variables: {} }),
      );
      await instance.run({ kind: 'complete-task', executionId, variables: { decision: 'approve' } });
      const again = await expectRejected(instance.run({ kind: 'complete-task', executionId, variables: {} }));

      // then
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).kind).to.equal('conflict');
      expect(err.message).to.contain('reviewApplicationTask_nope');
      expect(stateBefore).to.be.a('string');
      expect(again).to.be.instanceOf(AppError);
    });

    it('refuses the variable names the engine reserves', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);

      // when
      const err = await expectRejected(instance.start({ content: 'x', amount: 1 }));

      // then
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).kind).to.equal('malformed');
      expect(err.message).to.contain('content');
    });

    it('never shows the engine-internal fields/content/properties keys in the variables', async () => {
      // given
      const instance = new TestInstance(fixture('user-task'), host);

      // when
      const started = await instance.start({ applicant: { name: 'a', reviewer: 'b' }, amount: 1, submittedOn: '2026-03-02' });
      const resumed = await instance.resume();

      // then
      for (const r of [started, resumed]) {
        expect(r.variables).to.have.all.keys('applicant', 'amount', 'submittedOn');
      }
    });
  });

  describe('gateways', () => {
    it('joins parallel branches only when both are done', async () => {
      // given
      const instance = new TestInstance(fixture('parallel-join'), host);
      const started = await instance.start();
      expect(waitingTaskIds(started)).to.deep.equal(['financeSignOff', 'legalSignOff']);

      // when
      const afterFinance = await instance.completeTask('financeSignOff', { financeOk: true });
      const afterLegal = await instance.completeTask('legalSignOff', { legalOk: true });

      // then
      expect(afterFinance.state).to.equal('running');
      expect(waitingTaskIds(afterFinance)).to.deep.equal(['legalSignOff']);
      expect(afterFinance.userTasks[0].isNew).to.equal(false);
      expect(afterLegal.state).to.equal('completed');
      expect(afterLegal.variables).to.deep.equal({ financeOk: true, legalOk: true });
      expect(historyOf(afterLegal, 'joinSignOff').map((h) => h.event)).to.deep.equal(['start', 'end']);
    });

    for (const [budget, expected, flow] of [
      [2_000_000, 'districtApproval', 'toDistrictApproval'],
      [200_000, 'bureauApproval', 'toBureauApproval'],
      [500, 'sectionApproval', 'toSectionApproval'],
    ] as const) {
      it(`routes an exclusive gateway by FEEL conditions: budget ${budget} → ${expected}`, async () => {
        // given
        const instance = new TestInstance(fixture('exclusive-gateway'), host);

        // when
        const result = await instance.start({ budget });

        // then
        expect(waitingTaskIds(result)).to.deep.equal([expected]);
        const gatewayEnd = historyOf(result, 'budgetLevel').find((h) => h.event === 'end');
        expect(gatewayEnd).to.include({ type: 'bpmn:ExclusiveGateway', outcome: flow, activityName: '预算级别' });
      });
    }

    it('raises an incident when a condition gives null (missing variable) instead of taking the default flow (Zeebe)', async () => {
      // given
      const instance = new TestInstance(fixture('exclusive-gateway'), host);

      // when
      const result = await instance.start({});

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.message).to.contain('条件的结果必须是布尔值，实际为 null');
    });

    it('takes every inclusive branch whose condition holds, and joins them', async () => {
      // given
      const instance = new TestInstance(fixture('inclusive-gateway'), host);

      // when
      const started = await instance.start({ handlesPersonalData: true, budget: 600_000 });
      const afterSecurity = await instance.completeTask('securityReview');
      const afterProcurement = await instance.completeTask('procurementReview');

      // then
      expect(waitingTaskIds(started)).to.deep.equal(['procurementReview', 'securityReview']);
      const gatewayEnd = historyOf(started, 'whichReviews').find((h) => h.event === 'end');
      expect(gatewayEnd?.outcome?.split(',').sort()).to.deep.equal(['toProcurementReview', 'toSecurityReview']);
      expect(afterSecurity.state).to.equal('running');
      expect(afterProcurement.state).to.equal('completed');
    });

    it('takes the inclusive default flow when no condition holds', async () => {
      // given
      const instance = new TestInstance(fixture('inclusive-gateway'), host);

      // when
      const started = await instance.start({ handlesPersonalData: false, budget: 10 });
      const done = await instance.completeTask('generalReview');

      // then
      expect(waitingTaskIds(started)).to.deep.equal(['generalReview']);
      expect(done.state).to.equal('completed');
    });

    it('turns a FEEL error in a condition into an incident at the gateway', async () => {
      // given
      const instance = new TestInstance(fixture('condition-error'), host);

      // when
      const result = await instance.start({ budget: 1 });

      // then
      expect(result.state).to.equal('incident');
      expect(result.engineState).to.equal(null);
      expect(result.incident?.activityId).to.equal('brokenGateway');
      expect(result.incident?.message).to.contain('toNeverEnd').and.contain('noSuchFunction');
      expect(instance.savedState).to.equal(null);
    });
  });

  describe('service tasks', () => {
    it('invokes the handler with the input mappings and headers, and maps the output back', async () => {
      // given
      host.handlers['fee-calculator'] = (inv) => ({ kind: 'completed', output: { fee: inv.input.budget === 80_000 ? 1600 : 0, audit: 'x' } });
      const instance = new TestInstance(fixture('service-task'), host);

      // when
      const result = await instance.start({ project: { budget: 80_000, code: 'GG-2026-007' }, requester: 'zhao' });

      // then
      expect(host.invocations).to.have.length(1);
      const inv = host.invocations[0];
      expect(inv).to.include({
        activityId: 'calculateFee',
        activityName: '计算服务费',
        handler: 'fee-calculator',
        retries: 5,
        isRecovered: false,
      });
      expect(inv.executionId).to.match(/^calculateFee_/);
      expect(inv.input).to.deep.equal({ budget: 80_000, projectCode: 'GG-2026-007' });
      expect(inv.headers).to.deep.equal({ tariff: '2026', currency: 'CNY' });
      expect(result.state).to.equal('running');
      expect(waitingTaskIds(result)).to.deep.equal(['confirmFee']);
      expect(result.variables).to.deep.include({ serviceFee: 1600, feeNeedsApproval: true });
      expect(result.variables).not.to.have.property('fee');
      expect(result.variables).not.to.have.property('audit');
      expect(result.services).to.deep.equal([]);
    });

    it('passes all variables and merges the whole output without mappings (Camunda 8)', async () => {
      // given
      host.handlers['project-code'] = () => ({ kind: 'completed', output: { projectCode: 'GG-1', codedAt: '2026-03-02' } });
      const instance = new TestInstance(fixture('service-no-mapping'), host);

      // when
      const result = await instance.start({ title: '政务云', budget: 5 });

      // then
      expect(host.invocations[0].input).to.deep.equal({ title: '政务云', budget: 5 });
      expect(host.invocations[0].retries).to.equal(3);
      expect(host.invocations[0].headers).to.deep.equal({});
      expect(result.state).to.equal('completed');
      expect(result.variables).to.deep.equal({ title: '政务云', budget: 5, projectCode: 'GG-1', codedAt: '2026-03-02' });
    });

    it('throws a bpmn-error outcome from the task so the error boundary with that code catches it', async () => {
      // given
      host.handlers['fee-calculator'] = () => ({ kind: 'bpmn-error', code: 'BUDGET_EXCEEDED', message: '超出年度预算' });
      const instance = new TestInstance(fixture('service-task'), host);

      // when
      const result = await instance.start({ project: { budget: 9, code: 'c' } });

      // then
      expect(result.state).to.equal('running');
      expect(waitingTaskIds(result)).to.deep.equal(['reviseBudget']);
      expect(historyOf(result, 'calculateFee').map((h) => [h.event, h.outcome])).to.deep.equal([
        ['start', null],
        ['error', 'BUDGET_EXCEEDED'],
      ]);
      expect(historyOf(result, 'budgetExceeded').find((h) => h.event === 'end')?.outcome).to.equal('BUDGET_EXCEEDED');
      expect(result.variables).not.to.have.property('serviceFee');
    });

    it('treats a domain BpmnError thrown by the host like a bpmn-error outcome', async () => {
      // given
      host.handlers['fee-calculator'] = () => {
        throw new BpmnError('BUDGET_EXCEEDED', '超出年度预算');
      };
      const instance = new TestInstance(fixture('service-task'), host);

      // when
      const result = await instance.start({ project: { budget: 9, code: 'c' } });

      // then
      expect(waitingTaskIds(result)).to.deep.equal(['reviseBudget']);
    });

    it('makes an uncaught BPMN error an incident', async () => {
      // given
      host.handlers['project-code'] = () => ({ kind: 'bpmn-error', code: 'NO_CODE_LEFT', message: '编号已用完' });
      const instance = new TestInstance(fixture('service-no-mapping'), host);

      // when
      const result = await instance.start({});

      // then
      expect(result.state).to.equal('incident');
      expect(result.engineState).to.equal(null);
      expect(result.incident?.activityId).to.equal('assignProjectCode');
      expect(result.incident?.message).to.contain('NO_CODE_LEFT');
    });

    it('leaves the task waiting on a wait outcome and completes it on a later resume', async () => {
      // given
      let available = false;
      host.handlers['fee-calculator'] = () => (available ? { kind: 'completed', output: { fee: 10 } } : { kind: 'wait' });
      const instance = new TestInstance(fixture('service-task'), host);

      // when
      const waiting = await instance.start({ project: { budget: 1, code: 'c' } });
      const stillWaiting = await instance.resume();
      available = true;
      clock.advance(5 * 60_000);
      const done = await instance.resume();

      // then
      expect(waiting.state).to.equal('running');
      expect(waiting.services).to.have.length(1);
      expect(waiting.services[0]).to.include({ activityId: 'calculateFee', handler: 'fee-calculator' });
      expect(waiting.userTasks).to.deep.equal([]);
      expect(waiting.activeActivityIds).to.include('calculateFee');
      expect(stillWaiting.services).to.deep.equal(waiting.services);
      expect(done.services).to.deep.equal([]);
      expect(waitingTaskIds(done)).to.deep.equal(['confirmFee']);
      expect(done.variables).to.deep.include({ serviceFee: 10, feeNeedsApproval: false });
      expect(host.invocations.map((i) => i.isRecovered)).to.deep.equal([false, true, true]);
      expect(new Set(host.invocations.map((i) => i.executionId)).size).to.equal(1);
      expect(historyOf(done, 'calculateFee').map((h) => h.event)).to.deep.equal(['end']);
    });

    it('makes a run whose service never answers an incident within the bound', async () => {
      // given
      host.handlers['project-code'] = () => new Promise<ServiceOutcome>(() => undefined);
      const instance = new TestInstance(fixture('service-no-mapping'), host, 200);

      // when
      const result = await instance.start({});

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.message).to.contain('settle');
    });

    it('makes a throwing handler an incident', async () => {
      // given
      host.handlers['project-code'] = () => {
        throw new Error('数据库连接失败');
      };
      const instance = new TestInstance(fixture('service-no-mapping'), host);

      // when
      const result = await instance.start({});

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident).to.deep.include({ activityId: 'assignProjectCode' });
      expect(result.incident?.message).to.contain('数据库连接失败');
    });
  });

  describe('call activity', () => {
    it('waits with the input mappings only, and merges the child result through its output mappings', async () => {
      // given: the parent waits at the call activity
      const parent = new TestInstance(fixture('call-parent'), host);
      const atCall = await parent.start({ project: { title: '智慧政务' }, reviewProcessId: 'expertReviewProcess', secret: 's' });
      expect(atCall.calls).to.have.length(1);
      const call = atCall.calls[0];

      // when: the caller runs the child and hands its variables back
      const child = new TestInstance(fixture('call-child'), host);
      const childStarted = await child.start(call.variables);
      const childDone = await child.completeTask('scoreProject', { score: 87, reviewerNote: '可行' });
      const parentDone = await parent.run({ kind: 'complete-call', executionId: call.executionId, variables: childDone.variables });

      // then
      expect(call).to.include({ activityId: 'expertReview', processId: 'expertReviewProcess', isNew: true });
      expect(call.executionId).to.match(/^expertReview_/);
      expect(call.variables).to.deep.equal({ projectTitle: '智慧政务', expertCount: 3 });
      expect(atCall.activeActivityIds).to.deep.equal(['expertReview']);
      expect(waitingTaskIds(childStarted)).to.deep.equal(['scoreProject']);
      expect(childDone.state).to.equal('completed');
      expect(parentDone.state).to.equal('running');
      expect(parentDone.calls).to.deep.equal([]);
      expect(waitingTaskIds(parentDone)).to.deep.equal(['announceResult']);
      expect(parentDone.variables).to.deep.equal({
        project: { title: '智慧政务' },
        reviewProcessId: 'expertReviewProcess',
        secret: 's',
        expertScore: 87,
      });
    });

    it('propagates all parent variables down and all child variables back by default', async () => {
      // given
      const parent = new TestInstance(fixture('call-propagate'), host);
      const atCall = await parent.start({ projectCode: 'GG-9' });
      const recovered = await parent.resume();

      // when
      const done = await parent.run({
        kind: 'complete-call',
        executionId: atCall.calls[0].executionId,
        variables: { projectCode: 'GG-9', archiveNo: 'A-1' },
      });

      // then
      expect(atCall.calls[0]).to.deep.include({ processId: 'document-archiving', variables: { projectCode: 'GG-9' } });
      expect(recovered.calls[0]).to.include({ executionId: atCall.calls[0].executionId, isNew: false });
      expect(done.state).to.equal('completed');
      expect(done.variables).to.deep.equal({ projectCode: 'GG-9', archiveNo: 'A-1' });
    });

    it('refuses to complete a call that is not waiting', async () => {
      // given
      const parent = new TestInstance(fixture('call-propagate'), host);
      await parent.start({});

      // when
      const err = await expectRejected(parent.run({ kind: 'complete-call', executionId: 'nothing', variables: {} }));

      // then
      expect((err as AppError).kind).to.equal('conflict');
    });
  });

  describe('messages', () => {
    it('waits for a message with its evaluated correlation key, and correlates it through output mappings', async () => {
      // given
      const instance = new TestInstance(fixture('message-catch'), host);
      const started = await instance.start({ invoiceNo: 'INV-2026-001' });

      // when
      const done = await instance.correlate('paymentReceived', { amount: 3000, payer: '高港区财政局' });

      // then
      expect(started.messages).to.have.length(1);
      expect(started.messages[0]).to.include({
        activityId: 'paymentReceived',
        messageName: 'paymentReceived',
        correlationKey: 'INV-2026-001',
        isNew: true,
      });
      expect(done.state).to.equal('completed');
      expect(done.messages).to.deep.equal([]);
      expect(done.variables).to.deep.equal({ invoiceNo: 'INV-2026-001', paidAmount: 3000 });
      expect(historyOf(done, 'paymentReceived').find((h) => h.event === 'end')?.outcome).to.equal('paymentReceived');
    });

    it('refuses a message nothing waits for', async () => {
      // given
      const instance = new TestInstance(fixture('message-catch'), host);
      await instance.start({ invoiceNo: 'INV-1' });

      // when
      const err = await expectRejected(instance.correlate('somethingElse'));

      // then
      expect(err).to.be.instanceOf(AppError);
      expect((err as AppError).kind).to.equal('conflict');
    });

    it('delivers one message to every execution waiting for it (receive task and catch event)', async () => {
      // given
      const instance = new TestInstance(fixture('message-many'), host);
      const started = await instance.start();

      // when
      const done = await instance.correlate('documentsSealed', { sealedBy: '区政府办' });

      // then
      expect(started.messages.map((m) => m.activityId).sort()).to.deep.equal(['awaitDistrictSeal', 'receiveBureauSeal']);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.deep.equal({ sealedBy: '区政府办' });
    });

    it('delivers only to the given executions', async () => {
      // given
      const instance = new TestInstance(fixture('message-many'), host);
      const started = await instance.start();
      const bureau = started.messages.find((m) => m.activityId === 'receiveBureauSeal');

      // when
      const result = await instance.correlate('documentsSealed', {}, [bureau?.executionId as string]);

      // then
      expect(result.state).to.equal('running');
      expect(result.messages.map((m) => m.activityId)).to.deep.equal(['awaitDistrictSeal']);
      expect(result.messages[0].isNew).to.equal(false);
    });

    it('handles non-interrupting and interrupting message boundary events', async () => {
      // given
      const instance = new TestInstance(fixture('message-boundary'), host);
      const started = await instance.start();

      // when
      const asked = await instance.correlate('bidderQuestion', { question: '工期？' });
      const askedAgain = await instance.correlate('bidderQuestion', { question: '付款方式？' });
      const firstAnswered = await instance.completeTask('answerQuestion', { answer: '九十天' });
      const cancelled = await instance.correlate('tenderCancelled', { reason: '预算调整' });

      // then
      expect(started.messages.map((m) => m.messageName).sort()).to.deep.equal(['bidderQuestion', 'tenderCancelled']);
      expect(waitingTaskIds(asked)).to.deep.equal(['answerQuestion', 'collectBids']);
      expect(asked.variables).to.deep.equal({ question: '工期？' });
      // the non-interrupting boundary stays subscribed while the task runs
      const rearmed = asked.messages.find((m) => m.messageName === 'bidderQuestion');
      expect(rearmed?.isNew).to.equal(true);
      expect(rearmed?.executionId).not.to.equal(started.messages.find((m) => m.messageName === 'bidderQuestion')?.executionId);
      // bpmn-elements runs one token per activity at a time: the second question queues behind the
      // first answerQuestion and starts when it completes
      expect(waitingTaskIds(askedAgain)).to.deep.equal(['answerQuestion', 'collectBids']);
      expect(askedAgain.variables).to.deep.include({ question: '付款方式？' });
      expect(waitingTaskIds(firstAnswered)).to.deep.equal(['answerQuestion', 'collectBids']);
      expect(firstAnswered.userTasks.find((t) => t.activityId === 'answerQuestion')?.isNew).to.equal(true);
      expect(waitingTaskIds(cancelled)).to.deep.equal(['answerQuestion']);
      expect(cancelled.messages).to.deep.equal([]);
      expect(historyOf(cancelled, 'collectBids').map((h) => h.event)).to.include('discard');
      expect(cancelled.state).to.equal('running');
    });
  });

  describe('durable timers', () => {
    it('waits at a timer catch event and fires it on the first resume at or after its due date', async () => {
      // given
      const instance = new TestInstance(fixture('timer-catch'), host);
      const started = await instance.start();
      const dueAt = new Date(clock.now().getTime() + 2 * HOUR);

      // when
      clock.advance(HOUR);
      const early = await instance.resume();
      clock.advance(HOUR);
      const fired = await instance.resume();

      // then
      expect(started.timers).to.have.length(1);
      expect(started.timers[0]).to.deep.include({
        activityId: 'coolingOff',
        timerType: 'timeDuration',
        expression: 'PT2H',
        isNew: true,
      });
      expect(started.timers[0].dueAt.toISOString()).to.equal(dueAt.toISOString());
      expect(early.timers).to.have.length(1);
      expect(early.timers[0].isNew).to.equal(false);
      expect(early.timers[0].dueAt.toISOString()).to.equal(dueAt.toISOString());
      expect(early.timers[0].executionId).to.equal(started.timers[0].executionId);
      expect(fired.timers).to.deep.equal([]);
      expect(waitingTaskIds(fired)).to.deep.equal(['confirmContract']);
      expect(historyOf(fired, 'coolingOff')).to.have.length(1);
      expect(historyOf(fired, 'coolingOff')[0]).to.include({ event: 'end', outcome: 'timeout' });
    });

    it('interrupts the task when an interrupting boundary timer falls due', async () => {
      // given
      host.handlers['send-reminder'] = () => ({ kind: 'completed', output: {} });
      const instance = new TestInstance(fixture('timer-boundary'), host);
      const started = await instance.start();

      // when
      clock.advance(3 * DAY);
      const result = await instance.resume();

      // then
      expect(started.activeActivityIds).to.deep.equal(['reviewContract']); // boundary events are not positions
      expect(started.timers.map((t) => [t.activityId, t.timerType]).sort()).to.deep.equal([
        ['remindReviewer', 'timeCycle'],
        ['reviewOverdue', 'timeDuration'],
      ]);
      expect(waitingTaskIds(result)).to.deep.equal(['escalateReview']);
      expect(result.timers).to.deep.equal([]);
      expect(historyOf(result, 'reviewContract').map((h) => h.event)).to.deep.equal(['discard']);
      expect(historyOf(result, 'reviewOverdue').find((h) => h.event === 'end')?.outcome).to.equal('timeout');
    });

    it('removes the boundary timers when the task completes first', async () => {
      // given
      const instance = new TestInstance(fixture('timer-boundary'), host);
      await instance.start();

      // when
      clock.advance(30 * 60_000);
      const done = await instance.completeTask('reviewContract');

      // then
      expect(done.state).to.equal('completed');
      expect(done.timers).to.deep.equal([]);
      expect(host.invocations).to.deep.equal([]);
    });

    it('repeats a cycle on a non-interrupting boundary R3 times, each at its next due date, without looping on resume', async () => {
      // given
      host.handlers['send-reminder'] = () => ({ kind: 'completed', output: {} });
      const instance = new TestInstance(fixture('timer-boundary'), host);
      const t0 = clock.now().getTime();
      const started = await instance.start();
      const dueOf = (r: RunResult) => new Date(r.timers.find((t) => t.activityId === 'remindReviewer')?.dueAt ?? 0).getTime();

      // when / then: first occurrence
      clock.advance(HOUR);
      const first = await instance.resume();
      expect(host.invocationsOf('send-reminder')).to.have.length(1);
      expect(dueOf(started)).to.equal(t0 + HOUR);
      expect(dueOf(first)).to.equal(t0 + 2 * HOUR);
      expect(first.timers.find((t) => t.activityId === 'remindReviewer')?.isNew).to.equal(true);
      expect(waitingTaskIds(first)).to.deep.equal(['reviewContract']);

      // resuming again at the same time fires nothing
      const again = await instance.resume();
      expect(host.invocationsOf('send-reminder')).to.have.length(1);
      expect(dueOf(again)).to.equal(t0 + 2 * HOUR);

      // second and third occurrence, then the cycle is exhausted
      clock.advance(HOUR);
      await instance.resume();
      clock.advance(HOUR);
      const third = await instance.resume();
      clock.advance(HOUR);
      const after = await instance.resume();
      expect(host.invocationsOf('send-reminder')).to.have.length(3);
      expect(third.timers.map((t) => t.activityId)).to.deep.equal(['reviewOverdue']);
      expect(after.timers.map((t) => t.activityId)).to.deep.equal(['reviewOverdue']);
      expect(waitingTaskIds(after)).to.deep.equal(['reviewContract']);
    });

    it('coalesces missed cycle occurrences into one firing and keeps the cadence', async () => {
      // given
      host.handlers['send-reminder'] = () => ({ kind: 'completed', output: {} });
      const instance = new TestInstance(fixture('timer-boundary'), host);
      const t0 = clock.now().getTime();
      await instance.start();

      // when
      clock.advance(2.5 * HOUR);
      const result = await instance.resume();

      // then
      expect(host.invocationsOf('send-reminder')).to.have.length(1);
      const reminder = result.timers.find((t) => t.activityId === 'remindReviewer');
      expect(reminder?.dueAt.getTime()).to.equal(t0 + 3 * HOUR);
    });

    it('lets the message win an event-based gateway race against a timer', async () => {
      // given
      const instance = new TestInstance(fixture('timer-race'), host);
      const started = await instance.start();

      // when
      clock.advance(2 * DAY);
      const result = await instance.correlate('approvalGranted', { approvalNo: 'GGF-12' });

      // then
      expect(started.timers.map((t) => t.activityId)).to.deep.equal(['approvalTimedOut']);
      expect(started.messages.map((m) => m.activityId)).to.deep.equal(['approvalGranted']);
      expect(result.state).to.equal('completed');
      expect(result.timers).to.deep.equal([]);
      expect(historyOf(result, 'approvalTimedOut').map((h) => h.event)).to.deep.equal(['discard']);
      expect(historyOf(result, 'granted').map((h) => h.event)).to.deep.equal(['start', 'end']);
    });

    it('lets the timer win an event-based gateway race against a message', async () => {
      // given
      const instance = new TestInstance(fixture('timer-race'), host);
      await instance.start();

      // when
      clock.advance(9 * DAY);
      const before = await instance.resume();
      clock.advance(DAY);
      const result = await instance.resume();

      // then
      expect(before.state).to.equal('running');
      expect(before.messages).to.have.length(1);
      expect(result.state).to.equal('completed');
      expect(result.messages).to.deep.equal([]);
      expect(historyOf(result, 'timedOut').map((h) => h.event)).to.deep.equal(['start', 'end']);
      expect(historyOf(result, 'approvalGranted').map((h) => h.event)).to.deep.equal(['discard']);
      const err = await expectRejected(instance.correlate('approvalGranted'));
      expect((err as AppError).kind).to.equal('conflict');
    });

    it('keeps a 40-day and then a 13-month timer (beyond 2^31 ms) across many recover/resume cycles', async () => {
      // given
      clock.set('2026-01-31T09:00:00+08:00');
      const instance = new TestInstance(fixture('timer-long'), host);
      const started = await instance.start();
      const due40 = started.timers[0].dueAt;

      // when: resumed every ten days, the 40-day timer keeps its due date
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(10 * DAY);
        const r = await instance.resume();
        seen.push(r.timers[0].dueAt.toISOString());
        expect(r.timers[0].isNew).to.equal(false);
      }
      clock.set(due40.toISOString());
      const at40 = await instance.resume();
      const due13m = at40.timers[0].dueAt;
      clock.advance(200 * DAY);
      const midway = await instance.resume();
      clock.set(due13m.toISOString());
      clock.advance(-1);
      const justBefore = await instance.resume();
      clock.advance(1);
      const done = await instance.resume();

      // then
      expect(due40.toISOString()).to.equal('2026-03-12T01:00:00.000Z'); // 40 days later, 09:00 Shanghai
      expect(seen).to.deep.equal([due40.toISOString(), due40.toISOString(), due40.toISOString()]);
      expect(at40.timers.map((t) => [t.activityId, t.expression, t.isNew])).to.deep.equal([['wait13Months', 'P13M', true]]);
      expect(due13m.toISOString()).to.equal('2027-04-12T01:00:00.000Z'); // 13 calendar months later
      expect(due13m.getTime() - due40.getTime()).to.be.above(2 ** 31);
      expect(midway.timers[0].dueAt.toISOString()).to.equal(due13m.toISOString());
      expect(justBefore.state).to.equal('running');
      expect(done.state).to.equal('completed');
    });

    it('computes FEEL timers: a working-day date (00:00 Shanghai) and a duration from a variable', async () => {
      // given
      const instance = new TestInstance(fixture('timer-feel'), host);

      // when
      const started = await instance.start({ contractSignedAt: '2026-03-02', followUpInterval: 'P2D' });
      const deadline = started.timers[0].dueAt;
      clock.set(deadline.toISOString());
      const afterDeadline = await instance.resume();

      // then
      expect(started.timers[0]).to.deep.include({
        activityId: 'acceptanceDue',
        timerType: 'timeDate',
        expression: '=addWorkingDays(contractSignedAt, 10)',
      });
      expect(deadline.toISOString()).to.equal(shanghaiDayStart(addWorkingDays(CHINESE_DAYS, '2026-03-02', 10)).toISOString());
      expect(afterDeadline.timers).to.have.length(1);
      expect(afterDeadline.timers[0]).to.deep.include({ activityId: 'followUpDue', expression: '=followUpInterval' });
      expect(afterDeadline.timers[0].dueAt.getTime()).to.equal(deadline.getTime() + 2 * DAY);
    });

    it('makes a timer whose FEEL gives no date an incident', async () => {
      // given
      const instance = new TestInstance(fixture('timer-feel'), host);

      // when
      const result = await instance.start({});

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.activityId).to.equal('acceptanceDue');
    });
  });

  describe('refused diagram code', () => {
    const ran = () => (globalThis as { govflowScriptRan?: boolean }).govflowScriptRan;
    afterEach(() => {
      delete (globalThis as { govflowScriptRan?: boolean }).govflowScriptRan;
    });

    it('never runs a JavaScript script task: the run becomes an incident', async () => {
      // given
      const instance = new TestInstance(fixture('script-task'), host);

      // when
      const result = await instance.start();

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.activityId).to.equal('computeScore');
      expect(ran()).to.equal(undefined);
    });

    it('never runs a JavaScript condition', async () => {
      // given
      const instance = new TestInstance(fixture('script-condition'), host);

      // when
      const result = await instance.start();

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.activityId).to.equal('route');
      expect(result.incident?.message).to.contain('toUrgent').and.contain('javascript');
      expect(ran()).to.equal(undefined);
    });

    it('refuses a condition that is not FEEL instead of reading it as a truthy literal', async () => {
      // given
      const instance = new TestInstance(fixture('legacy-condition'), host);

      // when
      const result = await instance.start({ urgent: false });

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.message).to.contain('toLegacy').and.contain('${urgent}');
    });

    it('makes an exclusive gateway without a true condition and without default an incident', async () => {
      // given
      const instance = new TestInstance(fixture('no-flow-taken'), host);

      // when
      const result = await instance.start({ size: 'medium' });

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.activityId).to.equal('strictGateway');
    });
  });

  describe('embedded sub-process', () => {
    it('shares the process variables between the sub-process and the process', async () => {
      // given
      const instance = new TestInstance(fixture('embedded-subprocess'), host);
      const started = await instance.start({ item: '服务器' });

      // when
      const done = await instance.completeTask('requestQuote', { bestQuote: 42_000 });

      // then
      expect(started.activeActivityIds.sort()).to.deep.equal(['collectQuotes', 'requestQuote']);
      expect(waitingTaskIds(started)).to.deep.equal(['requestQuote']);
      expect(done.state).to.equal('completed');
      expect(done.variables).to.deep.equal({ item: '服务器', bestQuote: 42_000 });
      expect(historyOf(done, 'awarded').map((h) => h.event)).to.deep.equal(['start', 'end']);
    });
  });

  describe('loop guard', () => {
    it('stops a token looping through a gateway as an incident, not a stack overflow or a hang', async () => {
      // given
      host.maxActivitiesPerRun = 50;
      const instance = new TestInstance(fixture('endless-loop'), host);

      // when
      const result = await instance.start();

      // then
      expect(result.state).to.equal('incident');
      expect(result.engineState).to.equal(null);
      expect(result.incident?.message).to.contain('50');
      expect(['loopGateway', 'checkAgain']).to.include(result.incident?.activityId);
    });

    it('applies the default bound of 1000 activities', async () => {
      // given
      const instance = new TestInstance(fixture('endless-loop'), host);

      // when
      const result = await instance.start();

      // then
      expect(result.state).to.equal('incident');
      expect(result.incident?.message).to.contain('1000');
      expect(result.history.filter((h) => h.event === 'start').length).to.be.within(999, 1001);
    });
  });

  describe('terminate', () => {
    it('stops the instance: waits discarded, no timer fires, no service runs', async () => {
      // given
      host.handlers['send-reminder'] = () => ({ kind: 'completed', output: {} });
      const instance = new TestInstance(fixture('timer-boundary'), host);
      await instance.start();
      clock.advance(10 * DAY); // both timers are overdue

      // when
      const result = await instance.run({ kind: 'terminate' });

      // then
      expect(result.state).to.equal('terminated');
      expect(result.userTasks).to.deep.equal([]);
      expect(result.timers).to.deep.equal([]);
      expect(host.invocations).to.deep.equal([]);
      expect(historyOf(result, 'reviewContract').map((h) => h.event)).to.deep.equal(['discard']);
      expect(historyOf(result, 'escalateReview')).to.deep.equal([]);
    });
  });

  describe('terminate end event', () => {
    it('completes the process and closes the other running activities', async () => {
      // given
      const instance = new TestInstance(fixture('terminate-end'), host);
      await instance.start();

      // when
      const result = await instance.completeTask('decideWithdrawal', { withdrawn: true });

      // then
      expect(result.state).to.equal('completed');
      expect(result.userTasks).to.deep.equal([]);
      expect(historyOf(result, 'examineApplication').map((h) => h.event)).to.deep.equal(['discard']);
    });
  });

  describe('concurrency', () => {
    it('runs two instances of one definition at the same time without sharing anything', async () => {
      // given
      const a = new TestInstance(fixture('exclusive-gateway'), host);
      const b = new TestInstance(fixture('exclusive-gateway'), host);

      // when
      const [ra, rb] = await Promise.all([a.start({ budget: 5_000_000 }), b.start({ budget: 1 })]);

      // then
      expect(waitingTaskIds(ra)).to.deep.equal(['districtApproval']);
      expect(waitingTaskIds(rb)).to.deep.equal(['sectionApproval']);
      expect(ra.variables).to.deep.equal({ budget: 5_000_000 });
      expect(rb.variables).to.deep.equal({ budget: 1 });
    });
  });
});
