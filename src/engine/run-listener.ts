/**
 * The engine `listener`: bpmn-engine emits every definition/process/activity/flow event to it,
 * synchronously, with the element's API. From those events we keep
 * - the history of this run (start / end / discard / error of activities that started — not of
 *   sequence flows, nor of activities on a path not taken);
 * - the waits: user tasks and message catches (`activity.wait`), call activities (`activity.call`).
 *   Timers and waiting service tasks register themselves (durable-timers.ts, zeebe-extension.ts).
 *   A wait is removed when its activity execution leaves (`activity.leave` follows end, discard and
 *   error alike).
 *
 * Measured: after recover + resume bpmn-elements announces every waiting activity again
 * (`activity.wait` / `activity.call` with content.isRecovered = true): those waits are recorded
 * with isNew = false. `activity.start` is not re-emitted for them.
 *
 * Nothing here may throw into the engine's synchronous dispatch: failures become run.fail().
 */
import type { ElementApi, ElementContent } from './bpmn-internals';
import { feelErrorMessage } from './feel-expressions';
import { evaluateInputs } from './io-mapping';
import { onEventSubProcessEvent } from './event-subprocesses';
import { parseDateTime } from './iso8601';
import type { RunContext } from './run-context';
import type { HistoryEvent } from './types';

export interface RunListener {
  emit(eventName: string, api?: ElementApi): boolean;
}

export function createRunListener(run: RunContext): RunListener {
  /** end events of this run by execution id, to add a gateway's taken flows when it leaves */
  const ends = new Map<string, HistoryEvent>();

  const record = (api: ElementApi, event: HistoryEvent['event'], outcome: string | null) =>
    run.recordHistory(api, event, outcome);

  function guarded(api: ElementApi, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      run.fail(api.id, feelErrorMessage(err, `活动 ${api.id} 处理失败 (activity ${api.id} failed)`));
    }
  }

  return {
    emit(eventName, api) {
      run.eventSeq++;
      if (!api || run.closed) return true;
      // A gateway's discard can run down a path that loops back (a return to an earlier step) and be
      // queued at a waiting activity; when that activity goes on, bpmn-elements sends
      // activity.execution.discard for the queued *sequence flow*: no activity, no execution, no history.
      if (!api.executionId || run.typeOf(api.id, api.type) === 'bpmn:SequenceFlow') return true;
      const content = api.content;
      // an instance of a multi-instance body: the body has the history (multi-instance.ts)
      if (isLoopInstance(content)) {
        if (eventName === 'activity.leave') run.removeWaits(api.executionId);
        else if (eventName === 'activity.wait') guarded(api, () => onWait(run, api));
        else if (eventName === 'activity.call') guarded(api, () => onCall(run, api));
        return true;
      }
      // armed event sub-processes: no history until their start event fires (event-subprocesses.ts)
      if (onEventSubProcessEvent(run, eventName, api)) return true;
      switch (eventName) {
        case 'activity.start':
          record(api, 'start', null);
          break;
        case 'activity.end': {
          const h = record(api, 'end', endOutcome(run, api, content));
          ends.set(api.executionId, h);
          break;
        }
        // A running activity that is interrupted or cancelled (boundary event, event-based gateway,
        // terminate) publishes execution.discard. bpmn-elements also sends `activity.discard` down
        // every path not taken, to activities that never started: not history, we skip those, so that
        // every 'start' in the history is closed by exactly one end, discard or error.
        case 'activity.execution.discard':
        case 'activity.execution.cancel':
          record(api, 'discard', null);
          break;
        case 'activity.error':
          record(api, 'error', errorCode(content));
          break;
        case 'activity.leave': {
          const h = ends.get(api.executionId);
          if (h && h.type.endsWith('Gateway') && content.outbound?.length) {
            const taken = content.outbound.filter((f) => f.action === 'take').map((f) => f.id);
            if (taken.length) h.outcome = taken.join(',');
          }
          ends.delete(api.executionId);
          run.openExecutions.delete(api.executionId);
          run.removeWaits(api.executionId);
          break;
        }
        case 'activity.wait':
          guarded(api, () => onWait(run, api));
          break;
        case 'activity.call':
          guarded(api, () => onCall(run, api));
          break;
      }
      return true;
    },
  };
}

/** An instance of a multi-instance body (its parent is the body: same element). */
export function isLoopInstance(content: ElementContent): boolean {
  return !!content.isMultiInstance && content.parent?.id === content.id;
}

function errorCode(content: ElementContent): string | null {
  const err = content.error;
  return err?.code ?? err?.inner?.code ?? err?.message ?? null;
}

function endOutcome(run: RunContext, api: ElementApi, content: ElementContent): string | null {
  if (run.firedTimers.has(api.executionId)) return 'timeout';
  const message = run.messages.get(api.executionId);
  if (message) return message.wait.messageName;
  const output = content.output as { code?: unknown } | null | undefined;
  if (run.typeOf(api.id, api.type) === 'bpmn:BoundaryEvent' && output && typeof output === 'object' && output.code) {
    return String(output.code); // a caught BPMN error
  }
  return null;
}

function onWait(run: RunContext, api: ElementApi): void {
  const content = api.content;
  const type = run.typeOf(api.id, api.type);
  if (type === 'bpmn:UserTask') return onUserTask(run, api);
  if (content.message && !content.expect) return onMessageCatch(run, api);
  // error / escalation / signal / conditional catches wait inside the engine: not ours to report
}

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.trim() === '' ? null : s;
}

function asList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const items = Array.isArray(v) ? v : String(v).split(',');
  return items.map((x) => String(x).trim()).filter((x) => x !== '');
}

/** A zeebe:taskSchedule result as a date: a date (00:00 Shanghai), a date-time, or null. */
export function asDate(v: unknown, what: string): Date | null {
  if (v === null || v === undefined || v === '') return null;
  if (v instanceof Date) return v;
  if (typeof v === 'string') return parseDateTime(v);
  throw new Error(`${what} 不是日期 (not a date): ${JSON.stringify(v)}`);
}

/**
 * A new wait's expressions must evaluate (else: incident). A recovered wait was described when it
 * began — the caller keeps that description (isNew = false) — so a later failure (the variables
 * changed since) must not turn every resume of the instance into an incident: we fall back.
 */
function attempt<T>(recovered: boolean, fn: () => T, fallback: T): T {
  if (!recovered) return fn();
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function onUserTask(run: RunContext, api: ElementApi): void {
  const id = api.id;
  const info = run.info(id);
  const recovered = run.isRecovered(api.content);
  const loopLocals = run.localsOf(api.content);
  const local = attempt(recovered, () => evaluateInputs(run, id, info?.inputs ?? [], loopLocals), null);
  const scope = { ...loopLocals, ...local };
  const ev = <T>(text: string | null | undefined, convert: (v: unknown) => T, fallback: T): T =>
    attempt(recovered, () => convert(text ? run.evaluate(text, id, scope) : null), fallback);
  // a due date is stored with the task: it says whether it is provisional (calendar without data)
  const dated = (text: string | null | undefined, what: string) =>
    attempt(
      recovered,
      () => {
        if (!text) return { date: null, provisional: null };
        const { value, provisional } = run.evaluateDate(text, id, scope);
        return { date: asDate(value, what), provisional };
      },
      { date: null, provisional: null },
    );
  const due = dated(info?.schedule?.dueDate, 'dueDate');
  const followUp = dated(info?.schedule?.followUpDate, 'followUpDate');
  run.userTasks.set(api.executionId, {
    api,
    wait: {
      activityId: id,
      executionId: api.executionId,
      name: info?.name ?? api.name ?? null,
      assignee: ev(info?.assignment?.assignee, asText, null),
      candidateGroups: ev(info?.assignment?.candidateGroups, asList, []),
      candidateUsers: ev(info?.assignment?.candidateUsers, asList, []),
      dueAt: due.date,
      followUpAt: followUp.date,
      provisional:
        due.provisional || followUp.provisional
          ? { ...(due.provisional && { dueDate: due.provisional }), ...(followUp.provisional && { followUpDate: followUp.provisional }) }
          : null,
      formId: info?.form?.formId ?? info?.form?.formKey ?? null,
      properties: { ...(info?.properties ?? {}) },
      input: local ? { ...loopLocals, ...local } : { ...run.variables(id), ...loopLocals },
      isNew: !recovered,
    },
  });
}

function onMessageCatch(run: RunContext, api: ElementApi): void {
  const ref = api.content.message ?? {};
  const info = ref.id ? run.definition.model.messages.get(ref.id) : undefined;
  const recovered = run.isRecovered(api.content);
  const messageName = resolvedMessageName(ref.name, info?.name);
  if (!messageName) {
    // a FEEL name that gives null would wait forever under its own source text: an incident (Zeebe)
    throw new Error(
      info?.name?.trim().startsWith('=')
        ? `消息捕获 ${api.id} 的消息名称 ${info.name} 的结果不是非空文本 (the message name expression gives no text)`
        : `消息捕获 ${api.id} 没有消息名称 (message catch without a message name)`,
    );
  }
  const key = attempt(recovered, () => (info?.correlationKey ? run.evaluate(info.correlationKey, api.id) : null), null);
  run.messages.set(api.executionId, {
    api,
    wait: {
      activityId: api.id,
      executionId: api.executionId,
      messageName,
      correlationKey: key === null || key === undefined ? null : String(key),
      isNew: !recovered,
    },
  });
}

/** The name bpmn-elements resolved, else the written one — never the source text of a FEEL name. */
function resolvedMessageName(resolved: unknown, written: string | null | undefined): string | null {
  if (typeof resolved === 'string' && resolved.trim() !== '' && !resolved.trim().startsWith('=')) return resolved;
  if (typeof written === 'string' && written.trim() !== '' && !written.trim().startsWith('=')) return written;
  return null;
}

function onCall(run: RunContext, api: ElementApi): void {
  const id = api.id;
  const called = run.info(id)?.calledElement;
  const recovered = run.isRecovered(api.content);
  const loopLocals = run.localsOf(api.content);
  const processId = attempt(recovered, () => (called?.processId ? run.evaluate(called.processId, id, loopLocals) : null), null);
  if (!recovered && (typeof processId !== 'string' || processId.trim() === '')) {
    throw new Error(`调用活动 ${id} 没有被调用流程的 processId (call activity without zeebe:calledElement processId)`);
  }
  const local = attempt(recovered, () => evaluateInputs(run, id, run.info(id)?.inputs ?? [], loopLocals), null);
  const variables = called?.propagateAllParentVariables === false ? (local ?? {}) : { ...run.variables(id), ...loopLocals, ...local };
  run.calls.set(api.executionId, {
    api,
    wait: {
      activityId: id,
      executionId: api.executionId,
      processId: typeof processId === 'string' ? processId.trim() : '',
      variables,
      isNew: !recovered,
    },
  });
}
