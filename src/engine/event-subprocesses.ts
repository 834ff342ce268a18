/**
 * Event sub-processes (`bpmn:subProcess triggeredByEvent="true"`), interrupting and not, with a
 * message, timer or error start event (issue 12 item 12).
 *
 * bpmn-elements only runs an event sub-process when an event is *delegated* to its scope in memory
 * (and then refuses a second run); a timer or message start would never be armed durably. Ours:
 *
 * - **Armed with its scope.** Every event sub-process is made a start activity of its scope (the
 *   process or an embedded sub-process): it starts with the scope and its start event waits like any
 *   catch event — a message start is a MessageWait (a subscription row, correlated through
 *   POST /api/messages), a timer start a TimerWait (a job row; DurableTimerEventDefinition), an error
 *   start waits for an error thrown in the scope. Being running activities they are part of the saved
 *   state, so recover → resume re-announces their waits (isRecovered) like every other wait.
 * - **Invisible while armed.** An armed event sub-process and its waiting start event leave no history
 *   and are not among `activeActivityIds`; when the start event fires, the history gets the event
 *   sub-process's start and its start event's start and end.
 * - **Interrupting** (isInterrupting, the default): when its start event fires, every other running
 *   activity of the scope is discarded (tasks cancelled, timers and subscriptions dropped, the other
 *   armed event sub-processes too); the scope ends when the event sub-process ends.
 * - **Non-interrupting**: the scope goes on; when the event sub-process ends while the scope still
 *   runs, a message (or signal / escalation) start is armed again, so it can fire once more. A timer
 *   start fires once per scope (timeDuration / timeDate). One occurrence at a time: a message that
 *   arrives while the previous occurrence still runs finds no subscription (README, known limits).
 * - **The scope ends** when nothing but armed event sub-processes runs in it: they are discarded.
 * - **Errors.** An error end event's throw reaches an armed error start of an enclosing scope through
 *   bpmn-elements' delegation; a service task's `bpmn-error` is routed here (`routeError`) when the
 *   innermost catcher is an error event sub-process (not an error boundary on the task or on a
 *   sub-process in between, which bpmn-elements handles itself).
 */
import type { ActivityElement, ElementApi, ElementContent } from './bpmn-internals';
import type { CompiledDefinition } from './definition-cache';
import type { RunContext } from './run-context';

const kFlags = Symbol.for('flags');
const kOwner = Symbol.for('owner');

export type EventSubProcessTrigger = 'message' | 'timer' | 'error' | 'signal' | 'escalation';

export interface EventSubProcessInfo {
  id: string;
  /** the process or sub-process it belongs to */
  scopeId: string;
  startEventId: string;
  interrupting: boolean;
  trigger: EventSubProcessTrigger;
  /** error / escalation / signal start: the referenced element's id (null: catch-all) */
  refId: string | null;
  /** error / escalation start: the code it catches (null: every code) */
  code: string | null;
  /** signal start: the signal name */
  signalName: string | null;
}

export interface EventSubProcessModel {
  byId: Map<string, EventSubProcessInfo>;
  byStartEvent: Map<string, EventSubProcessInfo>;
  byScope: Map<string, EventSubProcessInfo[]>;
  /** element id → the id of the process / sub-process it lies in */
  scopeOf: Map<string, string>;
  /** sub-process id → its boundary events (error / escalation catchers between a thrower and a scope) */
  boundaries: Map<string, Node[]>;
}

interface Node {
  $type: string;
  id?: string;
  name?: string;
  $parent?: Node;
  flowElements?: Node[];
  eventDefinitions?: Node[];
  triggeredByEvent?: boolean;
  isInterrupting?: boolean;
  attachedToRef?: Node;
  cancelActivity?: boolean;
  errorRef?: Node;
  escalationRef?: Node;
  signalRef?: Node;
  errorCode?: string;
  escalationCode?: string;
}

const TRIGGERS: Record<string, EventSubProcessTrigger> = {
  'bpmn:MessageEventDefinition': 'message',
  'bpmn:TimerEventDefinition': 'timer',
  'bpmn:ErrorEventDefinition': 'error',
  'bpmn:SignalEventDefinition': 'signal',
  'bpmn:EscalationEventDefinition': 'escalation',
};

const models = new WeakMap<CompiledDefinition, EventSubProcessModel>();

function trimmed(v: string | undefined): string | null {
  const s = typeof v === 'string' ? v.trim() : '';
  return s ? s : null;
}

export function eventSubProcessModel(definition: CompiledDefinition): EventSubProcessModel {
  let model = models.get(definition);
  if (model) return model;
  model = { byId: new Map(), byStartEvent: new Map(), byScope: new Map(), scopeOf: new Map(), boundaries: new Map() };
  const byId = definition.moddleContext.elementsById as unknown as Record<string, Node>;
  for (const el of Object.values(byId)) {
    if (el.id && el.$parent?.id && (el.$parent.$type === 'bpmn:Process' || el.$parent.$type === 'bpmn:SubProcess')) {
      model.scopeOf.set(el.id, el.$parent.id);
    }
    if (el.$type === 'bpmn:BoundaryEvent' && el.attachedToRef?.id) {
      const list = model.boundaries.get(el.attachedToRef.id) ?? [];
      list.push(el);
      model.boundaries.set(el.attachedToRef.id, list);
    }
    if (el.$type !== 'bpmn:SubProcess' || !el.triggeredByEvent || !el.id || !el.$parent?.id) continue;
    const start = (el.flowElements ?? []).find((s) => s.$type === 'bpmn:StartEvent' && (s.eventDefinitions ?? []).length === 1);
    const def = start?.eventDefinitions?.[0];
    const trigger = def ? TRIGGERS[def.$type] : undefined;
    if (!start?.id || !def || !trigger) continue; // refused at deploy
    const ref = def.errorRef ?? def.escalationRef ?? def.signalRef;
    const info: EventSubProcessInfo = {
      id: el.id,
      scopeId: el.$parent.id,
      startEventId: start.id,
      interrupting: start.isInterrupting !== false,
      trigger,
      refId: ref?.id ?? null,
      code: trimmed(ref?.errorCode ?? ref?.escalationCode),
      signalName: trigger === 'signal' ? trimmed(ref?.name) : null,
    };
    model.byId.set(info.id, info);
    model.byStartEvent.set(info.startEventId, info);
    model.byScope.set(info.scopeId, [...(model.byScope.get(info.scopeId) ?? []), info]);
  }
  models.set(definition, model);
  return model;
}

// ---- bpmn-elements internals we reach (measured in v17) ------------------------------------------

interface InternalContext {
  [kOwner]?: InternalActivity;
  getActivityById(id: string): InternalActivity | undefined;
  getActivities(scopeId: string): InternalActivity[];
}

interface InternalActivity extends ActivityElement {
  [kFlags]?: { isStart?: boolean };
  context: InternalContext;
  parent?: { id: string };
  isRunning: boolean;
  execution?: { getPostponed?: () => ElementApi[] };
  run(content?: object): void;
  discard(): void;
}

/** The `extensions` entry: event sub-processes start (armed) with their scope, never through delegation. */
export function createEventSubProcessExtension(run: RunContext): (element: ActivityElement) => undefined {
  const model = eventSubProcessModel(run.definition);
  return function govflowEventSubProcesses(element: ActivityElement): undefined {
    if (!model.byId.has(element.id)) return undefined;
    const flags = (element as InternalActivity)[kFlags];
    if (flags) flags.isStart = true;
    // bpmn-elements would run it (a second time: an error) on a delegated event of its scope
    Object.defineProperty(element, 'triggeredByEvent', { value: false, configurable: true });
    return undefined;
  };
}

/** The start event of an event sub-process is still waiting in it: armed, not triggered. */
function isArmed(esp: InternalActivity, info: EventSubProcessInfo): boolean {
  if (!esp.isRunning) return false;
  try {
    return (esp.execution?.getPostponed?.() ?? []).some((api) => api.id === info.startEventId);
  } catch {
    return false;
  }
}

/**
 * The executions an event sub-process's waiting start event and the sub-process itself run as, while
 * armed: not positions of the token (activeActivityIds leaves them out).
 */
export function armedExecutions(run: RunContext, running: ElementApi[]): Set<string> {
  const model = eventSubProcessModel(run.definition);
  const out = new Set<string>();
  if (!model.byId.size) return out;
  for (const api of running) {
    if (!model.byStartEvent.has(api.id)) continue;
    out.add(api.executionId);
    if (api.content.parent?.executionId) out.add(api.content.parent.executionId);
  }
  return out;
}

/**
 * The listener's hook, before its own handling. Returns true when the event is not history (an armed
 * event sub-process or its waiting start event starting).
 */
export function onEventSubProcessEvent(run: RunContext, eventName: string, api: ElementApi): boolean {
  const model = eventSubProcessModel(run.definition);
  if (!model.byId.size) return false;
  const id = api.id;
  if (eventName === 'activity.start' && (model.byId.has(id) || model.byStartEvent.has(id))) return true;
  const info = model.byStartEvent.get(id);
  if (info && eventName === 'activity.end') {
    // fired: the event sub-process (and its start event) begin now, for the history
    const parent = api.content.parent;
    const scope = (parent?.path ?? []).map((p) => p.executionId).filter((x): x is string => !!x);
    if (parent?.executionId) {
      run.recordHistory({ id: info.id, type: 'bpmn:SubProcess', executionId: parent.executionId, scope }, 'start', null);
    }
    run.recordHistory(api, 'start', null);
    if (info.interrupting) {
      const esp = (api as unknown as { owner?: InternalActivity }).owner?.context?.[kOwner];
      if (esp) interruptScope(run, esp);
    }
    return false;
  }
  if (eventName === 'activity.leave') {
    const owner = (api as unknown as { owner?: InternalActivity }).owner;
    const scopeId = model.scopeOf.get(id);
    if (owner?.context && scopeId && model.byScope.has(scopeId)) run.defer(() => settleScope(run, model, owner.context, scopeId));
  }
  return false;
}

/** An interrupting event sub-process fired: every other activity of its scope is discarded. */
function interruptScope(run: RunContext, esp: InternalActivity): void {
  const scopeId = esp.parent?.id;
  if (!scopeId || !esp.isRunning) return;
  for (const sibling of esp.context.getActivities(scopeId)) {
    if (sibling === esp || sibling.id === esp.id || !sibling.isRunning) continue;
    discardActivity(run, sibling);
  }
}

/**
 * Discards a running activity. bpmn-elements does not relay the leave of what waits inside a
 * discarded event sub-process (its start event), so the waits of everything running inside are
 * dropped here.
 */
function discardActivity(run: RunContext, activity: InternalActivity): void {
  let inside: ElementApi[] = [];
  try {
    inside = activity.isSubProcess ? (activity.execution?.getPostponed?.() ?? []) : [];
  } catch {
    inside = [];
  }
  activity.getApi().discard();
  for (const api of inside) if (api.executionId) run.removeWaits(api.executionId);
}

/**
 * After an activity of a scope with event sub-processes left: when only armed event sub-processes
 * still run, they are discarded (the scope ends); a non-interrupting one that ended while the scope
 * runs on is armed again (message, signal, escalation starts).
 */
function settleScope(run: RunContext, model: EventSubProcessModel, context: InternalContext, scopeId: string): void {
  if (run.mode !== 'normal') return;
  const infos = model.byScope.get(scopeId) ?? [];
  let activities: InternalActivity[];
  try {
    activities = context.getActivities(scopeId);
  } catch {
    return;
  }
  const running = activities.filter((a) => a.isRunning);
  const espOf = (a: InternalActivity) => infos.find((i) => i.id === a.id);
  const armed = running.filter((a) => {
    const info = espOf(a);
    return !!info && isArmed(a, info);
  });
  const others = running.filter((a) => !armed.includes(a));
  if (!others.length) {
    for (const a of armed) discardActivity(run, a);
    return;
  }
  // an interrupting event sub-process is running: nothing is armed again beside it
  if (others.some((a) => espOf(a)?.interrupting)) return;
  for (const info of infos) {
    if (info.interrupting || info.trigger === 'timer' || info.trigger === 'error') continue;
    const esp = activities.find((a) => a.id === info.id);
    if (esp && !esp.isRunning) esp.run();
  }
}

/**
 * A service task's `bpmn-error`: when the innermost catcher of its code is an armed error event
 * sub-process (no error boundary on the task or on a sub-process in between), the error is thrown to
 * that event sub-process's start event and true is returned; else bpmn-elements throws it as before.
 */
export function routeError(run: RunContext, activity: ActivityElement, code: string, message: string): boolean {
  const model = eventSubProcessModel(run.definition);
  if (!model.byId.size) return false;
  if (catchesByBoundary(model, activity.id, 'error', code)) return false;
  let context: InternalContext | undefined = (activity as InternalActivity).context;
  let scopeId = model.scopeOf.get(activity.id);
  while (context && scopeId) {
    for (const info of model.byScope.get(scopeId) ?? []) {
      if (info.trigger !== 'error' || (info.code !== null && info.code !== code)) continue;
      const esp = context.getActivityById(info.id);
      if (!esp || !isArmed(esp, info)) continue;
      const start = (esp.execution?.getPostponed?.() ?? []).find((api) => api.id === info.startEventId);
      const owner = (start as unknown as { owner?: InternalActivity } | undefined)?.owner;
      if (!start || !owner) continue;
      owner.broker.publish(
        'api',
        `activity.throw.${start.executionId}`,
        { id: activity.id, type: activity.type, executionId: start.executionId, message: { id: info.refId ?? 'anonymous', code, message } },
        { type: 'throw' },
      );
      return true;
    }
    // a sub-process in between with an error boundary that catches it: bpmn-elements' own path
    if (catchesByBoundary(model, scopeId, 'error', code)) return false;
    const owner: InternalActivity | undefined = context[kOwner];
    context = owner?.context;
    scopeId = owner ? model.scopeOf.get(owner.id) : undefined;
  }
  return false;
}

function catchesByBoundary(model: EventSubProcessModel, activityId: string, kind: 'error' | 'escalation', code: string): boolean {
  const type = kind === 'error' ? 'bpmn:ErrorEventDefinition' : 'bpmn:EscalationEventDefinition';
  return (model.boundaries.get(activityId) ?? []).some((b) =>
    (b.eventDefinitions ?? []).some((d) => {
      if (d.$type !== type) return false;
      const c = trimmed(kind === 'error' ? d.errorRef?.errorCode : d.escalationRef?.escalationCode);
      return c === null || c === code;
    }),
  );
}

export type { ElementContent };
