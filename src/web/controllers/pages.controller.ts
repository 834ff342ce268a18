import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';
import type { RuntimeWebServices } from './runtime.controller';
import { PROJECT_TYPE_LABELS, STAGE_LABELS, projectTypeLabel, stageLabel } from '../../domain/labels';
import type { Department } from '../../domain/organisation';
import { chineseDateTime, definitionLabel, groupName, instanceStateLabel } from '../../domain/labels';
import type { StatisticsService } from '../../services/statistics.service';

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The web shell's pages. Each renders one view from one service call. */
export function pagesController(s: Pick<RuntimeWebServices, 'tasks' | 'definitions' | 'instances'> & { projects: { list(user: NonNullable<Request['user']>, filter: { stage?: string; unitCode?: string; planYear?: number }): Promise<{ name: string; code: string; type: string; unitCode: string }[]> }; org: { listDepartments(): Promise<Department[]> }; statistics: Pick<StatisticsService, 'dashboard' | 'overdue'> }) {
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
    /** 运行监控: the dashboard's figures (each linking to its list), the overdue tasks, the running instances — all of what the reader may see. */
    async monitor(req: Request, res: Response) {
      const year = /^\d{4}$/.test(text(req.query.year)) ? text(req.query.year) : undefined;
      const group = text(req.query.overdue) || undefined;
      const [figures, overdue, instances] = await Promise.all([
        s.statistics.dashboard(req.user!, { planYear: year }),
        s.statistics.overdue(req.user!, group),
        s.instances.list(req.user!, { state: 'running' }),
      ]);
      res.render('monitor', {
        title: req.t('monitorTitle'),
        figures,
        overdue,
        overdueGroup: group ? groupName(group) : null,
        year: year ?? '',
        wan: (v: number) => (v / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 2 }),
        instances: instances.slice(0, 200).map((i) => ({
          id: i.id,
          process: definitionLabel(i.definitionKey),
          version: i.definitionVersion,
          businessKey: i.businessKey ?? '',
          state: instanceStateLabel(i.state),
          startedAtText: chineseDateTime(i.startedAt),
          href: `/instances/${i.id}`,
        })),
        islands: ['dashboard'],
      });
    },
  };
}
