import express, { type RequestHandler, type Router } from 'express';
import { malformed } from '../domain/errors';
import multer from 'multer';
import type { AuthService } from '../services/auth.service';
import type { HealthService } from '../services/health.service';
import type { AnnualPlanService } from '../services/annual-plan.service';
import type { ArchiveService } from '../services/archive.service';
import type { AuditService } from '../services/audit.service';
import type { CalendarService } from '../services/calendar.service';
import type { ExportService } from '../services/export.service';
import type { StatisticsService } from '../services/statistics.service';
import { MAX_DOCUMENT_BYTES, type ProjectService } from '../services/project.service';
import { auditController } from './controllers/audit.controller';
import { authController } from './controllers/auth.controller';
import { calendarController } from './controllers/calendar.controller';
import { applicationBatchesController } from './controllers/application-batches.controller';
import type { ApplicationBatchService } from '../services/application-batch.service';
import { exportsController } from './controllers/exports.controller';
import { healthController } from './controllers/health.controller';
import { pagesController } from './controllers/pages.controller';
import { projectsController } from './controllers/projects.controller';
import { runtimeController, type RuntimeWebServices } from './controllers/runtime.controller';
import { statisticsController } from './controllers/statistics.controller';
import { studioController, type StudioWebServices } from './controllers/studio.controller';
import { trackingController } from './controllers/tracking.controller';
import { annualPlanPagesController } from './controllers/annual-plan-pages.controller';
import type { TrackingService } from '../services/tracking.service';
import { workspaceController } from './controllers/workspace.controller';
import type { WorkspaceService } from '../services/workspace.service';
import type { Department } from '../domain/organisation';
import { requireApiUser, requirePageUser } from './middleware/authenticate';

export interface WebServices extends RuntimeWebServices {
  studio: StudioWebServices;
  auth: Pick<AuthService, 'signIn' | 'revoke'>;
  health: Pick<HealthService, 'check'>;
  projects: Pick<ProjectService, 'create' | 'patch' | 'addDocument' | 'removeDocument' | 'document' | 'submit' | 'get' | 'list' | 'openAudit' | 'reportLoss'>;
  annualPlans: Pick<AnnualPlanService, 'create' | 'get' | 'export' | 'list'>;
  archives: Pick<ArchiveService, 'build'>;
  calendar: Pick<CalendarService, 'overview' | 'year' | 'enter'>;
  batches: Pick<ApplicationBatchService, 'list' | 'open' | 'close'>;
  statistics: Pick<StatisticsService, 'dashboard' | 'processStatistics' | 'monitor'>;
  tracking: Pick<TrackingService, 'track'>;
  audit: Pick<AuditService, 'verify'>;
  exports: Pick<ExportService, 'export'>;
  workspace: Pick<WorkspaceService, 'counts' | 'list' | 'taskPage' | 'projectPage' | 'messages' | 'draftPage'>;
  org: { listDepartments(): Promise<Department[]> };
}

// one file per upload, kept in memory until it is stored in the database (no local disk: N app processes)
const single = multer({ storage: multer.memoryStorage(), defParamCharset: 'utf8', limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10 } }).single('file');
/** multer, with a body it cannot parse (busboy's errors carry no status) answered 400, not 500 */
const upload: RequestHandler = (req, res, next) =>
  single(req, res, (err: unknown) => {
    if (!err || (err as { code?: string }).code?.startsWith?.('LIMIT_')) return next(err);
    next(malformed('上传内容无法解析：请以 multipart/form-data 上传一个文件（字段 file）和材料类型（字段 materialType）'));
  });
// the bytes as sent: the deployment decodes them in the encoding the document declares (strictly)
const xmlBody = express.raw({ type: ['application/xml', 'text/xml', 'application/bpmn+xml'], limit: '5mb' });

/** The routes — this file reads like an index of the HTTP surface (../shared/spec/api.md). */
export function routes(s: WebServices, opts: { secureCookies: boolean; manualClock: boolean }): Router {
  const r = express.Router();
  const auth = authController(s.auth, opts);
  const health = healthController(s.health);
  const pages = pagesController(s);
  const rt = runtimeController(s);
  const studio = studioController(s.studio);
  const projects = projectsController(s.projects, s.annualPlans, s.archives);
  const calendar = calendarController(s.calendar);
  const batches = applicationBatchesController(s.batches);
  const statistics = statisticsController(s.statistics);
  const tracking = trackingController(s.tracking);
  const plans = annualPlanPagesController(s.annualPlans);
  const audit = auditController(s.audit);
  const exportsOf = exportsController(s.exports);
  const work = workspaceController(s.workspace, s.org, s.clock);
  const api = requireApiUser;
  // a signed-in page: the login first, then the lists' sizes for the navigation
  const page = [requirePageUser, work.navCounts];

  r.get('/healthz', health.check);

  r.post('/api/auth/token', auth.issueToken);
  r.delete('/api/auth/token', api, auth.revokeToken);
  r.get('/api/me', api, auth.me);

  r.get('/api/process-definitions', api, rt.listDefinitions);
  r.post('/api/process-definitions', api, xmlBody, rt.deploy);
  r.get('/api/process-definitions/:key', api, rt.getDefinition);
  r.get('/api/process-definitions/:key/xml', api, rt.getDefinitionXml);
  r.get('/api/process-definitions/:key/statistics', api, statistics.processStatistics);
  r.post('/api/process-definitions/:key/instances', api, rt.startInstance);

  r.get('/api/process-instances', api, rt.listInstances);
  r.get('/api/process-instances/:id', api, rt.getInstance);
  r.get('/api/process-instances/:id/tracking', api, tracking.json);
  r.delete('/api/process-instances/:id', api, rt.terminateInstance);
  r.post('/api/process-instances/:id/migrate', api, studio.migrateInstance);
  r.post('/api/process-definitions/:key/versions/:version/migrate', api, studio.migrateVersion);
  r.get('/api/process-definitions/:key/forms', api, studio.listForms);
  r.get('/api/process-definitions/:key/forms/:formId', api, studio.getForm);
  r.post('/api/process-definitions/:key/forms', api, studio.deployForm);

  r.get('/api/tasks', api, rt.listTasks);
  r.get('/api/tasks/:id', api, rt.getTask);
  r.post('/api/tasks/:id/claim', api, rt.claim);
  r.post('/api/tasks/:id/unclaim', api, rt.unclaim);
  r.post('/api/tasks/:id/assign', api, rt.assignTask);
  r.post('/api/tasks/:id/complete', api, rt.complete);
  r.post('/api/tasks/:id/transfer', api, rt.transfer);
  r.post('/api/tasks/:id/delegate', api, rt.delegate);
  r.post('/api/tasks/:id/add-signer', api, rt.addSigner);
  r.post('/api/tasks/:id/sign', api, rt.sign);
  r.post('/api/tasks/:id/return', api, rt.returnTask);
  r.post('/api/tasks/:id/withdraw', api, rt.withdraw);
  r.post('/api/tasks/:id/cc', api, rt.cc);
  r.post('/api/tasks/:id/urge', api, rt.urge);

  r.post('/api/messages', api, rt.correlate);
  r.post('/api/signals', api, rt.broadcastSignal);
  r.get('/api/incidents', api, rt.listIncidents);
  r.post('/api/incidents/:id/retry', api, rt.retryIncident);
  r.get('/api/handlers', api, rt.handlers);
  r.get('/api/element-templates', api, rt.elementTemplates);
  r.get('/api/groups', api, rt.groups);
  r.get('/api/notifications', api, rt.notifications);
  r.post('/api/notifications/read-all', api, rt.readAllNotifications);
  r.post('/api/notifications/:id/read', api, rt.readNotification);

  r.get('/api/projects', api, projects.list);
  r.post('/api/projects', api, projects.create);
  r.get('/api/projects/:id', api, projects.get);
  r.patch('/api/projects/:id', api, projects.patch);
  r.post('/api/projects/:id/documents', api, upload, projects.upload);
  r.get('/api/projects/:id/documents/:docId', api, projects.document);
  r.delete('/api/projects/:id/documents/:docId', api, projects.removeDocument);
  r.post('/api/projects/:id/submit', api, projects.submit);
  r.get('/api/projects/:id/archive', api, projects.archive);
  r.post('/api/projects/:id/audits', api, projects.openAudit);
  r.post('/api/projects/:id/loss-reports', api, projects.reportLoss);
  r.post('/api/annual-plans', api, projects.createPlan);
  r.get('/api/annual-plans/:id', api, projects.getPlan);
  r.get('/api/annual-plans/:id/export', api, projects.exportPlan);

  r.get('/api/dashboard', api, statistics.dashboard);

  // 第5条第（一）项 申报批次 (our extension, README)
  r.get('/api/application-batches', api, batches.list);
  r.post('/api/application-batches', api, batches.open);
  r.post('/api/application-batches/:id/close', api, batches.close);
  r.get('/api/calendar', api, calendar.overview);
  r.get('/api/calendar/:year', api, calendar.year);
  r.put('/api/calendar/:year', api, calendar.enter);

  r.get('/api/audit/verify', api, audit.verify);
  r.get('/api/exports/projects', api, exportsOf.projects);
  r.get('/api/exports/tasks', api, exportsOf.tasks);

  if (opts.manualClock) {
    r.get('/api/dev/clock', api, rt.getClock);
    r.post('/api/dev/clock', api, rt.setClock);
  }

  r.get('/login', auth.loginPage);
  r.post('/login', auth.login);
  r.post('/logout', auth.logout);
  r.get('/', requirePageUser, pages.home);
  r.get('/tasks', page, work.todo);
  r.get('/tasks/done', page, work.done);
  r.get('/tasks/started', page, work.started);
  r.get('/tasks/cc', page, work.cc);
  r.get('/tasks/:id', page, work.task);
  r.get('/messages', page, work.messages);
  r.get('/projects', page, pages.projects);
  r.get('/projects/new', page, work.newProject);
  r.get('/projects/:id', page, work.project);
  r.get('/projects/:id/edit', page, work.editProject);
  r.get('/processes', page, pages.processes);
  r.get('/instances/:id', page, tracking.page);
  r.get('/annual-plans', page, plans.list);
  r.get('/annual-plans/:id', page, plans.page);
  r.get('/processes/:key/versions/:version', page, pages.processVersion);
  r.get('/processes/:key/edit', page, pages.processEdit);
  r.get('/processes/:key/statistics', page, statistics.processPage);
  r.get('/incidents', page, studio.incidentsPage);
  r.get('/processes/:key/forms', page, studio.formsPage);
  r.get('/processes/:key/forms/editor', page, studio.formEditor);
  r.get('/monitor', page, pages.monitor);
  r.get('/calendar', page, calendar.page);
  r.post('/calendar', requirePageUser, calendar.submit);
  r.get('/application-batches', page, batches.page);
  r.post('/application-batches', requirePageUser, batches.submit);
  r.post('/application-batches/:id/close', requirePageUser, batches.submitClose);
  return r;
}
