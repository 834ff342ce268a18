import { label, type ModdleElement } from './model';

/**
 * Whether an event sub-process is well formed: no sequence flow in or out, no boundary event, not
 * multi-instance. The walker descends only into one that is (its elements are checked like any
 * sub-process's); otherwise the event-sub-processes rule names what is wrong.
 */
export function eventSubProcessShapeProblems(el: ModdleElement, container: ModdleElement, outgoing: ModdleElement[]): string[] {
  const problems: string[] = [];
  const incoming = (container.flowElements ?? []).filter((f) => f.$type === 'bpmn:SequenceFlow' && f.targetRef === el);
  if (incoming.length || outgoing.length) problems.push(`${label(el)}（事件子流程）不能有进入或离开的顺序流：它由开始事件触发`);
  if ((container.flowElements ?? []).some((b) => b.$type === 'bpmn:BoundaryEvent' && b.attachedToRef === el)) problems.push(`${label(el)}（事件子流程）不能附着边界事件`);
  if (el.loopCharacteristics) problems.push(`${label(el)}（事件子流程）不能是多实例`);
  return problems;
}
