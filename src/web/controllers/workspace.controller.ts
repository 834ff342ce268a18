import type { NextFunction, Request, Response } from 'express';
import { forbidden } from '../../domain/errors';
import {
  APPLICATION_FIELD_HELP,
  COMMON_OPINIONS,
  MATERIAL_LABELS,
  OUT_OF_PLAN_LABELS,
  PROJECT_TYPE_LABELS,
  SCOPE_CATEGORY_LABELS,
  WORK_LIST_LABELS,
  instanceStateLabel,
  materialLabel,
  projectTypeLabel,
  stageLabel,
} from '../../domain/labels';
import { unitsOf, type Department } from '../../domain/organisation';
import { RULES, type RuleId } from '../../domain/rules';
import { toShanghaiDate } from '../../domain/calendar';
import { MAX_DOCUMENT_BYTES } from '../../services/project.service';
import type { WorkList, WorkspaceService } from '../../services/workspace.service';
import { positiveInt } from '../params';

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const optionalInt = (v: unknown) => {
  const n = Number(v);
  return typeof v === 'string' && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** The staff workspace pages: 待办 / 已办 / 我发起的 / 抄送我的 and the task page. */
export function workspaceController(s: Pick<WorkspaceService, 'counts' | 'list' | 'taskPage' | 'projectPage' | 'messages' | 'draftPage'>, org: { listDepartments(): Promise<Department[]> }, clock: { now(): Date }) {
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
    /** 消息: the caller's inbox, newest first, 20 a page */
    async messages(req: Request, res: Response) {
      const result = await s.messages(req.user!, optionalInt(req.query.page) ?? 1);
      res.render('messages', { title: '消息', ...result, islands: ['messages'] });
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
    /** 新建申报 (unit users): the fields with their help texts; saving makes the draft, whose page takes the materials and the submission. */
    async newProject(req: Request, res: Response) {
      const mine = unitsOf(req.user!);
      if (!mine.length) throw forbidden('只有项目单位的用户可以新建申报');
      const units = (await org.listDepartments()).filter((d) => d.kind === 'unit');
      res.render('project-new', {
        title: '新建申报',
        draft: null,
        units: units.filter((u) => mine.includes(u.code)),
        others: units.filter((u) => !mine.includes(u.code)),
        types: Object.entries(PROJECT_TYPE_LABELS),
        scopes: Object.entries(SCOPE_CATEGORY_LABELS),
        outOfPlan: Object.entries(OUT_OF_PLAN_LABELS),
        help: APPLICATION_FIELD_HELP,
        nextYear: Number(toShanghaiDate(clock.now()).slice(0, 4)) + 1,
        islands: ['wizard'],
      });
    },
    /** 修改草稿: the same wizard over the draft's fields, with its materials and 提交申报 */
    async editProject(req: Request, res: Response) {
      const { project, required } = await s.draftPage(positiveInt(req.params.id, 'id'), req.user!);
      const units = (await org.listDepartments()).filter((d) => d.kind === 'unit');
      res.render('project-new', {
        title: `修改草稿：${project.name}`,
        draft: project,
        required,
        saved: req.query.saved === '1',
        units: units.filter((u) => u.code === project.unitCode),
        others: units.filter((u) => u.code !== project.unitCode),
        types: Object.entries(PROJECT_TYPE_LABELS),
        scopes: Object.entries(SCOPE_CATEGORY_LABELS),
        outOfPlan: Object.entries(OUT_OF_PLAN_LABELS),
        help: APPLICATION_FIELD_HELP,
        nextYear: project.planYear,
        materialLabel,
        ruleArticle: (r: string) => (r in RULES ? RULES[r as RuleId].article : r),
        materials: Object.entries(MATERIAL_LABELS),
        maxDocumentMb: MAX_DOCUMENT_BYTES / 1024 / 1024,
        islands: ['wizard'],
      });
    },
    async project(req: Request, res: Response) {
      const page = await s.projectPage(positiveInt(req.params.id, 'id'), req.user!);
      res.render('project', {
        title: page.project.name,
        ...page,
        saved: req.query.saved === '1',
        submitted: req.query.submitted === '1',
        stageLabel,
        projectTypeLabel,
        materialLabel,
        instanceStateLabel,
        scopeLabel: (c: string) => SCOPE_CATEGORY_LABELS[c] ?? c,
        outOfPlanLabel: (c: string | null) => (c ? (OUT_OF_PLAN_LABELS[c] ?? c) : ''),
        ruleArticle: (r: string) => (r in RULES ? RULES[r as RuleId].article : r),
        materials: Object.entries(MATERIAL_LABELS),
        maxDocumentMb: MAX_DOCUMENT_BYTES / 1024 / 1024,
        islands: ['project'],
      });
    },
  };
}
