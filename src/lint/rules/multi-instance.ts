import type { LintRule, RuleScope } from '../lint-document';
import { extension, isFeel, label, type ModdleElement, nonEmpty } from '../model';
import { RESERVED_VARIABLE_NAMES } from '../reserved-variables';
import { isRunnable } from '../supported-elements';

/** the elements that may be multi-instance (tested: user tasks and embedded sub-processes) */
const MULTI_INSTANCE_TYPES: ReadonlySet<string> = new Set(['bpmn:UserTask', 'bpmn:SubProcess']);
const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/**
 * Multi-instance (Zeebe): bpmn:multiInstanceLoopCharacteristics with zeebe:loopCharacteristics on
 * a user task or an embedded sub-process; inputCollection FEEL, inputElement / outputCollection
 * variable names, outputElement and completionCondition FEEL. Everything else is refused by name.
 */
function checkLoop(el: ModdleElement, loop: ModdleElement, scope: RuleScope): void {
  if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
    scope.add(el, `${label(el)}：不支持循环（标准循环 ${loop.$type}），请改用多实例（zeebe:loopCharacteristics）或用网关回退`);
    return;
  }
  if (!MULTI_INSTANCE_TYPES.has(el.$type)) {
    scope.add(el, `${label(el)}：多实例只支持用户任务和子流程（不支持 ${el.$type}）`);
    return;
  }
  if (loop.loopCardinality) {
    scope.add(el, `${label(el)}的多实例：不支持 loopCardinality，请用 zeebe:loopCharacteristics 的 inputCollection`);
  }
  for (const v of loop.extensionElements?.values ?? []) {
    if (v.$type !== 'zeebe:LoopCharacteristics') scope.add(el, `${label(el)}的多实例：不支持扩展元素 ${v.$type}`);
  }
  const zeebe = extension(loop, 'zeebe:LoopCharacteristics');
  const inputCollection = nonEmpty(zeebe?.inputCollection);
  if (!inputCollection) {
    scope.add(el, `${label(el)}的多实例缺少输入集合（zeebe:loopCharacteristics inputCollection，如 =experts）`);
  } else if (!isFeel(inputCollection)) {
    scope.add(el, `${label(el)}的多实例输入集合 "${inputCollection}" 必须是以 = 开头的 FEEL 表达式`);
  } else {
    scope.feel(el, '多实例输入集合', inputCollection);
  }
  const names: [string, string][] = [
    ['inputElement', '输入元素变量'],
    ['outputCollection', '输出集合变量'],
  ];
  for (const [property, what] of names) {
    const value = nonEmpty(zeebe?.[property as 'inputElement' | 'outputCollection']);
    if (value === undefined) continue;
    if (!VARIABLE_NAME.test(value)) {
      scope.add(el, `${label(el)}的多实例${what}（${property}）"${value}" 必须是变量名`);
    } else if (RESERVED_VARIABLE_NAMES.has(value) || value === 'loopCounter') {
      scope.add(el, `${label(el)}的多实例${what}（${property}）"${value}" 为引擎保留，不能使用`);
    }
  }
  const outputCollection = nonEmpty(zeebe?.outputCollection);
  const outputElement = nonEmpty(zeebe?.outputElement);
  if (outputElement && !outputCollection) {
    scope.add(el, `${label(el)}的多实例有输出元素（outputElement）而没有输出集合（outputCollection）`);
  }
  if (outputCollection && !outputElement) {
    scope.add(el, `${label(el)}的多实例有输出集合（outputCollection）而没有输出元素（outputElement，如 =approved）`);
  }
  if (outputElement) {
    if (isFeel(outputElement)) scope.feel(el, '多实例输出元素', outputElement);
    else scope.add(el, `${label(el)}的多实例输出元素 "${outputElement}" 必须是以 = 开头的 FEEL 表达式`);
  }
  const condition = loop.completionCondition;
  if (condition) {
    const body = nonEmpty(condition.body);
    if (condition.language && !/feel/i.test(condition.language)) {
      scope.add(el, `${label(el)}的多实例完成条件不能使用脚本语言 ${condition.language}`);
    } else if (!body) {
      scope.add(el, `${label(el)}的多实例完成条件为空`);
    } else if (!isFeel(body)) {
      scope.add(el, `${label(el)}的多实例完成条件 "${body}" 必须是以 = 开头的 FEEL 表达式`);
    } else {
      scope.feel(el, '多实例完成条件', body);
    }
  }
}

export const multiInstance: LintRule = {
  name: 'multi-instance',
  description: '多实例（会签/或签）只用于用户任务和子流程，输入集合等为 FEEL 或变量名',
  flowNode(el, _container, _outgoing, scope) {
    if (isRunnable(el) && el.loopCharacteristics) checkLoop(el, el.loopCharacteristics, scope);
  },
};
