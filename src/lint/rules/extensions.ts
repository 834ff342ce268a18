import type { LintRule, RuleScope } from '../lint-document';
import { isFeel, label, type ModdleElement, nonEmpty } from '../model';
import { isRunnable } from '../supported-elements';

function checkMapping(el: ModdleElement, p: ModdleElement, what: string, scope: RuleScope): void {
  const target = nonEmpty(p.target);
  if (!target) {
    scope.add(el, `${label(el)}的${what}缺少目标变量（target）`);
  } else if (isFeel(target)) {
    scope.add(el, `${label(el)}的${what}目标变量 "${target}" 必须是变量名，不能是 FEEL 表达式`);
  }
  const source = nonEmpty(p.source);
  if (source && isFeel(source)) scope.feel(el, `${what} "${target ?? ''}" 的来源`, source);
}

function checkExtensions(el: ModdleElement, scope: RuleScope): void {
  for (const ext of el.extensionElements?.values ?? []) {
    switch (ext.$type) {
      case 'zeebe:IoMapping':
        for (const p of ext.inputParameters ?? []) checkMapping(el, p, '输入映射', scope);
        for (const p of ext.outputParameters ?? []) checkMapping(el, p, '输出映射', scope);
        break;
      case 'zeebe:ExecutionListeners':
        scope.add(el, `${label(el)}：不支持执行监听器（zeebe:executionListeners）`);
        break;
      case 'zeebe:TaskListeners':
        scope.add(el, `${label(el)}：不支持任务监听器（zeebe:taskListeners）`);
        break;
      default:
        break;
    }
  }
}

/** zeebe:ioMapping: targets are variable names, sources FEEL that parses; no execution or task listeners (the runtime would ignore them). */
export const extensions: LintRule = {
  name: 'io-mappings',
  description: '输入/输出映射的目标是变量名、来源是可解析的 FEEL；不支持监听器',
  process: (process, scope) => checkExtensions(process, scope),
  flowNode(el, _container, _outgoing, scope) {
    if (isRunnable(el)) checkExtensions(el, scope);
  },
};
