/**
 * The FEEL bridge: bpmn-elements resolves every expression in a diagram through the environment's
 * `expressions` object (Expressions.js: resolveExpression / isExpression / hasExpression). Ours
 * evaluates `=…` as FEEL over the process variables (./feel) and returns any other string as the
 * literal it is — never `${…}` property lookups, never JavaScript.
 *
 * Sequence-flow conditions get Zeebe's condition semantics through our SequenceFlow subclass: taken
 * when the condition evaluates to true, not taken when false, and an incident when it gives null or
 * anything that is not a boolean (Zeebe raises an incident there too); a condition that is
 * not FEEL (no leading '=') is refused as an incident rather than read as a truthy literal, and a
 * condition with a script language is refused (JavaScript from a diagram never runs).
 */
import * as Elements from 'bpmn-elements';
import { evaluateFeel } from './feel';
import type { BpmnEnvironment, ElementContent, ElementMessage } from './bpmn-internals';
import { type RunContext, runContextOf } from './run-context';

export interface ExpressionsApi {
  resolveExpression(expression: unknown, context?: { environment?: BpmnEnvironment; content?: ElementContent }): unknown;
  isExpression(text: unknown): boolean;
  hasExpression(text: unknown): boolean;
}

const isFeel = (text: unknown): text is string => typeof text === 'string' && text.startsWith('=');

/** "<where>: <the FEEL (or other) error message>" for an incident. */
export function feelErrorMessage(err: unknown, where: string): string {
  return `${where}: ${err instanceof Error ? err.message : String(err)}`;
}

export function createFeelExpressions(run: RunContext): ExpressionsApi {
  return {
    resolveExpression(expression, context) {
      if (!isFeel(expression)) return expression;
      const elementId = context?.content?.id ?? null;
      try {
        return run.evaluate(expression, elementId, run.localsOf(context?.content));
      } catch (err) {
        // a FEEL failure is never a business error: make sure it ends as an incident even if a
        // catch-all error boundary would otherwise catch the activity error it causes
        run.fail(elementId, feelErrorMessage(err, `表达式求值失败 (expression failed) ${expression}`));
        throw err;
      }
    },
    isExpression: isFeel,
    hasExpression: isFeel,
  };
}

function describeResult(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

// ---- sequence flows -----------------------------------------------------------------------------

interface FlowCondition {
  type: string;
  execute(message: ElementMessage, callback?: (err: Error | null, result?: boolean) => void): boolean | void;
}

interface SequenceFlowInstance {
  id: string;
  sourceId: string;
  environment: BpmnEnvironment;
  behaviour: { conditionExpression?: { body?: string; language?: string } };
  discard(content?: unknown): unknown;
  _publishEvent(action: string, content: unknown): void;
}

type SequenceFlowConstructor = new (flowDef: unknown, context: unknown) => SequenceFlowInstance;

const BaseSequenceFlow = (Elements as unknown as { SequenceFlow: SequenceFlowConstructor }).SequenceFlow;

export class FeelSequenceFlow extends BaseSequenceFlow {
  /**
   * A flow not taken ends here: no dead-path elimination, as in Zeebe. bpmn-elements sends the discard on to the
   * flow's target, which discards itself and sends a discard down each of its own outgoing flows, and so on along
   * every loop-free path — in a diagram of many exclusive gateways whose 退回 flows meet at one step, a single
   * decision sent about a hundred discards down application-approval, queued in the state of the step waiting
   * there (a 20 KB state grew to 194 KB, and each later action recovered and replayed them). Our joins never
   * count a discard (token-semantics.ts), so nothing downstream needs one: the flow reports itself ended the way
   * bpmn-elements reports a discard it stopped at a loop (`flow.looped`, which the process execution counts as a
   * child completed). While a token move ends the activities it leaves (退回 / 撤回) not even that is sent.
   */
  override discard(content?: unknown): unknown {
    if (runContextOf(this.environment).silentDiscards) return undefined;
    // the process execution matches a flow's events by sequenceId: an event without one would be taken for another's
    const given = (content ?? {}) as { sequenceId?: string };
    this._publishEvent('looped', { ...given, sequenceId: given.sequenceId ?? `${this.id}_discard_${Math.random().toString(16).slice(2, 12)}` });
    return undefined;
  }

  getCondition(): FlowCondition | null {
    const expression = this.behaviour.conditionExpression;
    if (!expression) return null;
    const run = runContextOf(this.environment);
    const { id, sourceId } = this;
    const body = (expression.body ?? '').trim();
    return {
      type: 'feel',
      execute(message, callback) {
        let result = false;
        try {
          if (expression.language) {
            throw new Error(`条件不能使用脚本语言 ${expression.language} (script conditions are refused)`);
          }
          if (!isFeel(body)) {
            throw new Error(`条件必须是以 = 开头的 FEEL 表达式 (a condition must be FEEL, starting with '='): ${body}`);
          }
          // Zeebe: a condition must give a boolean; null or anything else is an incident, never
          // silently "not taken" (which would take the default flow)
          const scope = { ...run.variables(sourceId), ...run.localsOf(message?.content) };
          const value = evaluateFeel(body, scope, run.feelOptions());
          if (typeof value !== 'boolean') {
            throw new Error(
              `条件的结果必须是布尔值，实际为 ${describeResult(value)} (a condition must give true or false, got ${describeResult(value)}): ${body}`,
            );
          }
          result = value;
        } catch (err) {
          run.fail(sourceId, feelErrorMessage(err, `顺序流 ${id} 的条件求值失败 (condition of sequence flow ${id} failed)`));
          if (callback) return callback(err as Error);
          throw err;
        }
        if (callback) return callback(null, result);
        return result;
      },
    };
  }
}
