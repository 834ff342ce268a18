import chineseDays from 'chinese-days/dist/chinese-days.json';
import { schedulesFromChineseDays, WorkingCalendar, type YearSchedule } from '../../src/domain/calendar';

/** The calendar as seeded from chinese-days (2004–2026 for chinese-days 1.5.7): what a fresh database holds. */
export const CHINESE_DAYS = new WorkingCalendar(schedulesFromChineseDays(chineseDays));

/** chinese-days' years plus the given ones (e.g. a 2027 schedule entered by an administrator). */
export const withYears = (...extra: YearSchedule[]) => new WorkingCalendar([...schedulesFromChineseDays(chineseDays), ...extra]);
