/**
 * Everything one runInstance() call knows while the engine runs: the host, the parsed definition,
 * the waits announced so far, the history of this run, the asynchronous work still pending, and the
 * first failure (incident). Element behaviours reach it through their environment
 * (`environment.options[RUN_CONTEXT_OPTION]`: unknown engine options survive every environment
 * clone and are never part of getState()).
 */
import { evaluateFeel, type FeelOptions } from './feel';
import type { BpmnEnvironment, ElementApi, ElementContent } from './bpmn-internals';
import type { CompiledDefinition } from './definition-cache';
import type {
  CallWait,
  EngineHost,
  HistoryEvent,
  MessageWait,
  ProvisionalBasis,
  SignalWait,
  ThrownSignal,
  ServiceWait,
  TimerWait,
  UserTaskWait,
} from './types';
import { LOOP_STORE_VARIABLE, ReservedVariableError, reservedNamesIn, toJsonRecord, withoutReserved } from './variables';
import type { ZeebeElementInfo } from './zeebe-model';

export const RUN_CONTEXT_OPTION = 'govflowRunContext';

export function runContextOf(environment: BpmnEnvironment): RunContext {
  const run = environment.options[RUN_CONTEXT_OPTION];
  if (!(run instanceof RunContext)) throw new Error('engine element built without a GovFlow run context');
  return run;
}

export interface WaitEntry<W> {
  wait: W;
  api: ElementApi;
}

/**
 * 'terminate': timers do not fire and services are not invoked while the instance is wound down;
 * 'reschedule': nothing moves at all (timers do not fire, waiting services stay waiting uninvoked),
 * only the listed timers take their new due dates.
 */
export type RunMode = 'normal' | 'terminate' | 'reschedule';

export interface HistoryElement {
  id: string;
  name?: string;
  type: string;
  executionId: string;
  /** an ElementApi's message content: where the execution runs (its parent executions) */
  content?: ElementContent;
  /** the execution ids of its parents (sub-process executions, multi-instance instances) */
  scope?: string[];
}

/** The execution ids an element runs inside (its parent and the parent's path). */
export function scopeOf(content: ElementContent | undefined): string[] {
  const parent = content?.parent;
  if (!parent) return [];
  return [parent.executionId, ...(parent.path ?? []).map((p) => p.executionId)].filter((x): x is string => !!x);
}

export class RunContext {
  /** set when runInstance returns: late callbacks (a slow service, a deferred step) are ignored */
  closed = false;
  mode: RunMode = 'normal';
  /** a token move (action 'move') is ending the activities it leaves: their outgoing flows stay silent */
  silentDiscards = false;
  /** 'reschedule': the new due dates by the timer's activity execution id */
  readonly reschedules = new Map<string, { dueAt: Date; provisional: ProvisionalBasis | null }>();
  incident: { activityId: string | null; message: string } | null = null;
  /** the engine emitted 'end' */
  ended = false;
  activitiesStarted = 0;
  /** bumped on every engine event: the settle loop waits until it stops moving */
  eventSeq = 0;

  readonly history: HistoryEvent[] = [];
  readonly userTasks = new Map<string, WaitEntry<UserTaskWait>>();
  readonly timers = new Map<string, TimerWait>();
  readonly messages = new Map<string, WaitEntry<MessageWait>>();
  readonly calls = new Map<string, WaitEntry<CallWait>>();
  readonly signals = new Map<string, WaitEntry<SignalWait>>();
  readonly thrownSignals: ThrownSignal[] = [];
  readonly services = new Map<string, ServiceWait>();
  /** timers that fired in this run, by the execution id of their activity (history outcome 'timeout') */
  readonly firedTimers = new Set<string>();
  /** a cycle timer that fired in this run: its next occurrence (durable-timers CycleState), by the timer's activity execution id */
  readonly cycleRepeats = new Map<string, unknown>();
  /** event sub-process timer starts armed again in this run: the next occurrence their timer takes, by start event id */
  readonly pendingCycles = new Map<string, unknown>();
  /** multi-instance: the instances started in this run (new, even inside a recovered body) */
  readonly startedInstances = new Set<string>();
  /** multi-instance: what a completed instance of a user task gave (its outputElement is read from it) */
  readonly instanceResults = new Map<string, Record<string, unknown>>();
  /** activity executions started (or found running at resume) and not yet closed in the history */
  readonly openExecutions = new Map<string, HistoryElement>();

  private readonly processEnvironments = new Map<string, BpmnEnvironment>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    public host: EngineHost,
    readonly definition: CompiledDefinition,
    readonly instanceId: string,
    public maxActivitiesPerRun: number,
  ) {}

  /**
   * A live engine's context made ready for its next run (engine-runner.ts, LiveEngine): the new host, nothing of the
   * last run's own (its history, its incident, what fired or started in it), and the waits it left — the engine
   * still holds them — as waits that were there before this run (isNew false), as a recover would announce them.
   */
  reuse(host: EngineHost, maxActivitiesPerRun: number): void {
    this.host = host;
    this.maxActivitiesPerRun = maxActivitiesPerRun;
    this.closed = false;
    this.mode = 'normal';
    this.silentDiscards = false;
    this.reschedules.clear();
    this.incident = null;
    this.ended = false;
    this.activitiesStarted = 0;
    this.history.length = 0;
    this.thrownSignals.length = 0;
    this.firedTimers.clear();
    this.cycleRepeats.clear();
    this.pendingCycles.clear();
    this.startedInstances.clear();
    this.instanceResults.clear();
    for (const [key, entry] of this.userTasks) this.userTasks.set(key, { api: entry.api, wait: { ...entry.wait, isNew: false } });
  }

  now(): Date {
    return this.host.clock.now();
  }

  info(elementId: string): ZeebeElementInfo | undefined {
    return this.definition.model.elements.get(elementId);
  }

  /** The BPMN type as written in the diagram (bpmn-elements rewrites `type` inside some messages). */
  typeOf(elementId: string, fallback: string): string {
    return this.info(elementId)?.type ?? fallback;
  }

  registerProcess(processId: string, environment: BpmnEnvironment): void {
    this.processEnvironments.set(processId, environment);
  }

  /**
   * The environment holding the process variables for an element: the root process's. Embedded
   * sub-processes get a copy of it from bpmn-elements; we read and write the root so that every
   * scope sees one set of variables (Camunda 8 propagates to the root scope the same way).
   */
  processEnvironment(elementId?: string | null): BpmnEnvironment | undefined {
    const processId = elementId ? this.info(elementId)?.processId : undefined;
    if (processId && this.processEnvironments.has(processId)) return this.processEnvironments.get(processId);
    return this.processEnvironments.values().next().value;
  }

  /**
   * The local variables of the multi-instance instances an element runs in (the element itself, or
   * the sub-process instances around it): inputElement and loopCounter, the innermost winning.
   */
  localsOf(content: ElementContent | null | undefined): Record<string, unknown> {
    if (!content) return {};
    const env = this.processEnvironment(content.id);
    const raw = env?.variables[LOOP_STORE_VARIABLE] as { instances?: Record<string, Record<string, unknown>> } | undefined;
    const instances = raw?.instances;
    if (!instances) return {};
    const ids: string[] = [];
    const parent = content.parent;
    for (const p of [...(parent?.path ?? [])].reverse()) if (p.executionId) ids.push(p.executionId);
    if (parent?.executionId) ids.push(parent.executionId);
    ids.push(content.executionId);
    const out: Record<string, unknown> = {};
    for (const id of ids) if (id && instances[id]) Object.assign(out, instances[id]);
    return out;
  }

  /** Whether a wait was already there before this run (bpmn-elements' isRecovered, corrected for multi-instance). */
  isRecovered(content: ElementContent): boolean {
    if (!content.isRecovered) return false;
    const ids = [content.executionId, content.parent?.executionId, ...(content.parent?.path ?? []).map((p) => p.executionId)];
    return !ids.some((x) => x && this.startedInstances.has(x));
  }

  /** A copy of the process variables (without the engine's reserved keys). */
  variables(elementId?: string | null): Record<string, unknown> {
    const env = this.processEnvironment(elementId);
    return env ? withoutReserved(env.variables) : {};
  }

  setVariables(vars: Record<string, unknown>, elementId?: string | null): void {
    const reserved = reservedNamesIn(vars);
    if (reserved.length) throw new ReservedVariableError(reserved);
    if (!Object.keys(vars).length) return;
    const env = this.processEnvironment(elementId);
    if (!env) throw new Error('no running process to hold the variables');
    env.assignVariables(toJsonRecord(vars));
  }

  /** What FEEL needs besides the variables: the clock and the working-day calendar. */
  feelOptions(): FeelOptions {
    return { now: this.now(), calendar: this.host.calendar };
  }

  /** FEEL over the process variables (plus `extra`, e.g. a task's local variables); literal when not `=…`. */
  evaluate(text: string, elementId: string | null, extra?: Record<string, unknown>): unknown {
    if (!text.startsWith('=')) return text;
    return evaluateFeel(text, { ...this.variables(elementId), ...extra }, this.feelOptions());
  }

  /**
   * evaluate(), for a value that is stored (a due date): also says whether it was computed on a
   * calendar without data for a year it depended on, with what it takes to compute it again.
   */
  evaluateDate(text: string, elementId: string | null, extra?: Record<string, unknown>): { value: unknown; provisional: ProvisionalBasis | null } {
    if (!text.startsWith('=')) return { value: text, provisional: null };
    const context = { ...this.variables(elementId), ...extra };
    const years = new Set<number>();
    const opts = { ...this.feelOptions(), provisional: years };
    const value = evaluateFeel(text, context, opts);
    if (!years.size) return { value, provisional: null };
    return { value, provisional: { years: [...years].sort((a, b) => a - b), expression: text, context, now: opts.now.toISOString() } };
  }

  recordHistory(element: HistoryElement, event: HistoryEvent['event'], outcome: string | null): HistoryEvent {
    if (event === 'start') {
      this.openExecutions.set(element.executionId, {
        id: element.id,
        name: element.name,
        type: element.type,
        executionId: element.executionId,
        scope: element.scope ?? scopeOf(element.content),
      });
    } else {
      this.openExecutions.delete(element.executionId);
    }
    const h: HistoryEvent = {
      activityId: element.id,
      activityName: this.info(element.id)?.name ?? element.name ?? null,
      type: this.typeOf(element.id, element.type),
      executionId: element.executionId,
      event,
      at: this.now(),
      outcome,
    };
    this.history.push(h);
    return h;
  }

  /**
   * Records the first failure. The run stops moving at once: gates stay closed, deferred steps and
   * late service outcomes are dropped, and the settle loop returns the incident. The engine object
   * is simply abandoned (it holds no real timer), the caller keeps the previous state.
   */
  fail(activityId: string | null, message: string): void {
    if (this.incident || this.closed) return;
    this.incident = { activityId, message };
  }

  /** Asynchronous work the engine is waiting for; the run is not settled while any is pending. */
  track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = () => this.pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Runs fn on a later macrotask (tracked); skipped once the run is closed or failed. */
  defer(fn: () => void): void {
    this.track(
      new Promise<void>((resolve) => {
        setImmediate(() => {
          try {
            if (!this.closed && !this.incident) fn();
          } catch (err) {
            this.fail(null, `引擎内部错误 (engine error): ${(err as Error).message}`);
          } finally {
            resolve();
          }
        });
      }),
    );
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Resolves when one pending piece of work finished (or at once when none), bounded by `ms`. */
  async whenSomePendingSettles(ms: number): Promise<void> {
    if (!this.pending.size) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.race([...this.pending].map((p) => p.then(noop, noop))),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, ms));
        timer.unref();
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Removes the waits of a multi-instance body's instances and of everything inside them (the body
   * ended on its completion condition: bpmn-elements does not announce each instance it drops).
   */
  removeWaitsWithin(bodyExecutionId: string): void {
    const inside = (content: ElementContent) =>
      [content.executionId, content.parent?.executionId, ...(content.parent?.path ?? []).map((p) => p.executionId)].some(
        (x) => !!x && x.startsWith(`${bodyExecutionId}_`),
      );
    for (const map of [this.userTasks, this.messages, this.calls, this.signals] as Map<string, WaitEntry<unknown>>[]) {
      for (const [key, entry] of map) if (inside(entry.api.content)) map.delete(key);
    }
    for (const map of [this.timers, this.services] as Map<string, unknown>[]) {
      for (const key of map.keys()) if (key.startsWith(`${bodyExecutionId}_`)) map.delete(key);
    }
    // what ran inside the dropped instances is closed in the history (bpmn-elements reports nothing)
    for (const open of [...this.openExecutions.values()]) {
      if ((open.scope ?? []).some((x) => x.startsWith(`${bodyExecutionId}_`))) this.recordHistory(open, 'discard', null);
    }
  }

  /** Removes every wait registered for an activity execution (it left, was discarded or stopped). */
  removeWaits(executionId: string): void {
    this.userTasks.delete(executionId);
    this.timers.delete(executionId);
    this.messages.delete(executionId);
    this.signals.delete(executionId);
    this.calls.delete(executionId);
    this.services.delete(executionId);
  }
}

function noop(): void {}
