import type { LintRule } from '../lint-document';
import { describeEvent, KIND_LABELS, label } from '../model';
import { isRunnable, SUPPORTED_ELEMENT_TYPES } from '../supported-elements';

/**
 * Only what the runtime executes (../supported-elements.ts): unsupported element types and event
 * kinds, event sub-processes, script tasks, compensation, each refused by name.
 */
export const supportedElements: LintRule = {
  name: 'supported-elements',
  description: '只能使用引擎支持的元素和事件类型',
  flowNode(el, _container, _outgoing, scope) {
    const defs = el.eventDefinitions ?? [];
    const only = defs.length === 1 ? defs[0].$type : undefined;
    if (isRunnable(el) && el.isForCompensation) {
      scope.add(el, `${label(el)}：不支持补偿活动（isForCompensation）`);
    }
    switch (el.$type) {
      case 'bpmn:StartEvent':
      case 'bpmn:IntermediateThrowEvent':
        if (defs.length > 0) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:EndEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && only !== 'bpmn:TerminateEventDefinition' && only !== 'bpmn:ErrorEventDefinition') scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:IntermediateCatchEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && !['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'].includes(only)) scope.unsupported(el, describeEvent(el));
        return;
      case 'bpmn:BoundaryEvent':
        if (defs.length > 1) scope.unsupported(el, '多个事件定义');
        else if (only && !['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition'].includes(only)) {
          scope.unsupported(el, describeEvent(el));
        }
        return;
      case 'bpmn:SubProcess':
        if (el.triggeredByEvent) scope.unsupported(el, '事件子流程');
        return;
      case 'bpmn:ScriptTask':
        scope.unsupported(el, '脚本任务', '不允许执行脚本，请改用服务任务（zeebe:taskDefinition）');
        return;
      default:
        if (!SUPPORTED_ELEMENT_TYPES.has(el.$type)) scope.unsupported(el, KIND_LABELS[el.$type]);
    }
  },
};
