/**
 * The ISO-8601 subset timer definitions use: durations (P1Y2M3W4DT5H6M7.5S), dates and date-times,
 * and repeating intervals (R3/PT1H, R/P1D, R5/2026-01-01T09:00:00+08:00/P1W).
 *
 * Calendar arithmetic is done on the Asia/Shanghai wall clock (UTC+8 all year, no DST, so the fixed
 * offset is exact): P1M from 01-31 is the last day of February (clamped, like java.time and Zeebe),
 * P1D is always 24 hours. A date without a time (2026-10-08) is 00:00 Asia/Shanghai of that day; a
 * date-time without an offset is Shanghai local time.
 */

const OFFSET_MS = 8 * 3_600_000;

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export interface IsoCycle {
  /** number of occurrences; -1 = unbounded (R/…) */
  repetitions: number;
  start: Date | null;
  interval: IsoDuration;
}

export class IsoFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IsoFormatError';
  }
}

const DURATION_RE =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

export function isDurationText(text: string): boolean {
  return DURATION_RE.test(text.trim());
}

export function parseDuration(text: string): IsoDuration {
  const m = DURATION_RE.exec(text.trim());
  if (!m) throw new IsoFormatError(`不是 ISO-8601 时长 (not an ISO-8601 duration): ${text}`);
  const n = (s: string | undefined) => (s ? Number(s.replace(',', '.')) : 0);
  return {
    years: n(m[1]),
    months: n(m[2]),
    weeks: n(m[3]),
    days: n(m[4]),
    hours: n(m[5]),
    minutes: n(m[6]),
    seconds: n(m[7]),
  };
}

/**
 * The latest year a due date may have. Due dates are stored in the database (DATETIME on MySQL,
 * which ends at 9999; ISO text on SQLite, which compares correctly only with four-digit years): a
 * timer or task due later is refused at deploy, and is an incident when FEEL computes it.
 */
export const MAX_DUE_YEAR = 9999;
/** the earliest year (MySQL's DATETIME starts at 1000) */
export const MIN_DUE_YEAR = 1000;

/** Throws IsoFormatError unless the instant is a real date with a year from MIN_DUE_YEAR to MAX_DUE_YEAR (Shanghai time). */
export function assertStorableDate(date: Date, text: string): Date {
  const local = new Date(date.getTime() + OFFSET_MS);
  const year = local.getUTCFullYear();
  if (!Number.isFinite(date.getTime()) || year < MIN_DUE_YEAR || year > MAX_DUE_YEAR) {
    throw new IsoFormatError(
      `到期时间超出可保存的范围（${MIN_DUE_YEAR} 年至 ${MAX_DUE_YEAR} 年）(a due date must lie in the years ${MIN_DUE_YEAR}–${MAX_DUE_YEAR}): ${text}`,
    );
  }
  return date;
}

/** Adds a duration to an instant, calendar parts on the Shanghai wall clock; a result past the year 9999 throws. */
export function addDuration(from: Date, d: IsoDuration): Date {
  const result = addDurationUnchecked(from, d);
  return assertStorableDate(result, durationText(d));
}

function durationText(d: IsoDuration): string {
  const date = `${d.years ? `${d.years}Y` : ''}${d.months ? `${d.months}M` : ''}${d.weeks ? `${d.weeks}W` : ''}${d.days ? `${d.days}D` : ''}`;
  const time = `${d.hours ? `${d.hours}H` : ''}${d.minutes ? `${d.minutes}M` : ''}${d.seconds ? `${d.seconds}S` : ''}`;
  return `P${date}${time ? `T${time}` : ''}`;
}

function addDurationUnchecked(from: Date, d: IsoDuration): Date {
  if (Math.abs(d.years) > 100_000 || Math.abs(d.months) > 1_200_000) return new Date(NaN);
  const local = new Date(from.getTime() + OFFSET_MS);
  if (d.years || d.months) {
    const day = local.getUTCDate();
    const totalMonths = local.getUTCFullYear() * 12 + local.getUTCMonth() + d.years * 12 + d.months;
    const year = Math.floor(totalMonths / 12);
    const month = totalMonths - year * 12;
    const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    local.setUTCFullYear(year, month, Math.min(day, lastDay));
  }
  const ms =
    ((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60) * 1000 + Math.round(d.seconds * 1000);
  return new Date(local.getTime() + ms - OFFSET_MS);
}

function validDay(y: number, mo: number, d: number): boolean {
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

export function isDateText(text: string): boolean {
  const t = text.trim();
  return DATE_RE.test(t) || DATE_TIME_RE.test(t);
}

/** A date (00:00 Asia/Shanghai) or a date-time (offset, Z, or Shanghai local when absent). */
export function parseDateTime(text: string): Date {
  const t = text.trim();
  const d = DATE_RE.exec(t);
  if (d) {
    const [y, mo, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
    if (!validDay(y, mo, day)) throw new IsoFormatError(`无效的日期 (invalid date): ${text}`);
    return assertStorableDate(new Date(Date.UTC(y, mo - 1, day) - OFFSET_MS), text);
  }
  const m = DATE_TIME_RE.exec(t);
  if (!m || !validDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new IsoFormatError(`不是 ISO-8601 日期或日期时间 (not an ISO-8601 date or date-time): ${text}`);
  }
  let zone = m[8];
  if (!zone) zone = '+08:00';
  else if (/^[+-]\d{4}$/.test(zone)) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7] ?? ''}${zone}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new IsoFormatError(`无效的日期时间 (invalid date-time): ${text}`);
  return assertStorableDate(new Date(ms), text);
}

function durationIsPositive(d: IsoDuration): boolean {
  return d.years + d.months + d.weeks + d.days + d.hours + d.minutes + d.seconds > 0;
}

/** R<n>/<duration>, R<n>/<start>/<duration>, R<n>/<duration>/<end> (the end is ignored), R/… unbounded. */
export function parseCycle(text: string): IsoCycle {
  const t = text.trim();
  const parts = t.split('/');
  const rep = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!rep || parts.length < 2 || parts.length > 3) {
    throw new IsoFormatError(
      `不是 ISO-8601 重复周期，仅支持 R<次数>/<时长> 形式，不支持 cron (not an ISO-8601 repeating interval like R3/PT1H; cron is not supported): ${text}`,
    );
  }
  const repetitions = rep[1] === '' ? -1 : Number(rep[1]);
  let start: Date | null = null;
  let interval: IsoDuration;
  if (parts.length === 2) {
    interval = parseDuration(parts[1]);
  } else if (isDurationText(parts[1])) {
    interval = parseDuration(parts[1]);
  } else {
    start = parseDateTime(parts[1]);
    interval = parseDuration(parts[2]);
  }
  if (!durationIsPositive(interval)) throw new IsoFormatError(`重复周期的间隔必须大于零 (the interval must be positive): ${text}`);
  if (repetitions === 0) throw new IsoFormatError(`重复次数必须大于零 (R0 never fires): ${text}`);
  return { repetitions, start, interval };
}

function scaled(d: IsoDuration, k: number): IsoDuration {
  return {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  };
}

/**
 * The first occurrence after `after` on the grid anchor + k·interval (k ≥ 1). Keeps the cadence of a
 * cycle and coalesces the occurrences missed while nothing ran into the one that fires now.
 */
export function nextOccurrence(anchor: Date, interval: IsoDuration, after: Date): Date {
  if (!interval.years && !interval.months) {
    const step = addDurationUnchecked(new Date(0), interval).getTime();
    if (!Number.isFinite(step) || step <= 0) throw new IsoFormatError('重复周期的间隔无效 (invalid interval)');
    const k = Math.max(1, Math.floor((after.getTime() - anchor.getTime()) / step) + 1);
    return new Date(anchor.getTime() + k * step);
  }
  // calendar intervals (months vary in length): anchor + k·interval, k counted up (bounded)
  for (let k = 1; k <= 100_000; k++) {
    const next = addDuration(anchor, scaled(interval, k));
    if (next.getTime() > after.getTime()) return next;
  }
  return addDuration(after, interval);
}
