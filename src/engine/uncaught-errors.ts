/**
 * An error end event whose error nobody catches is an incident (Zeebe: "Expected to throw an error
 * event with the code '…', but it was not caught"); bpmn-elements ends the process as *completed*.
 *
 * A thrown error is caught by an interrupting error boundary event on an enclosing sub-process
 * (with that errorCode, or without an error reference / code: catch-all), or by an error start
 * event of an event sub-process in an enclosing scope. Which error end events are uncaught is a
 * property of the diagram: computed once per parsed definition, and the run fails as soon as such
 * an end event is entered — the previous state is kept, the incident names the end event and the
 * code. An error end event in a *called* process is not passed to the calling activity (see
 * README "Known limits"): when the called process does not catch it, it is an incident there.
 */
import type { ActivityElement } from './bpmn-internals';
import type { CompiledDefinition } from './definition-cache';
import type { RunContext } from './run-context';

interface Node {
  $type: string;
  id?: string;
  $parent?: Node;
  flowElements?: Node[];
  eventDefinitions?: { $type: string; errorRef?: { errorCode?: string } }[];
  attachedToRef?: Node;
  cancelActivity?: boolean;
  triggeredByEvent?: boolean;
}

const uncaughtByDefinition = new WeakMap<CompiledDefinition, Map<string, string>>();

function errorCodeOf(node: Node): string | null | undefined {
  const def = node.eventDefinitions?.find((d) => d.$type === 'bpmn:ErrorEventDefinition');
  if (!def) return undefined;
  const code = def.errorRef?.errorCode?.trim();
  return code ? code : null; // null: catch-all (or an error without code)
}

function catches(catcher: Node, code: string): boolean {
  const c = errorCodeOf(catcher);
  return c === null || c === code || (typeof c === 'string' && c.startsWith('='));
}

function isCaught(endEvent: Node, code: string): boolean {
  for (let scope = endEvent.$parent; scope; scope = scope.$parent) {
    const container = scope.$parent;
    // an error start event of an event sub-process of this scope
    for (const el of scope.flowElements ?? []) {
      if (el.$type === 'bpmn:SubProcess' && el.triggeredByEvent && el !== endEvent.$parent) {
        if ((el.flowElements ?? []).some((s) => s.$type === 'bpmn:StartEvent' && catches(s, code))) return true;
      }
    }
    if (scope.$type === 'bpmn:Process' || !container) return false;
    // an error boundary event on this sub-process
    for (const el of container.flowElements ?? []) {
      if (el.$type === 'bpmn:BoundaryEvent' && el.attachedToRef === scope && el.cancelActivity !== false && catches(el, code)) return true;
    }
  }
  return false;
}

/** error end event id → its code, for the error end events nothing in the diagram catches */
export function uncaughtErrorEndEvents(definition: CompiledDefinition): Map<string, string> {
  let found = uncaughtByDefinition.get(definition);
  if (found) return found;
  found = new Map();
  const byId = definition.moddleContext.elementsById as unknown as Record<string, Node>;
  for (const [id, el] of Object.entries(byId)) {
    if (el.$type !== 'bpmn:EndEvent') continue;
    const code = errorCodeOf(el);
    if (code === undefined) continue;
    if (code && code.startsWith('=')) continue; // computed at run time: bpmn-elements reports it itself
    if (!isCaught(el, code ?? '')) found.set(id, code ?? '');
  }
  uncaughtByDefinition.set(definition, found);
  return found;
}

/** The `extensions` entry: an uncaught error end event entered → incident. */
export function createUncaughtErrorExtension(run: RunContext): (element: ActivityElement) => undefined {
  const uncaught = uncaughtErrorEndEvents(run.definition);
  return function govflowUncaughtErrors(element: ActivityElement): undefined {
    if (!uncaught.has(element.id)) return undefined;
    element.on('enter', (api) => {
      if (api.id !== element.id) return;
      const code = uncaught.get(element.id) || '（无错误代码）';
      run.fail(
        element.id,
        `未被捕获的 BPMN 错误 ${code}：错误结束事件 ${element.id} 抛出的错误没有任何错误边界事件或事件子流程捕获 ` +
          `(unhandled BPMN error ${code} thrown by the error end event ${element.id})`,
      );
    });
    return undefined;
  };
}
