import type { Request, Response } from 'express';
import { AppError, forbidden, malformed, unprocessable } from '../../domain/errors';
import { isAdmin, type Group, type User } from '../../domain/organisation';
import type { Clock } from '../../services/clock.service';
import type { DefinitionService } from '../../services/definition.service';
import type { IncidentService } from '../../services/incident.service';
import type { InstanceService } from '../../services/instance.service';
import type { MessageService } from '../../services/message.service';
import type { SignalService } from '../../services/signal.service';
import type { OutboxService } from '../../services/outbox.service';
import type { RuntimeService } from '../../services/runtime.service';
import type { TaskService } from '../../services/task.service';
import type { TaskOperationsService } from '../../services/task-operations.service';
import { positiveInt } from '../params';

export interface RuntimeWebServices {
  definitions: Pick<DefinitionService, 'deploy' | 'list' | 'get' | 'summary' | 'overview' | 'drawableXml'>;
  runtime: Pick<RuntimeService, 'start' | 'terminate' | 'runDueJobs'>;
  instances: Pick<InstanceService, 'list' | 'get'>;
  tasks: Pick<TaskService, 'list' | 'listUnassigned' | 'get' | 'claim' | 'unclaim' | 'complete' | 'assign'>;
  /** 转办 委派 加签 签署 退回 撤回 抄送 催办 */
  operations: Pick<TaskOperationsService, 'transfer' | 'delegate' | 'addSigner' | 'sign' | 'returnTo' | 'withdraw' | 'cc' | 'urge'>;
  messages: Pick<MessageService, 'correlate'>;
  signals: Pick<SignalService, 'broadcast'>;
  incidents: Pick<IncidentService, 'list' | 'retry'>;
  outbox: Pick<OutboxService, 'inbox' | 'markRead' | 'markAllRead' | 'dispatch'>;
  clock: Clock;
  handlers: { catalogue(): unknown[]; templates(): unknown[] };
  /** the organisation's groups (candidate groups are picked from them in the modeler) */
  groups: { list(): Promise<Group[]> };
}

const adminOnly = (u: User) => {
  if (!isAdmin(u)) throw forbidden('仅系统管理员可执行此操作');
};
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
const objectBody = (req: Request): Record<string, unknown> => {
  if (!req.is('application/json')) throw new AppError('unsupported-media', '请求体须为 application/json', 'unsupported-media');
  if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) throw malformed('请求体须为 JSON 对象');
  return req.body as Record<string, unknown>;
};

/** Process definitions, instances, tasks, messages, incidents, notifications and the dev clock. */
export function runtimeController(s: RuntimeWebServices) {
  return {
    async deploy(req: Request, res: Response) {
      adminOnly(req.user!);
      let input: { xml?: string; xmlBytes?: Buffer; charset?: string | null; forms?: never[]; note?: string | null };
      if (Buffer.isBuffer(req.body) && req.is(['application/xml', 'text/xml', 'application/bpmn+xml'])) {
        input = { xmlBytes: req.body, charset: /charset\s*=\s*"?([^";\s]+)/i.exec(req.get('content-type') ?? '')?.[1] ?? null };
      }
      else if (req.is('application/json')) {
        const b = objectBody(req);
        input = { xml: b.xml as string, forms: b.forms as never[], note: b.note as string | null | undefined };
      } else throw new AppError('unsupported-media', '请求体须为 BPMN XML（application/xml）或 JSON {xml, forms}', 'unsupported-media');
      const d = await s.definitions.deploy(input, req.user!.username);
      res.status(201).json(d);
    },
    async listDefinitions(_req: Request, res: Response) {
      res.json(await s.definitions.list());
    },
    async getDefinition(req: Request, res: Response) {
      const version = req.query.version === undefined ? undefined : positiveInt(req.query.version, 'version');
      res.json(s.definitions.summary(await s.definitions.get(req.params.key as string, version)));
    },
    async getDefinitionXml(req: Request, res: Response) {
      const version = req.query.version === undefined ? undefined : positiveInt(req.query.version, 'version');
      const d = await s.definitions.get(req.params.key as string, version);
      // ?download=1: saved as <key>-v<version>.bpmn (the 流程 pages' download link)
      if (req.query.download !== undefined) res.attachment(`${d.key}-v${d.version}.bpmn`);
      // a document written without a layout (BPMN DI) is laid out, so the modeler and the viewer draw it
      res.type('application/xml').send(await s.definitions.drawableXml(d));
    },

    async startInstance(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = req.body && Object.keys(req.body).length ? objectBody(req) : {};
      const started = await s.runtime.start(
        req.params.key as string,
        { businessKey: (b.businessKey as string | undefined) ?? null, variables: (b.variables as Record<string, unknown> | undefined) ?? {} },
        req.user!.username,
      );
      res.status(201).json(started);
    },
    async listInstances(req: Request, res: Response) {
      res.json(await s.instances.list(req.user!, { definitionKey: str(req.query.definitionKey), state: str(req.query.state), businessKey: str(req.query.businessKey) }));
    },
    async getInstance(req: Request, res: Response) {
      res.json(await s.instances.get(req.params.id as string, req.user!));
    },
    async terminateInstance(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.runtime.terminate(req.params.id as string, req.user!.username));
    },

    async listTasks(req: Request, res: Response) {
      const filter = { processInstanceId: str(req.query.processInstanceId), businessKey: str(req.query.businessKey) };
      // ?unassigned=true: the administrators' queue of tasks nobody holds (issue 12 item 14)
      if (str(req.query.unassigned) === 'true') return void res.json(await s.tasks.listUnassigned(req.user!, filter));
      res.json(await s.tasks.list(req.user!, filter));
    },
    async assignTask(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = objectBody(req);
      if (typeof b.assignee !== 'string' || b.assignee.trim() === '') {
        throw unprocessable('请指定办理人（assignee）', [{ field: 'assignee', message: '必填' }], 'assignee-required');
      }
      res.json(await s.tasks.assign(positiveInt(req.params.id, 'id'), req.user!, b.assignee.trim()));
    },
    async getTask(req: Request, res: Response) {
      res.json(await s.tasks.get(positiveInt(req.params.id, 'id'), req.user!));
    },
    async claim(req: Request, res: Response) {
      res.json(await s.tasks.claim(positiveInt(req.params.id, 'id'), req.user!));
    },
    async unclaim(req: Request, res: Response) {
      res.json(await s.tasks.unclaim(positiveInt(req.params.id, 'id'), req.user!));
    },
    async complete(req: Request, res: Response) {
      const b = req.body && Object.keys(req.body).length ? objectBody(req) : {};
      res.json(await s.tasks.complete(positiveInt(req.params.id, 'id'), req.user!, b.variables ?? {}));
    },

    // the approval operations (../shared/spec/api.md): JSON bodies; every refusal changes nothing
    async transfer(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.transfer(positiveInt(req.params.id, 'id'), req.user!, { to: b.to, opinion: b.opinion }));
    },
    async delegate(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.delegate(positiveInt(req.params.id, 'id'), req.user!, { to: b.to, opinion: b.opinion }));
    },
    async addSigner(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.addSigner(positiveInt(req.params.id, 'id'), req.user!, { to: b.to, opinion: b.opinion }));
    },
    async sign(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.sign(positiveInt(req.params.id, 'id'), req.user!, { opinion: b.opinion }));
    },
    async returnTask(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.returnTo(positiveInt(req.params.id, 'id'), req.user!, { toActivityId: b.toActivityId, opinion: b.opinion }));
    },
    async withdraw(req: Request, res: Response) {
      const b = req.body && Object.keys(req.body).length ? objectBody(req) : {};
      res.json(await s.operations.withdraw(positiveInt(req.params.id, 'id'), req.user!, { opinion: b.opinion }));
    },
    async cc(req: Request, res: Response) {
      const b = objectBody(req);
      res.json(await s.operations.cc(positiveInt(req.params.id, 'id'), req.user!, { to: b.to, opinion: b.opinion }));
    },
    async urge(req: Request, res: Response) {
      const b = req.body && Object.keys(req.body).length ? objectBody(req) : {};
      res.json(await s.operations.urge(positiveInt(req.params.id, 'id'), req.user!, { opinion: b.opinion }));
    },

    async correlate(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = objectBody(req);
      res.json(
        await s.messages.correlate(
          { messageName: b.messageName as string, businessKey: (b.businessKey as string) ?? null, variables: b.variables as Record<string, unknown>, all: b.all === true },
          req.user!.username,
        ),
      );
    },

    /** POST /api/signals {name, variables} — our extension (api.md has no signals; see README). */
    async broadcastSignal(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = objectBody(req);
      res.json(await s.signals.broadcast({ name: b.name, variables: b.variables }, req.user!.username));
    },

    async listIncidents(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.incidents.list());
    },
    async retryIncident(req: Request, res: Response) {
      adminOnly(req.user!);
      res.json(await s.incidents.retry(positiveInt(req.params.id, 'id'), req.user!.username));
    },

    handlers(_req: Request, res: Response) {
      res.json(s.handlers.catalogue());
    },
    elementTemplates(_req: Request, res: Response) {
      res.json(s.handlers.templates());
    },
    async groups(_req: Request, res: Response) {
      res.json((await s.groups.list()).map((g) => ({ key: g.key, name: g.name, departmentCode: g.departmentCode })));
    },

    async notifications(req: Request, res: Response) {
      res.json(await s.outbox.inbox(req.user!));
    },
    async readNotification(req: Request, res: Response) {
      await s.outbox.markRead(positiveInt(req.params.id, 'id'), req.user!);
      res.status(204).end();
    },
    async readAllNotifications(req: Request, res: Response) {
      res.json(await s.outbox.markAllRead(req.user!));
    },

    async getClock(req: Request, res: Response) {
      adminOnly(req.user!);
      await s.clock.refresh();
      res.json({ now: s.clock.now().toISOString(), manual: s.clock.manual });
    },
    /** Moves the manual clock; every timer that fell due fires before this returns. */
    async setClock(req: Request, res: Response) {
      adminOnly(req.user!);
      const b = objectBody(req);
      const now = new Date(String(b.now));
      // a sane instant only: ISO-8601 with a four-digit year between 2000 and 2100
      const sane = typeof b.now === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(b.now) && !Number.isNaN(now.getTime()) && now.getUTCFullYear() >= 2000 && now.getUTCFullYear() <= 2100;
      if (!sane) throw malformed('now 须为 2000–2100 年之间的 ISO-8601 时间', [{ field: 'now', message: 'now 须为 2000–2100 年之间的 ISO-8601 时间，例如 2026-12-01T09:00:00+08:00' }]);
      await s.clock.set(now);
      let fired = 0;
      // bounded: a cycle timer far behind could otherwise keep the request busy for ever
      for (let pass = 0, n = -1; n !== 0 && pass < 20; pass++) {
        n = await s.runtime.runDueJobs();
        fired += n;
      }
      await s.outbox.dispatch();
      res.json({ now: s.clock.now().toISOString(), firedJobs: fired });
    },
  };
}
