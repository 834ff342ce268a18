/**
 * runInstance(): one bpmn-engine Engine per call. The only module (with the element overrides it
 * installs) that drives bpmn-engine; see README.md in this folder.
 *
 *   start:      new Engine({variables}) → execute()
 *   otherwise:  new Engine(same options) → recover(state) → resume() → settle → apply the action
 *   then:       settle → describe the result (engine.getState(), variables, waits, history)
 *
 * Code is supplied anew on every build (extensions, expressions, scripts, timers, element
 * overrides, the listener); the saved state is only data.
 *
 * Settling. bpmn-engine runs synchronously inside broker callbacks; everything asynchronous in a run
 * is ours and tracked by the RunContext: the activity gate (one macrotask per activity entered),
 * service invocations (host promises), due timers (deferred completion). The run is settled when no
 * tracked work is pending AND a full macrotask went by without a single engine event — at that point
 * nothing can move any more: every token waits (user task, message, timer, call, service left
 * waiting) or the process ended. An engine error or a failure of ours ends the run at once as an
 * incident. A wall-clock bound (settleTimeoutMs) turns a run that neither settles nor fails (a
 * service promise that never resolves) into an incident.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type BpmnEngineOptions, Engine } from 'bpmn-engine';
import * as Elements from 'bpmn-elements';
import { conflict } from '../domain/errors';
import type { DefinitionElement, ElementApi, ErrorLike } from './bpmn-internals';
import { type CompiledDefinition, getCompiledDefinition } from './definition-cache';
import { DurableTimerEventDefinition, createInertTimers } from './durable-timers';
import { FeelSequenceFlow, createFeelExpressions, feelErrorMessage } from './feel-expressions';
import { evaluateInputs, outputVariables } from './io-mapping';
import { RepeatingMessageEventDefinition } from './message-boundary';
import { ZeebeMultiInstanceLoop } from './multi-instance';
import { armedExecutions, createEventSubProcessExtension } from './event-subprocesses';
import { BroadcastSignalEventDefinition } from './signals';
import { createRefusingScripts } from './refusing-scripts';
import { installSmqpFastPath } from './smqp-fast-path';
import { RUN_CONTEXT_OPTION, RunContext, scopeOf, type WaitEntry } from './run-context';
import { createRunListener, isLoopInstance } from './run-listener';
import type { CompiledDefinitionRef, EngineAction, EngineHost, RunResult } from './types';
import { LOOP_STORE_VARIABLE, assertActionVariables, toJsonRecord } from './variables';
import { createTokenExtension } from './token-semantics';
import { createUncaughtErrorExtension } from './uncaught-errors';
import { createZeebeExtension } from './zeebe-extension';

function readEngineVersion(): string {
  const pkg = JSON.parse(readFileSync(join(dirname(require.resolve('bpmn-engine')), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// the broker's shortcuts, for every engine this process runs (ENGINE_FAST_PATH=off pauses them: see app.ts)
installSmqpFastPath();

/** bpmn-engine's package version, saved with every state. */
export const ENGINE_VERSION: string = readEngineVersion();

export const DEFAULT_MAX_ACTIVITIES_PER_RUN = 1000;
export const DEFAULT_SETTLE_TIMEOUT_MS = 20_000;

/** Element behaviours we replace (Engine option `elements`); everything else is bpmn-elements'. */
const ELEMENT_OVERRIDES: Record<string, unknown> = {
  TimerEventDefinition: DurableTimerEventDefinition,
  SequenceFlow: FeelSequenceFlow,
  MessageEventDefinition: RepeatingMessageEventDefinition,
  SignalEventDefinition: BroadcastSignalEventDefinition,
  // Camunda 8 passes through a manual task; bpmn-elements would wait for a signal
  ManualTask: (Elements as unknown as { Task: unknown }).Task,
  MultiInstanceLoopCharacteristics: ZeebeMultiInstanceLoop,
};

/**
 * bpmn-engine's serialized form of a parsed definition (moddle-context-serializer, with our element overrides),
 * made once per compiled definition instead of by every Engine (about 2.7 ms a run for a 2,000-line diagram).
 * Shared by the runs of that definition: bpmn-elements reads it and copies what it keeps per run (an activity
 * copies its behaviour), and nothing of ours writes to it. Its serialize() is not needed: the saved state does
 * not carry the source (it is supplied from here on recover).
 */
const sourceContexts = new WeakMap<CompiledDefinition, unknown>();
function sourceContextOf(compiled: CompiledDefinition): unknown {
  let context = sourceContexts.get(compiled);
  if (!context) {
    const serializing = new Engine({ elements: ELEMENT_OVERRIDES } as BpmnEngineOptions) as unknown as { _serializeModdleContext(c: unknown): { serialize?: () => unknown } };
    const serialized = serializing._serializeModdleContext(compiled.moddleContext);
    serialized.serialize = () => undefined;
    context = serialized;
    sourceContexts.set(compiled, context);
  }
  return context;
}

export interface RunInstanceArgs {
  /** {definitionId, xml}; parsed once per definitionId */
  definition: CompiledDefinitionRef;
  /** null for 'start'; else a previous RunResult.engineState, or its JSON text as saved (parsed once) */
  state: unknown | null;
  action: EngineAction;
  host: EngineHost;
  /** for logs / the engine name */
  instanceId: string;
  /** wall-clock bound for the run to settle; default 20 s */
  settleTimeoutMs?: number;
}

interface SavedEngineState {
  definitions?: { source?: unknown }[];
  [key: string]: unknown;
}

/**
 * bpmn-engine builds a `debug` logger (three of them) for the engine and every element and flow of every run,
 * each asking whether stderr is a terminal: a few per cent of a unit of work for lines nobody reads. They are
 * no-ops unless DEBUG names bpmn-engine or bpmn-elements (`DEBUG=bpmn-engine:*` as bpmn-engine documents).
 */
const ENGINE_DEBUG = /bpmn/.test(process.env.DEBUG ?? '');
const quiet = () => {};
const silentLogger = () => ({ debug: quiet, error: quiet, warn: quiet });

export async function runInstance(args: RunInstanceArgs): Promise<RunResult> {
  return (await runEngine(args)).result;
}

/**
 * An engine kept in memory after a run (issue 13 item 1, "hot instances stay live"): the next completion of one of
 * its user tasks signals it where it stands instead of building an engine and recovering the saved state into it.
 * Only an engine whose every running activity is a user task or a join (no multi-instance, no boundary event, no
 * timer, message, signal, call or service wait, no event sub-process armed, nothing pending) is kept, and it is used only
 * for 'complete-task': the waits it carries are then exactly what a recover would announce. The caller holds it
 * for one run at a time and keys it by the saved revision it stands for (RuntimeService's live engines).
 */
export interface LiveEngine {
  readonly engine: Engine;
  readonly run: RunContext;
  readonly compiled: CompiledDefinition;
}

/**
 * runInstance, on a live engine when `live` is given (and fits the action and the definition: else the saved state is
 * recovered as always), answering the engine too when `keepLive` asks and the run left it fit to be kept.
 */
export async function runEngine(args: RunInstanceArgs & { live?: LiveEngine | null; keepLive?: boolean }): Promise<{ result: RunResult; live: LiveEngine | null }> {
  const { action, host, instanceId } = args;
  const startVariables = checkAction(action, args.state);

  let compiled: CompiledDefinition;
  try {
    compiled = await getCompiledDefinition(args.definition);
  } catch (err) {
    return { result: incidentBeforeRun(`流程定义无法解析 (the definition cannot be parsed): ${(err as Error).message}`), live: null };
  }
  const maxActivities = host.maxActivitiesPerRun ?? DEFAULT_MAX_ACTIVITIES_PER_RUN;
  const live = args.live && action.kind === 'complete-task' && args.live.compiled === compiled ? args.live : null;
  if (live) return runLive(live, args, maxActivities);
  const run = new RunContext(host, compiled, instanceId, maxActivities);
  if (action.kind === 'terminate') run.mode = 'terminate';
  if (action.kind === 'reschedule') {
    run.mode = 'reschedule';
    for (const x of action.timers) run.reschedules.set(x.executionId, { dueAt: new Date(x.dueAt), provisional: x.provisional });
  }
  const listener = createRunListener(run);

  // typed loosely on purpose: bpmn-engine's option types expect its own element classes, ours are
  // structural equivalents (see bpmn-internals.ts)
  const options: BpmnEngineOptions = {
    name: instanceId,
    sourceContext: sourceContextOf(compiled),
    listener,
    extensions: {
      govflowZeebe: createZeebeExtension(run),
      govflowTokens: createTokenExtension(),
      govflowUncaughtErrors: createUncaughtErrorExtension(run),
      govflowEventSubProcesses: createEventSubProcessExtension(run),
    },
    expressions: createFeelExpressions(run),
    scripts: createRefusingScripts(run),
    timers: createInertTimers(run),
    elements: ELEMENT_OVERRIDES,
    settings: { enableDummyService: false },
    variables: startVariables,
    ...(ENGINE_DEBUG ? {} : { Logger: silentLogger }),
    [RUN_CONTEXT_OPTION]: run,
  } as Record<string, unknown>;

  const deadline = Date.now() + (args.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS);
  let engine: Engine | null = null;
  try {
    try {
      engine = new Engine(options);
      engine.on('end', () => {
        run.ended = true;
      });
      engine.on('error', (err: ErrorLike) => run.fail(errorActivityId(err), engineErrorMessage(err)));
      if (action.kind === 'start') {
        await engine.execute();
      } else {
        engine.recover(prepareState(args.state));
        await engine.resume({ listener });
        // what was running before this run: closed in the history if the instance ends without
        // them (terminate, terminate end event), as bpmn-elements then stops relaying their events
        for (const api of await runningActivities(engine)) {
          // a queued sequence flow is listed among the postponed too (see run-listener): not an activity
          if (!api.executionId || run.typeOf(api.id, api.type) === 'bpmn:SequenceFlow') continue;
          if (isLoopInstance(api.content)) continue; // the multi-instance body has the history
          if (!run.openExecutions.has(api.executionId)) {
            run.openExecutions.set(api.executionId, { id: api.id, name: api.name, type: api.type, executionId: api.executionId, scope: scopeOf(api.content) });
          }
        }
      }
    } catch (err) {
      run.fail(errorActivityId(err as ErrorLike), engineErrorMessage(err as ErrorLike));
    }
    await settle(run, deadline);
    if (!run.incident && engine) await applyAction(run, engine, action, deadline);
    const result = await describe(run, engine, action);
    const keep = args.keepLive && engine && (action.kind === 'start' || action.kind === 'complete-task') && (await fitToKeep(run, engine, result));
    return { result, live: keep && engine ? { engine, run, compiled } : null };
  } finally {
    run.closed = true;
  }
}

async function runLive(live: LiveEngine, args: RunInstanceArgs & { keepLive?: boolean }, maxActivities: number): Promise<{ result: RunResult; live: LiveEngine | null }> {
  const { engine, run } = live;
  run.reuse(args.host, maxActivities);
  const deadline = Date.now() + (args.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS);
  try {
    await applyAction(run, engine, args.action, deadline);
    const result = await describe(run, engine, args.action);
    return { result, live: args.keepLive && (await fitToKeep(run, engine, result)) ? live : null };
  } finally {
    run.closed = true;
  }
}

/** Whether the engine may be kept live after this run (see LiveEngine): it waits at user tasks alone (and joins). */
async function fitToKeep(run: RunContext, engine: Engine, result: RunResult): Promise<boolean> {
  if (result.state !== 'running' || run.incident || run.pendingCount || run.mode !== 'normal') return false;
  if (!run.userTasks.size || run.timers.size || run.messages.size || run.signals.size || run.calls.size || run.services.size) return false;
  if (LOOP_STORE_VARIABLE in (run.processEnvironment()?.variables ?? {})) return false;
  const running = await runningActivities(engine);
  return running.every((api) => {
    const type = run.typeOf(api.id, api.type);
    // a join holding the tokens that arrived (listed as their sequence flows) is engine state alone: nothing of ours waits there
    if (type === 'bpmn:SequenceFlow' || type === 'bpmn:ParallelGateway' || type === 'bpmn:InclusiveGateway') return true;
    return type === 'bpmn:UserTask' && !api.content.isMultiInstance && run.userTasks.has(api.executionId);
  });
}

// ---- the action ---------------------------------------------------------------------------------

function checkAction(action: EngineAction, state: unknown): Record<string, unknown> {
  if (action.kind === 'start') {
    if (state !== null && state !== undefined) throw new Error('start: an instance that has a state cannot be started again');
    return assertActionVariables(action.variables, '启动流程 (start)');
  }
  if (state === null || state === undefined || (typeof state !== 'object' && typeof state !== 'string') || state === '') {
    throw new Error(`${action.kind}: the instance has no engine state to recover`);
  }
  if ('variables' in action) assertActionVariables(action.variables, action.kind);
  return {};
}

function prepareState(state: unknown): SavedEngineState {
  // the saved text as the database holds it is parsed once; an object is copied (the engine changes what it recovers)
  const copy = (typeof state === 'string' ? JSON.parse(state) : JSON.parse(JSON.stringify(state))) as SavedEngineState;
  if (!Array.isArray(copy.definitions)) throw new Error('engine state without definitions');
  return copy;
}

async function applyAction(run: RunContext, engine: Engine, action: EngineAction, deadline: number): Promise<void> {
  switch (action.kind) {
    case 'start':
    case 'resume':
    case 'reschedule': // the due dates were replaced while the timers were recovered
      return;
    case 'complete-task': {
      const entry = run.userTasks.get(action.executionId);
      if (!entry) {
        throw conflict(
          `没有等待中的用户任务 ${action.executionId} (no user task is waiting with executionId ${action.executionId})`,
          'task-not-waiting',
        );
      }
      deliver(run, entry, action.variables);
      return settle(run, deadline);
    }
    case 'correlate-message': {
      const matches = (e: WaitEntry<{ messageName: string; executionId: string }>) =>
        e.wait.messageName === action.messageName &&
        (!action.executionIds || action.executionIds.includes(e.wait.executionId));
      const targets = [...run.messages.values()].filter(matches);
      if (!targets.length) {
        throw conflict(
          `没有等待消息 ${action.messageName} 的环节 (nothing waits for message ${action.messageName})`,
          'message-not-waiting',
        );
      }
      for (const target of targets) {
        // an earlier delivery may have discarded it (event-based gateway, interrupting boundary)
        if (run.incident || !run.messages.has(target.wait.executionId)) continue;
        deliver(run, target, action.variables);
        await settle(run, deadline);
      }
      return;
    }
    case 'broadcast-signal': {
      // the subscription rows were consumed by the caller: a catch no longer waiting is simply passed by
      const targets = [...run.signals.values()].filter((e) => e.wait.signalName === action.signalName && action.executionIds.includes(e.wait.executionId));
      for (const target of targets) {
        if (run.incident || !run.signals.has(target.wait.executionId)) continue;
        deliver(run, target, action.variables);
        await settle(run, deadline);
      }
      return;
    }
    case 'complete-call': {
      const entry = run.calls.get(action.executionId);
      if (!entry) {
        throw conflict(
          `没有等待中的调用活动 ${action.executionId} (no call activity is waiting with executionId ${action.executionId})`,
          'call-not-waiting',
        );
      }
      deliver(run, entry, action.variables, run.info(entry.wait.activityId)?.calledElement?.propagateAllChildVariables);
      return settle(run, deadline);
    }
    case 'move':
      return moveTokens(run, engine, action.toActivityId, deadline);
    case 'terminate': {
      const definitions = (await engine.getDefinitions()) as unknown as DefinitionElement[];
      for (const definition of definitions) {
        for (const process of definition.getProcesses()) {
          if (process.isRunning) process.getApi().discard();
        }
      }
      return settle(run, deadline);
    }
  }
}

/**
 * 退回 / 撤回: the token moves to `toActivityId` (a top-level activity of the running process that is
 * not running now). The activity is started first — the process keeps a running child, so it does
 * not end while the others leave — then every other activity running at the process's top level is
 * discarded with its outgoing flows silent (see FeelSequenceFlow.discard): no token and no dead-path
 * discard goes anywhere. Their waits leave with them (the run listener), the new wait is the target's.
 */
async function moveTokens(run: RunContext, engine: Engine, toActivityId: string, deadline: number): Promise<void> {
  const definitions = (await engine.getDefinitions()) as unknown as DefinitionElement[];
  for (const definition of definitions) {
    for (const process of definition.getProcesses()) {
      if (!process.isRunning) continue;
      const target = process.getActivityById(toActivityId);
      if (!target) continue;
      const leaving = process.getPostponed().filter((api) => !['bpmn:SequenceFlow', 'bpmn:BoundaryEvent'].includes(run.typeOf(api.id, api.type)));
      if (leaving.some((api) => api.id === toActivityId)) {
        throw conflict(`环节 ${toActivityId} 正在办理中，不能退回到它 (the activity is running)`, 'move-target-running');
      }
      target.run();
      await settle(run, deadline);
      if (run.incident) return;
      // tokens that wait inside other elements are dropped too: a parallel join's held arrivals (the branches run
      // again from the target), a second token queued for a busy task
      const execution = (process as unknown as { execution?: ProcessBookkeeping }).execution;
      for (const activity of process.getActivities()) {
        if (activity.id !== toActivityId) dropQueuedTokens(activity, execution);
      }
      run.silentDiscards = true;
      try {
        for (const api of leaving) api.discard();
        await settle(run, deadline);
      } finally {
        run.silentDiscards = false;
      }
      return;
    }
  }
  throw conflict(`流程中没有可退回的环节 ${toActivityId} (no activity ${toActivityId} in the running process)`, 'move-target-unknown');
}

interface QueuedToken {
  pending?: boolean;
  ack(): void;
}

/** bpmn-elements' ProcessExecution keeps every sequence-flow token in flight among its postponed (it ends when none is left). */
interface ProcessBookkeeping {
  _popPostponed(content: unknown): { ack(): void } | undefined;
}

/**
 * Empties an element's inbound queue — the waiting tokens (purged) and the delivered-but-held ones (acknowledged,
 * as a join holds them) — and takes each out of the process's bookkeeping, so that the process can still end.
 */
function dropQueuedTokens(activity: { broker: unknown }, execution: ProcessBookkeeping | undefined): void {
  const queue = (activity.broker as { getQueue(name: string): { messages: (QueuedToken & { content?: unknown })[]; purge(): void } | undefined }).getQueue('inbound-q');
  if (!queue?.messages.length) return;
  const dropped = [...queue.messages];
  queue.purge();
  for (const m of dropped.filter((x) => x.pending)) m.ack();
  for (const m of dropped) execution?._popPostponed(m.content)?.ack();
}

/**
 * Writes the variables into the process (through the element's output mappings when it has some,
 * else all of them — or none for a call activity with propagateAllChildVariables=false) and signals
 * the waiting execution so the run continues.
 */
function deliver(
  run: RunContext,
  entry: WaitEntry<{ activityId: string; executionId: string }>,
  variables: Record<string, unknown>,
  propagateAll = true,
): void {
  const id = entry.wait.activityId;
  const info = run.info(id);
  try {
    const result = toJsonRecord(variables ?? {});
    const outputs = info?.outputs ?? [];
    const loopLocals = run.localsOf(entry.api.content);
    if (outputs.length || propagateAll) {
      const local = { ...loopLocals, ...evaluateInputs(run, id, info?.inputs ?? [], loopLocals) };
      run.setVariables(outputVariables(run, id, outputs, local, result), id);
    }
    // a multi-instance instance: its outputElement is evaluated over these when it completes
    if (entry.api.content.isMultiInstance) run.instanceResults.set(entry.wait.executionId, result);
  } catch (err) {
    run.fail(id, feelErrorMessage(err, `${id} 的输出映射失败 (output mapping failed)`));
    return;
  }
  entry.api.signal({ id, executionId: entry.wait.executionId });
}

// ---- settling -----------------------------------------------------------------------------------

function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

async function settle(run: RunContext, deadline: number): Promise<void> {
  for (;;) {
    if (run.incident || run.ended) return drain(run, deadline);
    const seq = run.eventSeq;
    if (run.pendingCount) await run.whenSomePendingSettles(deadline - Date.now());
    await nextMacrotask();
    if (run.incident || run.ended) return drain(run, deadline);
    if (!run.pendingCount && seq === run.eventSeq) return;
    if (Date.now() >= deadline) {
      run.fail(
        null,
        `流程实例在限定时间内没有停稳（服务任务未返回？）(the run neither settled nor failed in time; a service that never answers?)`,
      );
      return;
    }
  }
}

/**
 * The instance ended (a terminate end event on one branch) or failed while work of the run is still pending — a
 * service invoked on another branch: it finishes inside the run (bounded by the deadline), so what it writes (a
 * retry job, an effect) lands in the run's transaction, before its commit, and the save sees it.
 */
async function drain(run: RunContext, deadline: number): Promise<void> {
  while (run.pendingCount && Date.now() < deadline) await run.whenSomePendingSettles(deadline - Date.now());
}

// ---- the result ---------------------------------------------------------------------------------

function errorActivityId(err: ErrorLike | null | undefined): string | null {
  return err?.source?.content?.id ?? null;
}

function engineErrorMessage(err: ErrorLike | null | undefined): string {
  const message = err?.message ?? err?.description ?? String(err);
  const code = err?.code ?? err?.inner?.code;
  const isBpmnError = err?.name === 'BpmnError' || err?.inner?.name === 'BpmnError';
  if (isBpmnError && code) {
    return `未被捕获的 BPMN 错误 ${code}: ${message} (unhandled BPMN error ${code})`;
  }
  if (/no conditional flow taken/.test(message)) {
    return `网关没有条件成立的出口，也没有默认出口 (no outgoing condition is true and there is no default flow): ${message}`;
  }
  return `流程引擎错误 (engine error): ${message}`;
}

/** The running activities (by execution id), descending into sub-processes. */
function collectPostponed(apis: ElementApi[], into: Map<string, ElementApi>): void {
  for (const api of apis) {
    // each execution is visited once: a sub-process's postponed list may already hold its
    // descendants, and descending into them again made this exponential in the nesting depth
    if (into.has(api.executionId)) continue;
    into.set(api.executionId, api);
    if (api.owner?.isSubProcess) {
      try {
        collectPostponed(api.getPostponed(), into);
      } catch {
        // a sub-process without a running execution
      }
    }
  }
}

async function runningActivities(engine: Engine): Promise<ElementApi[]> {
  const definitions = (await engine.getDefinitions()) as unknown as DefinitionElement[];
  const running = new Map<string, ElementApi>();
  for (const d of definitions) collectPostponed(d.getPostponed(), running);
  return [...running.values()];
}

function noWaits() {
  return { activeActivityIds: [], userTasks: [], timers: [], messages: [], signals: [], thrownSignals: [], calls: [], services: [] };
}

function incidentBeforeRun(message: string): RunResult {
  return {
    state: 'incident',
    engineState: null,
    engineVersion: ENGINE_VERSION,
    variables: {},
    history: [],
    ...noWaits(),
    incident: { activityId: null, message },
  };
}

/**
 * On an incident nothing of the run is to be saved (engineState null: the caller keeps the previous
 * state); the waits are left empty so that none is mistaken for a new one, the history is diagnostic.
 */
async function describe(run: RunContext, engine: Engine | null, action: EngineAction): Promise<RunResult> {
  const base = {
    engineVersion: ENGINE_VERSION,
    variables: toJsonRecord(run.variables()),
    history: run.history.slice(),
  };
  const empty = noWaits();
  if (run.incident || !engine) {
    const incident = run.incident ?? { activityId: null, message: '流程引擎未能启动 (the engine did not start)' };
    return { state: 'incident', engineState: null, ...base, ...empty, incident };
  }

  let engineStateText: string;
  try {
    // getState() serializes no diagram: every Engine shares its definition's source context, whose serialize()
    // sourceContextOf made a no-op once (it would cost about 2 ms for a 2,000-line diagram, then be deleted below)
    const raw = (await engine.getState()) as unknown as SavedEngineState;
    // the source is supplied again from the definition cache on recover; keeping it out of the
    // state keeps every saved state small (it would carry the whole serialized diagram)
    for (const d of raw.definitions ?? []) delete d.source;
    engineStateText = JSON.stringify(raw);
  } catch (err) {
    return {
      state: 'incident',
      engineState: null,
      ...base,
      ...empty,
      incident: { activityId: null, message: `引擎状态无法保存为 JSON (the engine state is not JSON): ${(err as Error).message}` },
    };
  }

  const state: RunResult['state'] = action.kind === 'terminate' ? 'terminated' : run.ended ? 'completed' : 'running';
  const running = state === 'running';
  if (!running) {
    // the instance is over: whatever still runs was discarded silently (terminate, terminate end event)
    for (const open of [...run.openExecutions.values()]) run.recordHistory(open, 'discard', 'terminated');
  }
  // armed event sub-processes (and their waiting start events) are not where a token is
  const runningApis = running ? await runningActivities(engine) : [];
  const armed = armedExecutions(run, runningApis);
  const active = runningApis.filter((a) => !armed.has(a.executionId));
  return withEngineState(engineStateText, {
    state,
    ...base,
    history: run.history.slice(),
    // where the tokens are: boundary events are listeners of their activity, not positions
    activeActivityIds: [
      // sequence flows show up among the postponed while a token queues for a busy activity: not positions either
      ...new Set(active.filter((a) => !['bpmn:BoundaryEvent', 'bpmn:SequenceFlow'].includes(run.typeOf(a.id, a.type))).map((a) => a.id)),
    ],
    userTasks: running ? [...run.userTasks.values()].map((e) => e.wait) : [],
    timers: running ? [...run.timers.values()] : [],
    messages: running ? [...run.messages.values()].map((e) => e.wait) : [],
    signals: running ? [...run.signals.values()].map((e) => e.wait) : [],
    // thrown even when the instance ended with the throw (a signal end event)
    thrownSignals: run.thrownSignals.slice(),
    calls: running ? [...run.calls.values()].map((e) => e.wait) : [],
    services: running ? [...run.services.values()] : [],
    incident: null,
  });
}

/**
 * The saved state as text (what the database column takes) and, read only when asked, as the object: the state
 * is serialised once per run (a save writes the text; a caller that wants the object — a test, a second run on it —
 * parses it once, on first read).
 */
export function withEngineState(text: string, result: Omit<RunResult, 'engineState' | 'engineStateText'>): RunResult {
  let parsed: unknown;
  const withText = { ...result, engineStateText: text } as RunResult;
  Object.defineProperty(withText, 'engineState', { enumerable: true, configurable: true, get: () => (parsed ??= JSON.parse(text)) });
  return withText;
}

