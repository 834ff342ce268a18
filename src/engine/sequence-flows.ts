import { getCompiledDefinition } from './definition-cache';
import type { CompiledDefinitionRef } from './types';

export interface FlowEdge {
  id: string;
  sourceRef: string;
  targetRef: string;
}

interface FlowElement {
  $type: string;
  id: string;
  sourceRef?: { id: string };
  targetRef?: { id: string };
}

/** The sequence flows of a definition (every process and sub-process), for drawing the path an instance took. */
export async function sequenceFlows(ref: CompiledDefinitionRef): Promise<FlowEdge[]> {
  const { moddleContext } = await getCompiledDefinition(ref);
  const byId = (moddleContext as unknown as { elementsById: Record<string, FlowElement> }).elementsById;
  return Object.values(byId)
    .filter((el) => el.$type === 'bpmn:SequenceFlow' && el.sourceRef && el.targetRef)
    .map((el) => ({ id: el.id, sourceRef: el.sourceRef!.id, targetRef: el.targetRef!.id }));
}

/**
 * The flows an instance took, read from its history: a flow whose source has ended and whose target
 * was entered (at or after the source's end). A loop marks each flow it used.
 */
export function takenFlows(flows: FlowEdge[], history: { activityId: string; startedAt: string; endedAt: string | null }[]): string[] {
  const endedAt = new Map<string, string[]>();
  const startedAt = new Map<string, string[]>();
  for (const h of history) {
    if (h.endedAt) endedAt.set(h.activityId, [...(endedAt.get(h.activityId) ?? []), h.endedAt]);
    startedAt.set(h.activityId, [...(startedAt.get(h.activityId) ?? []), h.startedAt]);
  }
  return flows
    .filter((f) => {
      const ends = endedAt.get(f.sourceRef);
      const starts = startedAt.get(f.targetRef);
      return !!ends && !!starts && starts.some((s) => ends.some((e) => s >= e));
    })
    .map((f) => f.id);
}
