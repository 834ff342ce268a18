/**
 * Token semantics of Zeebe where bpmn-elements differs (measured in bpmn-elements 17,
 * src/activity/Activity.js). Installed as a second `extensions` entry: bpmn-elements calls it once
 * per activity instance it builds (on every Engine, after recover too), and we replace two of the
 * instance's methods — the library's prototype is left alone.
 *
 * 1. Outbound tokens. `_doRunOutbound` keeps one outbound message per *target*: two sequence flows
 *    from one element into the same activity (a parallel split wired twice into a task) deliver one
 *    token, so the task ran once. Ours publishes every taken flow (a discard is still sent only when
 *    no flow to that target is taken, as before). The second token waits in the target's durable
 *    inbound queue (kept in the saved state) and starts the activity again when the first
 *    execution leaves: the task runs twice, one after the other (Zeebe would run both at once).
 *
 * 2. Parallel joins. bpmn-elements counts a *discarded* inbound flow as arrived (dead-path
 *    elimination) and counts arrivals per source element, not per flow: an exclusive split followed
 *    by a parallel join completed, and a join after a branch whose exclusive gateway looped back
 *    fired with one real token. Ours follows Zeebe: the join fires when every inbound sequence flow
 *    has delivered a token (one per flow is consumed, more wait for the next firing); discards never
 *    count. When every inbound flow was discarded and none taken (the whole block lies on a path not
 *    taken), the join is discarded as before, so the process can still end — since session 27 a flow not
 *    taken sends no discard (feel-expressions.ts, FeelSequenceFlow.discard), so only a state saved before
 *    holds such discards. A join that got a token
 *    on some flows and a discard on the others waits, as in Zeebe (the instance stays running).
 */
import type { ActivityElement, ElementMessage } from './bpmn-internals';

const kMessageHandlers = Symbol.for('messageHandlers');
const kFlags = Symbol.for('flags');
const kFlows = Symbol.for('flows');

interface OutboundFlow {
  id: string;
  targetId: string;
  action: string;
}

interface QueuedMessage extends ElementMessage {
  pending?: boolean;
  ack(): void;
}

interface InternalActivity extends ActivityElement {
  [kMessageHandlers]: { onInbound: (routingKey: string, message: QueuedMessage) => unknown };
  [kFlags]: { isParallelJoin?: boolean; isStart?: boolean };
  [kFlows]: { inboundSequenceFlows: { id: string }[] };
  _doRunOutbound(outboundList: OutboundFlow[], content: unknown, discardSequence: unknown): OutboundFlow[];
  _publishRunOutbound(flow: OutboundFlow, content: unknown, discardSequence: unknown): void;
  _runDiscard(content: { inbound: unknown[]; discardSequence?: string[] }): void;
  run(content: { inbound: unknown[] }): void;
  broker: ActivityElement['broker'] & {
    getQueue(name: string): { messages: QueuedMessage[] };
    cancel(consumerTag: string): void;
  };
}

export function createTokenExtension(): (element: ActivityElement) => undefined {
  return function govflowTokens(element: ActivityElement): undefined {
    if (element.type === 'bpmn:Process') return undefined;
    const activity = element as InternalActivity;
    if (typeof activity._doRunOutbound !== 'function' || !activity[kMessageHandlers]) return undefined;
    const flags = activity[kFlags];
    if (flags?.isStart && element.type !== 'bpmn:StartEvent' && !isLinkCatch(activity)) flags.isStart = false;
    activity._doRunOutbound = everyTakenFlow;
    if (activity[kFlags]?.isParallelJoin) activity[kMessageHandlers].onInbound = zeebeJoin.bind(null, activity);
    return undefined;
  };
}

function isLinkCatch(activity: InternalActivity): boolean {
  const definitions = (activity.behaviour.eventDefinitions ?? []) as { type?: string }[];
  return definitions.some((d) => d.type === 'bpmn:LinkEventDefinition');
}

function everyTakenFlow(this: InternalActivity, outboundList: OutboundFlow[], content: unknown, discardSequence: unknown): OutboundFlow[] {
  const taken = new Set(outboundList.filter((f) => f.action === 'take').map((f) => f.targetId));
  const discarded = new Set<string>();
  for (const flow of outboundList) {
    if (flow.action !== 'take') {
      if (taken.has(flow.targetId) || discarded.has(flow.targetId)) continue;
      discarded.add(flow.targetId);
    }
    this._publishRunOutbound(flow, content, discardSequence);
  }
  return outboundList;
}

const cloneContent = (content: unknown) => JSON.parse(JSON.stringify(content)) as unknown;

/**
 * The inbound consumer of a parallel join (prefetch 1000: every queued flow message is delivered
 * and held unacknowledged until the join fires). The queue itself is the truth — it is part of the
 * saved state and redelivers what was not acknowledged — so nothing is kept besides it.
 */
function zeebeJoin(activity: InternalActivity, _routingKey: string, _message: QueuedMessage): void {
  const held = activity.broker.getQueue('inbound-q').messages.filter((m) => m.pending);
  const flowIds = activity[kFlows].inboundSequenceFlows.map((f) => f.id);
  const takes = new Map<string, QueuedMessage>();
  for (const m of held) {
    if (m.fields.routingKey === 'flow.take' && !takes.has(m.content.id)) takes.set(m.content.id, m);
  }

  if (flowIds.every((id) => takes.has(id))) {
    // one token per flow fires the join; the discards seen so far are consumed with them
    const used = [...takes.values(), ...held.filter((m) => m.fields.routingKey !== 'flow.take')];
    const inbound = used.map((m) => cloneContent(m.content));
    for (const m of used) m.ack();
    activity.broker.cancel('_run-on-inbound'); // further tokens are requeued for the next firing
    activity.run({ inbound });
    return;
  }

  if (takes.size === 0) {
    const touched = new Set(held.map((m) => m.content.id));
    if (flowIds.every((id) => touched.has(id))) {
      // the whole block is on a path not taken: pass the discard on (bpmn-elements' dead path)
      const discardSequence = new Set<string>();
      for (const m of held) {
        for (const id of (m.content.discardSequence as string[] | undefined) ?? []) discardSequence.add(id);
      }
      const inbound = held.map((m) => cloneContent(m.content));
      for (const m of held) m.ack();
      activity.broker.cancel('_run-on-inbound');
      activity._runDiscard({ inbound, discardSequence: [...discardSequence] });
    }
  }
  // otherwise: wait for a token on every inbound flow
}
