import type { LintRule } from '../lint-document';
import { extension, isFeel, label, nonEmpty } from '../model';

/** Fixed candidate groups exist in the organisation (the server's groups; GET /api/groups in the modeler). */
export const knownGroups: LintRule = {
  name: 'known-groups',
  description: '候选组须是组织机构中存在的组',
  flowNode(el, _container, _outgoing, scope) {
    if (el.$type !== 'bpmn:UserTask') return;
    const groups = nonEmpty(extension(el, 'zeebe:AssignmentDefinition')?.candidateGroups);
    if (!groups || isFeel(groups)) return;
    for (const group of groups.split(',').map((g) => g.trim()).filter(Boolean)) {
      if (!scope.ctx.hasGroup(group)) scope.add(el, `${label(el)}的候选组 "${group}" 不存在`);
    }
  },
};
