/**
 * Parses a definition version once: the bpmn-moddle context (with the zeebe extension) and the
 * zeebe model read from it, kept in a small LRU keyed by definitionId.
 *
 * We cache the moddle context, not bpmn-engine's serialized source: every Engine serializes the
 * context itself with its own element overrides (cheap, synchronous), so nothing mutable is shared
 * between concurrent runs, and the saved engine state does not need to carry the source (see
 * engine-runner.ts: `source` is stripped from the state and supplied again from here on recover).
 */
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';
import type { CompiledDefinitionRef } from './types';
import { readZeebeModel, type ModdleContextLike, type ModdleElement, type ZeebeModel } from './zeebe-model';

export interface CompiledDefinition {
  definitionId: string;
  /** the bpmn-moddle context, handed to bpmn-engine as `moddleContext` */
  moddleContext: ModdleContextLike;
  model: ZeebeModel;
}

interface Moddle {
  fromXML(xml: string): Promise<ModdleContextLike & { rootElement: unknown }>;
  toXML(root: unknown, options?: { format?: boolean }): Promise<{ xml: string }>;
  create(type: string, attrs?: Record<string, unknown>): ModdleElement;
}
type ModdleConstructor = new (packages?: Record<string, unknown>) => Moddle;

// bpmn-moddle is ESM-only and ships no types for its entry point: load it through a non-literal
// dynamic import (typed any) and give it the narrow view above.
const BPMN_MODDLE_MODULE: string = 'bpmn-moddle';
let moddlePromise: Promise<Moddle> | undefined;

/** The shared bpmn-moddle instance with the zeebe extension. */
export function getModdle(): Promise<Moddle> {
  moddlePromise ??= import(BPMN_MODDLE_MODULE).then(
    (mod: { BpmnModdle: ModdleConstructor }) => new mod.BpmnModdle({ zeebe: zeebeSchema }),
  );
  return moddlePromise;
}

export const DEFINITION_CACHE_SIZE = 64;

interface Entry {
  xml: string;
  processId: string | undefined;
  compiled: Promise<CompiledDefinition>;
}

const cache = new Map<string, Entry>();

async function compile(ref: CompiledDefinitionRef): Promise<CompiledDefinition> {
  const moddle = await getModdle();
  const moddleContext = await moddle.fromXML(ref.xml);
  if (ref.processId) onlyExecutable(moddleContext, ref.processId);
  return { definitionId: ref.definitionId, moddleContext, model: readZeebeModel(moddleContext) };
}

/**
 * A document with several executable processes is deployed once per process (issue 12 item 15): the
 * definition of one of them runs only that one — bpmn-engine would start every executable process of
 * the document — so the others are marked not executable in this (private) moddle context.
 */
function onlyExecutable(context: ModdleContextLike, processId: string): void {
  const processes = Object.values(context.elementsById).filter((el) => el.$type === 'bpmn:Process');
  if (!processes.some((p) => p.id === processId)) throw new Error(`文档中没有流程 ${processId} (no process ${processId} in the document)`);
  for (const p of processes) if (p.id !== processId) p.isExecutable = false;
}

/** The parsed definition; concurrent callers for the same id share one parse. */
export function getCompiledDefinition(ref: CompiledDefinitionRef): Promise<CompiledDefinition> {
  const hit = cache.get(ref.definitionId);
  if (hit && hit.xml === ref.xml && hit.processId === ref.processId) {
    // LRU: move to the end
    cache.delete(ref.definitionId);
    cache.set(ref.definitionId, hit);
    return hit.compiled;
  }
  const compiled = compile(ref);
  const entry: Entry = { xml: ref.xml, processId: ref.processId, compiled };
  cache.set(ref.definitionId, entry);
  // a failed parse is not cached
  compiled.catch(() => {
    if (cache.get(ref.definitionId) === entry) cache.delete(ref.definitionId);
  });
  while (cache.size > DEFINITION_CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return compiled;
}

/** For tests. */
export function clearDefinitionCache(): void {
  cache.clear();
}
