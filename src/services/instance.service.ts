import { notFound } from '../domain/errors';
import type { IncidentModel, RuntimeRepository } from '../persistence/repositories/runtime.repository';

export const incidentView = (i: IncidentModel) => ({
  id: i.id,
  processInstanceId: i.instanceId,
  activityId: i.activityId,
  kind: i.kind,
  message: i.message,
  createdAt: i.createdAt.toISOString(),
  resolvedAt: i.resolvedAt ? i.resolvedAt.toISOString() : null,
});

/** Read side of instances: where each instance stands, its history and incidents. */
export class InstanceService {
  constructor(private readonly repo: RuntimeRepository) {}

  async list(filter: { definitionKey?: string; state?: string; businessKey?: string }) {
    const rows = await this.repo.listInstances(filter);
    return rows.map((i) => ({
      id: i.id,
      definitionKey: i.definitionKey,
      definitionVersion: i.definitionVersion,
      businessKey: i.businessKey,
      state: i.state,
      startedAt: i.startedAt.toISOString(),
      endedAt: i.endedAt ? i.endedAt.toISOString() : null,
      activeActivityIds: i.activeActivityIds ?? [],
      parentInstanceId: i.parentInstanceId,
    }));
  }

  async get(id: string) {
    const i = await this.repo.findInstance(id);
    if (!i) throw notFound(`流程实例 ${id} 不存在`);
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
