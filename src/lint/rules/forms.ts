import type { LintRule, RuleScope } from '../lint-document';
import { extension, isFeel, label, type ModdleElement, nonEmpty } from '../model';

function checkFormDefinition(el: ModdleElement, scope: RuleScope): void {
  const form = extension(el, 'zeebe:FormDefinition');
  if (!form) return;
  const formId = nonEmpty(form.formId);
  const formKey = nonEmpty(form.formKey);
  const external = nonEmpty(form.externalReference);
  if ([formId, formKey, external].filter(Boolean).length > 1) {
    scope.add(el, `${label(el)}的表单只能设置 formId、formKey、externalReference 之一`);
  }
  if (external) scope.add(el, `${label(el)}：不支持外部表单（externalReference "${external}"），请使用 formId`);
  if (formId) {
    if (isFeel(formId)) scope.add(el, `${label(el)}的表单 ID "${formId}" 必须是固定值，不能是 FEEL 表达式`);
    else if (!scope.ctx.hasForm(formId)) scope.add(el, `${label(el)}引用的表单 "${formId}" 不存在`);
    else {
      scope.found.formIds.push(formId);
      if (el.id) (scope.found.formElements[formId] ??= []).push(el.id);
    }
  }
  if (formKey) {
    const m = /^camunda-forms:bpmn:(.+)$/.exec(formKey);
    if (!m) {
      scope.add(el, `${label(el)}的表单键 "${formKey}" 不受支持：请使用 formId，或指向内嵌表单的 camunda-forms:bpmn:<id>`);
    } else if (!scope.embeddedFormIds.has(m[1])) {
      scope.add(el, `${label(el)}引用的内嵌表单 "${m[1]}" 在流程中不存在（zeebe:userTaskForm）`);
    }
  }
  if (!formId && !formKey && !external) scope.add(el, `${label(el)}的 zeebe:formDefinition 没有指定表单`);
}

/**
 * Forms of user tasks and (none) start events: zeebe:formDefinition formId of a known form, or formKey
 * `camunda-forms:bpmn:<id>` pointing at a zeebe:userTaskForm of the process (valid JSON); other
 * formKeys and externalReference are refused.
 */
export const forms: LintRule = {
  name: 'forms',
  description: '表单：formId 须是已有表单，内嵌表单须是有效 JSON',
  process(process, scope) {
    for (const v of process.extensionElements?.values ?? []) {
      if (v.$type !== 'zeebe:UserTaskForm') continue;
      try {
        JSON.parse(v.body ?? '');
      } catch {
        scope.add(process, `${label(process)}的内嵌表单 "${v.id ?? ''}" 不是有效的 JSON`);
      }
    }
  },
  flowNode(el, _container, _outgoing, scope) {
    if (el.$type === 'bpmn:UserTask' || (el.$type === 'bpmn:StartEvent' && (el.eventDefinitions ?? []).length === 0)) checkFormDefinition(el, scope);
  },
};
