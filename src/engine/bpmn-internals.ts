/**
 * Narrow structural views of the bpmn-engine / bpmn-elements objects the engine layer touches.
 * bpmn-elements is untyped JavaScript at this level (its .d.ts is mostly `any`), so we describe only
 * the members we use, as we measured them in node_modules/bpmn-elements/src (v17).
 */

export interface MessageParent {
  id: string;
  type: string;
  executionId?: string;
  path?: MessageParent[];
}

/** The content of a broker message published by an element. */
export interface ElementContent {
  id: string;
  type: string;
  executionId: string;
  name?: string;
  parent?: MessageParent;
  /** set by bpmn-elements on messages redelivered after recover() + resume() */
  isRecovered?: boolean;
  inbound?: ElementContent[];
  outbound?: { id: string; action: string; targetId?: string }[];
  /** message catch events / receive tasks: the resolved bpmn:Message reference */
  message?: { id?: string; name?: string; messageType?: string };
  /** error / escalation catch events wait with `expect` */
  expect?: unknown;
  output?: unknown;
  error?: ErrorLike;
  isDefinitionScope?: boolean;
  isRootScope?: boolean;
  [key: string]: unknown;
}

/**
 * A message content copied as bpmn-elements copies one (its messageHelper's cloneContent, which the package does not
 * export): the content shallowly, and the parts that bpmn-elements changes in place on the way (the parent's path,
 * the inbound / outbound / sequence lists, the discard sequence) each a copy of their own; `extend` on top. A JSON
 * round trip would copy more and cost a few times as much — the timer's messages are copied four times per timer.
 */
export function copyContent(content: ElementContent, extend?: Record<string, unknown>): ElementContent {
  const copy: ElementContent = { ...content, ...extend };
  const { parent, inbound, outbound, sequence, discardSequence } = content;
  if (parent) copy.parent = { ...parent, ...(parent.path && { path: parent.path.map((p) => ({ ...p })) }) };
  if (Array.isArray(discardSequence)) copy.discardSequence = discardSequence.slice();
  if (inbound) copy.inbound = inbound.map((c) => copyContent(c));
  if (outbound) copy.outbound = outbound.map((c) => ({ ...c }));
  if (Array.isArray(sequence)) copy.sequence = sequence.map((c) => copyContent(c as ElementContent));
  return copy;
}

export interface ErrorLike {
  message?: string;
  description?: string;
  code?: string;
  name?: string;
  type?: string;
  source?: { content?: { id?: string } };
  inner?: ErrorLike;
}

export interface ElementMessage {
  fields: { routingKey: string; redelivered?: boolean; [key: string]: unknown };
  content: ElementContent;
  properties: { correlationId?: string; type?: string; [key: string]: unknown };
}

export type BrokerCallback = (routingKey: string, message: ElementMessage, owner?: unknown) => void;

export interface ElementBroker {
  publish(exchange: string, routingKey: string, content: object, properties?: object): void;
  subscribeTmp(exchange: string, pattern: string, cb: BrokerCallback, options: object): unknown;
  cancel(consumerTag: string): void;
}

export interface BpmnEnvironment {
  readonly variables: Record<string, unknown>;
  /** the engine options that bpmn-elements does not know; survive every environment clone */
  options: Record<string, unknown>;
  settings: Record<string, unknown>;
  assignVariables(vars: Record<string, unknown>): void;
}

export interface ElementApi {
  id: string;
  type: string;
  name?: string;
  executionId: string;
  content: ElementContent;
  owner?: { isSubProcess?: boolean };
  signal(message?: unknown, options?: object): void;
  discard(): void;
  getPostponed(): ElementApi[];
}

/** An Activity (or, for extensions, also the Process: both are passed to extension functions). */
export interface ActivityElement {
  id: string;
  type: string;
  name?: string;
  isSubProcess?: boolean;
  isRunning?: boolean;
  behaviour: Record<string, unknown>;
  broker: ElementBroker;
  environment: BpmnEnvironment;
  logger: { debug(...args: unknown[]): void; error(...args: unknown[]): void };
  on(eventName: string, cb: (api: ElementApi) => void): void;
  getApi(message?: { content: ElementContent }): ElementApi;
}

export interface ProcessElement {
  id: string;
  type: string;
  isRunning: boolean;
  environment: BpmnEnvironment;
  getApi(): ElementApi;
  getPostponed(): ElementApi[];
  getActivityById(id: string): (ActivityElement & { run(content?: unknown): void; parent?: { id: string } }) | null;
  getActivities(): ActivityElement[];
}

export interface DefinitionElement {
  id: string;
  getProcesses(): ProcessElement[];
  getPostponed(): ElementApi[];
}

/** What an `extensions` entry returns per activity (bpmn-elements calls activate/deactivate). */
export interface ActivityExtension {
  activate(message: ElementMessage): void;
  deactivate(message: ElementMessage): void;
}
