import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';
import { positiveInt } from '../params';
import type { RuntimeWebServices } from './runtime.controller';
import type { Department } from '../../domain/organisation';
import { PROJECT_TYPE_LABELS, STAGE_LABELS, chineseDateTime, definitionLabel, groupName, instanceStateLabel, projectTypeLabel, stageLabel, wanYuan } from '../../domain/labels';
import type { StatisticsService } from '../../services/statistics.service';

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** how the 流程 pages write instants and deployers */
const show = {
  when: (at: string) => chineseDateTime(at),
  who: (username: string | null) => username ?? '系统（初始部署）',
};

/** The web shell's pages. Each renders one view from one service call. */
export function pagesController(s: Pick<RuntimeWebServices, 'tasks' | 'definitions' | 'instances'> & { projects: { list(user: NonNullable<Request['user']>, filter: { stage?: string; unitCode?: string; planYear?: number; type?: string; q?: string }): Promise<{ name: string; code: string; type: string; unitCode: string }[]> }; org: { listDepartments(): Promise<Department[]> }; statistics: Pick<StatisticsService, 'monitor'> }) {
  return {
    home(_req: Request, res: Response) {
      res.redirect('/tasks');
    },
    async projects(req: Request, res: Response) {
      // filters: stage, unit, plan year, type, and a search over name and code
      const filter = { stage: text(req.query.stage), unitCode: text(req.query.unit), planYear: text(req.query.year), type: text(req.query.type), q: text(req.query.q) };
      const year = /^\d{4}$/.test(filter.planYear) ? Number(filter.planYear) : undefined;
      // every filter is a condition of the list's query (a project older than the newest 1,000 is found too)
      const [projects, departments] = await Promise.all([
        s.projects.list(req.user!, { stage: filter.stage || undefined, unitCode: filter.unitCode || undefined, planYear: year, type: filter.type || undefined, q: filter.q || undefined }),
        s.org.listDepartments(),
      ]);
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
      res.render('processes', { title: req.t('processesTitle'), definitions: await s.definitions.overview(), ...show });
    },
    /** One version, read-only in the bpmn-js viewer, with its download. */
    async processVersion(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const key = req.params.key as string;
      const d = s.definitions.summary(await s.definitions.get(key, positiveInt(req.params.version, 'version')));
      const latest = (await s.definitions.get(key)).version;
      res.render('process-version', {
        title: `${d.name} v${d.version}`,
        definition: d,
        latest,
        xmlUrl: `/api/process-definitions/${encodeURIComponent(key)}/xml?version=${d.version}`,
        // ?migrate=<instance id>: the migration dialog for that instance (from the 故障 page), else for the whole version
        migrateInstance: /^[0-9a-f-]{36}$/.test(text(req.query.migrate)) ? text(req.query.migrate) : null,
        islands: ['viewer', 'migrate'],
        ...show,
      });
    },
    /** The modeler: the latest version, edited and deployed as the next one. */
    async processEdit(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const d = s.definitions.summary(await s.definitions.get(req.params.key as string));
      res.render('process-edit', { title: `修改流程 · ${d.name}`, definition: d, islands: ['modeler'], ...show });
    },
    /** 运行监控: the dashboard's figures (each linking to its list), the overdue tasks, the running instances — all of what the reader may see. */
    async monitor(req: Request, res: Response) {
      const year = /^\d{4}$/.test(text(req.query.year)) ? text(req.query.year) : undefined;
      const group = text(req.query.overdue) || undefined;
      const [{ figures, overdue }, instances] = await Promise.all([s.statistics.monitor(req.user!, { planYear: year, group }), s.instances.list(req.user!, { state: 'running' })]);
      res.render('monitor', {
        title: req.t('monitorTitle'),
        figures,
        overdue,
        overdueGroup: group ? groupName(group) : null,
        year: year ?? '',
        asOfText: chineseDateTime(figures.asOf),
        wan: wanYuan,
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
