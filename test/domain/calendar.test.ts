import { expect } from 'chai';
import chineseDays from 'chinese-days/dist/chinese-days.json';
import { isWorkday } from 'chinese-days';
import {
  addMonths,
  addWorkingDays,
  isWorkingDay,
  scheduleProblems,
  schedulesFromChineseDays,
  shanghaiDayStart,
  toShanghaiDate,
  toShanghaiDateTime,
  WorkingCalendar,
  workingDaysBetween,
} from '../../src/domain/calendar';
import { CHINESE_DAYS, withYears } from '../support/calendar';

const cal = CHINESE_DAYS;

describe('calendar', () => {
  describe('data', () => {
    it('takes the years chinese-days has statutory data for from its data file', () => {
      // when
      const schedules = schedulesFromChineseDays(chineseDays);
      // then
      expect(schedules.map((s) => s.year)).to.deep.equal(Array.from({ length: 23 }, (_, i) => 2004 + i));
      const y2026 = schedules.find((s) => s.year === 2026)!;
      expect(y2026.holidays).to.include.members(['2026-01-01', '2026-10-01', '2026-10-07']);
      expect(y2026.workdays).to.include.members(['2026-02-14', '2026-09-20', '2026-10-10']);
      expect(cal.years).to.deep.equal(schedules.map((s) => s.year));
    });

    it('agrees with chinese-days isWorkday on every covered day', function () {
      // given: chinese-days' own tables are shifted a day in zones west of UTC
      if (new Date(2026, 0, 1).getTimezoneOffset() > 0) this.skip();
      const mismatches: string[] = [];
      const provisional = new Set<number>();
      // when
      for (let t = Date.UTC(2004, 0, 1); t < Date.UTC(2027, 0, 1); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        const d = new Date(t);
        const expected = isWorkday(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12));
        if (isWorkingDay(cal, day, provisional) !== expected) mismatches.push(day);
      }
      // then
      expect(mismatches).to.deep.equal([]);
      expect([...provisional]).to.deep.equal([]);
    });
  });

  describe('a year without data (provisional)', () => {
    it('counts a day after the last covered year on weekends only and reports the year', () => {
      // given
      const provisional = new Set<number>();
      // then: 2027-01-01 is a Friday; without 2027 data it is an ordinary working day
      expect(isWorkingDay(cal, '2027-01-01', provisional)).to.equal(true);
      expect(isWorkingDay(cal, '2027-01-02', provisional)).to.equal(false);
      expect([...provisional]).to.deep.equal([2027]);
    });

    it('counts a day before the first covered year the same way', () => {
      const provisional = new Set<number>();
      expect(isWorkingDay(cal, '2003-12-31', provisional)).to.equal(true);
      // Fri 2004-01-02 (worked), Thu 01-01 (元旦), then 2003-12-31 and 12-30 on weekends only
      expect(addWorkingDays(cal, '2004-01-05', -3, provisional)).to.equal('2003-12-30');
      expect([...provisional]).to.deep.equal([2003]);
    });

    it('reports only the years a result depended on', () => {
      // given
      const provisional = new Set<number>();
      // when
      const inside = addWorkingDays(cal, '2026-12-30', 1, provisional);
      // then: nothing outside 2026 was counted
      expect(inside).to.equal('2026-12-31');
      expect(provisional.size).to.equal(0);
      // the start day itself does not matter for n ≠ 0; the days stepped on do
      expect(addWorkingDays(cal, '2027-01-01', -1, provisional)).to.equal('2026-12-31');
      expect(provisional.size).to.equal(0);
      expect(workingDaysBetween(cal, '2026-12-31', '2026-12-31', provisional)).to.equal(0);
      expect(provisional.size).to.equal(0);
    });

    it('crosses into a year without data: 10 working days from 2026-12-24 on weekends only', () => {
      // given
      const provisional = new Set<number>();
      // when: Dec 25, 28–31, Jan 1 (no 2027 data: an ordinary Friday), Jan 4–7
      const due = addWorkingDays(cal, '2026-12-24', 10, provisional);
      // then
      expect(due).to.equal('2027-01-07');
      expect([...provisional]).to.deep.equal([2027]);
      expect(workingDaysBetween(cal, '2026-12-01', '2027-01-05', provisional)).to.equal(25);
      expect(addWorkingDays(cal, '2027-01-02', 0)).to.equal('2027-01-04');
    });

    it('uses the schedule once the year is entered, and is no longer provisional', () => {
      // given a (made-up) 2027 schedule: 01-01 a holiday, Saturday 01-09 worked
      const entered = withYears({ year: 2027, holidays: ['2027-01-01'], workdays: ['2027-01-09'] });
      const provisional = new Set<number>();
      // when
      const due = addWorkingDays(entered, '2026-12-24', 11, provisional);
      // then: Dec 25, 28–31, Jan 4–8, Sat Jan 9
      expect(due).to.equal('2027-01-09');
      expect(provisional.size).to.equal(0);
      expect(isWorkingDay(entered, '2027-01-01')).to.equal(false);
      expect(entered.covers(2027)).to.equal(true);
      expect(WorkingCalendar.EMPTY.covers(2026)).to.equal(false);
    });
  });

  describe('scheduleProblems', () => {
    it('accepts a well-formed schedule', () => {
      expect(scheduleProblems(2027, ['2027-01-01', '2027-02-06'], ['2027-01-09', '2027-02-14'])).to.deep.equal([]);
    });

    it('names every problem with its field, in Chinese', () => {
      // when
      const problems = scheduleProblems(2027, ['2027-01-01', '2026-12-31', '2027-02-30', 'x', '2027-01-01'], ['2027-01-01', '2027-01-04']);
      // then
      expect(problems).to.deep.equal([
        { field: 'holidays', message: '法定节假日 2026-12-31 不在 2027 年内' },
        { field: 'holidays', message: '法定节假日「2027-02-30」不是有效日期，格式须为 YYYY-MM-DD' },
        { field: 'holidays', message: '法定节假日「x」不是有效日期，格式须为 YYYY-MM-DD' },
        { field: 'holidays', message: '法定节假日 2027-01-01 重复填写' },
        { field: 'workdays', message: '2027-01-01 不能同时是法定节假日和调休上班日' },
        { field: 'workdays', message: '调休上班日 2027-01-01 不是周六或周日（工作日本来就上班）' },
        { field: 'workdays', message: '调休上班日 2027-01-04 不是周六或周日（工作日本来就上班）' },
      ]);
      expect(scheduleProblems(1999, [], null).map((p) => p.field)).to.deep.equal(['year', 'workdays', 'holidays']);
    });
  });

  describe('isWorkingDay', () => {
    it('knows National Day 2026 and its adjusted working weekends', () => {
      // then
      for (const day of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-07']) expect(isWorkingDay(cal, day), day).to.equal(false);
      expect(isWorkingDay(cal, '2026-09-20'), 'Sunday 09-20 is worked').to.equal(true);
      expect(isWorkingDay(cal, '2026-10-10'), 'Saturday 10-10 is worked').to.equal(true);
      expect(isWorkingDay(cal, '2026-10-08')).to.equal(true);
      expect(isWorkingDay(cal, '2026-10-11'), 'an ordinary Sunday').to.equal(false);
    });

    it('knows Spring Festival 2026 and its adjusted working Saturdays', () => {
      // then
      for (const day of ['2026-02-15', '2026-02-17', '2026-02-20', '2026-02-23']) expect(isWorkingDay(cal, day), day).to.equal(false);
      expect(isWorkingDay(cal, '2026-02-14')).to.equal(true);
      expect(isWorkingDay(cal, '2026-02-28')).to.equal(true);
      expect(isWorkingDay(cal, '2026-02-24')).to.equal(true);
    });

    it('reads a date-time as its Shanghai day', () => {
      // then: 2026-09-30T16:30Z is 10-01 00:30 in Shanghai
      expect(isWorkingDay(cal, '2026-09-30T16:30:00Z')).to.equal(false);
      expect(isWorkingDay(cal, new Date('2026-09-30T15:59:00Z'))).to.equal(true);
    });

    it('rejects an invalid date', () => {
      // then
      expect(() => isWorkingDay(cal, '2026-02-30')).to.throw(TypeError, /无效的日期/);
      expect(() => isWorkingDay(cal, 'next monday')).to.throw(TypeError);
    });
  });

  describe('addWorkingDays', () => {
    it('skips National Day and counts the adjusted Saturday', () => {
      // when
      const due = addWorkingDays(cal, '2026-09-28', 10);
      // then: 09-29, 09-30, 10-08, 10-09, 10-10 (Sat, worked), 10-12 … 10-16
      expect(due).to.equal('2026-10-16');
    });

    it('skips Spring Festival', () => {
      // then
      expect(addWorkingDays(cal, '2026-02-13', 1)).to.equal('2026-02-14');
      expect(addWorkingDays(cal, '2026-02-14', 1)).to.equal('2026-02-24');
    });

    it('counts backwards for a negative n', () => {
      // then
      expect(addWorkingDays(cal, '2026-10-08', -1)).to.equal('2026-09-30');
      expect(addWorkingDays(cal, '2026-10-16', -10)).to.equal('2026-09-28');
    });

    it('returns the same working day, or the next one, for n = 0', () => {
      // then
      expect(addWorkingDays(cal, '2026-09-30', 0)).to.equal('2026-09-30');
      expect(addWorkingDays(cal, '2026-10-03', 0)).to.equal('2026-10-08');
    });

    it('keeps the Shanghai time of day of a date-time', () => {
      // then
      expect(addWorkingDays(cal, '2026-09-28T18:30:00+08:00', 10)).to.equal('2026-10-16T18:30:00+08:00');
      expect(addWorkingDays(cal, '2026-09-30T02:00:00Z', 1)).to.equal('2026-10-08T10:00:00+08:00');
      expect(addWorkingDays(cal, new Date('2026-09-29T16:30:00.250Z'), 1)).to.equal('2026-10-08T00:30:00.250+08:00');
      expect(addWorkingDays(cal, '2026-09-30T09:00', 1), 'no offset = Shanghai time').to.equal('2026-10-08T09:00:00+08:00');
    });

    it('does not depend on the process time zone', () => {
      // given
      const saved = process.env.TZ;
      process.env.TZ = 'America/New_York';
      try {
        // when
        const due = addWorkingDays(cal, '2026-09-28', 10);
        // then
        expect(due).to.equal('2026-10-16');
        expect(isWorkingDay(cal, '2026-09-19')).to.equal(false);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it('rejects a fractional count', () => {
      // then
      expect(() => addWorkingDays(cal, '2026-09-28', 1.5)).to.throw(TypeError);
    });
  });

  describe('workingDaysBetween', () => {
    it('counts working days after from up to and including to', () => {
      // then
      expect(workingDaysBetween(cal, '2026-09-28', '2026-10-16')).to.equal(10);
      expect(workingDaysBetween(cal, '2026-10-16', '2026-09-28')).to.equal(-10);
      expect(workingDaysBetween(cal, '2026-09-28', '2026-09-28')).to.equal(0);
      expect(workingDaysBetween(cal, '2026-02-13', '2026-02-27')).to.equal(5);
    });

    it('ignores the time of day', () => {
      // then
      expect(workingDaysBetween(cal, '2026-09-28T23:00:00+08:00', '2026-09-29T01:00:00+08:00')).to.equal(1);
    });
  });

  describe('addMonths', () => {
    it('clamps to the end of the month', () => {
      // then
      expect(addMonths('2026-01-31', 1)).to.equal('2026-02-28');
      expect(addMonths('2024-01-31', 1)).to.equal('2024-02-29');
      expect(addMonths('2026-03-31', -1)).to.equal('2026-02-28');
      expect(addMonths('2026-05-15', 0)).to.equal('2026-05-15');
    });

    it('crosses years, outside the holiday data too', () => {
      // then
      expect(addMonths('2026-12-15', 1)).to.equal('2027-01-15');
      expect(addMonths('2026-12-15T09:00:00+08:00', 13)).to.equal('2028-01-15T09:00:00+08:00');
    });
  });

  describe('Shanghai days', () => {
    it('converts instants to Shanghai days and back', () => {
      // then
      expect(toShanghaiDate(new Date('2026-09-27T16:00:00Z'))).to.equal('2026-09-28');
      expect(toShanghaiDate(new Date('2026-09-27T15:59:59.999Z'))).to.equal('2026-09-27');
      expect(toShanghaiDateTime(new Date('2026-09-27T16:00:00Z'))).to.equal('2026-09-28T00:00:00+08:00');
      expect(shanghaiDayStart('2026-09-28').toISOString()).to.equal('2026-09-27T16:00:00.000Z');
    });
  });
});
