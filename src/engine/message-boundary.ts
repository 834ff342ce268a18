/**
 * Non-interrupting message boundary events stay subscribed (Camunda 8): while the activity they are
 * attached to runs, every matching message triggers them again.
 *
 * bpmn-elements fires such a boundary once. Its BoundaryEvent re-arms itself only when its event
 * definition publishes `execute.repeat` (that is how timer cycles repeat), so our
 * MessageEventDefinition subclass publishes one before completing — only for a non-interrupting
 * boundary event; every other message catch behaves exactly as bpmn-elements' own.
 */
import * as Elements from 'bpmn-elements';
import type { ActivityElement, ElementContent } from './bpmn-internals';

interface MessageEventDefinitionInstance {
  activity: ActivityElement;
  broker: ActivityElement['broker'];
  _complete(verb: string, output: unknown, options?: object): void;
}

type MessageEventDefinitionConstructor = new (activity: ActivityElement, eventDefinition: unknown) => MessageEventDefinitionInstance;

const BaseMessageEventDefinition = (Elements as unknown as { MessageEventDefinition: MessageEventDefinitionConstructor })
  .MessageEventDefinition;

const kExecuteMessage = Symbol.for('executeMessage');

export class RepeatingMessageEventDefinition extends BaseMessageEventDefinition {
  override _complete(verb: string, output: unknown, options?: object): void {
    const activity = this.activity;
    const nonInterruptingBoundary =
      activity.type === 'bpmn:BoundaryEvent' && (activity.behaviour as { cancelActivity?: boolean }).cancelActivity === false;
    const executeMessage = (this as unknown as Record<symbol, { content: ElementContent } | undefined>)[kExecuteMessage];
    if (nonInterruptingBoundary && executeMessage) {
      this.broker.publish('execution', 'execute.repeat', { ...executeMessage.content, repeat: { message: true } });
    }
    super._complete(verb, output, options);
  }
}
