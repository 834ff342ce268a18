import chineseDays from 'chinese-days/dist/chinese-days.json';
import type { Logger } from 'pino';
import type { Sequelize, Transaction } from 'sequelize';
import { scheduleProblems, schedulesFromChineseDays, toShanghaiDate, WorkingCalendar, type YearSchedule } from '../domain/calendar';
import { forbidden, malformed, notFound, unprocessable } from '../domain/errors';
import { isAdmin, type User } from '../domain/organisation';
import { recomputeDate, recomputeTimer } from '../engine/provisional';
import type { ProvisionalBasis, TimerReschedule, TimerWait } from '../engine/types';
import type { CalendarRepository } from '../persistence/repositories/calendar.repository';
import { inTransaction } from '../persistence/transaction';
import type { Clock } from './clock.service';
import type { CalendarSource } from './runtime.service';

/** The schedules in the chinese-days package this build ships (2004–2026 for 1.5.7). */
const PACKAGE_SCHEDULES = schedulesFromChineseDays(chineseDays);

export const CALENDAR_SOURCES = ['chinese-days', 'entered'] as const;
type Source = (typeof CALENDAR_SOURCES)[number];

export interface CalendarYearView {
  year: number;
  /** null: no schedule for the year (working days in it are counted on weekends only) */
  source: Source | null;
  enteredBy?: string;
  enteredAt?: string;
  /** true for a year without a schedule */
  provisional: boolean;
  /** open tasks and timers whose due date depends on this year without a schedule */
  provisionalDeadlines?: number;
}

export interface CalendarYearDetail extends YearSchedule {
  source: Source;
  enteredBy: string | null;
  enteredAt: string | null;
}

export interface EnteredYear extends CalendarYearDetail {
  /** the open tasks and timers computed again */
  recomputed: { tasks: number; timers: number };
}

type TaskBasis = { dueDate?: ProvisionalBasis; followUpDate?: ProvisionalBasis };
type TimerPayload = { timerType: TimerWait['timerType']; expression: string; provisional?: ProvisionalBasis };

/**
 * The statutory working-day calendar: the database's, held in memory by every app process.
 *
 * - Seeded at start from the chinese-days data file: the years the table does not have yet (a year
 *   once there — seeded or entered — is changed only by an administrator).
 * - Administrators enter a year's State Council schedule (`enter`): in one transaction the year is
 *   replaced, every open task and timer computed provisionally for it is computed again, and the
 *   version counter (`settings.calendar.version`) is bumped.
 * - Every app process compares that counter with the calendar it holds at the start of each unit of
 *   work (`sync`, one primary-key read under a shared row lock) and reloads when it moved. The lock
 *   makes a change and a unit of work exclude each other: a unit never computes with a calendar that
 *   is being replaced, and a change never misses a provisional deadline a running unit is creating.
 */
export class CalendarService implements CalendarSource {
  private calendar = WorkingCalendar.EMPTY;
  private version: string | null = null;

  constructor(
    private readonly d: {
      sequelize: Sequelize;
      repo: CalendarRepository;
      clock: Pick<Clock, 'now'>;
      log: Logger;
      /** moves timers of an instance to new due dates in the caller's transaction (RuntimeService) */
      timers: {
        reschedule(t: Transaction, instanceId: string, timers: TimerReschedule[], actor: string | null): Promise<number[]>;
        runJobs(jobIds: number[]): Promise<void>;
      };
    },
  ) {}

  current(): WorkingCalendar {
    return this.calendar;
  }

  /** Brings the calendar in memory up to date with the database's (inside `t`, before any other lock). */
  async sync(t: Transaction): Promise<void> {
    const version = await this.d.repo.version(t, 'share');
    if (version === this.version) return;
    this.calendar = new WorkingCalendar(await this.d.repo.schedules(t));
    this.version = version;
    this.d.log.debug({ event: 'calendar.loaded', version, years: this.calendar.years.length });
  }

  /** At start: seed what the package has and the table lacks, then load. */
  async start(): Promise<void> {
    await this.seed();
    await inTransaction(this.d.sequelize, (t) => this.sync(t));
  }

  /**
   * Adds the package's years the table does not have (idempotent; several processes starting at once
   * on one database serialise on the version row). Deadlines computed provisionally for an added year
   * are computed again. Returns the years added.
   */
  async seed(): Promise<number[]> {
    await this.d.repo.ensureVersion();
    const { added, dueJobIds } = await inTransaction(this.d.sequelize, async (t) => {
      const version = await this.d.repo.version(t, 'update');
      const have = new Set((await this.d.repo.years(t)).map((y) => y.year));
      const missing = PACKAGE_SCHEDULES.filter((s) => !have.has(s.year));
      if (!missing.length) return { added: [] as number[], dueJobIds: [] as number[] };
      await this.d.repo.addYears(missing, 'chinese-days', t);
      const next = new WorkingCalendar(await this.d.repo.schedules(t));
      const years = missing.map((s) => s.year);
      const { dueJobIds } = await this.recompute(next, years, null, t);
      await this.d.repo.bumpVersion(version, t);
      return { added: years, dueJobIds };
    });
    if (added.length) this.d.log.info({ event: 'calendar.seeded', years: added }, 'statutory calendar seeded from chinese-days');
    await this.d.timers.runJobs(dueJobIds);
    return added;
  }

  /** GET /api/calendar: the years with a schedule, and the years without one that matter now. */
  async overview(): Promise<{ years: CalendarYearView[] }> {
    const [rows, pending] = await Promise.all([this.d.repo.years(), this.provisionalByYear()]);
    const covered = new Set(rows.map((r) => r.year));
    const thisYear = Number(toShanghaiDate(this.d.clock.now()).slice(0, 4));
    const missing = new Set([thisYear, thisYear + 1, ...pending.keys()].filter((y) => !covered.has(y)));
    const years: CalendarYearView[] = [
      ...rows.map((r) => ({
        year: r.year,
        source: r.source,
        ...(r.enteredBy && { enteredBy: r.enteredBy }),
        ...(r.enteredAt && { enteredAt: r.enteredAt.toISOString() }),
        provisional: false,
      })),
      ...[...missing].map((year) => ({ year, source: null, provisional: true, provisionalDeadlines: pending.get(year) ?? 0 })),
    ];
    return { years: years.sort((a, b) => a.year - b.year) };
  }

  /** GET /api/calendar/:year */
  async year(year: number): Promise<CalendarYearDetail> {
    const s = Number.isInteger(year) ? await this.d.repo.schedule(year) : null;
    if (!s) throw notFound(`${year} 年尚无节假日安排（该年的工作日暂按周末计算）`);
    return { year: s.year, holidays: s.holidays, workdays: s.workdays, source: s.source, enteredBy: s.enteredBy, enteredAt: s.enteredAt?.toISOString() ?? null };
  }

  /**
   * PUT /api/calendar/:year (administrators): enters a year's schedule, replacing what the year had.
   * Every open task and timer computed provisionally for the year is computed again in the same
   * transaction; a timer that is due now fires right after.
   */
  async enter(year: number, input: unknown, user: User): Promise<EnteredYear> {
    if (!isAdmin(user)) throw forbidden('仅系统管理员可以维护节假日安排');
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw malformed('请求体须为 JSON 对象 {holidays, workdays}');
    const body = input as { holidays?: unknown; workdays?: unknown; source?: unknown };
    const problems = scheduleProblems(year, body.holidays, body.workdays);
    if (body.source !== undefined && !CALENDAR_SOURCES.includes(body.source as Source)) {
      problems.push({ field: 'source', message: `来源须为 ${CALENDAR_SOURCES.join(' 或 ')}` });
    }
    if (problems.length) throw unprocessable(`${Number.isInteger(year) ? `${year} 年` : ''}节假日安排填写有误`, problems, 'invalid-calendar');
    const schedule: YearSchedule = {
      year,
      holidays: [...(body.holidays as string[])].sort(),
      workdays: [...(body.workdays as string[])].sort(),
    };
    const source = (body.source as Source | undefined) ?? 'entered';
    const enteredAt = this.d.clock.now();

    const done = await inTransaction(this.d.sequelize, async (t) => {
      const version = await this.d.repo.version(t, 'update');
      await this.d.repo.replaceYear(schedule, { source, enteredBy: user.username, enteredAt }, t);
      const next = new WorkingCalendar(await this.d.repo.schedules(t));
      const recomputed = await this.recompute(next, [year], user.username, t);
      return { next, recomputed, version: await this.d.repo.bumpVersion(version, t) };
    });
    this.calendar = done.next;
    this.version = done.version;
    this.d.log.info({ event: 'calendar.entered', year, by: user.username, tasks: done.recomputed.tasks, timers: done.recomputed.timers });
    await this.d.timers.runJobs(done.recomputed.dueJobIds);
    return {
      ...schedule,
      source,
      enteredBy: user.username,
      enteredAt: enteredAt.toISOString(),
      recomputed: { tasks: done.recomputed.tasks, timers: done.recomputed.timers },
    };
  }

  // ------------------------------------------------------------------ provisional deadlines

  /** Open tasks and timers computed provisionally, counted per year without a schedule. */
  private async provisionalByYear(): Promise<Map<number, number>> {
    const [tasks, timers] = await Promise.all([this.d.repo.openProvisionalTasks(), this.d.repo.provisionalTimers()]);
    const counts = new Map<number, number>();
    const count = (bases: (ProvisionalBasis | undefined)[]) => {
      for (const y of new Set(bases.flatMap((b) => b?.years ?? []))) counts.set(y, (counts.get(y) ?? 0) + 1);
    };
    for (const task of tasks) count(Object.values((task.provisionalBasis ?? {}) as TaskBasis));
    for (const job of timers) count([(job.payload as TimerPayload | null)?.provisional]);
    return counts;
  }

  /**
   * Computes again, on `calendar`, every open task date and timer that was computed provisionally for
   * one of `years` (they stay provisional only if they still depend on a year without data). A timer
   * whose due date moves is rescheduled through the engine, so that the saved engine state and the
   * job row agree on when it fires.
   */
  private async recompute(calendar: WorkingCalendar, years: number[], actor: string | null, t: Transaction) {
    const touches = (b: ProvisionalBasis | undefined) => !!b && b.years.some((y) => years.includes(y));
    const now = this.d.clock.now();
    let tasks = 0;
    for (const task of await this.d.repo.openProvisionalTasks(t)) {
      const basis = (task.provisionalBasis ?? {}) as TaskBasis;
      if (!touches(basis.dueDate) && !touches(basis.followUpDate)) continue;
      const still: TaskBasis = {};
      const changes: { dueAt?: Date | null; followUpAt?: Date | null } = {};
      for (const key of ['dueDate', 'followUpDate'] as const) {
        const b = basis[key];
        if (!b) continue;
        if (!touches(b)) {
          still[key] = b;
          continue;
        }
        const again = this.attempt(() => recomputeDate(b, calendar, key), { taskId: task.id, key });
        if (!again) {
          still[key] = b;
          continue;
        }
        changes[key === 'dueDate' ? 'dueAt' : 'followUpAt'] = again.date;
        if (again.provisional) still[key] = again.provisional;
      }
      const provisional = Object.keys(still).length > 0;
      await task.update({ ...changes, provisional, provisionalBasis: provisional ? still : null, revision: task.revision + 1 }, { transaction: t });
      await this.d.repo.logDeadline(
        { instanceId: task.instanceId, taskId: task.id, actor, at: now, data: { activityId: task.activityId, dueAt: task.dueAt?.toISOString() ?? null, provisional, years } },
        t,
      );
      tasks++;
    }

    let timers = 0;
    const moves = new Map<string, TimerReschedule[]>();
    for (const job of await this.d.repo.provisionalTimers(t)) {
      const payload = (job.payload ?? {}) as TimerPayload;
      if (!touches(payload.provisional) || !job.executionId) continue;
      const again = this.attempt(() => recomputeTimer(payload.timerType, payload.provisional!, calendar), { jobId: job.id });
      if (!again) continue;
      timers++;
      if (again.dueAt.getTime() === job.dueAt.getTime()) {
        // same date: the engine state already says so; only the row's provisional mark changes
        const { provisional: _old, ...rest } = payload;
        await job.update({ provisional: !!again.provisional, payload: { ...rest, ...(again.provisional && { provisional: again.provisional }) } }, { transaction: t });
        continue;
      }
      const list = moves.get(job.instanceId) ?? [];
      list.push({ executionId: job.executionId, dueAt: again.dueAt.toISOString(), provisional: again.provisional });
      moves.set(job.instanceId, list);
    }
    const dueJobIds: number[] = [];
    for (const [instanceId, list] of moves) dueJobIds.push(...(await this.d.timers.reschedule(t, instanceId, list, actor)));
    return { tasks, timers, dueJobIds };
  }

  /** A recomputation that fails (it cannot: the same evaluation succeeded before) leaves the date as it was. */
  private attempt<T>(fn: () => T, where: Record<string, unknown>): T | null {
    try {
      return fn();
    } catch (err) {
      this.d.log.warn({ event: 'calendar.recompute-failed', ...where, err: err instanceof Error ? err.message : String(err) });
      return null;
    }
  }
}
