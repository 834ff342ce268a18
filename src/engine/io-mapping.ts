/**
 * zeebe:ioMapping, Camunda 8 style:
 * - inputs (`source` FEEL → `target`) are evaluated in order, each seeing the process variables and
 *   the inputs before it; they are the local variables of the task (what a service handler or a user
 *   task form gets). Without inputs the task sees all process variables.
 * - outputs are evaluated over the process variables + the task's local variables + the result
 *   (service output, completion variables, message variables); each `target` is written to the
 *   process. Without outputs the whole result is merged into the process variables.
 * - a target may be a path (`approval.decision`): the value is merged into the existing object.
 */
import type { RunContext } from './run-context';
import { isPlainRecord } from './variables';
import type { IoMappingEntry } from './zeebe-model';

function setPath(target: Record<string, unknown>, path: string, value: unknown, base: Record<string, unknown>): void {
  const keys = path.split('.').map((k) => k.trim());
  if (keys.length === 1) {
    target[keys[0]] = value;
    return;
  }
  const [head, ...rest] = keys;
  const existing = head in target ? target[head] : base[head];
  const obj: Record<string, unknown> = isPlainRecord(existing) ? { ...existing } : {};
  setPath(obj, rest.join('.'), value, isPlainRecord(existing) ? existing : {});
  target[head] = obj;
}

/** The task's local variables from its input mappings; null when it has none. */
export function evaluateInputs(
  run: RunContext,
  elementId: string,
  inputs: IoMappingEntry[],
  /** variables in scope besides the process variables (a multi-instance instance's inputElement) */
  scope: Record<string, unknown> = {},
): Record<string, unknown> | null {
  if (!inputs.length) return null;
  const local: Record<string, unknown> = {};
  const vars = run.variables(elementId);
  for (const m of inputs) {
    setPath(local, m.target, run.evaluate(m.source, elementId, { ...scope, ...local }), vars);
  }
  return local;
}

/** The variables to write to the process for a completed task / caught message / returned call. */
export function outputVariables(
  run: RunContext,
  elementId: string,
  outputs: IoMappingEntry[],
  local: Record<string, unknown> | null,
  result: Record<string, unknown>,
): Record<string, unknown> {
  return mapOutputs(outputs, run.variables(elementId), local, result, (source, scope) => run.evaluate(source, elementId, scope));
}

/**
 * Camunda 8 output semantics, pure: without outputs the result as it is; else each target from its
 * source, evaluated over the process variables (`vars`), the local variables and the result.
 */
export function mapOutputs(
  outputs: IoMappingEntry[],
  vars: Record<string, unknown>,
  local: Record<string, unknown> | null,
  result: Record<string, unknown>,
  evaluate: (source: string, scope: Record<string, unknown>) => unknown,
): Record<string, unknown> {
  if (!outputs.length) return { ...result };
  const scope = { ...local, ...result };
  const out: Record<string, unknown> = {};
  for (const m of outputs) setPath(out, m.target, evaluate(m.source, scope), vars);
  return out;
}
