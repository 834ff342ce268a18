import type { Request, Response } from 'express';
import { exportFormat, type ExportService } from '../../services/export.service';

/** Any list as Excel or CSV: GET /api/exports/projects and /api/exports/tasks (?format=xlsx|csv, the list's own filters). */
export function exportsController(s: Pick<ExportService, 'export'>) {
  const send = async (req: Request, res: Response, list: 'projects' | 'tasks') => {
    const f = await s.export(list, exportFormat(req.query.format), req.user!, req.query as Record<string, unknown>);
    // the plain filename= is ASCII only (a fallback for old clients); filename*= carries the UTF-8 name
    const ascii = f.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
    res.setHeader('Content-Type', f.type);
    res.setHeader('Content-Disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.filename)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.send(f.buffer);
  };
  return {
    projects: (req: Request, res: Response) => send(req, res, 'projects'),
    tasks: (req: Request, res: Response) => send(req, res, 'tasks'),
  };
}
