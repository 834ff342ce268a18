import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';
import type { RuntimeWebServices } from './runtime.controller';

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
      res.render('processes', { title: req.t('processesTitle'), definitions: await s.definitions.list() });
    },
    async monitor(req: Request, res: Response) {
      res.render('monitor', { title: req.t('monitorTitle'), instances: await s.instances.list(req.user!, { state: 'running' }) });
    },
  };
}
