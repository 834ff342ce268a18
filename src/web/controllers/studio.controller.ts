import type { Request, Response } from 'express';
import { AppError, forbidden, malformed } from '../../domain/errors';
import { isAdmin, type User } from '../../domain/organisation';
import { chineseDateTime, definitionLabel } from '../../domain/labels';
import type { DefinitionService } from '../../services/definition.service';
import type { IncidentService } from '../../services/incident.service';
import { migrateRequest, type MigrationService } from '../../services/migration.service';
import { positiveInt } from '../params';

export interface StudioWebServices {
  migrations: Pick<MigrationService, 'migrate' | 'migrateVersion'>;
  incidents: Pick<IncidentService, 'overview'>;
  forms: Pick<DefinitionService, 'formsOf' | 'formSchema' | 'deployForm'>;
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

const adminOnly = (u: User) => {
  if (!isAdmin(u)) throw forbidden('仅系统管理员可执行此操作');
};
const objectBody = (req: Request): Record<string, unknown> => {
  if (!req.is('application/json')) throw new AppError('unsupported-media', '请求体须为 application/json', 'unsupported-media');
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw malformed('请求体须为 JSON 对象');
  return req.body as Record<string, unknown>;
};

/** The process studio's administration: instance migration (one, or a version's) and the 故障 page. */
export function studioController(s: StudioWebServices) {
  return {
    async migrateInstance(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.migrations.migrate(req.params.id as string, migrateRequest(objectBody(req)), req.user!.username));
    },
    async migrateVersion(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.migrations.migrateVersion(req.params.key as string, positiveInt(req.params.version, 'version'), migrateRequest(objectBody(req)), req.user!.username));
    },
    // ---- forms (issue 9 item 5): the form editor's list, one schema, a deploy of a form with the newest diagram
    async listForms(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.forms.formsOf(req.params.key as string));
    },
    async getForm(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.forms.formSchema(req.params.key as string, req.params.formId as string));
    },
    async deployForm(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = objectBody(req);
      const d = await s.forms.deployForm(
        req.params.key as string,
        { formId: b.formId as string, schema: b.schema as Record<string, unknown>, taskId: (b.taskId as string | undefined) ?? null, note: (b.note as string | undefined) ?? null },
        req.user!.username,
      );
      res.status(201).json(d);
    },
    /** 表单: the forms of the newest version, the tasks using each, and a new form for a task without one. */
    async formsPage(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const overview = await s.forms.formsOf(req.params.key as string);
      res.render('process-forms', { title: `表单 · ${overview.name}`, overview });
    },
    /** The form editor (form-js): an existing form of the newest version (?form=) or a new one for a task (?form=&task=). */
    async formEditor(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const overview = await s.forms.formsOf(req.params.key as string);
      const formId = text(req.query.form);
      const existing = overview.forms.find((f) => f.formId === formId) ?? null;
      const task = existing ? null : (overview.tasksWithoutForm.find((x) => x.id === text(req.query.task)) ?? null);
      if (!formId || (!existing && !task)) throw malformed('请选择一个表单，或为没有表单的用户任务新建表单（填写表单标识并选择任务）');
      res.render('form-editor', { title: `${existing ? '修改' : '新建'}表单 · ${formId}`, overview, formId, existing, task, islands: ['form-editor'] });
    },
    /** 故障: the open incidents with their instance, element, message and attempts; retry; migrate. */
    async incidentsPage(req: Request, res: Response) {
      if (!isAdmin(req.user!)) throw forbidden();
      const incidents = (await s.incidents.overview()).map((i) => ({
        ...i,
        process: i.processName ?? definitionLabel(i.definitionKey),
        element: i.elementName ?? (i.activityId ? '（未命名环节）' : '（整个流程）'),
        createdAtText: chineseDateTime(i.createdAt),
        kindText: i.kind === 'job' ? '服务任务重试用尽' : '流程执行出错',
        migrateHref: `/processes/${encodeURIComponent(i.definitionKey)}/versions/${i.version}?migrate=${encodeURIComponent(i.instanceId)}#migrate`,
      }));
      res.render('incidents', { title: req.t('navIncidents'), incidents, islands: ['incidents'] });
    },
  };
}
