import { notFound } from '../domain/errors';
import { isAdmin, type User } from '../domain/organisation';
import type { IncidentModel, ProcessInstanceModel, RuntimeRepository } from '../persistence/repositories/runtime.repository';
import type { VisibilityService } from './visibility.service';

export const incidentView = (i: IncidentModel) => ({
  id: i.id,
  processInstanceId: i.instanceId,
  activityId: i.activityId,
  kind: i.kind,
  message: i.message,
  createdAt: i.createdAt.toISOString(),
  resolvedAt: i.resolvedAt ? i.resolvedAt.toISOString() : null,
});

const instanceSummary = (i: ProcessInstanceModel) => ({
  id: i.id,
  definitionKey: i.definitionKey,
  definitionVersion: i.definitionVersion,
  businessKey: i.businessKey,
  projectId: i.projectId,
  state: i.state,
  startedAt: i.startedAt.toISOString(),
  endedAt: i.endedAt ? i.endedAt.toISOString() : null,
  activeActivityIds: i.activeActivityIds ?? [],
  parentInstanceId: i.parentInstanceId,
});

/**
 * Read side of instances: where each instance stands, its history and incidents — each read checked
 * against the visibility rule of 第5条 (lists leave out, single reads answer 403).
 */
export class InstanceService {
  constructor(
    private readonly repo: RuntimeRepository,
    private readonly visibility: Pick<VisibilityService, 'projectScope' | 'instanceFilter' | 'assertInstance'>,
  ) {}

  async list(user: User, filter: { definitionKey?: string; state?: string; businessKey?: string }) {
    // what the caller may see is a condition of the query; the rule checks what it read once more
    const { scope } = await this.visibility.projectScope(user);
    const rows = await this.repo.listInstances(filter, 500, { scope, username: user.username, groups: user.groups, admin: isAdmin(user) });
    const visible = await this.visibility.instanceFilter(user, rows);
    return rows.filter(visible).map(instanceSummary);
  }

  /** The instances of a project whose visibility the caller has checked already (GET /api/projects/:id). */
  async ofVisibleProject(businessKey: string) {
    return (await this.repo.listInstances({ businessKey })).map(instanceSummary);
  }

  async get(id: string, user: User) {
    const i = await this.repo.findInstance(id);
    if (!i) throw notFound(`流程实例 ${id} 不存在`);
    await this.visibility.assertInstance(user, i);
    return this.detail(i);
  }

  /** One instance of a project whose visibility the caller has checked already (the archive). */
  async getOfVisibleProject(id: string) {
    const i = await this.repo.findInstance(id);
    if (!i) throw notFound(`流程实例 ${id} 不存在`);
    return this.detail(i);
  }

  private async detail(i: ProcessInstanceModel) {
    const id = i.id;
    const [history, incidents, operations, timers] = await Promise.all([this.repo.activityHistory(id), this.repo.openIncidents(id), this.repo.operations(id), this.repo.jobsOf(id, 'timer')]);
    return {
      id: i.id,
      definitionKey: i.definitionKey,
      definitionVersion: i.definitionVersion,
      businessKey: i.businessKey,
      projectId: i.projectId,
      parentInstanceId: i.parentInstanceId,
      state: i.state,
      startedAt: i.startedAt.toISOString(),
      endedAt: i.endedAt ? i.endedAt.toISOString() : null,
      variables: i.variables ?? {},
      activeActivityIds: i.activeActivityIds ?? [],
      engineVersion: i.engineVersion,
      history: history.map((h) => ({
        executionId: h.executionId,
        activityId: h.activityId,
        activityName: h.activityName,
        type: h.activityType,
        startedAt: h.startedAt.toISOString(),
        endedAt: h.endedAt ? h.endedAt.toISOString() : null,
        actor: h.actor,
        outcome: h.outcome,
      })),
      operations: operations.map((o) => ({ operation: o.operation, taskId: o.taskId, actor: o.actor, at: o.at.toISOString(), data: o.data })),
      incidents: incidents.map(incidentView),
      // the armed timers; provisional: counted on weekends only for a year without calendar data
      timers: timers.map((j) => ({ activityId: j.activityId, dueAt: j.dueAt.toISOString(), provisional: !!j.provisional })),
    };
  }
}
