import { expect } from 'chai';
import {
  IsoFormatError,
  addDuration,
  nextOccurrence,
  parseCycle,
  parseDateTime,
  parseDuration,
} from '../../src/engine/iso8601';

describe('iso8601 (timer definitions)', () => {
  describe('durations', () => {
    it('adds calendar months on the Shanghai wall clock, clamping to the end of the month', () => {
      // given
      const jan31 = new Date('2026-01-31T09:00:00+08:00');

      // when
      const oneMonth = addDuration(jan31, parseDuration('P1M'));
      const thirteenMonths = addDuration(jan31, parseDuration('P13M'));

      // then
      expect(oneMonth.toISOString()).to.equal('2026-02-28T01:00:00.000Z');
      expect(thirteenMonths.toISOString()).to.equal('2027-02-28T01:00:00.000Z');
    });

    it('adds a Shanghai calendar month even when the UTC date is the day before', () => {
      // given: 2026-03-01 07:00 in Shanghai is still 28 February in UTC
      const early = new Date('2026-03-01T07:00:00+08:00');

      // when
      const next = addDuration(early, parseDuration('P1M'));

      // then
      expect(next.toISOString()).to.equal('2026-03-31T23:00:00.000Z'); // 2026-04-01 07:00 Shanghai
    });

    it('reads weeks, days, hours, minutes and fractional seconds', () => {
      // given
      const from = new Date('2026-01-01T00:00:00Z');

      // when
      const to = addDuration(from, parseDuration('P1W2DT3H4M5.5S'));

      // then
      expect(to.getTime() - from.getTime()).to.equal(((9 * 24 + 3) * 3600 + 4 * 60 + 5.5) * 1000);
    });

    it('refuses what is not an ISO-8601 duration', () => {
      // then
      for (const bad of ['P', 'PT', '1D', 'P1H', '-P1D', 'P1DT']) {
        expect(() => parseDuration(bad), bad).to.throw(IsoFormatError);
      }
    });
  });

  describe('dates', () => {
    it('reads a date as 00:00 Asia/Shanghai and a date-time without offset as Shanghai local time', () => {
      // then
      expect(parseDateTime('2026-10-08').toISOString()).to.equal('2026-10-07T16:00:00.000Z');
      expect(parseDateTime('2026-10-08T09:30').toISOString()).to.equal('2026-10-08T01:30:00.000Z');
      expect(parseDateTime('2026-10-08T09:30:00Z').toISOString()).to.equal('2026-10-08T09:30:00.000Z');
      expect(parseDateTime('2026-10-08T09:30:00.250-0500').toISOString()).to.equal('2026-10-08T14:30:00.250Z');
    });

    it('refuses impossible dates', () => {
      // then
      expect(() => parseDateTime('2026-02-30')).to.throw(IsoFormatError);
      expect(() => parseDateTime('tomorrow')).to.throw(IsoFormatError);
    });
  });

  describe('cycles', () => {
    it('reads bounded, unbounded and anchored repeating intervals', () => {
      // then
      expect(parseCycle('R3/PT1H')).to.deep.include({ repetitions: 3, start: null });
      expect(parseCycle('R/P1D').repetitions).to.equal(-1);
      const anchored = parseCycle('R5/2026-01-05T09:00:00+08:00/P1W');
      expect(anchored.repetitions).to.equal(5);
      expect(anchored.start?.toISOString()).to.equal('2026-01-05T01:00:00.000Z');
      expect(anchored.interval.weeks).to.equal(1);
    });

    it('refuses cron, zero repetitions and empty intervals', () => {
      // then
      expect(() => parseCycle('0 0 9 * * MON')).to.throw(IsoFormatError, /cron/);
      expect(() => parseCycle('R0/PT1H')).to.throw(IsoFormatError);
      expect(() => parseCycle('R3/PT0S')).to.throw(IsoFormatError);
    });

    it('finds the next occurrence on the cycle grid strictly after now', () => {
      // given
      const anchor = new Date('2026-01-01T00:00:00Z');

      // then
      expect(nextOccurrence(anchor, parseDuration('PT1H'), new Date('2026-01-01T00:30:00Z')).toISOString()).to.equal(
        '2026-01-01T01:00:00.000Z',
      );
      expect(nextOccurrence(anchor, parseDuration('PT1H'), new Date('2026-01-01T05:00:00Z')).toISOString()).to.equal(
        '2026-01-01T06:00:00.000Z',
      );
      expect(nextOccurrence(anchor, parseDuration('P1M'), new Date('2026-03-15T00:00:00Z')).toISOString()).to.equal(
        '2026-04-01T00:00:00.000Z',
      );
    });
  });
});
