import type { LintRule } from '../lint-document';
import { eventSubProcessShapeProblems } from '../event-sub-process-shape';
import { describeEvent, label } from '../model';
import { EVENT_SUB_PROCESS_TRIGGERS } from '../supported-elements';
import { checkCaughtError, checkEscalation, checkSignal } from './events';

/**
 * Event sub-processes (issue 12 item 12): well formed (above), and started by exactly one message,
 * timer, error (interrupting only), signal or escalation start event. The start's message and timer
 * are checked by the messages and timers rules.
 */
export const eventSubProcesses: LintRule = {
  name: 'event-sub-processes',
  description: '事件子流程：无顺序流、无边界事件、非多实例，由一个消息、定时器、错误、信号或升级开始事件触发',
  flowNode(el, container, outgoing, scope) {
    if (el.$type === 'bpmn:SubProcess' && el.triggeredByEvent) {
      for (const problem of eventSubProcessShapeProblems(el, container, outgoing)) scope.add(el, problem);
      return;
    }
    if (el.$type !== 'bpmn:StartEvent' || !container.triggeredByEvent) return;
    const defs = el.eventDefinitions ?? [];
    if (defs.length !== 1) {
      scope.add(
        el,
        defs.length === 0
          ? `${label(el)}：事件子流程的开始事件须是${EVENT_SUB_PROCESS_TRIGGERS}开始事件，不能是空开始事件`
          : `${label(el)}：事件子流程的开始事件只能有一个事件定义`,
      );
      return;
    }
    const def = defs[0];
    switch (def.$type) {
      case 'bpmn:MessageEventDefinition':
      case 'bpmn:TimerEventDefinition':
        return; // the messages and timers rules
      case 'bpmn:ErrorEventDefinition':
        if (el.isInterrupting === false) scope.add(el, `${label(el)}：错误开始事件必须是中断型（isInterrupting 不能为 false）`);
        checkCaughtError(el, def, scope);
        return;
      case 'bpmn:EscalationEventDefinition':
        checkEscalation(el, def, false, scope);
        return;
      case 'bpmn:SignalEventDefinition':
        checkSignal(el, def, scope);
        return;
      default:
        scope.add(el, `${label(el)}：不支持${describeEvent(el)}作为事件子流程的开始，事件子流程的开始事件须是${EVENT_SUB_PROCESS_TRIGGERS}开始事件`);
    }
  },
};
