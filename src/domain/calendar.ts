/**
 * The statutory working-day calendar (法定工作日): weekends, public holidays and the adjusted working
 * weekends (调休补班) from the State Council schedules, as published in the `chinese-days` package.
 * Pure functions, no I/O. Every day is an Asia/Shanghai calendar day (UTC+8 all year, no DST), so
 * fixed-offset arithmetic is exact.
 *
 * String shapes: a 'YYYY-MM-DD' input gives a 'YYYY-MM-DD' result; a date-time input (ISO string, or a
 * JS Date) gives an ISO date-time with +08:00 that keeps the Shanghai local time of day. An ISO
 * date-time without an offset is read as Shanghai local time.
 */
// We read the package's published data file, not its isWorkday(): the package builds its tables at load
// time with local-time Date getters, so in any zone west of UTC (e.g. TZ=America/New_York) every
// holiday is shifted one day early (2026-09-30 a holiday, 2026-10-07 a working day). The JSON file is
// zone-independent and equals isWorkday() day by day for 2003–2027 in UTC and Asia/Shanghai.
import calendarData from 'chinese-days/dist/chinese-days.json';

const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

const HOLIDAYS = new Set(Object.keys(calendarData.holidays));
const ADJUSTED_WORKDAYS = new Set(Object.keys(calendarData.workdays)); // 调休补班 weekends

// chinese-days has no "which years do you know" API, and past its data it silently counts weekends
// only. Each year it covers has at least one holiday (元旦), so the years with a holiday entry are the
// covered years (2004–2026 for chinese-days 1.5.7).
const DATA_YEARS = new Set(Object.keys(calendarData.holidays).map((d) => Number(d.slice(0, 4))));
export const CALENDAR_FIRST_YEAR = Math.min(...DATA_YEARS);
export const CALENDAR_LAST_YEAR = Math.max(...DATA_YEARS);

export class CalendarRangeError extends Error {
  constructor(readonly year: number) {
    super(
      `法定节假日日历没有 ${year} 年的数据，无法计算工作日 (no statutory holiday data for ${year}; ` +
        `the calendar covers ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR})`,
    );
    this.name = 'CalendarRangeError';
  }
}

/** A parsed input: `day` counts Shanghai days since 1970-01-01; `timeMs` is null for a date-only input. */
interface Moment {
  day: number;
  timeMs: number | null;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

function invalid(input: unknown): Error {
  return new TypeError(`无效的日期：${String(input)} (invalid date; expected YYYY-MM-DD or an ISO date-time)`);
}

function fromInstant(ms: number): Moment {
  const local = ms + OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, timeMs: local - day * DAY_MS };
}

function parseDay(input: string): number {
  const m = DATE_RE.exec(input);
  const ms = m ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== input) throw invalid(input); // rejects 2026-02-30
  return ms / DAY_MS;
}

function parse(input: string | Date): Moment {
  if (input instanceof Date) {
    if (isNaN(input.getTime())) throw invalid(input);
    return fromInstant(input.getTime());
  }
  if (typeof input !== 'string') throw invalid(input);
  if (DATE_RE.test(input)) return { day: parseDay(input), timeMs: null };
  const m = DATE_TIME_RE.exec(input);
  if (!m) throw invalid(input);
  parseDay(input.slice(0, 10)); // rejects 2026-02-30T…
  const ms = Date.parse(m[3] ? input : `${input}+08:00`);
  if (isNaN(ms)) throw invalid(input);
  return fromInstant(ms);
}

function format({ day, timeMs }: Moment): string {
  const iso = new Date(day * DAY_MS + (timeMs ?? 0)).toISOString(); // UTC fields = Shanghai local fields
  if (timeMs === null) return iso.slice(0, 10);
  return `${iso.slice(0, 19)}${iso.slice(20, 23) === '000' ? '' : iso.slice(19, 23)}+08:00`;
}

function workingDay(day: number): boolean {
  const d = new Date(day * DAY_MS);
  const year = d.getUTCFullYear();
  if (!DATA_YEARS.has(year)) throw new CalendarRangeError(year);
  const iso = d.toISOString().slice(0, 10);
  if (ADJUSTED_WORKDAYS.has(iso)) return true;
  return !HOLIDAYS.has(iso) && d.getUTCDay() !== 0 && d.getUTCDay() !== 6;
}

function checkCount(n: number): void {
  if (!Number.isInteger(n)) throw new TypeError(`工作日数必须是整数：${n} (working-day count must be an integer)`);
}

export function isWorkingDay(date: string | Date): boolean {
  return workingDay(parse(date).day);
}

/**
 * The date `n` working days after `date` (n < 0: before). n = 0 returns `date` itself when it is a
 * working day, else the next working day: "due within 0 working days" of a Saturday is Monday.
 */
export function addWorkingDays(date: string | Date, n: number): string {
  checkCount(n);
  const start = parse(date);
  let day = start.day;
  if (n === 0) {
    while (!workingDay(day)) day++;
  } else {
    workingDay(day); // the start day must be inside the calendar too
    const step = Math.sign(n);
    for (let left = Math.abs(n); left > 0; ) {
      day += step;
      if (workingDay(day)) left--;
    }
  }
  return format({ day, timeMs: start.timeMs });
}

/** Working days after `from` up to and including `to` (negative when `to` is before `from`); times of day are ignored. */
export function workingDaysBetween(from: string | Date, to: string | Date): number {
  const a = parse(from).day;
  const b = parse(to).day;
  workingDay(a);
  workingDay(b);
  let count = 0;
  for (let day = Math.min(a, b) + 1; day <= Math.max(a, b); day++) if (workingDay(day)) count++;
  return b < a ? -count : count;
}

/**
 * Calendar months, clamped to the month end (01-31 + 1 month = 02-28/29). This needs no holiday data,
 * so it works outside the calendar's years.
 */
export function addMonths(date: string | Date, n: number): string {
  if (!Number.isInteger(n)) throw new TypeError(`月数必须是整数：${n} (month count must be an integer)`);
  const start = parse(date);
  const d = new Date(start.day * DAY_MS);
  const month = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), month + 1, 0)).getUTCDate();
  const day = Date.UTC(d.getUTCFullYear(), month, Math.min(d.getUTCDate(), lastDay)) / DAY_MS;
  return format({ day, timeMs: start.timeMs });
}

/** 'YYYY-MM-DD' of the instant in Asia/Shanghai. */
export function toShanghaiDate(d: Date): string {
  return format({ day: parse(d).day, timeMs: null });
}

/** ISO date-time of the instant in Asia/Shanghai, e.g. '2026-09-28T10:00:00+08:00'. */
export function toShanghaiDateTime(d: Date): string {
  return format(parse(d));
}

/** The instant a Shanghai calendar day ('YYYY-MM-DD') starts. */
export function shanghaiDayStart(day: string): Date {
  return new Date(parseDay(day) * DAY_MS - OFFSET_MS);
}
