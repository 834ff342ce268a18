import type { RuleDetail } from './errors';

/** Names bpmn-engine keeps for itself in a scope (measured): refused as variable names. */
export const RESERVED_VARIABLE_NAMES = ['fields', 'content', 'properties', 'environment'];

const NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** Problems with process variables coming from outside (start, task completion, message). */
export function variableProblems(vars: unknown, maxBytes = 1_000_000): RuleDetail[] {
  if (vars === undefined || vars === null) return [];
  if (typeof vars !== 'object' || Array.isArray(vars)) return [{ field: 'variables', message: 'variables 必须是 JSON 对象' }];
  const problems: RuleDetail[] = [];
  for (const name of Object.keys(vars)) {
    if (!NAME.test(name)) problems.push({ field: name, message: `变量名「${name}」无效：须以字母或下划线开头，只含字母、数字、下划线` });
    else if (RESERVED_VARIABLE_NAMES.includes(name)) problems.push({ field: name, message: `变量名「${name}」是保留名称，请换一个` });
  }
  if (Buffer.byteLength(JSON.stringify(vars)) > maxBytes) problems.push({ field: 'variables', message: `变量总大小超过 ${maxBytes} 字节` });
  return problems;
}

/** Which variables changed between two snapshots (for the history). */
export function changedVariables(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(after)) {
    if (JSON.stringify(before[k]) !== JSON.stringify(v)) changed[k] = v;
  }
  for (const k of Object.keys(before)) if (!(k in after)) changed[k] = null;
  return changed;
}
