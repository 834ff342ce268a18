import { selectRows } from '../direct';
import type { Transaction } from 'sequelize';
import type { YearSchedule } from '../../domain/calendar';
import { CalendarDayModel, CalendarYearModel } from '../models/calendar.model';
import { SettingModel } from '../models/organisation.model';
import { appendOperation } from '../audit-chain';
import { JobModel, TaskModel } from '../models/runtime.model';

/** The settings row every app process compares with the calendar it holds in memory. */
export const CALENDAR_VERSION_KEY = 'calendar.version';

export interface CalendarYearRow {
  year: number;
  source: 'chinese-days' | 'entered';
  enteredBy: string | null;
  enteredAt: Date | null;
}

const yearRow = (y: CalendarYearModel): CalendarYearRow => ({ year: y.year, source: y.source, enteredBy: y.enteredBy, enteredAt: y.enteredAt });

/** The statutory calendar tables, its version counter, and the deadlines computed without data for a year. */
export class CalendarRepository {
  // ---- the version counter (one indexed row of `settings`)

  /** Creates the counter when absent (first writer wins across processes). */
  async ensureVersion(): Promise<void> {
    if (await SettingModel.findByPk(CALENDAR_VERSION_KEY)) return;
    await SettingModel.bulkCreate([{ key: CALENDAR_VERSION_KEY, value: '1', updatedAt: new Date() }], { ignoreDuplicates: true });
  }

  /**
   * Reads the counter in `t`. `share`: until `t` ends, nobody can change the calendar (an enter or a
   * seed takes `update` first); `update`: this transaction is the only one changing the calendar.
   * SQLite ignores row locks (its transactions take the database write lock at BEGIN).
   */
  async version(t: Transaction, lock: 'share' | 'update' | null = null): Promise<string | null> {
    // one indexed read on the driver connection (every unit of work that computes a deadline makes it)
    const sequelize = SettingModel.sequelize!;
    const locking = sequelize.getDialect() === 'sqlite' || !lock ? '' : lock === 'share' ? ' LOCK IN SHARE MODE' : ' FOR UPDATE';
    const [row] = await selectRows<{ value: string | null }>(sequelize, `SELECT \`value\` FROM settings WHERE \`key\` = $1${locking}`, [CALENDAR_VERSION_KEY], t);
    return row?.value ?? null;
  }

  async bumpVersion(current: string | null, t: Transaction): Promise<string> {
    const next = String((Number(current) || 0) + 1);
    await SettingModel.upsert({ key: CALENDAR_VERSION_KEY, value: next, updatedAt: new Date() }, { transaction: t });
    return next;
  }

  // ---- years and days

  async years(t?: Transaction): Promise<CalendarYearRow[]> {
    return (await CalendarYearModel.findAll({ order: [['year', 'ASC']], transaction: t })).map(yearRow);
  }

  /** Every year with its days: what a WorkingCalendar is built from. */
  async schedules(t?: Transaction): Promise<YearSchedule[]> {
    const [years, days] = await Promise.all([
      CalendarYearModel.findAll({ attributes: ['year'], transaction: t }),
      CalendarDayModel.findAll({ order: [['day', 'ASC']], transaction: t }),
    ]);
    const byYear = new Map(years.map((y) => [y.year, { year: y.year, holidays: [] as string[], workdays: [] as string[] }]));
    for (const d of days) byYear.get(d.year)?.[d.kind === 'holiday' ? 'holidays' : 'workdays'].push(d.day);
    return [...byYear.values()].sort((a, b) => a.year - b.year);
  }

  async schedule(year: number): Promise<(CalendarYearRow & YearSchedule) | null> {
    const y = await CalendarYearModel.findByPk(year);
    if (!y) return null;
    const days = await CalendarDayModel.findAll({ where: { year }, order: [['day', 'ASC']] });
    return {
      ...yearRow(y),
      holidays: days.filter((d) => d.kind === 'holiday').map((d) => d.day),
      workdays: days.filter((d) => d.kind === 'workday').map((d) => d.day),
    };
  }

  /** Adds years that are not there yet (a year already there — seeded or entered — is left alone). */
  async addYears(schedules: YearSchedule[], source: CalendarYearRow['source'], t: Transaction): Promise<void> {
    if (!schedules.length) return;
    await CalendarYearModel.bulkCreate(
      schedules.map((s) => ({ year: s.year, source, enteredBy: null, enteredAt: null })),
      { transaction: t, ignoreDuplicates: true },
    );
    await CalendarDayModel.bulkCreate(dayRows(schedules), { transaction: t, ignoreDuplicates: true });
  }

  /** The year's schedule replaced as a whole. */
  async replaceYear(s: YearSchedule, meta: { source: CalendarYearRow['source']; enteredBy: string; enteredAt: Date }, t: Transaction): Promise<void> {
    await CalendarYearModel.upsert({ year: s.year, ...meta }, { transaction: t });
    await CalendarDayModel.destroy({ where: { year: s.year }, transaction: t });
    await CalendarDayModel.bulkCreate(dayRows([s]), { transaction: t });
  }

  // ---- what was computed on weekends only for a year without data

  openProvisionalTasks(t?: Transaction) {
    return TaskModel.findAll({ where: { provisional: true, state: 'open' }, order: [['id', 'ASC']], transaction: t, lock: t ? t.LOCK.UPDATE : undefined });
  }

  provisionalTimers(t?: Transaction) {
    return JobModel.findAll({ where: { provisional: true, type: 'timer' }, order: [['instanceId', 'ASC'], ['id', 'ASC']], transaction: t });
  }

  /** The history of a task whose due date was computed again (operation log `deadline-recomputed`). */
  logDeadline(values: { instanceId: string; taskId: number; actor: string | null; at: Date; data: Record<string, unknown> }, t: Transaction) {
    return appendOperation({ ...values, operation: 'deadline-recomputed' }, t);
  }
}

function dayRows(schedules: YearSchedule[]) {
  return schedules.flatMap((s) => [
    ...s.holidays.map((day) => ({ day, year: s.year, kind: 'holiday' as const })),
    ...s.workdays.map((day) => ({ day, year: s.year, kind: 'workday' as const })),
  ]);
}
