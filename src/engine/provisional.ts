/**
 * Provisional due dates: a zeebe:taskSchedule date or a timer computed while the working-day calendar
 * had no statutory data for a year it depended on (counted on weekends only). The run recorded how it
 * was computed (ProvisionalBasis: the expression, the variables it saw, the clock); once the year's
 * schedule is entered, these compute it again — the same evaluation on the newer calendar — and say
 * whether it is still provisional (it may depend on yet another year without data).
 */
import type { WorkingCalendar } from '../domain/calendar';
import { computeTimer } from './durable-timers';
import { evaluateFeel } from './feel';
import { asDate } from './run-listener';
import type { ProvisionalBasis, TimerWait } from './types';

function again(basis: ProvisionalBasis, calendar: WorkingCalendar): { value: unknown; provisional: ProvisionalBasis | null } {
  const years = new Set<number>();
  const value = evaluateFeel(basis.expression, basis.context, { now: new Date(basis.now), calendar, provisional: years });
  return { value, provisional: years.size ? { ...basis, years: [...years].sort((a, b) => a - b) } : null };
}

/** A user task's dueDate / followUpDate computed again. */
export function recomputeDate(basis: ProvisionalBasis, calendar: WorkingCalendar, what = 'dueDate'): { date: Date | null; provisional: ProvisionalBasis | null } {
  const { value, provisional } = again(basis, calendar);
  return { date: asDate(value, what), provisional };
}

/** A timer's due date computed again (a cycle: its first occurrence). */
export function recomputeTimer(
  timerType: TimerWait['timerType'],
  basis: ProvisionalBasis,
  calendar: WorkingCalendar,
): { dueAt: Date; provisional: ProvisionalBasis | null } {
  const { value, provisional } = again(basis, calendar);
  return { dueAt: computeTimer(timerType, basis.expression, value, new Date(basis.now)).dueAt, provisional };
}
