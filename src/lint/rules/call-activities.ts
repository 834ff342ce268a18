import type { LintRule } from '../lint-document';
import { extension, isFeel, label, nonEmpty } from '../model';

/** A call activity names the called process (zeebe:calledElement processId, fixed or FEEL that parses). */
export const callActivities: LintRule = {
  name: 'call-activities',
  description: '调用活动须指定被调用流程的 ID',
  flowNode(el, _container, _outgoing, scope) {
    if (el.$type !== 'bpmn:CallActivity') return;
    const processId = nonEmpty(extension(el, 'zeebe:CalledElement')?.processId);
    if (!processId) scope.add(el, `${label(el)}缺少 zeebe:calledElement processId（被调用流程的 ID）`);
    else if (isFeel(processId)) scope.feel(el, '被调用流程 ID', processId);
    else scope.found.calledProcessIds.push(processId);
  },
};
