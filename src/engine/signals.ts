/**
 * Signals (issue 12 item 13), Zeebe semantics: a thrown signal is *broadcast* — every waiting signal catch
 * of that name in every instance gets it, once. bpmn-elements delivers a throw only inside the engine
 * that threw it (in memory, to the same instance), so our SignalEventDefinition (installed through the
 * `elements` option):
 *
 * - **throw** (intermediate throw event, end event): records a `ThrownSignal` (name and the event's
 *   zeebe:ioMapping inputs as variables) and completes; nothing is delivered in memory. The runtime turns
 *   each into a `broadcast-signal` job after the commit, which reaches every subscription row of that
 *   name — this instance's own catches included (in a later unit of work).
 * - **catch** (intermediate catch, boundary, event sub-process signal start): bpmn-elements' own wait
 *   (`activity.wait` with `content.signal`), reported by the listener as a `SignalWait` (a
 *   `signal_subscriptions` row); the `broadcast-signal` action signals it. A non-interrupting boundary
 *   stays subscribed while its activity runs (it publishes `execute.repeat`, as message boundaries do).
 */
import * as Elements from 'bpmn-elements';
import type { ActivityElement, ElementContent, ElementMessage } from './bpmn-internals';
import { feelErrorMessage } from './feel-expressions';
import { evaluateInputs } from './io-mapping';
import { runContextOf } from './run-context';

interface SignalEventDefinitionInstance {
  activity: ActivityElement;
  broker: ActivityElement['broker'];
  isThrowing: boolean;
  _getReferenceInfo(message: ElementMessage): { message: { name?: unknown } };
  _complete(output: unknown, options?: object): void;
}

type SignalEventDefinitionConstructor = new (activity: ActivityElement, eventDefinition: unknown) => SignalEventDefinitionInstance;

const BaseSignalEventDefinition = (Elements as unknown as { SignalEventDefinition: SignalEventDefinitionConstructor }).SignalEventDefinition;

const kExecuteMessage = Symbol.for('executeMessage');

export class BroadcastSignalEventDefinition extends BaseSignalEventDefinition {
  executeThrow(executeMessage: ElementMessage): void {
    const activity = this.activity;
    const run = runContextOf(activity.environment);
    const content = executeMessage.content;
    const name = this._getReferenceInfo(executeMessage).message.name;
    const signalName = typeof name === 'string' ? name.trim() : '';
    if (!signalName || signalName.startsWith('=')) {
      run.fail(activity.id, `信号抛出事件 ${activity.id} 没有信号名称 (signal throw without a signal name)`);
      return;
    }
    let variables: Record<string, unknown>;
    try {
      variables = evaluateInputs(run, activity.id, run.info(activity.id)?.inputs ?? [], run.localsOf(content)) ?? {};
    } catch (err) {
      run.fail(activity.id, feelErrorMessage(err, `信号抛出事件 ${activity.id} 的输入映射失败 (input mapping failed)`));
      return;
    }
    // a recovered throw (it completed before the state was saved) is not thrown again
    if (!(content.isRecovered || executeMessage.fields.redelivered)) run.thrownSignals.push({ activityId: activity.id, signalName, variables });
    this.broker.publish('execution', 'execute.completed', JSON.parse(JSON.stringify(content)) as ElementContent);
  }

  override _complete(output: unknown, options?: object): void {
    const activity = this.activity;
    const nonInterruptingBoundary =
      activity.type === 'bpmn:BoundaryEvent' && (activity.behaviour as { cancelActivity?: boolean }).cancelActivity === false;
    const executeMessage = (this as unknown as Record<symbol, { content: ElementContent } | undefined>)[kExecuteMessage];
    if (nonInterruptingBoundary && executeMessage) {
      this.broker.publish('execution', 'execute.repeat', { ...executeMessage.content, repeat: { signal: true } });
    }
    super._complete(output, options);
  }
}
