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
import { readZeebeModel, type ModdleContextLike, type ZeebeModel } from './zeebe-model';

export interface CompiledDefinition {
  definitionId: string;
  /** the bpmn-moddle context, handed to bpmn-engine as `moddleContext` */
  moddleContext: ModdleContextLike;
  model: ZeebeModel;
}

interface Moddle {
  fromXML(xml: string): Promise<ModdleContextLike>;
}
type ModdleConstructor = new (packages?: Record<string, unknown>) => Moddle;

// bpmn-moddle is ESM-only and ships no types for its entry point: load it through a non-literal
// dynamic import (typed any) and give it the narrow view above.
const BPMN_MODDLE_MODULE: string = 'bpmn-moddle';
let moddlePromise: Promise<Moddle> | undefined;

function getModdle(): Promise<Moddle> {
  moddlePromise ??= import(BPMN_MODDLE_MODULE).then(
    (mod: { BpmnModdle: ModdleConstructor }) => new mod.BpmnModdle({ zeebe: zeebeSchema }),
  );
  return moddlePromise;
}

export const DEFINITION_CACHE_SIZE = 64;

interface Entry {
  xml: string;
  compiled: Promise<CompiledDefinition>;
}

const cache = new Map<string, Entry>();

async function compile(ref: CompiledDefinitionRef): Promise<CompiledDefinition> {
  const moddle = await getModdle();
  const moddleContext = await moddle.fromXML(ref.xml);
  return { definitionId: ref.definitionId, moddleContext, model: readZeebeModel(moddleContext) };
}

/** The parsed definition; concurrent callers for the same id share one parse. */
export function getCompiledDefinition(ref: CompiledDefinitionRef): Promise<CompiledDefinition> {
  const hit = cache.get(ref.definitionId);
  if (hit && hit.xml === ref.xml) {
    // LRU: move to the end
    cache.delete(ref.definitionId);
    cache.set(ref.definitionId, hit);
    return hit.compiled;
  }
  const compiled = compile(ref);
  const entry: Entry = { xml: ref.xml, compiled };
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
