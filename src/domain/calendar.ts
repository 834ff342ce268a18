/**
 * The statutory working-day calendar (法定工作日): weekends, public holidays and the adjusted working
 * weekends (调休补班) from the State Council schedules. The data is the platform's own (a database
 * table, seeded from the `chinese-days` package and extended by administrators); these functions are
 * pure and take it as a `WorkingCalendar`.
 *
 * A year the calendar has no schedule for is counted on weekends only: the result is *provisional*,
 * never an error. Every function that counts working days takes an optional `provisional` set and
 * adds to it each year without data that the result depended on, so that the caller can mark the
 * result provisional and compute it again once the year's schedule is entered.
 *
 * Every day is an Asia/Shanghai calendar day (UTC+8 all year, no DST), so fixed-offset arithmetic is
 * exact. String shapes: a 'YYYY-MM-DD' input gives a 'YYYY-MM-DD' result; a date-time input (ISO
 * string, or a JS Date) gives an ISO date-time with +08:00 that keeps the Shanghai local time of day.
 * An ISO date-time without an offset is read as Shanghai local time.
 */

const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** One year's State Council schedule: its public holidays and its adjusted working weekends (调休上班日). */
export interface YearSchedule {
  year: number;
  holidays: string[];
  workdays: string[];
}

/** The years with a schedule, and their days. Immutable; build a new one when the data changes. */
export class WorkingCalendar {
  static readonly EMPTY = new WorkingCalendar([]);

  private readonly covered = new Set<number>();
  private readonly holidays = new Set<string>();
  private readonly workdays = new Set<string>();

  constructor(schedules: Iterable<YearSchedule>) {
    for (const s of schedules) {
      this.covered.add(s.year);
      for (const d of s.holidays) this.holidays.add(d);
      for (const d of s.workdays) this.workdays.add(d);
    }
  }

  /** The years with a schedule, ascending. */
  get years(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }

  covers(year: number): boolean {
    return this.covered.has(year);
  }

  /** null when the year has no schedule (the caller counts weekends only). */
  dayKind(isoDay: string): 'holiday' | 'workday' | 'ordinary' | null {
    if (!this.covered.has(Number(isoDay.slice(0, 4)))) return null;
    return this.holidays.has(isoDay) ? 'holiday' : this.workdays.has(isoDay) ? 'workday' : 'ordinary';
  }
}

/**
 * The schedules in chinese-days' published data file (`dist/chinese-days.json`: `holidays` and
 * `workdays` keyed by 'YYYY-MM-DD'). We read that file, not the package's isWorkday(): the package
 * builds its tables at load time with local-time Date getters, so in any zone west of UTC every
 * holiday would be shifted one day early. Each year it covers has at least one holiday (元旦), so the
 * years with a holiday entry are the covered years (2004–2026 for chinese-days 1.5.7).
 */
export function schedulesFromChineseDays(data: { holidays: Record<string, unknown>; workdays: Record<string, unknown> }): YearSchedule[] {
  const byYear = new Map<number, YearSchedule>();
  const yearOf = (day: string) => {
    const year = Number(day.slice(0, 4));
    if (!byYear.has(year)) byYear.set(year, { year, holidays: [], workdays: [] });
    return byYear.get(year)!;
  };
  for (const day of Object.keys(data.holidays).sort()) yearOf(day).holidays.push(day);
  for (const day of Object.keys(data.workdays).sort()) {
    if (byYear.has(Number(day.slice(0, 4)))) yearOf(day).workdays.push(day);
  }
  return [...byYear.values()].sort((a, b) => a.year - b.year);
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

function workingDay(cal: WorkingCalendar, day: number, provisional?: Set<number>): boolean {
  const d = new Date(day * DAY_MS);
  const kind = cal.dayKind(d.toISOString().slice(0, 10));
  if (kind === 'workday') return true;
  if (kind === 'holiday') return false;
  if (kind === null) provisional?.add(d.getUTCFullYear()); // no schedule: weekends only, provisional
  return d.getUTCDay() !== 0 && d.getUTCDay() !== 6;
}

function checkCount(n: number): void {
  if (!Number.isInteger(n)) throw new TypeError(`工作日数必须是整数：${n} (working-day count must be an integer)`);
}

export function isWorkingDay(cal: WorkingCalendar, date: string | Date, provisional?: Set<number>): boolean {
  return workingDay(cal, parse(date).day, provisional);
}

/**
 * The date `n` working days after `date` (n < 0: before). n = 0 returns `date` itself when it is a
 * working day, else the next working day: "due within 0 working days" of a Saturday is Monday.
 * Only the days the count steps on matter (for n ≠ 0 the start day itself does not).
 */
export function addWorkingDays(cal: WorkingCalendar, date: string | Date, n: number, provisional?: Set<number>): string {
  checkCount(n);
  const start = parse(date);
  let day = start.day;
  if (n === 0) {
    while (!workingDay(cal, day, provisional)) day++;
  } else {
    const step = Math.sign(n);
    for (let left = Math.abs(n); left > 0; ) {
      day += step;
      if (workingDay(cal, day, provisional)) left--;
    }
  }
  return format({ day, timeMs: start.timeMs });
}

/** Working days after `from` up to and including `to` (negative when `to` is before `from`); times of day are ignored. */
export function workingDaysBetween(cal: WorkingCalendar, from: string | Date, to: string | Date, provisional?: Set<number>): number {
  const a = parse(from).day;
  const b = parse(to).day;
  let count = 0;
  for (let day = Math.min(a, b) + 1; day <= Math.max(a, b); day++) if (workingDay(cal, day, provisional)) count++;
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

// ---- entering a year's schedule -----------------------------------------------------------------

export const SCHEDULE_FIRST_YEAR = 2000;
export const SCHEDULE_LAST_YEAR = 2100;

export interface ScheduleProblem {
  field: 'year' | 'holidays' | 'workdays' | 'source';
  message: string;
}

function isIsoDay(v: unknown): v is string {
  if (typeof v !== 'string' || !DATE_RE.test(v)) return false;
  try {
    parseDay(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is wrong with a year's schedule as entered (empty: nothing). Every date is a well-formed
 * 'YYYY-MM-DD' inside that year, listed once; there is at least one holiday (元旦 is one every year);
 * a day is not both a holiday and a working day; an adjusted working day (调休上班日) is a Saturday
 * or a Sunday — a weekday is a working day anyway.
 */
export function scheduleProblems(year: unknown, holidays: unknown, workdays: unknown): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const validYear = Number.isInteger(year) && (year as number) >= SCHEDULE_FIRST_YEAR && (year as number) <= SCHEDULE_LAST_YEAR;
  if (!validYear) problems.push({ field: 'year', message: `年份须为 ${SCHEDULE_FIRST_YEAR}–${SCHEDULE_LAST_YEAR} 之间的整数` });
  const lists = { holidays, workdays };
  const label = { holidays: '法定节假日', workdays: '调休上班日' } as const;
  const good: Record<'holidays' | 'workdays', string[]> = { holidays: [], workdays: [] };
  for (const field of ['holidays', 'workdays'] as const) {
    const list = lists[field];
    if (!Array.isArray(list)) {
      problems.push({ field, message: `${label[field]}须为日期列表（YYYY-MM-DD）` });
      continue;
    }
    if (list.length > 366) {
      problems.push({ field, message: `${label[field]}不能超过 366 天` });
      continue;
    }
    const seen = new Set<string>();
    for (const v of list) {
      if (!isIsoDay(v)) {
        problems.push({ field, message: `${label[field]}「${String(v)}」不是有效日期，格式须为 YYYY-MM-DD` });
      } else if (validYear && Number(v.slice(0, 4)) !== year) {
        problems.push({ field, message: `${label[field]} ${v} 不在 ${year} 年内` });
      } else if (seen.has(v)) {
        problems.push({ field, message: `${label[field]} ${v} 重复填写` });
      } else {
        seen.add(v);
        good[field].push(v);
      }
    }
  }
  if (Array.isArray(holidays) && holidays.length === 0) problems.push({ field: 'holidays', message: '至少须填写一个法定节假日（元旦）' });
  const holidaySet = new Set(good.holidays);
  for (const d of good.workdays) {
    if (holidaySet.has(d)) problems.push({ field: 'workdays', message: `${d} 不能同时是法定节假日和调休上班日` });
    const weekday = new Date(parseDay(d) * DAY_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) problems.push({ field: 'workdays', message: `调休上班日 ${d} 不是周六或周日（工作日本来就上班）` });
  }
  return problems;
}
