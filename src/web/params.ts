import { malformed } from '../domain/errors';

/** A path or query parameter that must be a positive whole number (ids, versions): 400 otherwise. */
export function positiveInt(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw malformed(`${name} 必须是正整数`);
  return n;
}
