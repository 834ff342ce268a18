import { expect } from 'chai';
import { checkFeel, evaluateFeel, evaluateFeelCondition, FeelError, isFeelExpression } from '../../src/engine/feel';
import { CHINESE_DAYS, withYears } from '../support/calendar';

describe('feel', () => {
  const opts = { now: new Date('2026-09-28T02:00:00Z'), calendar: CHINESE_DAYS }; // 10:00 in Shanghai
  const project = {
    amount: 600000,
    type: 'new',
    name: '高港区政务云扩容',
    scores: { necessity: 8, feasibility: 6 },
    contractSignedAt: '2026-09-28',
    submittedAt: '2026-09-28T10:00:00+08:00',
  };

  describe('isFeelExpression', () => {
    it('recognises strings starting with =', () => {
      // then
      expect(isFeelExpression('= amount > 1')).to.equal(true);
      expect(isFeelExpression('amount > 1')).to.equal(false);
      expect(isFeelExpression(42)).to.equal(false);
    });
  });

  describe('evaluateFeel', () => {
    it('computes arithmetic, with or without the leading =', () => {
      // then
      expect(evaluateFeel('= 1 + 2 * 3', {}, opts)).to.equal(7);
      expect(evaluateFeel('amount * 0.5', project, opts)).to.equal(300000);
      expect(evaluateFeel('= 10 / 0', {}, opts)).to.equal(null);
    });

    it('compares', () => {
      // then
      expect(evaluateFeel('= amount >= 500000', project, opts)).to.equal(true);
      expect(evaluateFeel('= type != "new"', project, opts)).to.equal(false);
      expect(evaluateFeel('= amount between 100000 and 1000000', project, opts)).to.equal(true);
    });

    it('applies string functions', () => {
      // then
      expect(evaluateFeel('= upper case("abc")', {}, opts)).to.equal('ABC');
      expect(evaluateFeel('= string length(name)', project, opts)).to.equal(8);
      expect(evaluateFeel('= contains(name, "政务云")', project, opts)).to.equal(true);
      expect(evaluateFeel('= substring(name, 1, 3) + "：" + type', project, opts)).to.equal('高港区：new');
    });

    it('follows context paths', () => {
      // then
      expect(evaluateFeel('= scores.necessity', project, opts)).to.equal(8);
      expect(evaluateFeel('= scores.necessity + scores.feasibility >= 14', project, opts)).to.equal(true);
      expect(evaluateFeel('= scores.missing', project, opts)).to.equal(null);
    });

    it('gives null for missing variables, as FEEL does', () => {
      // then
      expect(evaluateFeel('= missing > 3', {}, opts)).to.equal(null);
      expect(evaluateFeel('= missing = null', {}, opts)).to.equal(true);
      expect(evaluateFeel('= true and missing', {}, opts)).to.equal(null);
    });

    it('returns JSON values for dates, durations, lists and contexts', () => {
      // then
      expect(evaluateFeel('= date("2026-09-28") + duration("P3D")', {}, opts)).to.equal('2026-10-01');
      expect(evaluateFeel('= date and time("2026-09-28T10:00:00+08:00")', {}, opts)).to.equal('2026-09-28T10:00:00+08:00');
      expect(evaluateFeel('= date and time("2026-09-29T11:00:00+08:00") - date and time(submittedAt)', project, opts)).to.equal(
        'P1DT1H',
      );
      expect(evaluateFeel('= {due: date("2026-01-02"), list: [duration("P1M")]}', {}, opts)).to.deep.equal({
        due: '2026-01-02',
        list: ['P1M'],
      });
    });

    it('refuses a result that is not a storable value', () => {
      // then
      expect(() => evaluateFeel('= [1..5]', {}, opts)).to.throw(FeelError, /不能保存/);
    });

    it('offers the calendar functions', () => {
      // then
      expect(evaluateFeel('= addWorkingDays(contractSignedAt, 10)', project, opts)).to.equal('2026-10-16');
      expect(evaluateFeel('= addWorkingDays(submittedAt, 10)', project, opts)).to.equal('2026-10-16T10:00:00+08:00');
      expect(evaluateFeel('= addWorkingDays(date("2026-10-16"), -10)', {}, opts)).to.equal('2026-09-28');
      expect(evaluateFeel('= addWorkingDays(date: contractSignedAt, n: 1)', project, opts)).to.equal('2026-09-29');
      expect(evaluateFeel('= workingDaysBetween(contractSignedAt, "2026-10-16")', project, opts)).to.equal(10);
      expect(evaluateFeel('= addMonths("2026-01-31", 1)', {}, opts)).to.equal('2026-02-28');
      expect(evaluateFeel('= addWorkingDays(missing, 10)', {}, opts)).to.equal(null);
    });

    it('returns FEEL dates from the calendar functions, so they compare', () => {
      // then
      expect(evaluateFeel('= addWorkingDays(contractSignedAt, 10) > today()', project, opts)).to.equal(true);
      expect(evaluateFeel('= addWorkingDays(now(), 1) < date and time("2026-09-29T10:00:01+08:00")', {}, opts)).to.equal(true);
    });

    it('takes now() and today() from the given clock, in Shanghai time', () => {
      // given: 16:30 UTC is already the next day in Shanghai
      const late = { now: new Date('2026-09-27T16:30:00Z'), calendar: CHINESE_DAYS };
      // then
      expect(evaluateFeel('= now()', {}, late)).to.equal('2026-09-28T00:30:00+08:00');
      expect(evaluateFeel('= today()', {}, late)).to.equal('2026-09-28');
      expect(evaluateFeel('= addWorkingDays(today(), 1)', {}, late)).to.equal('2026-09-29');
    });

    it('reports a parse error in Chinese first', () => {
      // when
      const call = () => evaluateFeel('= amount >= ', project, opts);
      // then
      expect(call).to.throw(FeelError, /^FEEL 表达式无法解析：/);
      expect(() => evaluateFeel('= a b ) + 1', {}, opts)).to.throw(FeelError, '第 7 个字符处');
    });

    it('refuses an unknown function or wrong arguments', () => {
      // then
      expect(() => evaluateFeel('= addWorkingDay(contractSignedAt, 10)', project, opts)).to.throw(FeelError, /不存在的函数：addWorkingDay\(/);
      expect(() => evaluateFeel('= addWorkingDays(contractSignedAt, 1, 2)', project, opts)).to.throw(FeelError, /参数不匹配/);
      expect(() => evaluateFeel('= addWorkingDays(contractSignedAt)', project, opts)).to.throw(FeelError, /缺少参数/);
    });

    it('counts a year without calendar data on weekends only and reports it as provisional', () => {
      // given
      const provisional = new Set<number>();
      // when: 2027 has no data in the calendar (2027-01-01 is a Friday)
      const due = evaluateFeel('= addWorkingDays("2026-12-31", 1)', {}, { ...opts, provisional });
      // then: no error; the result is provisional for 2027
      expect(due).to.equal('2027-01-01');
      expect([...provisional]).to.deep.equal([2027]);
      expect(evaluateFeel('= workingDaysBetween("2026-12-24", "2027-01-08")', {}, { ...opts, provisional: new Set() })).to.equal(11);
    });

    it('reports nothing when the calendar covers every day counted', () => {
      // given a calendar with a 2027 schedule
      const provisional = new Set<number>();
      const calendar = withYears({ year: 2027, holidays: ['2027-01-01'], workdays: [] });
      // when
      const due = evaluateFeel('= addWorkingDays("2026-12-31", 1)', {}, { ...opts, calendar, provisional });
      // then
      expect(due).to.equal('2027-01-04');
      expect(provisional.size).to.equal(0);
      expect(evaluateFeel('= addWorkingDays(contractSignedAt, 10)', project, { ...opts, provisional })).to.equal('2026-10-16');
      expect(provisional.size).to.equal(0);
    });
  });

  describe('evaluateFeelCondition', () => {
    const condition = '= amount >= 500000 and type in ["new","expansion"]';

    it('is true for a matching project', () => {
      // then
      expect(evaluateFeelCondition(condition, project, opts)).to.equal(true);
      expect(evaluateFeelCondition(condition, { amount: 500000, type: 'expansion' }, opts)).to.equal(true);
    });

    it('is false for a non-matching project', () => {
      // then
      expect(evaluateFeelCondition(condition, { amount: 499999, type: 'new' }, opts)).to.equal(false);
      expect(evaluateFeelCondition(condition, { amount: 600000, type: 'operation' }, opts)).to.equal(false);
    });

    it('is false when the result is null or not a boolean', () => {
      // then
      expect(evaluateFeelCondition(condition, {}, opts)).to.equal(false);
      expect(evaluateFeelCondition('= amount', project, opts)).to.equal(false);
    });
  });

  describe('checkFeel', () => {
    it('accepts valid expressions with or without =', () => {
      // then
      expect(checkFeel('= amount >= 500000 and type in ["new","expansion"]')).to.equal(null);
      expect(checkFeel('addWorkingDays(contractSignedAt, 10)')).to.equal(null);
      expect(checkFeel('> 3, < 1', 'unaryTests')).to.equal(null);
    });

    it('describes a syntax error', () => {
      // then
      expect(checkFeel('= amount >=')).to.match(/^FEEL 表达式无法解析：表达式不完整/);
      expect(checkFeel('=')).to.match(/^FEEL 表达式无法解析/);
      expect(checkFeel('= a b ) + 1')).to.contain('第 7 个字符处有语法错误');
      expect(checkFeel('> 3,', 'unaryTests')).to.match(/^FEEL 表达式无法解析/);
    });
  });
});
