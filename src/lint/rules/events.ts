import type { LintRule } from '../lint-document';
import { displayName, isA, isFeel, label, nonEmpty, onlyDefinition } from '../model';

/**
 * Events: an error end event names an error with an errorCode; a catch event has an event definition;
 * an error boundary event interrupts; a boundary event sits on an activity of its own container.
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
    if (el.$type === 'bpmn:IntermediateCatchEvent' && defs.length === 0) {
      scope.add(el, `${label(el)}没有事件定义：中间捕获事件须是定时器或消息事件`);
    }
    if (el.$type !== 'bpmn:BoundaryEvent') return;
    if (defs.length === 0) scope.add(el, `${label(el)}没有事件定义：边界事件须是定时器、消息或错误事件`);
    if (def?.$type === 'bpmn:ErrorEventDefinition') {
      if (el.cancelActivity === false) scope.add(el, `${label(el)}：错误边界事件必须是中断型（cancelActivity 不能为 false）`);
      const missing = scope.missingReference(def, 'errorRef');
      if (missing !== undefined) {
        scope.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
      } else {
        const code = nonEmpty(def.errorRef?.errorCode);
        if (code && isFeel(code)) scope.add(el, `${label(el)}捕获的错误代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
      }
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
