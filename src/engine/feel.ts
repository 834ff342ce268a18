/**
 * FEEL for every condition, mapping and timer expression, on @bpmn-io/feelin.
 *
 * Semantics worth knowing (they are FEEL's, we keep them):
 * - A missing variable or context entry is null (feelin only warns). Comparing or computing with null
 *   gives null (`missing > 3` → null, `true and missing` → null); a sequence-flow condition that gives
 *   null is an incident (feel-expressions.ts, as in Zeebe), a completion rule that gives null is broken.
 * - Variables are JSON, so dates are strings: compare them as `date(deadline) < today()`. feelin
 *   compares a string with a date without complaint (`"2026-01-01" < today()` is just false).
 * - `date and time("2026-09-28T10:00:00")` without an offset uses the server's zone (feelin's choice):
 *   write the offset (+08:00) or `@Asia/Shanghai`.
 * - Numbers are JS doubles (0.1 + 0.2 = 0.30000000000000004), not FEEL decimals.
 *
 * Working days: addWorkingDays / workingDaysBetween count on the calendar passed in (opts.calendar,
 * the platform's statutory calendar data). A day in a year without data counts on weekends only — the
 * result is provisional, not an error: each such year is added to opts.provisional, so the caller can
 * mark what it stores as provisional and compute it again once the year's schedule is entered.
 *
 * Errors: syntax errors, unknown functions (a typo must not silently become null), wrong arguments
 * to a function, and exceptions from functions throw FeelError. feelin's other warnings (missing
 * variable, type mismatch) are FEEL null semantics and are not errors.
 */
import { date as feelDate, evaluate, SyntaxError as FeelSyntaxError } from '@bpmn-io/feelin';
import {
  addMonths,
  addWorkingDays,
  toShanghaiDate,
  toShanghaiDateTime,
  type WorkingCalendar,
  workingDaysBetween,
} from '../domain/calendar';
import { checkFeel } from '../lint/feel-syntax';
import { withParseCache } from './feel-parse-cache';
import { checkResultSize, evaluateInSandbox, FeelBudgetError, needsSandbox } from './feel-sandbox';

export interface FeelOptions {
  /** the clock of now() and today() */
  now: Date;
  /** the statutory calendar addWorkingDays and workingDaysBetween count on */
  calendar: WorkingCalendar;
  /** receives each year without calendar data that a working-day result depended on */
  provisional?: Set<number>;
}

export class FeelError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'FeelError';
  }
}

export function isFeelExpression(s: unknown): s is string {
  return typeof s === 'string' && s.startsWith('=');
}

// the parse-only check is shared with the lint rules the browser runs (src/lint)
export { checkFeel };

function strip(expression: string): string {
  return expression.startsWith('=') ? expression.slice(1) : expression;
}

// Structural views of the luxon objects feelin uses (luxon has no types installed here).
interface LuxonDateTime {
  isLuxonDateTime: true;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  zoneName: string | null;
  toISODate(): string | null;
  toISO(opts?: { suppressMilliseconds?: boolean }): string | null;
  toISOTime(opts?: { suppressMilliseconds?: boolean }): string | null;
}
interface LuxonDuration {
  isLuxonDuration: true;
  years: number;
  months: number;
  shiftTo(...units: string[]): LuxonDuration;
  toISO(): string | null;
}
const isDateTime = (v: unknown): v is LuxonDateTime => (v as LuxonDateTime | null)?.isLuxonDateTime === true;
const isDuration = (v: unknown): v is LuxonDuration => (v as LuxonDuration | null)?.isLuxonDuration === true;

/** feelin's own typing: a FEEL date is midnight UTC, a FEEL time is on 1900-01-01. */
function temporalKind(v: LuxonDateTime): 'date' | 'time' | 'date time' {
  if (v.year === 1900 && v.month === 1 && v.day === 1) return 'time';
  const midnight = v.hour === 0 && v.minute === 0 && v.second === 0 && v.millisecond === 0;
  return midnight && v.zoneName === 'UTC' ? 'date' : 'date time';
}

function toJson(value: unknown, expression: string): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (isDateTime(value)) {
    const kind = temporalKind(value);
    if (kind === 'date') return value.toISODate();
    if (kind === 'time') return value.toISOTime({ suppressMilliseconds: true });
    return value.toISO({ suppressMilliseconds: true });
  }
  if (isDuration(value)) {
    // day-time durations come out of subtraction as milliseconds only (PT86400S); show them as P1D
    return value.years || value.months
      ? value.toISO()
      : value.shiftTo('days', 'hours', 'minutes', 'seconds', 'milliseconds').toISO();
  }
  if (Array.isArray(value)) return value.map((v) => toJson(v, expression));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v, expression)]));
  }
  // functions and ranges (`[1..5]`) cannot be stored as variables
  throw new FeelError(`FEEL 表达式的结果不能保存为变量 (the result is not a storable value): ${expression}`, expression);
}

/** A calendar argument: ISO string as is, FEEL date → 'YYYY-MM-DD', FEEL date and time → ISO with offset. */
function calendarArg(v: unknown): string {
  if (typeof v === 'string') return v;
  if (isDateTime(v) && temporalKind(v) !== 'time') {
    return (temporalKind(v) === 'date' ? v.toISODate() : v.toISO()) ?? '';
  }
  throw new TypeError(`不是日期：${String(v)} (not a date)`);
}

/**
 * A JS function callable from FEEL; feelin takes the parameter names (for named arguments) from `$args`.
 * feelin passes an argument that was not given as undefined: refuse that, as FEEL has no optional
 * parameters here (an explicit or missing-variable null stays null).
 */
function feelFunction(params: string[], fn: (...args: unknown[]) => unknown) {
  const checked = (...args: unknown[]) => {
    if (args.length < params.length || args.includes(undefined)) {
      throw new TypeError(`缺少参数，需要 (${params.join(', ')}) (missing argument)`);
    }
    return fn(...args);
  };
  return Object.assign(checked, { $args: params });
}

// Calendar results are FEEL dates / date-times, so `addWorkingDays(x, 10) > today()` compares;
// the final result is turned back into an ISO string by toJson. Null arguments give null (FEEL style).
function builtins({ now, calendar, provisional }: FeelOptions): Record<string, unknown> {
  return {
    addWorkingDays: feelFunction(['date', 'n'], (d, n) =>
      d == null || n == null ? null : feelDate(addWorkingDays(calendar, calendarArg(d), n as number, provisional)),
    ),
    workingDaysBetween: feelFunction(['from', 'to'], (from, to) =>
      from == null || to == null ? null : workingDaysBetween(calendar, calendarArg(from), calendarArg(to), provisional),
    ),
    addMonths: feelFunction(['date', 'n'], (d, n) =>
      d == null || n == null ? null : feelDate(addMonths(calendarArg(d), n as number)),
    ),
    /** 2026年10月16日: a date (or the date part of a date-time) as a Chinese reader writes it, for notification texts */
    chineseDate: feelFunction(['date'], (d) => {
      if (d == null) return null;
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(calendarArg(d));
      if (!m) throw new TypeError(`不是日期：${String(d)}`);
      return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
    }),
    now: feelFunction([], () => feelDate(toShanghaiDateTime(now))),
    today: feelFunction([], () => feelDate(toShanghaiDate(now))),
  };
}

/**
 * Evaluates a FEEL expression (with or without the leading '='); the result is JSON-friendly.
 * Within the FEEL budget (./feel-sandbox): an expression that may cost more than its length runs
 * in the sandbox worker; breaking the budget throws FeelBudgetError.
 */
export function evaluateFeel(expression: string, context: Record<string, unknown>, opts: FeelOptions): unknown {
  let value: unknown;
  if (needsSandbox(strip(expression))) {
    const reply = evaluateInSandbox({ expression, context, now: opts.now.toISOString(), calendar: opts.calendar });
    if (!reply.ok) throw reply.name === 'FeelBudgetError' ? new FeelBudgetError(reply.message) : new FeelError(reply.message, expression);
    for (const year of reply.provisional) opts.provisional?.add(year);
    value = reply.value;
  } else {
    value = evaluateFeelInline(expression, context, opts);
  }
  checkResultSize(value, expression);
  return value;
}

/** evaluateFeel without the sandbox: for plain expressions, and inside the sandbox worker. */
export function evaluateFeelInline(expression: string, context: Record<string, unknown>, opts: FeelOptions): unknown {
  const source = strip(expression);
  let result: ReturnType<typeof evaluate>;
  try {
    const scope = { ...context, ...builtins(opts) };
    result = withParseCache(source, scope, () => evaluate(source, scope));
  } catch (err) {
    const message =
      err instanceof FeelSyntaxError
        ? (checkFeel(expression) ?? `FEEL 表达式无法解析 (cannot parse FEEL): ${err.message}`)
        : `FEEL 表达式求值失败：${(err as Error).message} (FEEL evaluation failed): ${source.trim()}`;
    throw Object.assign(new FeelError(message, expression), { cause: err });
  }
  const failure = result.warnings.find((w) => w.type === 'NO_FUNCTION_FOUND' || w.type === 'FUNCTION_INVOCATION_FAILURE');
  if (failure) {
    const call = source.slice(failure.position.from, failure.position.to);
    const what = failure.type === 'NO_FUNCTION_FOUND' ? '调用了不存在的函数' : '函数参数不匹配';
    throw new FeelError(`FEEL 表达式${what}：${call} (${failure.message})`, expression);
  }
  return toJson(result.value, expression);
}

/** A condition is taken only when it evaluates to boolean true (null and non-booleans are not). */
export function evaluateFeelCondition(expression: string, context: Record<string, unknown>, opts: FeelOptions): boolean {
  return evaluateFeel(expression, context, opts) === true;
}
