import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { installSmqpFastPath, pauseSmqpFastPath } from '../../src/engine/smqp-fast-path';
import { benchDiagram } from '../../bench/profiling';
import { EngineInstance } from '../support/engine-instance';
import { fixture } from '../support/runtime';
import type { CompiledDefinitionRef, RunResult } from '../../src/engine/types';

/**
 * The broker's shortcuts (src/engine/smqp-fast-path.ts, issue 13): the same deliveries in the same order as smqp as
 * shipped — on a broker driven directly (nested publishes, direct and topic exchanges, returns, dead letters, the
 * broker's own bookkeeping) and on whole diagrams run through the engine runner — with a fraction of the messages.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- smqp is untyped JavaScript here */
const fromElements = createRequire(require.resolve('bpmn-elements'));
const elementsSmqpPath = fromElements.resolve('smqp');
type BrokerClass = new (owner?: unknown) => any;
const smqpCopies: [string, BrokerClass][] = [
  ["bpmn-elements' smqp", (fromElements(elementsSmqpPath) as { Broker: BrokerClass }).Broker],
  ["bpmn-engine's smqp", (createRequire(require.resolve('bpmn-engine'))('smqp') as { Broker: BrokerClass }).Broker],
];
/** smqp 11's CommonJS build calls `generateId` through this module's exports: counted by replacing it there */
const shared = fromElements(join(dirname(elementsSmqpPath), 'shared.js')) as { generateId: () => string };

/** counts the ids smqp generates (one per message, queue, consumer) while `work` runs */
async function countIds<T>(work: () => Promise<T>): Promise<{ ids: number; result: T }> {
  const generate = shared.generateId;
  let ids = 0;
  shared.generateId = () => {
    ids++;
    return generate();
  };
  try {
    const result = await work();
    return { ids, result };
  } finally {
    shared.generateId = generate;
  }
}

function withFastPath<T>(on: boolean, work: () => Promise<T>): Promise<T> {
  if (on) installSmqpFastPath();
  else pauseSmqpFastPath();
  return work().finally(() => installSmqpFastPath());
}

/** a broker scenario as a log of what each consumer and listener saw, in order */
function brokerScenario(Broker: BrokerClass): string[] {
  const log: string[] = [];
  const broker = new Broker({ name: 'owner' });
  broker.on('return', (e: any) => log.push(`broker return ${e.fields.routingKey}`));
  broker.assertExchange('topic', 'topic');
  broker.assertExchange('direct', 'direct');
  broker.assertExchange('dlx', 'topic');
  broker.assertQueue('a-q', { durable: true });
  broker.assertQueue('b-q', { durable: true, deadLetterExchange: 'dlx' });
  broker.assertQueue('dead-q', { durable: true });
  broker.assertQueue('d1-q');
  broker.assertQueue('d2-q');
  broker.bindQueue('a-q', 'topic', 'a.#');
  broker.bindQueue('b-q', 'topic', '#');
  broker.bindQueue('dead-q', 'dlx', '#');
  broker.bindQueue('d1-q', 'direct', 'work');
  broker.bindQueue('d2-q', 'direct', 'work');
  broker.getQueue('b-q').on('depleted', () => log.push('b-q depleted'));

  // a consumer that publishes while the exchange is delivering: those wait until this delivery is done
  broker.consume('a-q', (routingKey: string, msg: any) => {
    log.push(`a-q ${routingKey} ${JSON.stringify(msg.content)}`);
    if (routingKey === 'a.first') {
      broker.publish('topic', 'a.nested', { n: 1 });
      broker.publish('topic', 'other.nested', { n: 2 });
      log.push('a-q published two');
    }
    msg.ack();
  });
  // prefetch 2, acked later: the messages wait in the consumer
  const held: any[] = [];
  broker.consume(
    'b-q',
    (routingKey: string, msg: any) => {
      log.push(`b-q ${routingKey}`);
      held.push(msg);
    },
    { prefetch: 2, consumerTag: 'b-tag' },
  );
  broker.consume('dead-q', (routingKey: string, msg: any) => {
    log.push(`dead-q ${routingKey} ${JSON.stringify(msg.content)}`);
    msg.ack();
  });
  for (const q of ['d1-q', 'd2-q']) {
    broker.consume(q, (routingKey: string, msg: any) => {
      log.push(`${q} ${routingKey} ${JSON.stringify(msg.content)}`);
      msg.ack();
    });
  }

  log.push(`published: ${String(broker.publish('topic', 'a.first', { n: 0 }))}`); // what publish answers, too
  log.push(`held ${held.length}`);
  held.shift().ack();
  held.shift().nack(false, false); // dead-lettered
  while (held.length) held.shift().ack();
  for (let i = 0; i < 3; i++) log.push(`published: ${String(broker.publish('direct', 'work', { i }))}`);
  broker.publish('topic', 'nobody.cares', {}, { mandatory: true });
  broker.publish('direct', 'nobody', {}, { mandatory: true });

  // the broker's own bookkeeping: consumers, a duplicate tag, a deleted queue
  log.push(`consumers ${broker.consumerCount}`);
  try {
    broker.consume('a-q', () => undefined, { consumerTag: 'b-tag' });
    log.push('duplicate tag taken');
  } catch (err) {
    log.push(`duplicate tag refused: ${(err as Error).message}`);
  }
  broker.cancel('b-tag');
  log.push(`consumers ${broker.consumerCount}`);
  broker.deleteQueue('d2-q');
  log.push(`d2-q ${broker.getQueue('d2-q') === undefined ? 'gone' : 'kept'} queues ${broker.queueCount}`);
  broker.publish('direct', 'work', { last: true });
  log.push(JSON.stringify(broker.getState()));
  return log;
}

const P1_XML = benchDiagram('XML');
let seq = 0;
const definition = (xml: string): CompiledDefinitionRef => ({ definitionId: `smqp-fast-path:${seq++}`, xml });

/** what a run shows, without the generated execution ids */
function observed(result: RunResult): unknown {
  return {
    state: result.state,
    active: [...result.activeActivityIds].sort(),
    userTasks: result.userTasks.map((t) => t.activityId),
    timers: result.timers.map((t) => [t.activityId, t.dueAt.toISOString()]),
    messages: result.messages.map((m) => m.messageName),
    calls: result.calls.map((c) => c.activityId),
    services: result.services.map((s) => s.activityId),
    history: result.history.map((h) => [h.activityId, h.event, h.outcome ?? null]),
    variables: result.variables,
    incident: result.incident?.message ?? null,
  };
}

/** a diagram driven to its end (or 20 steps): each step completes the first waiting task, else lets the first timer fall due */
async function drive(xml: string, variables: Record<string, unknown>): Promise<unknown[]> {
  const instance = new EngineInstance(definition(xml));
  const trace = [observed(await instance.start(variables))];
  for (let step = 0; step < 20 && instance.last.state === 'running'; step++) {
    const task = instance.last.userTasks[0];
    if (task) {
      trace.push(observed(await instance.run({ kind: 'complete-task', executionId: task.executionId, variables: { decision: 'approve', approved: true, opinion: '同意' } })));
    } else if (instance.last.timers.length) {
      instance.now = new Date(Math.min(...instance.last.timers.map((t) => t.dueAt.getTime())) + 1000);
      trace.push(observed(await instance.resume()));
    } else break;
  }
  return trace;
}

const DIAGRAMS: [string, string, Record<string, unknown>][] = [
  ['the bench diagram (start → user task → end)', P1_XML, {}],
  ['a parallel multi-instance review with a deadline', fixture('multi-sign-deadline.bpmn'), { experts: ['sjj', 'czj', 'fgw'] }],
  ['event sub-processes', fixture('event-subprocesses.bpmn'), {}],
  ['timers meeting at a join', fixture('rendezvous-timers.bpmn'), {}],
  ['escalation', fixture('escalation.bpmn'), {}],
  ['第16条 implementation and acceptance (processes/)', readFileSync(join(__dirname, '../../processes/implementation-acceptance.bpmn'), 'utf8'), { projectId: 1, budget: 800000 }],
];

describe('the broker shortcuts (smqp fast path)', () => {
  after(() => installSmqpFastPath());

  for (const [copy, Broker] of smqpCopies) {
    it(`delivers on a broker exactly as ${copy} as shipped: order, nesting, returns, dead letters, bookkeeping, state`, async () => {
      const shipped = await withFastPath(false, async () => brokerScenario(Broker));
      const fast = await withFastPath(true, async () => brokerScenario(Broker));
      expect(shipped).to.include('dead-q a.nested {"n":1}'); // the scenario reaches what it means to reach
      expect(shipped.some((l) => l.startsWith('duplicate tag refused'))).to.equal(true);
      expect(shipped).to.include('d2-q gone queues 3'); // b-q, its consumer cancelled, went with it (autoDelete)
      expect(fast).to.deep.equal(shipped);
    });
  }

  for (const [name, xml, variables] of DIAGRAMS) {
    it(`runs ${name} as the engine as shipped does, step by step`, async () => {
      const shipped = await withFastPath(false, () => drive(xml, variables));
      const fast = await withFastPath(true, () => drive(xml, variables));
      expect(shipped.length).to.be.greaterThan(1);
      expect(fast).to.deep.equal(shipped);
    });
  }

  it('makes fewer than half the broker messages for an instance of the bench diagram', async () => {
    const run = () => drive(P1_XML, {});
    const shipped = await withFastPath(false, () => countIds(run));
    const fast = await withFastPath(true, () => countIds(run));
    expect(fast.result).to.deep.equal(shipped.result);
    expect(shipped.ids).to.be.greaterThan(500);
    expect(fast.ids).to.be.lessThan(shipped.ids / 2);
  });
});
