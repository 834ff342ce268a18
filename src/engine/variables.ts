/**
 * Process variables as the engine layer keeps them: JSON data in the root process environment.
 *
 * bpmn-elements' ProcessExecution calls `environment.assignVariables(executeMessage)` on every
 * execute and resume, which writes the broker message's `fields`, `content` and `properties` into
 * the process variables. Those three names are therefore reserved: refused as variable names on the
 * way in, and stripped on the way out.
 */
import { malformed } from '../domain/errors';
import { CYCLE_STORE_VARIABLE, LOOP_STORE_VARIABLE, RESERVED_VARIABLE_NAMES } from '../lint/reserved-variables';

// the names live with the lint rules (src/lint), which refuse them in diagrams in the browser too
export { CYCLE_STORE_VARIABLE, LOOP_STORE_VARIABLE, RESERVED_VARIABLE_NAMES };

export class ReservedVariableError extends Error {
  constructor(readonly names: string[]) {
    super(`变量名 ${names.join('、')} 为引擎保留，不能使用 (reserved variable names: ${names.join(', ')})`);
    this.name = 'ReservedVariableError';
  }
}

export function reservedNamesIn(vars: Record<string, unknown>): string[] {
  return Object.keys(vars).filter((k) => RESERVED_VARIABLE_NAMES.has(k));
}

/** For variables coming with an action: a reserved name is the caller's mistake (400). */
export function assertActionVariables(vars: unknown, what: string): Record<string, unknown> {
  if (vars === undefined || vars === null) return {};
  if (typeof vars !== 'object' || Array.isArray(vars)) {
    throw malformed(`${what}: 变量必须是对象 (variables must be an object)`);
  }
  const record = vars as Record<string, unknown>;
  const reserved = reservedNamesIn(record);
  if (reserved.length) {
    throw malformed(`${what}: ${new ReservedVariableError(reserved).message}`);
  }
  return toJsonRecord(record);
}

/** The variables without the engine's reserved keys. */
export function withoutReserved(vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(vars)) if (!RESERVED_VARIABLE_NAMES.has(k)) out[k] = v;
  return out;
}

/** Variables are data: what the database will give back (Dates become ISO strings, undefined goes). */
export function toJsonRecord(vars: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(vars)) as Record<string, unknown>;
}

export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
