import type { RuleDetail } from './errors';
import { groupName, variableLabel } from './labels';

/**
 * Process variables a user task's completion may never write, whatever its form says: who the project
 * is and where it stands (set from the project and by the processes' handlers), and amounts decided by
 * another role — each with the candidate groups whose tasks may set it ([] = no task at all).
 * A diagram may route a value through a task of the deciding role (e.g. 立项 by DRC); a task of any
 * other role writing it is refused (422) and nothing changes.
 */
export const PROTECTED_VARIABLES: Readonly<Record<string, readonly string[]>> = {
  projectId: [],
  projectCode: [],
  projectName: [],
  unitCode: [],
  unitGroup: [],
  supervisorGroup: [],
  classified: [],
  crossDepartment: [],
  participants: [],
  planYear: [],
  // 第5条第（一）项: the 申报批次 a submission fell in (set at submission and by application-reload)
  applicationBatch: [],
  stage: [],
  budgeted: [],
  materials: [],
  investment: [],
  disbursedTotal: [],
  approvedAmount: ['drc', 'district-government'],
  recommendedInvestment: ['experts'],
  // 第7条(二): the Data Bureau picks the experts, from the candidates the process listed
  experts: ['data-bureau'],
  expertCandidates: [],
  expertReviews: [],
  // 第16条: the 初步设计（实施方案）批复 date is recorded by 立项 (drc)
  designApprovedAt: ['drc'],
};

/** One detail per protected variable that a task of these candidate groups would write. */
export function protectedVariableProblems(stored: Record<string, unknown>, taskGroups: string[]): RuleDetail[] {
  const problems: RuleDetail[] = [];
  for (const name of Object.keys(stored)) {
    const writers = PROTECTED_VARIABLES[name];
    if (!writers || writers.some((g) => taskGroups.includes(g))) continue;
    problems.push({
      field: name,
      message: writers.length
        ? `「${variableLabel(name)}」只能由${writers.map(groupName).join('或')}的审批环节确定，此环节不能修改`
        : `「${variableLabel(name)}」由系统根据项目和流程确定，任何环节都不能修改`,
    });
  }
  return problems;
}
