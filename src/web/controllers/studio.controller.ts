import type { Request, Response } from 'express';
import { AppError, forbidden, malformed } from '../../domain/errors';
import { isAdmin, type User } from '../../domain/organisation';
import { chineseDateTime, definitionLabel } from '../../domain/labels';
import type { IncidentService } from '../../services/incident.service';
import { migrateRequest, type MigrationService } from '../../services/migration.service';
import { positiveInt } from '../params';

export interface StudioWebServices {
  migrations: Pick<MigrationService, 'migrate' | 'migrateVersion'>;
  incidents: Pick<IncidentService, 'overview'>;
}

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
      res.render('incidents', { title: '故障', incidents, islands: ['incidents'] });
    },
  };
}
