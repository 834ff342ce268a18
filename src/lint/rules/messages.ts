import type { LintRule, RuleScope } from '../lint-document';
import { extension, isFeel, label, type ModdleElement, nonEmpty, onlyDefinition } from '../model';

function checkMessageRef(el: ModdleElement, holder: ModdleElement, message: ModdleElement | undefined, scope: RuleScope): void {
  const missing = scope.missingReference(holder, 'messageRef');
  if (missing !== undefined) {
    scope.add(el, `${label(el)}引用的消息 "${missing}" 不存在`);
    return;
  }
  if (!message) {
    scope.add(el, `${label(el)}没有关联消息（messageRef）`);
    return;
  }
  const name = nonEmpty(message.name);
  if (!name) {
    scope.add(el, `${label(el)}关联的消息 "${message.id ?? ''}" 没有名称`);
  } else if (isFeel(name)) {
    scope.feel(el, '消息名称', name);
  } else {
    scope.found.messageNames.push(name);
  }
  const subscription = extension(message, 'zeebe:Subscription');
  const key = nonEmpty(subscription?.correlationKey);
  if (key && isFeel(key)) scope.feel(el, `消息「${name ?? message.id ?? ''}」的关联键（correlationKey）`, key);
}

/** Message catch events and receive tasks name a message with a name; FEEL names and correlation keys parse. */
export const messages: LintRule = {
  name: 'messages',
  description: '消息事件和接收任务须关联有名称的消息',
  flowNode(el, container, _outgoing, scope) {
    if (el.$type === 'bpmn:ReceiveTask') {
      checkMessageRef(el, el, el.messageRef, scope);
      return;
    }
    const def = onlyDefinition(el);
    if (def?.$type !== 'bpmn:MessageEventDefinition') return;
    if (el.$type === 'bpmn:IntermediateCatchEvent' || el.$type === 'bpmn:BoundaryEvent' || (el.$type === 'bpmn:StartEvent' && container.triggeredByEvent)) {
      checkMessageRef(el, def, def.messageRef, scope);
    }
  },
};
