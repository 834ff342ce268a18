import { DEFAULT_MAX_DEFINITION_ELEMENTS, type LimitElement, sizeProblems, structureProblems } from '../deploy-limits';
import type { LintRule } from '../lint-document';
import { displayName, label, nonEmpty } from '../model';

/** executable processes per document, each deployed as its own key */
export const MAX_EXECUTABLE_PROCESSES = 20;

/**
 * The document's shape: at least one and at most MAX_EXECUTABLE_PROCESSES executable processes, each
 * with an id; the size limit (over it nothing else is looked at) and sub-process nesting
 * (../deploy-limits); exactly one none start event per process and sub-process (Zeebe's rule), no
 * flow into a start or boundary event, every element with an id.
 */
export const structure: LintRule = {
  name: 'structure',
  description: '文档结构：可执行流程、元素数量与嵌套、开始事件、元素 ID',
  document(_definitions, processes, executable, scope) {
    if (executable.length === 0) {
      scope.addGlobal(
        null,
        processes.length === 0
          ? '文档中没有流程（bpmn:process）'
          : `文档中没有可执行的流程：请在要部署的流程上设置 isExecutable="true"（现有流程：${processes.map((p) => displayName(p)).join('、')}）`,
      );
      return false;
    }
    // several executable processes: each is deployed as its own key (as Zeebe does)
    if (executable.length > MAX_EXECUTABLE_PROCESSES) {
      scope.addGlobal(null, `文档中有 ${executable.length} 个可执行流程，一个文档最多 ${MAX_EXECUTABLE_PROCESSES} 个`);
      return false;
    }
    const tooLarge = sizeProblems(processes as LimitElement[], scope.ctx.maxElements ?? DEFAULT_MAX_DEFINITION_ELEMENTS);
    if (tooLarge.length) {
      for (const p of tooLarge) scope.addGlobal(p.elementId, p.message);
      return false;
    }
    for (const p of structureProblems(executable as LimitElement[])) scope.addGlobal(p.elementId, p.message);
    for (const p of executable) {
      if (!nonEmpty(p.id)) scope.addGlobal(null, '可执行流程缺少 id（流程的 ID 即部署的流程键）');
    }
    return true;
  },
  container(container, elements, _outgoing, scope) {
    let noneStartEvents = 0;
    for (const el of elements) {
      if (el.$type === 'bpmn:StartEvent' && (el.eventDefinitions ?? []).length === 0) noneStartEvents++;
      const target = el.$type === 'bpmn:SequenceFlow' ? el.targetRef : undefined;
      if (target && (target.$type === 'bpmn:StartEvent' || target.$type === 'bpmn:BoundaryEvent')) {
        scope.add(el, `${label(el)}不能进入${label(target)}：开始事件和边界事件不能有进入的顺序流`);
      }
    }
    if (container.triggeredByEvent) {
      // an event sub-process: exactly one start event, with its trigger (./event-sub-processes.ts)
      const starts = elements.filter((e) => e.$type === 'bpmn:StartEvent').length;
      if (starts !== 1) scope.add(container, `${label(container)}（事件子流程）必须有且只有一个开始事件（现有 ${starts} 个）`);
    } else if (noneStartEvents !== 1) scope.add(container, `${label(container)}必须有且只有一个空开始事件（现有 ${noneStartEvents} 个）`);
  },
  element(el, _container, scope) {
    if (!el.id) scope.add(null, `${label(el)}缺少 id`);
  },
};
