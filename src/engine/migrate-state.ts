/**
 * Instance migration (issue 9 item 7): carries a saved engine state over to another version of its
 * process. Pure: it reads the two parsed definitions and the saved state, decides the fate of every
 * active element, and — when nothing is refused — rewrites the state so that a recover + resume on the
 * target definition goes on where the instance stood. The caller verifies the rewritten state with a
 * quiet run (`reschedule` without timers) on the target and saves it in one transaction.
 *
 * What is kept: every execution id (so user tasks keep their rows — id, assignee, claims —, timers their
 * due dates and jobs), the variables, the counters. Element ids are renamed where the mapping says so;
 * states of elements the target does not have (completed ones: the start event of an old path) are
 * dropped. Refused (nothing changes): an active element without a target element, a target of another
 * type or in another scope, a waiting timer whose definition the target changes (its due date was
 * computed from the old one), an active activity to which the target adds or removes boundary events
 * (they are armed only when the activity starts), a multi-instance element renamed.
 */
import { getCompiledDefinition } from './definition-cache';
import type { CompiledDefinitionRef } from './types';
import type { ModdleContextLike, ModdleElement } from './zeebe-model';

export type ElementFate = 'kept' | 'mapped' | 'refused';

export interface ElementMove {
  from: string;
  to: string | null;
  fate: ElementFate;
  type: string;
  /** the element's name in the source (or its id) */
  name: string | null;
  /** the target's name */
  targetName: string | null;
  /** why it is refused, in Chinese */
  reason?: string;
}

export interface MigrationPlan {
  moves: ElementMove[];
  problems: { elementId: string; message: string }[];
  /** the rewritten state; null when something is refused */
  state: unknown | null;
}

interface StateNode {
  id?: unknown;
  type?: unknown;
  status?: unknown;
  executionId?: unknown;
  children?: StateNode[];
  flows?: { id?: unknown }[];
  execution?: StateNode;
  broker?: { queues?: { messages?: { content?: { id?: unknown } }[] }[] };
  [key: string]: unknown;
}

const RENAMED_KEYS = new Set(['id', 'targetId', 'sourceId', 'attachedTo']);

const label = (el: ModdleElement | undefined): string | null => (el && typeof el.name === 'string' && el.name.trim() ? el.name : null);

/** The scope of an element: the id of its sub-process or process. */
const scopeOf = (el: ModdleElement): string | null => el.$parent?.id ?? null;

function boundaryIds(ctx: ModdleContextLike, attachedTo: string): string[] {
  return Object.values(ctx.elementsById)
    .filter((el) => el.$type === 'bpmn:BoundaryEvent' && (el.attachedToRef as ModdleElement | undefined)?.id === attachedTo)
    .map((el) => el.id!)
    .sort();
}

/** The timer definition of an event as written (its ISO-8601 / FEEL text), or null. */
function timerOf(el: ModdleElement | undefined): string | null {
  const defs = (el?.eventDefinitions as ModdleElement[] | undefined) ?? [];
  const timer = defs.find((d) => d.$type === 'bpmn:TimerEventDefinition');
  if (!timer) return null;
  for (const kind of ['timeDuration', 'timeDate', 'timeCycle']) {
    const expr = timer[kind] as ModdleElement | undefined;
    if (expr && typeof expr.body === 'string') return `${kind}:${expr.body.trim()}`;
  }
  return 'timer';
}

/** The active element states (status set: running, waiting) of the state, into sub-processes. */
function activeNodes(state: unknown): StateNode[] {
  const out: StateNode[] = [];
  const visit = (node: unknown, inChildren: boolean) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const x of node) visit(x, inChildren);
      return;
    }
    const n = node as StateNode;
    if (inChildren && typeof n.id === 'string' && typeof n.type === 'string' && n.status) out.push(n);
    for (const [k, v] of Object.entries(n)) {
      if (k === 'environment' || k === 'broker') continue;
      visit(v, k === 'children');
    }
  };
  visit(state, false);
  return out;
}

function rewrite(node: unknown, rename: Map<string, string>, target: ModdleContextLike): unknown {
  if (Array.isArray(node)) return node.map((x) => rewrite(x, rename, target));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'environment') {
      out[k] = v; // the variables: never touched
    } else if (RENAMED_KEYS.has(k) && typeof v === 'string' && rename.has(v)) {
      out[k] = rename.get(v);
    } else if (k === 'children' || k === 'flows') {
      // the states of elements (and flows) the target does not have are dropped
      out[k] = (rewrite(v, rename, target) as StateNode[]).filter((c) => typeof c?.id !== 'string' || !!target.elementsById[c.id]);
    } else if (k === 'messages' && Array.isArray(v)) {
      out[k] = (rewrite(v, rename, target) as { content?: { id?: unknown } }[]).filter((m) => typeof m?.content?.id !== 'string' || !!target.elementsById[m.content.id]);
    } else {
      out[k] = rewrite(v, rename, target);
    }
  }
  return out;
}

/**
 * Plans the migration of `state` (saved on `source`) to `target`. `mapping` maps source element ids
 * to target ids; an active element not in it keeps its id.
 */
export async function planMigration(
  source: CompiledDefinitionRef,
  target: CompiledDefinitionRef,
  state: unknown,
  mapping: Record<string, string> = {},
): Promise<MigrationPlan> {
  const [from, to] = await Promise.all([getCompiledDefinition(source), getCompiledDefinition(target)]);
  const src = from.moddleContext.elementsById;
  const dst = to.moddleContext.elementsById;
  const problems: MigrationPlan['problems'] = [];
  for (const [a, b] of Object.entries(mapping)) {
    if (!src[a]) problems.push({ elementId: a, message: `映射中的「${a}」不是源版本的环节` });
    if (!dst[b]) problems.push({ elementId: a, message: `映射的目标「${b}」不是目标版本的环节` });
  }
  const targetOf = (id: string) => mapping[id] ?? id;

  const moves: ElementMove[] = [];
  const seen = new Set<string>();
  for (const node of activeNodes(state)) {
    const id = node.id as string;
    if (seen.has(id)) continue; // one element may run several executions (multi-instance)
    seen.add(id);
    const s = src[id];
    const toId = targetOf(id);
    const t = dst[toId];
    const move: ElementMove = { from: id, to: t ? toId : null, fate: toId === id ? 'kept' : 'mapped', type: String(node.type), name: label(s), targetName: label(t) };
    const refuse = (reason: string) => {
      move.fate = 'refused';
      move.reason = reason;
    };
    const shown = label(s) ?? id;
    if (!t) refuse(mapping[id] ? `目标版本没有映射的环节「${toId}」` : `目标版本没有环节「${id}」，请在映射中为它指定目标环节`);
    else if (s && s.$type !== t.$type) refuse(`「${shown}」（${s.$type}）不能迁移到另一类环节「${label(t) ?? toId}」（${t.$type}）`);
    else if (s && targetOf(scopeOf(s) ?? '') !== scopeOf(t) && scopeOf(s) !== scopeOf(t)) refuse(`「${shown}」在目标版本中位于另一个子流程，不能迁移`);
    else if (s && timerOf(s) !== timerOf(t)) refuse(`「${shown}」的定时器在目标版本中已改变（到期时间按原定义算出），不能迁移；请等它触发后再迁移`);
    else if (s && s.$type !== 'bpmn:BoundaryEvent' && boundaryIds(from.moddleContext, id).map(targetOf).sort().join() !== boundaryIds(to.moddleContext, toId).join()) {
      refuse(`「${shown}」的边界事件在目标版本中有增减（边界事件只在环节开始时布设），不能迁移`);
    } else if (s && toId !== id && s.loopCharacteristics) refuse(`多实例环节「${shown}」不能改名迁移`);
    moves.push(move);
    if (move.fate === 'refused') problems.push({ elementId: id, message: move.reason! });
  }
  if (problems.length) return { moves, problems, state: null };

  const rename = new Map(Object.entries(mapping).filter(([a, b]) => a !== b));
  // the document's own id follows the target's (its run messages name it)
  const documentId = (ctx: ModdleContextLike) => Object.values(ctx.elementsById).find((el) => el.$type === 'bpmn:Definitions')?.id;
  const [fromDoc, toDoc] = [documentId(from.moddleContext), documentId(to.moddleContext)];
  if (fromDoc && toDoc && fromDoc !== toDoc) rename.set(fromDoc, toDoc);
  const rewritten = rewrite(state, rename, to.moddleContext) as Record<string, unknown>;
  return { moves, problems, state: rewritten };
}
