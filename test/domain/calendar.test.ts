import { expect } from 'chai';
import { isWorkday } from 'chinese-days';
import {
  addMonths,
  addWorkingDays,
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CalendarRangeError,
  isWorkingDay,
  shanghaiDayStart,
  toShanghaiDate,
  toShanghaiDateTime,
  workingDaysBetween,
} from '../../src/domain/calendar';

describe('calendar', () => {
  describe('data range', () => {
    it('covers the years chinese-days has statutory data for', () => {
      // then
      expect(CALENDAR_FIRST_YEAR).to.equal(2004);
      expect(CALENDAR_LAST_YEAR).to.equal(2026);
    });

    it('agrees with chinese-days isWorkday on every covered day', function () {
      // given: chinese-days' own tables are shifted a day in zones west of UTC
      if (new Date(2026, 0, 1).getTimezoneOffset() > 0) this.skip();
      const mismatches: string[] = [];
      // when
      for (let t = Date.UTC(CALENDAR_FIRST_YEAR, 0, 1); t < Date.UTC(CALENDAR_LAST_YEAR + 1, 0, 1); t += 86_400_000) {
        const day = new Date(t).toISOString().slice(0, 10);
        const d = new Date(t);
        const expected = isWorkday(new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12));
        if (isWorkingDay(day) !== expected) mismatches.push(day);
      }
      // then
      expect(mismatches).to.deep.equal([]);
    });

    it('refuses a day after the last covered year', () => {
      // when
      const call = () => isWorkingDay('2027-01-04');
      // then
      expect(call).to.throw(CalendarRangeError, '法定节假日日历没有 2027 年的数据，无法计算工作日');
      expect(call).to.throw(/no statutory holiday data for 2027/);
    });

    it('refuses a day before the first covered year', () => {
      // then
      expect(() => isWorkingDay('2003-12-31')).to.throw(CalendarRangeError, /2003/);
    });

    it('refuses a computation that steps past the covered years', () => {
      // then
      expect(addWorkingDays('2026-12-30', 1)).to.equal('2026-12-31');
      expect(() => addWorkingDays('2026-12-31', 1)).to.throw(CalendarRangeError, /2027/);
      expect(() => addWorkingDays('2027-01-04', 0)).to.throw(CalendarRangeError);
      expect(() => workingDaysBetween('2026-12-01', '2027-01-05')).to.throw(CalendarRangeError);
      expect(() => addWorkingDays('2004-01-05', -3)).to.throw(CalendarRangeError, /2003/);
    });
  });

  describe('isWorkingDay', () => {
    it('knows National Day 2026 and its adjusted working weekends', () => {
      // then
      for (const day of ['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-07']) expect(isWorkingDay(day), day).to.equal(false);
      expect(isWorkingDay('2026-09-20'), 'Sunday 09-20 is worked').to.equal(true);
      expect(isWorkingDay('2026-10-10'), 'Saturday 10-10 is worked').to.equal(true);
      expect(isWorkingDay('2026-10-08')).to.equal(true);
      expect(isWorkingDay('2026-10-11'), 'an ordinary Sunday').to.equal(false);
    });

    it('knows Spring Festival 2026 and its adjusted working Saturdays', () => {
      // then
      for (const day of ['2026-02-15', '2026-02-17', '2026-02-20', '2026-02-23']) expect(isWorkingDay(day), day).to.equal(false);
      expect(isWorkingDay('2026-02-14')).to.equal(true);
      expect(isWorkingDay('2026-02-28')).to.equal(true);
      expect(isWorkingDay('2026-02-24')).to.equal(true);
    });

    it('reads a date-time as its Shanghai day', () => {
      // then: 2026-09-30T16:30Z is 10-01 00:30 in Shanghai
      expect(isWorkingDay('2026-09-30T16:30:00Z')).to.equal(false);
      expect(isWorkingDay(new Date('2026-09-30T15:59:00Z'))).to.equal(true);
    });

    it('rejects an invalid date', () => {
      // then
      expect(() => isWorkingDay('2026-02-30')).to.throw(TypeError, /无效的日期/);
      expect(() => isWorkingDay('next monday')).to.throw(TypeError);
    });
  });

  describe('addWorkingDays', () => {
    it('skips National Day and counts the adjusted Saturday', () => {
      // when
      const due = addWorkingDays('2026-09-28', 10);
      // then: 09-29, 09-30, 10-08, 10-09, 10-10 (Sat, worked), 10-12 … 10-16
      expect(due).to.equal('2026-10-16');
    });

    it('skips Spring Festival', () => {
      // then
      expect(addWorkingDays('2026-02-13', 1)).to.equal('2026-02-14');
      expect(addWorkingDays('2026-02-14', 1)).to.equal('2026-02-24');
    });

    it('counts backwards for a negative n', () => {
      // then
      expect(addWorkingDays('2026-10-08', -1)).to.equal('2026-09-30');
      expect(addWorkingDays('2026-10-16', -10)).to.equal('2026-09-28');
    });

    it('returns the same working day, or the next one, for n = 0', () => {
      // then
      expect(addWorkingDays('2026-09-30', 0)).to.equal('2026-09-30');
      expect(addWorkingDays('2026-10-03', 0)).to.equal('2026-10-08');
    });

    it('keeps the Shanghai time of day of a date-time', () => {
      // then
      expect(addWorkingDays('2026-09-28T18:30:00+08:00', 10)).to.equal('2026-10-16T18:30:00+08:00');
      expect(addWorkingDays('2026-09-30T02:00:00Z', 1)).to.equal('2026-10-08T10:00:00+08:00');
      expect(addWorkingDays(new Date('2026-09-29T16:30:00.250Z'), 1)).to.equal('2026-10-08T00:30:00.250+08:00');
      expect(addWorkingDays('2026-09-30T09:00', 1), 'no offset = Shanghai time').to.equal('2026-10-08T09:00:00+08:00');
    });

    it('does not depend on the process time zone', () => {
      // given
      const saved = process.env.TZ;
      process.env.TZ = 'America/New_York';
      try {
        // when
        const due = addWorkingDays('2026-09-28', 10);
        // then
        expect(due).to.equal('2026-10-16');
        expect(isWorkingDay('2026-09-19')).to.equal(false);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });

    it('rejects a fractional count', () => {
      // then
      expect(() => addWorkingDays('2026-09-28', 1.5)).to.throw(TypeError);
    });
  });

  describe('workingDaysBetween', () => {
    it('counts working days after from up to and including to', () => {
      // then
      expect(workingDaysBetween('2026-09-28', '2026-10-16')).to.equal(10);
      expect(workingDaysBetween('2026-10-16', '2026-09-28')).to.equal(-10);
      expect(workingDaysBetween('2026-09-28', '2026-09-28')).to.equal(0);
      expect(workingDaysBetween('2026-02-13', '2026-02-27')).to.equal(5);
    });

    it('ignores the time of day', () => {
      // then
      expect(workingDaysBetween('2026-09-28T23:00:00+08:00', '2026-09-29T01:00:00+08:00')).to.equal(1);
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
