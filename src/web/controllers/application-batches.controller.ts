import type { Request, Response } from 'express';
import { AppError, type RuleDetail } from '../../domain/errors';
import { chineseDateTime } from '../../domain/labels';
import { chineseDay } from '../../domain/application-batch';
import { mayManageBatches, type ApplicationBatchService } from '../../services/application-batch.service';
import { positiveInt } from '../params';

type Batches = Pick<ApplicationBatchService, 'list' | 'open' | 'close'>;
type Form = { name: string; planYear: string; opensOn: string; closesOn: string };
const EMPTY: Form = { name: '', planYear: '', opensOn: '', closesOn: '' };
/** the errors a page shows rather than the error page: bad fields, overlaps, a batch already closed or gone */
const shownOnPage = (err: unknown): err is AppError => err instanceof AppError && ['unprocessable', 'conflict', 'not-found'].includes(err.kind);
const STATUS: Record<string, number> = { unprocessable: 422, conflict: 409, 'not-found': 404 };

/**
 * 第5条第（一）项 申报批次: the JSON API (GET any signed-in user; POST data-bureau and admins) and the
 * page /application-batches (everyone signed in reads it; the form and 关闭 only for data-bureau and admins).
 */
export function applicationBatchesController(s: Batches) {
  async function renderPage(req: Request, res: Response, status: number, form: Form, errors: RuleDetail[], problem: string | null = null) {
    const tr = res.locals.tr as (zh: string) => string;
    const batches = await s.list();
    const manage = mayManageBatches(req.user!);
    const fieldErrors = (field: string) => errors.filter((e) => e.field === field).map((e) => e.message);
    const saved = typeof req.query.saved === 'string' && /^\d+$/.test(req.query.saved) ? Number(req.query.saved) : null;
    const closed = typeof req.query.closed === 'string' && /^\d+$/.test(req.query.closed) ? Number(req.query.closed) : null;
    res.status(status).render('application-batches', {
      title: '申报批次',
      manage,
      batches: batches.map((b) => ({
        ...b,
        opensOnText: chineseDay(b.opensOn),
        closesOnText: chineseDay(b.closesOn),
        closedAtText: chineseDateTime(b.closedAt),
        statusText: tr(b.statusLabel),
        closable: manage && (b.status === 'open' || b.status === 'upcoming'),
      })),
      saved: saved !== null ? (batches.find((b) => b.id === saved)?.name ?? null) : null,
      closed: closed !== null ? (batches.find((b) => b.id === closed)?.name ?? null) : null,
      form,
      problem,
      errors: {
        any: errors.length > 0,
        general: errors.filter((e) => !e.field || !['name', 'planYear', 'opensOn', 'closesOn'].includes(e.field)).map((e) => e.message),
        name: fieldErrors('name'),
        planYear: fieldErrors('planYear'),
        opensOn: fieldErrors('opensOn'),
        closesOn: fieldErrors('closesOn'),
      },
    });
  }

  return {
    async list(_req: Request, res: Response) {
      res.json(await s.list());
    },
    async open(req: Request, res: Response) {
      if (!req.is('application/json')) throw new AppError('unsupported-media', '请求体须为 application/json', 'unsupported-media');
      res.status(201).json(await s.open(req.user!, req.body));
    },
    async close(req: Request, res: Response) {
      res.json(await s.close(req.user!, positiveInt(req.params.id, 'id')));
    },

    /** GET /application-batches */
    async page(req: Request, res: Response) {
      await renderPage(req, res, 200, EMPTY, []);
    },

    /** POST /application-batches (the form): errors on the page (422), else post-redirect-get. */
    async submit(req: Request, res: Response) {
      const b = (req.body ?? {}) as Record<string, unknown>;
      const form: Form = { name: String(b.name ?? ''), planYear: String(b.planYear ?? '').trim(), opensOn: String(b.opensOn ?? '').trim(), closesOn: String(b.closesOn ?? '').trim() };
      try {
        const planYear = /^\d{4}$/.test(form.planYear) ? Number(form.planYear) : form.planYear;
        const done = await s.open(req.user!, { name: form.name, planYear, opensOn: form.opensOn, closesOn: form.closesOn });
        res.redirect(303, `/application-batches?saved=${done.id}`);
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        await renderPage(req, res, STATUS[err.kind], form, err.details?.length ? err.details : [{ message: err.message }]);
      }
    },

    /** POST /application-batches/:id/close (the 关闭 button) */
    async submitClose(req: Request, res: Response) {
      try {
        const done = await s.close(req.user!, positiveInt(req.params.id, 'id'));
        res.redirect(303, `/application-batches?closed=${done.id}`);
      } catch (err) {
        if (!shownOnPage(err)) throw err;
        await renderPage(req, res, STATUS[err.kind], EMPTY, [], err.message);
      }
    },
  };
}
