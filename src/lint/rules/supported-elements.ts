import type { LintRule } from '../lint-document';
import { describeEvent, KIND_LABELS, label } from '../model';
import { isRunnable, SUPPORTED_ELEMENT_TYPES } from '../supported-elements';

const END_EVENTS = ['bpmn:TerminateEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition'];
const BOUNDARY_EVENTS = ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition'];

/**
 * Only what the runtime executes (../supported-elements.ts): unsupported element types and event
 * kinds, script tasks, compensation, each refused by name (event sub-processes: ./event-sub-processes.ts).
 */
export const supportedElements: LintRule = {
  name: 'supported-elements',
  description: '只能使用引擎支持的元素和事件类型',
  flowNode(el, container, _outgoing, scope) {
    const defs = el.eventDefinitions ?? [];
    const only = defs.length === 1 ? defs[0].$type : undefined;
    if (isRunnable(el) && el.isForCompensation) {
      scope.add(el, `${label(el)}：不支持补偿活动（isForCompensation）`);
    }
    switch (el.$type) {
      case 'bpmn:StartEvent':
        // the start of an event sub-process is the event-sub-processes rule's
        if (container.triggeredByEvent) return;
        if (only === 'bpmn:SignalEventDefinition') {
          scope.unsupported(el, describeEvent(el), '流程的信号开始事件暂不支持（事件子流程的信号开始事件可以）：请用空开始事件启动流程，在流程中用信号捕获事件等待信号');
        } else if (defs.length > 0) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:IntermediateThrowEvent':
        if (defs.length > 0 && !(only === 'bpmn:EscalationEventDefinition' || only === 'bpmn:SignalEventDefinition')) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:EndEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && !END_EVENTS.includes(only)) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:IntermediateCatchEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && !['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition'].includes(only)) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:BoundaryEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && !BOUNDARY_EVENTS.includes(only)) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:SubProcess':
        return;
      case 'bpmn:ScriptTask':
        scope.unsupported(el, '脚本任务', '不允许执行脚本，请改用服务任务（zeebe:taskDefinition）');
        return;
      default:
        if (!SUPPORTED_ELEMENT_TYPES.has(el.$type)) scope.unsupported(el, KIND_LABELS[el.$type]);
    }
  },
};
