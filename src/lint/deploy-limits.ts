/**
 * Deploy-time limits that keep a diagram from stopping, freezing or crashing the server (issue 12),
 * applied to the parsed document before the element-by-element checks of validate-deployment.ts:
 *
 * - **Size**: at most `maxElements` flow elements (activities, events, gateways and sequence flows,
 *   sub-process contents included) per document; default DEFAULT_MAX_DEFINITION_ELEMENTS, setting
 *   `MAX_DEFINITION_ELEMENTS`. A document over the limit is refused with its count and nothing else
 *   is checked.
 * - **Nesting**: embedded sub-processes nest at most MAX_SUBPROCESS_DEPTH deep (the saved state grows
 *   with the square of the depth; real diagrams use two or three levels).
 */

export const DEFAULT_MAX_DEFINITION_ELEMENTS = 2_000;
export const MAX_SUBPROCESS_DEPTH = 50;

export interface LimitElement {
  $type: string;
  id?: string;
  name?: string;
  flowElements?: LimitElement[];
}

export interface LimitProblem {
  elementId: string | null;
  message: string;
}

function countFlowElements(process: LimitElement, stopAbove: number): number {
  let count = 0;
  const stack: LimitElement[] = [process];
  while (stack.length && count <= stopAbove) {
    for (const el of stack.pop()?.flowElements ?? []) {
      count++;
      if (el.flowElements) stack.push(el);
    }
  }
  return count;
}

/** Problems of the size limit (checked first: over it, nothing else is looked at). */
export function sizeProblems(processes: LimitElement[], maxElements: number): LimitProblem[] {
  let total = 0;
  for (const p of processes) total += countFlowElements(p, maxElements - total);
  if (total <= maxElements) return [];
  return [
    {
      elementId: null,
      message: `流程图的元素过多：超过 ${maxElements} 个（活动、事件、网关和顺序流，含子流程内的），请拆分为多个流程（可用调用活动连接）`,
    },
  ];
}

function shown(el: LimitElement): string {
  const name = el.name?.replace(/\s+/g, ' ').trim();
  return name ? `${el.id}（${name.length > 30 ? `${name.slice(0, 30)}…` : name}）` : (el.id ?? '（无 ID）');
}

/** Sub-processes nested too deep. */
export function structureProblems(processes: LimitElement[]): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const stack: { container: LimitElement; depth: number }[] = processes.map((p) => ({ container: p, depth: 0 }));
  while (stack.length) {
    const { container, depth } = stack.pop() as { container: LimitElement; depth: number };
    const elements = container.flowElements ?? [];
    for (const el of elements) {
      if (el.$type === 'bpmn:SubProcess' || el.$type === 'bpmn:Transaction' || el.$type === 'bpmn:AdHocSubProcess') {
        if (depth + 1 > MAX_SUBPROCESS_DEPTH) {
          problems.push({
            elementId: el.id ?? null,
            message: `子流程 ${shown(el)} 嵌套超过 ${MAX_SUBPROCESS_DEPTH} 层，请减少嵌套（可用调用活动拆分）`,
          });
          continue;
        }
        stack.push({ container: el, depth: depth + 1 });
      }
    }
  }
  return problems;
}
