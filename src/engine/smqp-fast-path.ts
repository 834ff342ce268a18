/**
 * Two shortcuts in smqp, the in-memory message broker that bpmn-elements (smqp 11) and bpmn-engine (smqp 15) run every
 * element on. They change how a message travels, not where it goes or in which order (test/engine/smqp-fast-path.test.ts
 * records the same deliveries with and without them). Measured on the bench's P1 diagram (`bench/run.ts` raw engine):
 * 1,065 broker messages per instance → 261, and about half the engine's CPU per instance.
 *
 * 1. A broker learns of its queues' and exchanges' own events (a consumer added or cancelled, a queue emptied or full,
 *    a queue deleted, a message returned) through an event exchange per entity, bound with '#' to the broker's event
 *    handler: every such event became two messages with generated ids on their way to a handler that ignores most of
 *    them. Here the entity's event exchange calls the handler directly; anything else bound to it (`queue.on(…)`)
 *    still gets the message as before.
 * 2. An exchange routes each published message through a delivery queue of its own (one consumer, one message at a
 *    time: a message published while the exchange is delivering waits until that delivery is done). When that queue
 *    is idle the message is routed at once, as the queue's consumer would route it, with the consumer marked busy
 *    meanwhile — so a message published during the delivery still waits in the queue and is routed right after, in
 *    order, exactly as before. When the queue holds messages, is stopped or has no consumer, the message takes the
 *    queue as before.
 *
 * Both rely on smqp's internals (symbols, prototype methods), which both pinned versions share; `install` checks the
 * shape first and leaves smqp alone when it differs. The engine runner installs them when it loads; ENGINE_FAST_PATH=off
 * pauses them (`createGovFlow`).
 */
import { createRequire } from 'node:module';

const K_BINDINGS = Symbol.for('bindings');
const K_DELIVERY_QUEUE = Symbol.for('deliveryQueue');
const K_STOPPED = Symbol.for('stopped');
const K_TYPE = Symbol.for('type');
const K_CONSUMERS = Symbol.for('consumers');
const K_CONSUMING = Symbol.for('consuming');
const K_INTERNAL_QUEUE = Symbol.for('internalQueue');
const K_EVENT_HANDLER = Symbol.for('eventHandler');
/** ours: the broker's event handler an entity's event exchange calls directly */
const K_BROKER_HANDLER = Symbol('govflow.brokerHandler');

type Handler = (routingKey: string, message: { content: unknown }) => void;

interface SmqpQueue {
  messages: unknown[];
  [K_STOPPED]: boolean;
  [K_CONSUMERS]: SmqpConsumer[];
}

interface SmqpConsumer {
  ready: boolean;
  [K_CONSUMING]: boolean;
  [K_INTERNAL_QUEUE]: SmqpQueue;
  _push(messages: unknown[]): void;
}

interface DeliveryMessage {
  content: { content: unknown; properties: unknown };
  ack(): void;
}

interface SmqpExchange {
  [K_STOPPED]: boolean;
  [K_TYPE]: string;
  [K_BINDINGS]: unknown[];
  [K_DELIVERY_QUEUE]: SmqpQueue;
  [K_BROKER_HANDLER]?: Handler;
  publish(routingKey: string, content?: unknown, properties?: unknown): unknown;
  _emitReturn(routingKey: string, content: unknown, properties: unknown): unknown;
  _onTopicMessage(routingKey: string, message: DeliveryMessage): unknown;
  _onDirectMessage(routingKey: string, message: DeliveryMessage): unknown;
}

interface BrokerEventHandler {
  handler: Handler;
  listen(emitter: SmqpExchange): void;
}

interface SmqpModule {
  Broker: new (owner?: unknown) => {
    [K_EVENT_HANDLER]: BrokerEventHandler;
    assertExchange(name: string, type?: string): SmqpExchange;
  };
}

const patched = new Set<SmqpModule>();
/** off: smqp's own behaviour for what happens from now on (entities already made keep calling their handler) */
let enabled = true;

const ack = (): void => undefined;

function fastPublish(original: SmqpExchange['publish']): SmqpExchange['publish'] {
  return function publish(this: SmqpExchange, routingKey, content, properties) {
    if (this[K_STOPPED]) return;
    const brokerHandler = this[K_BROKER_HANDLER];
    if (brokerHandler) brokerHandler(routingKey, { content });
    if (!enabled) return original.call(this, routingKey, content, properties);
    if (!this[K_BINDINGS].length) return brokerHandler ? undefined : this._emitReturn(routingKey, content, properties);
    const queue = this[K_DELIVERY_QUEUE];
    const consumer = queue[K_CONSUMERS][0];
    if (queue.messages.length || queue[K_STOPPED] || !consumer || !consumer.ready || consumer[K_CONSUMING]) {
      return original.call(this, routingKey, content, properties);
    }
    const message: DeliveryMessage = { content: { content, properties }, ack };
    consumer[K_CONSUMING] = true;
    try {
      if (this[K_TYPE] === 'topic') this._onTopicMessage(routingKey, message);
      else this._onDirectMessage(routingKey, message);
    } finally {
      consumer[K_CONSUMING] = false;
    }
    // what was published meanwhile waits in the queue (and in the consumer's own): routed now, in order
    if (consumer[K_INTERNAL_QUEUE].messages.length) consumer._push([]);
    // what smqp's publish answers for a message its idle queue hands to the consumer: one message handed on
    return 1;
  };
}

function fastListen(original: BrokerEventHandler['listen']): BrokerEventHandler['listen'] {
  return function listen(this: BrokerEventHandler, emitter) {
    if (enabled) emitter[K_BROKER_HANDLER] = this.handler;
    else original.call(this, emitter);
  };
}

/** smqp's shape as this file expects it: the prototypes' methods and the symbol-keyed state on a fresh exchange. */
function shapeHolds(exchange: SmqpExchange, handler: BrokerEventHandler): boolean {
  const queue = exchange[K_DELIVERY_QUEUE];
  const consumer = queue?.[K_CONSUMERS]?.[0];
  return (
    typeof handler?.listen === 'function' &&
    typeof handler.handler === 'function' &&
    Array.isArray(exchange[K_BINDINGS]) &&
    typeof exchange._onTopicMessage === 'function' &&
    typeof exchange._onDirectMessage === 'function' &&
    typeof exchange._emitReturn === 'function' &&
    Array.isArray(queue?.messages) &&
    typeof consumer?._push === 'function' &&
    consumer[K_CONSUMING] === false &&
    Array.isArray(consumer[K_INTERNAL_QUEUE]?.messages)
  );
}

/** The smqp copies in use: bpmn-elements' own (the elements' brokers) and bpmn-engine's (the engine's). */
function smqpModules(): SmqpModule[] {
  const copies = [require.resolve('bpmn-elements'), require.resolve('bpmn-engine')].map(
    (from) => createRequire(from)('smqp') as SmqpModule,
  );
  return [...new Set(copies)];
}

/** Installs both shortcuts in every smqp copy whose shape holds; answers how many copies it changed. */
export function installSmqpFastPath(): number {
  enabled = true;
  for (const smqp of smqpModules()) {
    if (patched.has(smqp)) continue;
    const broker = new smqp.Broker();
    const exchange = broker.assertExchange('govflow-probe', 'topic');
    const handler = broker[K_EVENT_HANDLER];
    if (!shapeHolds(exchange, handler)) continue;
    const exchangeProto = Object.getPrototypeOf(exchange) as SmqpExchange;
    const handlerProto = Object.getPrototypeOf(handler) as BrokerEventHandler;
    patched.add(smqp);
    exchangeProto.publish = fastPublish(exchangeProto.publish);
    handlerProto.listen = fastListen(handlerProto.listen);
  }
  return patched.size;
}

/**
 * Off: smqp behaves as shipped for the entities made from now on and for every message published from now on (the
 * bench's raw engine, the equivalence test); on again with `installSmqpFastPath`.
 */
export function pauseSmqpFastPath(): void {
  enabled = false;
}
