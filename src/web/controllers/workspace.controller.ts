import type { NextFunction, Request, Response } from 'express';
import { COMMON_OPINIONS, MATERIAL_LABELS, WORK_LIST_LABELS, materialLabel, projectTypeLabel, stageLabel } from '../../domain/labels';
import { MAX_DOCUMENT_BYTES } from '../../services/project.service';
import type { WorkList, WorkspaceService } from '../../services/workspace.service';
import { positiveInt } from '../params';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const optionalInt = (v: unknown) => {
  const n = Number(v);
  return typeof v === 'string' && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** The staff workspace pages: 待办 / 已办 / 我发起的 / 抄送我的 and the task page. */
export function workspaceController(s: Pick<WorkspaceService, 'counts' | 'list' | 'taskPage'>) {
  const listPage = (list: WorkList) => async (req: Request, res: Response) => {
    const filter = {
      process: str(req.query.process),
      project: optionalInt(req.query.project),
      due: req.query.due === 'soon' || req.query.due === 'overdue' ? req.query.due : undefined,
      sort: req.query.sort === 'due' ? ('due' as const) : ('received' as const),
      page: optionalInt(req.query.page),
    } as const;
    const result = await s.list(req.user!, list, filter);
    res.render('worklist', { title: WORK_LIST_LABELS[list], list, filter, ...result, completed: optionalInt(req.query.completed) ?? null, islands: ['list'] });
  };
  return {
    /** every signed-in page: the four lists' sizes in the navigation */
    async navCounts(req: Request, res: Response, next: NextFunction) {
      if (req.user && req.method === 'GET') res.locals.nav = await s.counts(req.user);
      next();
    },
    todo: listPage('todo'),
    done: listPage('done'),
    started: listPage('started'),
    cc: listPage('cc'),
    async task(req: Request, res: Response) {
      const page = await s.taskPage(positiveInt(req.params.id, 'id'), req.user!);
      res.render('task', {
        title: page.task.name ?? page.task.activityId,
        ...page,
        stageLabel,
        projectTypeLabel,
        materialLabel,
        materials: Object.entries(MATERIAL_LABELS),
        commonOpinions: COMMON_OPINIONS,
        maxDocumentMb: MAX_DOCUMENT_BYTES / 1024 / 1024,
        islands: ['task'],
      });
    },
  };
}
