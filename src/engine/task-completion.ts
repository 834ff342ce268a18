/**
 * What a user task's completion will store, computed before the engine runs it: the element's
 * zeebe:ioMapping outputs (Camunda 8 semantics, the same code the engine runs), and the names a
 * formless task may be completed with (those its output mappings read). The task service uses it to
 * refuse variables a task may not set and to judge completion rules on exactly what will be stored.
 */
import { parseExpression } from '@bpmn-io/feelin';
import { getCompiledDefinition } from './definition-cache';
import { evaluateFeel, type FeelOptions } from './feel';
import { mapOutputs } from './io-mapping';
import type { CompiledDefinitionRef } from './types';
import type { IoMappingEntry } from './zeebe-model';

export interface UserTaskMappings {
  inputs: IoMappingEntry[];
  outputs: IoMappingEntry[];
  /** a multi-instance task: what its outputElement reads of the completion, besides the instance's locals */
  loopReads: string[];
}

export async function userTaskMappings(ref: CompiledDefinitionRef, activityId: string): Promise<UserTaskMappings> {
  const info = (await getCompiledDefinition(ref)).model.elements.get(activityId);
  const loop = info?.loop;
  const locals = new Set(['loopCounter', ...(loop?.inputElement ? [loop.inputElement] : [])]);
  const loopReads = loop?.outputElement
    ? [...namesReadBy([{ source: loop.outputElement, target: 'outputElement' }])].filter((n) => !locals.has(n))
    : [];
  return { inputs: info?.inputs ?? [], outputs: info?.outputs ?? [], loopReads };
}

/** The variables a completion writes into the process (FEEL errors throw FeelError). */
export function storedVariables(
  outputs: IoMappingEntry[],
  processVariables: Record<string, unknown>,
  local: Record<string, unknown> | null,
  submitted: Record<string, unknown>,
  feel: FeelOptions,
): Record<string, unknown> {
  return mapOutputs(outputs, processVariables, local, submitted, (source, scope) =>
    source.startsWith('=') ? evaluateFeel(source, { ...processVariables, ...scope }, feel) : source,
  );
}

/** The variable names the output mappings read: what a task without a form may be completed with. */
export function namesReadBy(outputs: IoMappingEntry[]): Set<string> {
  const names = new Set<string>();
  for (const { source } of outputs) {
    if (!source.startsWith('=')) continue;
    const text = source.slice(1);
    parseExpression(text, {}, undefined).iterate({
      enter(node) {
        if (node.type.name === 'VariableName') names.add(text.slice(node.from, node.to).trim());
      },
    });
  }
  return names;
}

/**
 * The user tasks that sit directly in the executable process (not inside a sub-process), in document
 * order: the steps a token can be moved back to (退回 / 撤回), with whether each is multi-instance.
 */
export async function topLevelUserTasks(ref: CompiledDefinitionRef): Promise<{ id: string; name: string | null; multiInstance: boolean }[]> {
  const compiled = await getCompiledDefinition(ref);
  const out: { id: string; name: string | null; multiInstance: boolean }[] = [];
  for (const el of Object.values(compiled.moddleContext.elementsById)) {
    const e = el as { id?: string; name?: string; $type?: string; $parent?: { $type?: string; id?: string } };
    if (e.$type !== 'bpmn:UserTask' || e.$parent?.$type !== 'bpmn:Process' || !e.id) continue;
    if (ref.processId && e.$parent.id !== ref.processId) continue;
    out.push({ id: e.id, name: e.name ?? null, multiInstance: !!compiled.model.elements.get(e.id)?.loop });
  }
  return out;
}
