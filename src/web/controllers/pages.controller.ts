import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';
import type { RuntimeWebServices } from './runtime.controller';
import { PROJECT_TYPE_LABELS, STAGE_LABELS, projectTypeLabel, stageLabel } from '../../domain/labels';
import type { Department } from '../../domain/organisation';

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The web shell's pages. Each renders one view from one service call. */
export function pagesController(s: Pick<RuntimeWebServices, 'tasks' | 'definitions' | 'instances'> & { projects: { list(user: NonNullable<Request['user']>, filter: { stage?: string; unitCode?: string; planYear?: number }): Promise<{ name: string; code: string; type: string; unitCode: string }[]> }; org: { listDepartments(): Promise<Department[]> } }) {
  return {
    home(_req: Request, res: Response) {
      res.redirect('/tasks');
    },
    async projects(req: Request, res: Response) {
      // filters: stage, unit, plan year, type, and a search over name and code
      const filter = { stage: text(req.query.stage), unitCode: text(req.query.unit), planYear: text(req.query.year), type: text(req.query.type), q: text(req.query.q) };
      const year = /^\d{4}$/.test(filter.planYear) ? Number(filter.planYear) : undefined;
      const [all, departments] = await Promise.all([s.projects.list(req.user!, { stage: filter.stage || undefined, unitCode: filter.unitCode || undefined, planYear: year }), s.org.listDepartments()]);
      const projects = all.filter((p) => (!filter.type || p.type === filter.type) && (!filter.q || p.name.includes(filter.q) || p.code.toLowerCase().includes(filter.q.toLowerCase())));
      const units = departments.filter((d) => d.kind === 'unit');
      res.render('projects', {
        title: req.t('projectsTitle'),
        projects,
        filter,
        units,
        unitName: (c: string) => departments.find((d) => d.code === c)?.name ?? c,
        stages: Object.entries(STAGE_LABELS),
        types: Object.entries(PROJECT_TYPE_LABELS),
        stageLabel,
        projectTypeLabel,
        mayApply: req.user!.groups.some((g) => g.startsWith('unit:')),
        islands: ['list'],
      });
    },
    async processes(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      res.render('processes', { title: req.t('processesTitle'), definitions: await s.definitions.list() });
    },
    async monitor(req: Request, res: Response) {
      res.render('monitor', { title: req.t('monitorTitle'), instances: await s.instances.list(req.user!, { state: 'running' }) });
    },
  };
}
