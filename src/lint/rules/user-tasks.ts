import { parseDateTime } from '../iso8601';
import type { LintRule } from '../lint-document';
import { extension, isFeel, label, type ModdleElement, nonEmpty } from '../model';
import { isoError } from './timers';

/**
 * User tasks: assignee, candidate users and FEEL candidate groups parse; due and follow-up dates are
 * date-times or FEEL; completion rules (zeebe:property rule:<id>) are FEEL. No assignee and no
 * candidates is allowed, as in Zeebe: the task waits in the administrators' unassigned queue.
 */
export const userTasks: LintRule = {
  name: 'user-tasks',
  description: '用户任务：办理人与候选人、到期时间、完成规则',
  flowNode(el, _container, _outgoing, scope) {
    if (el.$type !== 'bpmn:UserTask') return;
    const assignment = extension(el, 'zeebe:AssignmentDefinition');
    const assignee = nonEmpty(assignment?.assignee);
    const groups = nonEmpty(assignment?.candidateGroups);
    const users = nonEmpty(assignment?.candidateUsers);
    if (assignee && isFeel(assignee)) scope.feel(el, '办理人（assignee）', assignee);
    if (users && isFeel(users)) scope.feel(el, '候选人（candidateUsers）', users);
    if (groups && isFeel(groups)) scope.feel(el, '候选组（candidateGroups）', groups);

    const schedule = extension(el, 'zeebe:TaskSchedule');
    for (const [key, what] of [
      ['dueDate', '到期时间（dueDate）'],
      ['followUpDate', '跟进时间（followUpDate）'],
    ] as const) {
      const value = nonEmpty(schedule?.[key]);
      if (!value) continue;
      if (isFeel(value)) {
        scope.feel(el, what, value);
      } else {
        const error = isoError(() => parseDateTime(value));
        if (error) scope.add(el, `${label(el)}的${what} "${value}" 不是日期时间（可写成 FEEL 表达式，以 = 开头）：${error}`);
      }
    }

    // completion rules: zeebe:property rule:<id> = FEEL that must hold when the task is completed
    const properties = extension(el, 'zeebe:Properties')?.properties;
    if (Array.isArray(properties)) {
      for (const p of properties as ModdleElement[]) {
        const name = nonEmpty(p.name);
        if (!name?.startsWith('rule:')) continue;
        const value = nonEmpty(p.value);
        if (!value || !isFeel(value)) scope.add(el, `${label(el)}的完成规则 ${name} 必须是 FEEL 表达式（以 = 开头）`);
        else scope.feel(el, `完成规则 ${name}`, value);
      }
    }
  },
};
