import type { Request, Response } from 'express';
import { malformed } from '../../domain/errors';
import type { AnnualPlanService } from '../../services/annual-plan.service';
import type { ArchiveService } from '../../services/archive.service';
import type { ProjectService, UploadedFile } from '../../services/project.service';
import { positiveInt } from '../params';

const id = (v: unknown) => positiveInt(v, 'id');

/** The domain API: projects (drafts, documents, submission) — ../shared/spec/api.md "Projects". */
export function projectsController(
  s: Pick<ProjectService, 'create' | 'patch' | 'addDocument' | 'removeDocument' | 'document' | 'submit' | 'get' | 'list' | 'openAudit' | 'reportLoss'>,
  plans: Pick<AnnualPlanService, 'create' | 'get' | 'export'>,
  archives: Pick<ArchiveService, 'build'>,
) {
  const attachment = (res: Response, type: string, f: { filename: string; buffer: Buffer }) => {
    // the plain filename= is ASCII only (a fallback for old clients); filename*= carries the UTF-8 name
    const ascii = f.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(f.buffer);
  };
  return {
    async reportLoss(req: Request, res: Response) {
      res.status(201).json(await s.reportLoss(id(req.params.id), req.user!, req.body));
    },
    async openAudit(req: Request, res: Response) {
      res.status(201).json(await s.openAudit(id(req.params.id), req.user!, req.body));
    },
    async archive(req: Request, res: Response) {
      attachment(res, 'application/zip', await archives.build(id(req.params.id), req.user!));
    },
    async createPlan(req: Request, res: Response) {
      res.status(201).json(await plans.create(req.user!, req.body));
    },
    async getPlan(req: Request, res: Response) {
      res.json(await plans.get(id(req.params.id), req.user!));
    },
    async exportPlan(req: Request, res: Response) {
      attachment(res, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', await plans.export(id(req.params.id), req.user!));
    },
    async create(req: Request, res: Response) {
      res.status(201).json(await s.create(req.user!, req.body));
    },
    async patch(req: Request, res: Response) {
      res.json(await s.patch(id(req.params.id), req.user!, req.body));
    },
    async upload(req: Request, res: Response) {
      const file = (req as Request & { file?: UploadedFile }).file;
      res.status(201).json(await s.addDocument(id(req.params.id), req.user!, file, req.body?.materialType));
    },
    async document(req: Request, res: Response) {
      const doc = await s.document(id(req.params.id), positiveInt(req.params.docId, 'docId'), req.user!);
      attachment(res, doc.mimeType, doc);
    },
    async removeDocument(req: Request, res: Response) {
      await s.removeDocument(id(req.params.id), positiveInt(req.params.docId, 'docId'), req.user!);
      res.status(204).end();
    },
    async submit(req: Request, res: Response) {
      res.status(201).json(await s.submit(id(req.params.id), req.user!));
    },
    async get(req: Request, res: Response) {
      res.json(await s.get(id(req.params.id), req.user!));
    },
    async list(req: Request, res: Response) {
      const planYear = req.query.planYear === undefined ? undefined : Number(req.query.planYear);
      if (planYear !== undefined && !Number.isInteger(planYear)) throw malformed('planYear 须为年份');
      res.json(
        await s.list(req.user!, {
          stage: typeof req.query.stage === 'string' ? req.query.stage : undefined,
          unitCode: typeof req.query.unitCode === 'string' ? req.query.unitCode : undefined,
          planYear,
          type: typeof req.query.type === 'string' && req.query.type !== '' ? req.query.type : undefined,
          q: typeof req.query.q === 'string' && req.query.q !== '' ? req.query.q : undefined,
        }),
      );
    },
  };
}
