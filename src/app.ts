/**
 * The composition root: the one place that builds every collaborator and wires them together.
 */
import crypto from 'node:crypto';
import type { Express } from 'express';
import type { Transaction } from 'sequelize';
import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { installSmqpFastPath, pauseSmqpFastPath } from './engine/smqp-fast-path';
import { engineWorkers } from './engine/engine-workers';
import { BUILTIN_HANDLERS } from './handlers';
import { elementTemplates } from './handlers/element-templates';
import type { HandlerDescriptor } from './handlers/handler';
import { HandlerRegistry } from './handlers/registry';
import { smtpMailer } from './notifications/mailer';
import { openDatabase, type Database } from './persistence/db';
import { migrateWithLock } from './persistence/migrator';
import { initModels } from './persistence/models';
import { AuthRepository } from './persistence/repositories/auth.repository';
import { CalendarRepository } from './persistence/repositories/calendar.repository';
import { DefinitionRepository } from './persistence/repositories/definition.repository';
import { NotificationRepository } from './persistence/repositories/notification.repository';
import { OrganisationRepository } from './persistence/repositories/organisation.repository';
import { ProjectRepository } from './persistence/repositories/project.repository';
import { RuntimeRepository } from './persistence/repositories/runtime.repository';
import { SettingsRepository } from './persistence/repositories/settings.repository';
import { retryOnUniqueKey } from './persistence/transaction';
import { AuthService } from './services/auth.service';
import { CalendarService } from './services/calendar.service';
import { toShanghaiDate } from './domain/calendar';
import { StatisticsService } from './services/statistics.service';
import { TrackingService } from './services/tracking.service';
import { StatisticsRepository } from './persistence/repositories/statistics.repository';
import { ManualClock, SystemClock, type Clock } from './services/clock.service';
import { DefinitionService } from './services/definition.service';
import { HealthService } from './services/health.service';
import { IncidentService } from './services/incident.service';
import { MigrationService } from './services/migration.service';
import { InstanceService } from './services/instance.service';
import { MessageService } from './services/message.service';
import { SignalService } from './services/signal.service';
import { AnnualPlanService } from './services/annual-plan.service';
import { ArchiveService } from './services/archive.service';
import { ExportService } from './services/export.service';
import { AuditService } from './services/audit.service';
import { OutboxService } from './services/outbox.service';
import { ProjectService } from './services/project.service';
import { RuntimeService, type RuntimeOptions } from './services/runtime.service';
import { Scheduler } from './services/scheduler.service';
import { seedOrganisation } from './services/seed.service';
import { ApplicationBatchService } from './services/application-batch.service';
import { ApplicationBatchRepository } from './persistence/repositories/application-batch.repository';
import { TaskService } from './services/task.service';
import { TaskOperationsService } from './services/task-operations.service';
import { VisibilityService } from './services/visibility.service';
import { WorkspaceService } from './services/workspace.service';
import { buildClient } from './web/client-build';
import { createWebApp } from './web/server';
import { DEPARTMENTS, GROUPS, USERS } from '../seed/organisation';
import { shippedProcesses } from '../seed/processes';

export interface GovFlow {
  config: Config;
  log: Logger;
  db: Database;
  app: Express;
  clock: Clock;
  /** the statutory working-day calendar (database-backed, held in memory) */
  calendar: CalendarService;
  org: OrganisationRepository;
  auth: AuthService;
  handlers: HandlerRegistry;
  definitions: DefinitionService;
  runtime: RuntimeService;
  tasks: TaskService;
  messages: MessageService;
  incidents: IncidentService;
  outbox: OutboxService;
  projects: ProjectService;
  scheduler: Scheduler;
  /** seeds the demo organisation and deploys the shipped processes (idempotent) */
  seed(): Promise<{ created: number }>;
  close(): Promise<void>;
}

export interface GovFlowOptions {
  log?: Logger;
  /** handlers besides the built-in ones (tests add their own) */
  extraHandlers?: HandlerDescriptor[];
  runtime?: RuntimeOptions;
  /** every SQL statement, as sequelize logs it (the profiling tools count them) */
  sqlLogging?: (sql: string) => void;
}

export async function createGovFlow(config: Config, opts: GovFlowOptions = {}): Promise<GovFlow> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { app: 'govflow' } });
  if (config.engineFastPath) installSmqpFastPath();
  else pauseSmqpFastPath();
  const db = await openDatabase(config.databaseUrl, { lockWaitTimeoutS: config.dbLockWaitTimeoutS, logging: opts.sqlLogging });
  const applied = await migrateWithLock(db.sequelize, db.dialect);
  if (applied.length) log.info({ event: 'db.migrated', migrations: applied }, 'migrations applied');
  initModels(db.sequelize);

  const settings = new SettingsRepository();
  const org = new OrganisationRepository(db.sequelize);
  const runtimeRepo = new RuntimeRepository();
  const clock: Clock = config.clock === 'manual' ? new ManualClock(settings) : new SystemClock();
  await clock.refresh();

  // without SESSION_SECRET, one random secret is generated once and shared through the database
  const sessionSecret = config.sessionSecret ?? (await settings.getOrCreate('session.secret', () => crypto.randomBytes(32).toString('base64url')));
  const auth = new AuthService(org, new AuthRepository(), { tokenTtlHours: config.tokenTtlHours, sessionTtlHours: config.sessionTtlHours, log, cacheMs: config.authCacheMs });
  const health = new HealthService(db);

  const handlers = new HandlerRegistry([...BUILTIN_HANDLERS, ...(opts.extraHandlers ?? [])]);
  const definitions = new DefinitionService(db.sequelize, new DefinitionRepository(), clock, {
    hasHandler: (name) => handlers.has(name),
    groupKeys: async () => (await org.listGroups()).map((g) => g.key),
    maxElements: config.maxDefinitionElements,
  });
  // handlers reach the domain through ports bound to their step's transaction (projects is built below)
  const ports = (t: Transaction) => ({
    projects: projects.port(t),
    organisation: {
      members: async (groupKey: string) =>
        (await org.usersInGroups([groupKey])).map((u) => ({ username: u.username, displayName: u.displayName })).sort((a, b) => a.username.localeCompare(b.username)),
    },
  });
  // the calendar reschedules timers through the runtime, the runtime computes with the calendar
  const calendar: CalendarService = new CalendarService({
    sequelize: db.sequelize,
    repo: new CalendarRepository(),
    clock,
    log,
    timers: { reschedule: (t, id, timers, actor) => runtime.reschedule(t, id, timers, actor), runJobs: (ids) => runtime.runJobs(ids) },
  });
  const runtime = new RuntimeService({
    sequelize: db.sequelize,
    repo: runtimeRepo,
    definitions,
    handlers,
    clock,
    calendar,
    log,
    options: { maxCallDepth: config.maxCallDepth, jobConcurrency: config.jobConcurrency, liveEngines: config.liveEngines, ...opts.runtime },
    ports,
    groupKeys: knownGroupKeys(org),
    engineWorkers: config.engineWorkers ? engineWorkers(config.engineWorkers, config.engineFastPath) : undefined,
  });
  const projectRepo = new ProjectRepository();
  const visibility = new VisibilityService({ org, projects: projectRepo, runtime: runtimeRepo });
  const operations = new TaskOperationsService({ sequelize: db.sequelize, repo: runtimeRepo, runtime, definitions, clock, visibility, users: org });
  const tasks = new TaskService({ sequelize: db.sequelize, repo: runtimeRepo, runtime, definitions, clock, calendar, visibility, users: org, operations, documents: projectRepo });
  const instances = new InstanceService(runtimeRepo, visibility);
  const messages = new MessageService({ repo: runtimeRepo, runtime });
  const signals = new SignalService({ runtime });
  const incidents = new IncidentService({ sequelize: db.sequelize, repo: runtimeRepo, runtime, clock, definitions });
  const migrations = new MigrationService({ runtime, definitions, incidents, repo: runtimeRepo });
  const outbox = new OutboxService({ repo: new NotificationRepository(), org, clock, mailer: config.smtp ? smtpMailer(config.smtp) : null, log, visibility });
  const batches = new ApplicationBatchService({ sequelize: db.sequelize, repo: new ApplicationBatchRepository(), clock });
  const projects: ProjectService = new ProjectService({
    batches,
    sequelize: db.sequelize,
    repo: projectRepo,
    org,
    runtime,
    runtimeRepo,
    instances,
    tasks,
    clock,
    visibility,
    validity: config.measuresValidity,
  });
  const annualPlans = new AnnualPlanService({ sequelize: db.sequelize, projects: projectRepo, runtimeRepo, runtime, clock, visibility, org });
  const archives = new ArchiveService({ projects, repo: projectRepo, instances, runtime: runtimeRepo, definitions, org, clock });
  const statistics = new StatisticsService({ repo: new StatisticsRepository(db.sequelize), visibility, org, definitions, calendar, clock });
  const workspace = new WorkspaceService({ repo: runtimeRepo, projectRepo, org, definitions, outbox, tasks, operations, projects, visibility, clock, calendar });
  const tracking = new TrackingService({ instances, definitions, repo: runtimeRepo, projects: projectRepo, org, clock });
  const scheduler = new Scheduler({ runtime, outbox, log, intervalMs: config.schedulerIntervalMs });

  // the browser bundles, built once per process when the server starts (public/build, content-hashed)
  const assets = await buildClient();
  log.debug({ event: 'client.built', scripts: assets.scripts }, 'browser bundles built');
  const app = createWebApp(
    {
      auth,
      health,
      definitions,
      runtime,
      instances,
      tasks,
      operations,
      messages,
      signals,
      incidents,
      outbox,
      clock,
      calendar,
      projects,
      batches,
      annualPlans,
      archives,
      statistics,
      tracking,
      audit: new AuditService(runtimeRepo),
      exports: new ExportService({ projects, workspace, org, clock }),
      workspace,
      org,
      handlers: { catalogue: () => handlers.catalogue(), templates: () => elementTemplates(handlers.catalogue()) },
      groups: { list: () => org.listGroups() },
      studio: { migrations, incidents, forms: definitions },
    },
    { sessionSecret, secureCookies: config.production, manualClock: clock.manual, log, assets },
  );

  // seeds the years chinese-days has and the table lacks, and loads the calendar (once everything above exists:
  // a seeded year recomputes provisional timers, which may run jobs)
  await calendar.start();

  return {
    config,
    log,
    db,
    app,
    clock,
    calendar,
    org,
    auth,
    handlers,
    definitions,
    runtime,
    tasks,
    messages,
    incidents,
    outbox,
    projects,
    scheduler,
    async seed() {
      // production: the organisation and the administrator only (password from ADMIN_PASSWORD); demo users never
      const users = config.production ? USERS.filter((u) => u.username === 'admin') : USERS;
      const password = config.production ? config.adminPassword! : config.seedPassword;
      // several nodes may seed an empty database at once: a seed that meets the other's rows starts again and finds them
      const result = await retryOnUniqueKey(() => seedOrganisation(org, { departments: DEPARTMENTS, groups: GROUPS, users }, password), 8);
      for (const p of shippedProcesses()) {
        const d = await definitions.deploy({ xml: p.xml, forms: p.forms }, null);
        if (!d.duplicate) log.info({ event: 'process.deployed', key: d.key, version: d.version, file: p.file });
      }
      // 第5条第（一）项: the demo opens, per plan year, the batch the old months-7-to-12 rule meant — from 2026 to four years
      // past the current one (a demo started in a later year gets that year's batches too); production none (the Data
      // Bureau opens them)
      if (!config.production) {
        const thisYear = Number(toShanghaiDate(clock.now()).slice(0, 4));
        const years = Array.from({ length: Math.max(2030, thisYear + 4) - 2026 + 1 }, (_, i) => 2026 + i);
        await batches.seedDemo(years);
      }
      return result;
    },
    close: async () => {
      await scheduler.stop();
      await db.close();
    },
  };
}

/**
 * The group keys a new user task's candidate groups are checked against (RuntimeService.withKnownGroups), kept
 * while the organisation has not changed through this process and for at most 5 s; `fresh` reads them again
 * (the runtime asks for that before it calls a group unknown, so a group made by another process just now is
 * never taken for a missing one).
 */
function knownGroupKeys(org: Pick<OrganisationRepository, 'listGroups' | 'revision'>): (fresh?: boolean) => Promise<string[]> {
  let kept: { keys: string[]; revision: number; until: number } | null = null;
  return async (fresh = false) => {
    const now = Date.now();
    if (!fresh && kept && kept.revision === org.revision && kept.until > now) return kept.keys;
    const revision = org.revision;
    const keys = (await org.listGroups()).map((g) => g.key);
    kept = { keys, revision, until: now + 5000 };
    return keys;
  };
}
