import type { Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import { isAdmin } from '../../domain/organisation';

/** The web shell's pages. Each renders one view; data comes from services passed in. */
export function pagesController() {
  return {
    home(_req: Request, res: Response) {
      res.redirect('/tasks');
    },
    tasks(req: Request, res: Response) {
      res.render('tasks', { title: req.t('tasksTitle'), nav: 'tasks', tasks: [] });
    },
    projects(req: Request, res: Response) {
      res.render('projects', { title: req.t('projectsTitle'), nav: 'projects', projects: [] });
    },
    processes(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      res.render('processes', { title: req.t('processesTitle'), nav: 'processes', definitions: [] });
    },
    monitor(req: Request, res: Response) {
      res.render('monitor', { title: req.t('monitorTitle'), nav: 'monitor' });
    },
  };
}
