import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { chineseDateTime } from '../../domain/labels';
import { isAdmin } from '../../domain/organisation';
import { positiveInt } from '../params';
import type { RuntimeWebServices } from './runtime.controller';

/** how the 流程 pages write instants and deployers */
const show = {
  when: (at: string) => chineseDateTime(at),
  who: (username: string | null) => username ?? '系统（初始部署）',
};

/** The web shell's pages. Each renders one view from one service call. */
export function pagesController(s: Pick<RuntimeWebServices, 'tasks' | 'definitions' | 'instances'> & { projects: { list(user: NonNullable<Request['user']>, filter: object): Promise<unknown[]> } }) {
  return {
    home(_req: Request, res: Response) {
      res.redirect('/tasks');
    },
    async projects(req: Request, res: Response) {
      res.render('projects', { title: req.t('projectsTitle'), projects: await s.projects.list(req.user!, {}) });
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
        islands: ['viewer'],
        ...show,
      });
    },
    /** The modeler: the latest version, edited and deployed as the next one. */
    async processEdit(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const d = s.definitions.summary(await s.definitions.get(req.params.key as string));
      res.render('process-edit', { title: `修改流程 · ${d.name}`, definition: d, islands: ['modeler'], ...show });
    },
    async monitor(req: Request, res: Response) {
      res.render('monitor', { title: req.t('monitorTitle'), instances: await s.instances.list(req.user!, { state: 'running' }) });
    },
  };
}
