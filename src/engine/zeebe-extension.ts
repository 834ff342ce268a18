/**
 * The engine's `extensions` entry. bpmn-elements calls it for every activity it builds (and for the
 * process itself), on every Engine — code is supplied anew each run, the state is only data.
 *
 * - For the process: registers its environment, which holds the process variables.
 * - For an activity with zeebe:taskDefinition (service, send, business-rule task): installs
 *   ZeebeJobService as the task's service implementation, i.e. `host.invokeService(...)`.
 * - For every activity: the *gate*. On `activity.enter` we hold the activity's next run step with an
 *   asynchronous "format" step (bpmn-elements' documented formatting protocol: publish a format
 *   message with an endRoutingKey, publish the end key later) and release it on a fresh macrotask.
 *   This (1) counts the activities started in the run — the loop guard: above
 *   host.maxActivitiesPerRun the gate is never released and the run becomes an incident — and
 *   (2) breaks bpmn-engine's synchronous recursion: without it a token looping through a gateway
 *   overflows the stack after ~1000 activities instead of stopping cleanly.
 */
import { BpmnError as DomainBpmnError } from '../domain/errors';
import { routeError } from './event-subprocesses';
import type { ActivityElement, ElementMessage } from './bpmn-internals';
import { feelErrorMessage } from './feel-expressions';
import { evaluateInputs, outputVariables } from './io-mapping';
import { type RunContext, runContextOf } from './run-context';
import type { ServiceInvocation, ServiceOutcome } from './types';
import { isPlainRecord } from './variables';

const GATE_START = 'run.govflow.gate.start';
const GATE_END = 'run.govflow.gate.end';

const SERVICE_TYPES = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask']);

export function createZeebeExtension(run: RunContext): (element: ActivityElement) => undefined {
  return function govflowZeebe(element: ActivityElement): undefined {
    if (element.type === 'bpmn:Process') {
      run.registerProcess(element.id, element.environment);
      return undefined;
    }
    if (SERVICE_TYPES.has(element.type) && run.info(element.id)?.taskDefinition) {
      element.behaviour.Service = ZeebeJobService;
    }
    // a sub-process relays its children's events on its own broker: gate only the element's own entry
    element.on('enter', (api) => {
      if (api.id === element.id) gate(run, element);
    });
    return undefined;
  };
}

function gate(run: RunContext, element: ActivityElement): void {
  run.activitiesStarted++;
  // A boundary event must be listening before its activity starts (an error thrown by a service
  // that answers at once would otherwise pass by): it is entered with its activity and not held.
  // It cannot loop on its own: the activity it is attached to passes the gate each time.
  if (element.type === 'bpmn:BoundaryEvent' && run.activitiesStarted <= run.maxActivitiesPerRun) return;
  element.broker.publish('format', GATE_START, { endRoutingKey: GATE_END });
  if (run.activitiesStarted > run.maxActivitiesPerRun) {
    run.fail(
      element.id,
      `一次运行中启动了超过 ${run.maxActivitiesPerRun} 个活动而没有等待，疑似无限循环，已停止于 ${element.id} ` +
        `(more than ${run.maxActivitiesPerRun} activities started in one run without waiting: an endless loop? stopped at ${element.id})`,
    );
    return; // the gate stays closed: the token stops here
  }
  run.defer(() => element.broker.publish('format', GATE_END, {}));
}

function retriesOf(run: RunContext, elementId: string, text: string | null): number {
  if (!text) return 3;
  const n = Number(run.evaluate(text, elementId));
  return Number.isInteger(n) && n >= 0 ? n : 3;
}

/** An error with the code bpmn-elements' ErrorEventDefinition compares with the boundary's errorCode. */
function bpmnErrorFor(code: string, message: string): Error {
  return Object.assign(new Error(message || code), { name: 'BpmnError', code });
}

/**
 * The service implementation of a zeebe:taskDefinition task (bpmn-elements calls
 * `new Service(activity, executeMessage)` then `execute(executeMessage, callback)`).
 * Outcomes: completed → outputs mapped, the task completes; bpmn-error → an error with that code is
 * thrown from the task (an error boundary event with that errorCode catches it); wait → the callback
 * is never called: the task stays waiting and is invoked again (isRecovered) on the next resume.
 */
export class ZeebeJobService {
  private stopped = false;
  private executionId: string | null = null;
  private isMultiInstance = false;

  constructor(private readonly activity: ActivityElement) {}

  execute(executeMessage: ElementMessage, callback: (err: Error | null, output?: unknown) => void): void {
    const activity = this.activity;
    const run = runContextOf(activity.environment);
    const content = executeMessage.content;
    const executionId = (this.executionId = content.executionId);
    this.isMultiInstance = !!content.isMultiInstance;
    const info = run.info(activity.id);
    if (!info?.taskDefinition) return run.fail(activity.id, `服务任务 ${activity.id} 没有 zeebe:taskDefinition`);
    run.services.delete(executionId);
    if (run.mode === 'terminate') return; // being terminated: do not start the job again
    if (run.mode === 'reschedule') {
      // a quiet run: the task stays waiting, uninvoked
      run.services.set(executionId, { activityId: activity.id, executionId, handler: info.taskDefinition.type });
      return;
    }

    let invocation: ServiceInvocation;
    let local: Record<string, unknown> | null;
    try {
      const loopLocals = run.localsOf(content);
      local = evaluateInputs(run, activity.id, info.inputs, loopLocals);
      invocation = {
        activityId: activity.id,
        activityName: info.name,
        executionId,
        handler: info.taskDefinition.type,
        retries: retriesOf(run, activity.id, info.taskDefinition.retries),
        input: local ?? { ...run.variables(activity.id), ...loopLocals },
        headers: { ...info.headers },
        isRecovered: !!(content.isRecovered || executeMessage.fields.redelivered) && run.isRecovered({ ...content, isRecovered: true }),
      };
    } catch (err) {
      return run.fail(activity.id, feelErrorMessage(err, `服务任务 ${activity.id} 的输入映射失败 (input mapping failed)`));
    }

    const outcome = run.track(Promise.resolve().then(() => run.host.invokeService(invocation)));
    outcome.then(
      (result) => this.onOutcome(run, result, local, callback),
      (err: unknown) => {
        if (this.stopped || run.closed) return;
        if (err instanceof DomainBpmnError) {
          return this.onOutcome(run, { kind: 'bpmn-error', code: err.code, message: err.message }, local, callback);
        }
        run.fail(
          activity.id,
          `服务任务 ${activity.id} 的处理器 ${invocation.handler} 出错 (handler failed): ${(err as Error)?.message ?? String(err)}`,
        );
      },
    );
  }

  private onOutcome(
    run: RunContext,
    outcome: ServiceOutcome,
    local: Record<string, unknown> | null,
    callback: (err: Error | null, output?: unknown) => void,
  ): void {
    if (this.stopped || run.closed || run.incident) return;
    const activity = this.activity;
    const executionId = this.executionId as string;
    try {
      switch (outcome?.kind) {
        case 'completed': {
          const output = outcome.output ?? {};
          if (!isPlainRecord(output)) throw new Error('服务输出必须是对象 (the service output must be an object)');
          const info = run.info(activity.id);
          let vars: Record<string, unknown>;
          try {
            vars = outputVariables(run, activity.id, info?.outputs ?? [], local, output);
          } catch (err) {
            return run.fail(activity.id, feelErrorMessage(err, `服务任务 ${activity.id} 的输出映射失败 (output mapping failed)`));
          }
          run.setVariables(vars, activity.id);
          if (this.isMultiInstance) run.instanceResults.set(executionId, output);
          callback(null, output);
          return;
        }
        case 'bpmn-error':
          // the innermost catcher is an error event sub-process: thrown to it, the task is discarded with its scope
          if (routeError(run, activity, String(outcome.code), outcome.message)) return;
          callback(bpmnErrorFor(String(outcome.code), outcome.message));
          return;
        case 'wait':
          run.services.set(executionId, {
            activityId: activity.id,
            executionId,
            handler: run.info(activity.id)?.taskDefinition?.type ?? '',
          });
          return;
        default:
          throw new Error(`未知的服务结果 (unknown service outcome): ${JSON.stringify(outcome)}`);
      }
    } catch (err) {
      run.fail(activity.id, `服务任务 ${activity.id}: ${(err as Error).message}`);
    }
  }

  /** bpmn-elements calls discard/stop when the task is interrupted (boundary event, terminate). */
  discard(): void {
    this.halt();
  }

  stop(): void {
    this.halt();
  }

  private halt(): void {
    this.stopped = true;
    if (this.executionId) runContextOf(this.activity.environment).services.delete(this.executionId);
  }
}
