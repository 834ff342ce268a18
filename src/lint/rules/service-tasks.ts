import type { LintRule } from '../lint-document';
import { extension, isFeel, label, type ModdleElement, nonEmpty } from '../model';
import { JOB_WORKER_TASK_TYPES } from '../supported-elements';

/** the handler type of a job-worker task (service, send, business-rule task), when it names one */
export function handlerType(el: ModdleElement): string | undefined {
  if (!JOB_WORKER_TASK_TYPES.includes(el.$type)) return undefined;
  if (el.$type === 'bpmn:BusinessRuleTask' && extension(el, 'zeebe:CalledDecision')) return undefined;
  const type = nonEmpty(extension(el, 'zeebe:TaskDefinition')?.type);
  return type && !isFeel(type) ? type : undefined;
}

/**
 * Service, send and business-rule tasks run a handler: zeebe:taskDefinition with a fixed type;
 * retries a non-negative integer or FEEL; no DMN (zeebe:calledDecision).
 */
export const serviceTasks: LintRule = {
  name: 'service-tasks',
  description: '服务任务须有处理器类型（zeebe:taskDefinition），不支持 DMN',
  flowNode(el, _container, _outgoing, scope) {
    if (!JOB_WORKER_TASK_TYPES.includes(el.$type)) return;
    if (el.$type === 'bpmn:BusinessRuleTask' && extension(el, 'zeebe:CalledDecision')) {
      scope.add(el, `${label(el)}：不支持 DMN 决策（zeebe:calledDecision），请改用服务任务`);
      return;
    }
    const definition = extension(el, 'zeebe:TaskDefinition');
    if (!definition) {
      scope.add(el, `${label(el)}缺少 zeebe:taskDefinition（处理器类型）`);
      return;
    }
    const type = nonEmpty(definition.type);
    if (!type) scope.add(el, `${label(el)}的 zeebe:taskDefinition 没有处理器类型（type）`);
    else if (isFeel(type)) scope.add(el, `${label(el)}的处理器类型 "${type}" 必须是固定值，不能是 FEEL 表达式`);
    const retries = nonEmpty(definition.retries);
    if (retries !== undefined && isFeel(retries)) {
      scope.feel(el, '重试次数（retries）', retries);
    } else if (retries !== undefined && !/^\d{1,4}$/.test(retries)) {
      scope.add(el, `${label(el)}的重试次数（retries）"${retries}" 必须是非负整数或 FEEL 表达式`);
    }
  },
};
