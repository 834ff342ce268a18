/**
 * Multi-instance activities, Zeebe style (`zeebe:loopCharacteristics`), on bpmn-elements'
 * MultiInstanceLoopCharacteristics (installed through the `elements` option).
 *
 * - `inputCollection` (FEEL) is evaluated once, when the multi-instance body starts; it must give a
 *   list (else: incident). The list is kept with the instance (the hidden loop store, below), so a
 *   recovered body goes on over the same items even if the variable changed since.
 * - Each instance gets `inputElement` (the item) and `loopCounter` (1-based) as *local* variables:
 *   the assignee `=expert` of a user task, its input mappings, and — in a multi-instance
 *   sub-process — every element inside the instance (assignments, mappings, conditions, called
 *   process ids) see them; they are never written to the process variables.
 * - `outputCollection` is a process variable, set to a list of nulls (one per item) when the body
 *   starts; when an instance completes, `outputElement` is evaluated over the process variables, the
 *   instance's local variables and (user task) the completion variables, and put at the instance's
 *   position: results are in input order whatever order the instances complete in.
 * - `completionCondition` (FEEL, must give a boolean) is evaluated after each completed instance,
 *   with `numberOfInstances`, `numberOfCompletedInstances`, `numberOfActiveInstances`,
 *   `numberOfTerminatedInstances` and `loopCounter`; true ends the body and the instances still
 *   running are cancelled (或签). The body without a condition completes when every instance did.
 *
 * The loop store lives in the root process environment under LOOP_STORE_VARIABLE (a reserved
 * variable name: never accepted from outside, never shown), so it is saved with the engine state.
 */
import * as Elements from 'bpmn-elements';
import type { ActivityElement, BpmnEnvironment, ElementContent, ElementMessage } from './bpmn-internals';
import { feelErrorMessage } from './feel-expressions';
import { type RunContext, runContextOf } from './run-context';
import { isLoopInstance } from './run-listener';
import { LOOP_STORE_VARIABLE } from './variables';

/** What the loop store keeps per body and per instance (JSON). */
export interface LoopStore {
  bodies: Record<string, { activityId: string; collection: unknown[]; completed: number; terminated: number }>;
  /** instance execution id → its local variables */
  instances: Record<string, Record<string, unknown>>;
}

/** more items than this in an inputCollection is an incident (every instance is a row, a wait, a history) */
export const MAX_MULTI_INSTANCE_ITEMS = 1000;

const COLLECTION = 'govflow:multi-instance:collection';
const COMPLETION = 'govflow:multi-instance:completion';

interface LoopCharacteristicsDefinition {
  type?: string;
  behaviour?: Record<string, unknown>;
}

interface BaseLoop {
  execute(executeMessage: ElementMessage): unknown;
}

type BaseLoopConstructor = new (activity: unknown, loopCharacteristics: LoopCharacteristicsDefinition) => BaseLoop;

const BaseMultiInstance = (Elements as unknown as { MultiInstanceLoopCharacteristics: BaseLoopConstructor })
  .MultiInstanceLoopCharacteristics;

export function readLoopStore(env: BpmnEnvironment | undefined): LoopStore {
  const raw = env?.variables[LOOP_STORE_VARIABLE] as LoopStore | undefined;
  return raw && typeof raw === 'object' ? raw : { bodies: {}, instances: {} };
}

function writeLoopStore(run: RunContext, elementId: string, store: LoopStore): void {
  const env = run.processEnvironment(elementId);
  if (!env) throw new Error('no running process to hold the multi-instance state');
  env.assignVariables({ [LOOP_STORE_VARIABLE]: JSON.parse(JSON.stringify(store)) });
}

function describe(value: unknown): string {
  const text = value === undefined ? 'null' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

export class ZeebeMultiInstanceLoop {
  private readonly base: BaseLoop;
  private readonly run: RunContext;
  private readonly activity: ActivityElement;

  constructor(activity: ActivityElement, loopCharacteristics: LoopCharacteristicsDefinition) {
    this.activity = activity;
    this.run = runContextOf(activity.environment);
    const loop = this.run.info(activity.id)?.loop;
    const behaviour = {
      ...(loopCharacteristics.behaviour ?? {}),
      loopCardinality: undefined,
      collection: COLLECTION,
      elementVariable: loop?.inputElement ?? 'item',
      completionCondition: loop?.completionCondition ? COMPLETION : undefined,
    };
    // bpmn-elements resolves the collection and the completion condition through
    // activity.environment.resolveExpression: we answer those two ourselves
    const environment = Object.create(activity.environment) as BpmnEnvironment & {
      resolveExpression(expression: unknown, message?: ElementMessage): unknown;
    };
    const original = (activity.environment as unknown as { resolveExpression: typeof environment.resolveExpression })
      .resolveExpression;
    // Zeebe starts every instance of a parallel body at once (bpmn-elements: batches of 50)
    Object.defineProperty(environment, 'settings', {
      value: { ...activity.environment.settings, batchSize: MAX_MULTI_INSTANCE_ITEMS },
    });
    environment.resolveExpression = (expression, message) => {
      if (expression === COLLECTION) return this.collection(message as ElementMessage);
      if (expression === COMPLETION) return this.completionConditionMet(message as ElementMessage);
      return original.call(activity.environment, expression, message);
    };
    const shim = Object.create(activity) as ActivityElement;
    Object.defineProperty(shim, 'environment', { value: environment });
    this.base = new BaseMultiInstance(shim, { ...loopCharacteristics, behaviour });
  }

  execute(executeMessage: ElementMessage): unknown {
    const broker = this.activity.broker;
    const tag = `_govflow-multi-instance-${executeMessage.content.executionId}`;
    broker.cancel(tag);
    // before bpmn-elements' own consumers (priority 300 for completions, 100 for the execution)
    broker.subscribeTmp('execution', 'execute.#', (routingKey, message) => this.onExecute(routingKey, message, tag), {
      noAck: true,
      consumerTag: tag,
      priority: 400,
    });
    return this.base.execute(executeMessage);
  }

  // ---- the collection -----------------------------------------------------------------------

  private collection(message: ElementMessage): unknown[] {
    const run = this.run;
    const id = this.activity.id;
    const bodyId = message.content.executionId;
    const store = readLoopStore(run.processEnvironment(id));
    const saved = store.bodies[bodyId];
    if (saved) return saved.collection;
    const loop = run.info(id)?.loop;
    let value: unknown;
    try {
      if (!loop?.inputCollection) throw new Error('缺少 inputCollection (zeebe:loopCharacteristics without inputCollection)');
      value = run.evaluate(loop.inputCollection, id, run.localsOf(message.content));
    } catch (err) {
      run.fail(id, feelErrorMessage(err, `多实例 ${id} 的输入集合求值失败 (inputCollection failed)`));
      throw err;
    }
    if (!Array.isArray(value)) {
      const text = `多实例 ${id} 的输入集合 ${loop.inputCollection} 的结果不是列表，而是 ${describe(value)} (inputCollection must give a list)`;
      run.fail(id, text);
      throw new Error(text);
    }
    if (value.length > MAX_MULTI_INSTANCE_ITEMS) {
      const text = `多实例 ${id} 的输入集合有 ${value.length} 项，超过上限 ${MAX_MULTI_INSTANCE_ITEMS} (inputCollection has more than ${MAX_MULTI_INSTANCE_ITEMS} items)`;
      run.fail(id, text);
      throw new Error(text);
    }
    store.bodies[bodyId] = { activityId: id, collection: value, completed: 0, terminated: 0 };
    writeLoopStore(run, id, store);
    if (loop.outputCollection) run.setVariables({ [loop.outputCollection]: value.map(() => null) }, id);
    return value;
  }

  // ---- the instances ------------------------------------------------------------------------

  private onExecute(routingKey: string, message: ElementMessage, tag: string): void {
    const content = message.content;
    if (content.id !== this.activity.id) return;
    const run = this.run;
    if (!isLoopInstance(content)) {
      // the body itself ends: forget its items and instances
      if (['execute.completed', 'execute.discard', 'execute.error', 'execute.cancel'].includes(routingKey)) {
        this.activity.broker.cancel(tag);
        this.forgetBody(content.executionId);
      }
      return;
    }
    const bodyId = this.bodyIdOf(content);
    try {
      switch (routingKey) {
        case 'execute.start':
          return this.onInstanceStart(content);
        case 'execute.completed':
          return this.onInstanceEnd(bodyId, content, true);
        case 'execute.discard':
        case 'execute.cancel':
          return this.onInstanceEnd(bodyId, content, false);
      }
    } catch (err) {
      run.fail(this.activity.id, feelErrorMessage(err, `多实例 ${this.activity.id} 出错 (multi-instance failed)`));
    }
  }

  private bodyIdOf(content: ElementContent): string {
    const executionId = content.executionId;
    return executionId.slice(0, executionId.lastIndexOf('_'));
  }

  private onInstanceStart(content: ElementContent): void {
    const run = this.run;
    const id = this.activity.id;
    const loop = run.info(id)?.loop;
    const store = readLoopStore(run.processEnvironment(id));
    if (store.instances[content.executionId]) return; // resumed
    const index = Number(content.index);
    const locals: Record<string, unknown> = { loopCounter: index + 1 };
    if (loop?.inputElement) locals[loop.inputElement] = content[loop.inputElement] ?? null;
    store.instances[content.executionId] = locals;
    writeLoopStore(run, id, store);
    // its messages carry the body's isRecovered when the body was recovered: this instance is new
    run.startedInstances.add(content.executionId);
  }

  private onInstanceEnd(bodyId: string, content: ElementContent, completed: boolean): void {
    const run = this.run;
    const id = this.activity.id;
    const loop = run.info(id)?.loop;
    // the instance's own wait (a user task instance): bpmn-elements reports leave for the body only
    run.removeWaits(content.executionId);
    const store = readLoopStore(run.processEnvironment(id));
    const body = store.bodies[bodyId];
    if (!body) return;
    if (completed) body.completed++;
    else body.terminated++;
    writeLoopStore(run, id, store);
    if (!completed || !loop?.outputCollection) return;
    const index = Number(content.index);
    const result = run.instanceResults.get(content.executionId) ?? {};
    run.instanceResults.delete(content.executionId);
    const locals = store.instances[content.executionId] ?? {};
    const value = loop.outputElement ? run.evaluate(loop.outputElement, id, { ...locals, ...result }) : null;
    const current = run.variables(id)[loop.outputCollection];
    const list = Array.isArray(current) ? current.slice() : body.collection.map(() => null);
    while (list.length < body.collection.length) list.push(null);
    list[index] = value ?? null;
    run.setVariables({ [loop.outputCollection]: list }, id);
  }

  private completionConditionMet(message: ElementMessage): boolean {
    const run = this.run;
    const id = this.activity.id;
    const loop = run.info(id)?.loop;
    const content = message.content;
    const store = readLoopStore(run.processEnvironment(id));
    const body = store.bodies[this.bodyIdOf(content)];
    const numberOfInstances = body?.collection.length ?? 0;
    const done = (body?.completed ?? 0) + (body?.terminated ?? 0);
    const scope = {
      ...(store.instances[content.executionId] ?? {}),
      numberOfInstances,
      numberOfCompletedInstances: body?.completed ?? 0,
      numberOfTerminatedInstances: body?.terminated ?? 0,
      numberOfActiveInstances: Math.max(0, (loop?.isSequential ? Math.min(1, numberOfInstances - done) : numberOfInstances - done)),
    };
    const text = loop?.completionCondition ?? '';
    try {
      const value = run.evaluate(text, id, scope);
      if (typeof value !== 'boolean') {
        throw new Error(`完成条件的结果必须是布尔值，实际为 ${describe(value)} (a completion condition must give true or false)`);
      }
      return value;
    } catch (err) {
      run.fail(id, feelErrorMessage(err, `多实例 ${id} 的完成条件 ${text} 求值失败 (completionCondition failed)`));
      throw err;
    }
  }

  private forgetBody(bodyId: string): void {
    const run = this.run;
    const id = this.activity.id;
    run.removeWaitsWithin(bodyId);
    const store = readLoopStore(run.processEnvironment(id));
    if (!store.bodies[bodyId]) return;
    delete store.bodies[bodyId];
    for (const key of Object.keys(store.instances)) if (key.startsWith(`${bodyId}_`)) delete store.instances[key];
    writeLoopStore(run, id, store);
  }
}
