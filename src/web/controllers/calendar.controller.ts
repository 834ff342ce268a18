import type { Request, Response } from 'express';
import { AppError, forbidden, type RuleDetail } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';
import type { CalendarService, CalendarYearView } from '../../services/calendar.service';
import { positiveInt } from '../params';
import type { MessageKey } from '../i18n';

type Calendar = Pick<CalendarService, 'overview' | 'year' | 'enter'>;

/**
 * The dates typed into a textarea: one per line (or separated by spaces, commas, 、), a range as
 * `2027-02-06~2027-02-12` (also `至`, `..`). Anything else is passed on as written, so that the
 * service's validation names it.
 */
export function datesFromText(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  const out: string[] = [];
  for (const token of text.split(/[\s,，、;；]+/).filter(Boolean)) {
    const range = /^(\d{4}-\d{2}-\d{2})(?:~|～|至|\.\.)(\d{4}-\d{2}-\d{2})$/.exec(token);
    const from = range ? Date.parse(`${range[1]}T00:00:00Z`) : NaN;
    const to = range ? Date.parse(`${range[2]}T00:00:00Z`) : NaN;
    if (range && from <= to && to - from <= 366 * 86_400_000) {
      for (let t = from; t <= to; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
    } else out.push(token);
  }
  return [...new Set(out)];
}

const SOURCE_LABEL: Record<string, MessageKey> = { 'chinese-days': 'calendarSourceChineseDays', entered: 'calendarSourceEntered' };

function yearRows(req: Request, years: CalendarYearView[]) {
  return years
    .slice()
    .reverse()
    .map((y) => ({
      year: y.year,
      source: req.t(y.source ? SOURCE_LABEL[y.source] : 'calendarSourceNone'),
      enteredBy: y.enteredBy ?? '',
      enteredAt: y.enteredAt ? new Date(Date.parse(y.enteredAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '',
      provisional: y.provisional,
      pending: y.provisionalDeadlines ?? 0,
    }));
}

/** The working-day calendar: the JSON API and the administrators' page (/calendar). */
export function calendarController(s: Calendar) {
  async function renderPage(req: Request, res: Response, status: number, form: { year: string; holidays: string; workdays: string }, errors: RuleDetail[]) {
    const { years } = await s.overview();
    const saved = typeof req.query.saved === 'string' && /^\d{4}$/.test(req.query.saved) ? req.query.saved : null;
    const recomputed = typeof req.query.recomputed === 'string' && /^\d+$/.test(req.query.recomputed) ? req.query.recomputed : '0';
    const fieldErrors = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message);
    res.status(status).render('calendar', {
      title: req.t('calendarTitle'),
      years: yearRows(req, years),
      form,
      saved,
      recomputed,
      errors: { any: errors.length > 0, year: fieldErrors('year'), holidays: fieldErrors('holidays'), workdays: fieldErrors('workdays'), source: fieldErrors('source') },
    });
  }

  return {
    async overview(_req: Request, res: Response) {
      res.json(await s.overview());
    },
    async year(req: Request, res: Response) {
      res.json(await s.year(positiveInt(req.params.year, 'year')));
    },
    async enter(req: Request, res: Response) {
      if (!req.is('application/json')) throw new AppError('unsupported-media', '请求体须为 application/json', 'unsupported-media');
      res.json(await s.enter(positiveInt(req.params.year, 'year'), req.body, req.user!));
    },

    /** GET /calendar[?year=2027]: the years and the form (prefilled with that year's schedule). */
    async page(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const wanted = typeof req.query.year === 'string' && /^\d{4}$/.test(req.query.year) ? Number(req.query.year) : null;
      const existing = wanted ? await s.year(wanted).catch(() => null) : null;
      await renderPage(req, res, 200, { year: wanted ? String(wanted) : '', holidays: existing?.holidays.join('\n') ?? '', workdays: existing?.workdays.join('\n') ?? '' }, []);
    },

    /** POST /calendar: enter a year; errors on the page (422), else post-redirect-get. */
    async submit(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const b = (req.body ?? {}) as Record<string, unknown>;
      const form = { year: String(b.year ?? '').trim(), holidays: String(b.holidays ?? ''), workdays: String(b.workdays ?? '') };
      const year = /^\d{4}$/.test(form.year) ? Number(form.year) : NaN;
      try {
        const done = await s.enter(year, { holidays: datesFromText(form.holidays), workdays: datesFromText(form.workdays) }, req.user!);
        res.redirect(303, `/calendar?saved=${done.year}&recomputed=${done.recomputed.tasks + done.recomputed.timers}`);
      } catch (err) {
        if (!(err instanceof AppError) || err.kind !== 'unprocessable') throw err;
        await renderPage(req, res, 422, form, err.details ?? [{ message: err.message }]);
      }
    },
  };
}
