import type { LintRule, RuleScope } from '../lint-document';
import { displayName, isA, isFeel, label, type ModdleElement, nonEmpty, onlyDefinition } from '../model';

/**
 * Escalation (issue 12 item 13): a throw must reference an escalation with a fixed escalationCode; a
 * catch may reference one (its code, fixed) or none (every code).
 */
export function checkEscalation(el: ModdleElement, def: ModdleElement, throwing: boolean, scope: RuleScope): void {
  const missing = scope.missingReference(def, 'escalationRef');
  if (missing !== undefined) {
    scope.add(el, `${label(el)}引用的升级 "${missing}" 不存在`);
    return;
  }
  const code = nonEmpty(def.escalationRef?.escalationCode);
  if (throwing && !code) {
    scope.add(el, `${label(el)}须引用带升级代码（escalationCode）的升级（escalationRef）`);
  } else if (code && isFeel(code)) {
    scope.add(el, `${label(el)}的升级代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
  }
}

/** Signals (issue 12 item 13): a reference to a bpmn:signal with a fixed name (broadcast by that name). */
export function checkSignal(el: ModdleElement, def: ModdleElement, scope: RuleScope): void {
  const missing = scope.missingReference(def, 'signalRef');
  if (missing !== undefined) {
    scope.add(el, `${label(el)}引用的信号 "${missing}" 不存在`);
    return;
  }
  if (!def.signalRef) {
    scope.add(el, `${label(el)}没有关联信号（signalRef）`);
    return;
  }
  const name = nonEmpty(def.signalRef.name);
  if (!name) scope.add(el, `${label(el)}关联的信号 "${def.signalRef.id ?? ''}" 没有名称（信号按名称广播）`);
  else if (isFeel(name)) scope.add(el, `${label(el)}的信号名称 "${name}" 必须是固定值，不能是 FEEL 表达式`);
}

/** An error a catch names: it exists, and its code is fixed. */
export function checkCaughtError(el: ModdleElement, def: ModdleElement, scope: RuleScope): void {
  const missing = scope.missingReference(def, 'errorRef');
  if (missing !== undefined) {
    scope.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
  } else {
    const code = nonEmpty(def.errorRef?.errorCode);
    if (code && isFeel(code)) scope.add(el, `${label(el)}捕获的错误代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
  }
}

/**
 * Events: an error end event names an error with an errorCode, an escalation throw an escalation with
 * an escalationCode, a signal event a named signal; a catch event has an event definition; an error
 * boundary event interrupts, an escalation boundary sits on a sub-process; a boundary event sits on an
 * activity of its own container.
 */
export const events: LintRule = {
  name: 'events',
  description: '事件：错误结束事件须有错误代码，边界事件附着在同一流程的活动上',
  flowNode(el, container, _outgoing, scope) {
    const defs = el.eventDefinitions ?? [];
    const def = onlyDefinition(el);
    if (el.$type === 'bpmn:EndEvent' && def?.$type === 'bpmn:ErrorEventDefinition') {
      const missing = scope.missingReference(def, 'errorRef');
      if (missing !== undefined) {
        scope.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
      } else if (!def.errorRef) {
        scope.add(el, `${label(el)}没有引用错误（errorRef），错误结束事件须指定错误代码`);
      } else {
        const code = nonEmpty(def.errorRef.errorCode);
        if (!code) scope.add(el, `${label(el)}引用的错误「${displayName(def.errorRef)}」没有错误代码（errorCode）`);
        else if (isFeel(code)) scope.feel(el, '错误代码', code);
      }
    }
    const throwing = el.$type === 'bpmn:EndEvent' || el.$type === 'bpmn:IntermediateThrowEvent';
    if (throwing && def?.$type === 'bpmn:EscalationEventDefinition') checkEscalation(el, def, true, scope);
    if (def?.$type === 'bpmn:SignalEventDefinition' && (throwing || el.$type === 'bpmn:IntermediateCatchEvent' || el.$type === 'bpmn:BoundaryEvent')) checkSignal(el, def, scope);
    if (el.$type === 'bpmn:IntermediateCatchEvent' && defs.length === 0) {
      scope.add(el, `${label(el)}没有事件定义：中间捕获事件须是定时器、消息或信号事件`);
    }
    if (el.$type !== 'bpmn:BoundaryEvent') return;
    if (defs.length === 0) scope.add(el, `${label(el)}没有事件定义：边界事件须是定时器、消息、错误、信号或升级事件`);
    if (def?.$type === 'bpmn:ErrorEventDefinition') {
      if (el.cancelActivity === false) scope.add(el, `${label(el)}：错误边界事件必须是中断型（cancelActivity 不能为 false）`);
      checkCaughtError(el, def, scope);
    }
    if (def?.$type === 'bpmn:EscalationEventDefinition') {
      checkEscalation(el, def, false, scope);
      const host = el.attachedToRef;
      if (host && host.$type !== 'bpmn:SubProcess') scope.add(el, `${label(el)}：升级边界事件只能附着在子流程上（升级由子流程内的升级事件抛出）`);
    }
    const missingHost = scope.missingReference(el, 'attachedToRef');
    const host = el.attachedToRef;
    if (missingHost !== undefined) {
      scope.add(el, `${label(el)}附着的活动 "${missingHost}" 不存在`);
    } else if (!host) {
      scope.add(el, `${label(el)}没有附着到任何活动（attachedToRef）`);
    } else if (!isA(host, 'bpmn:Activity')) {
      scope.add(el, `${label(el)}附着在${label(host)}上，边界事件只能附着在活动上`);
    } else if (host.$parent !== container) {
      scope.add(el, `${label(el)}与它附着的${label(host)}不在同一个流程或子流程中`);
    }
  },
};
