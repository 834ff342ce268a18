import type { Sequelize } from 'sequelize';
import { conflict, notFound } from '../domain/errors';
import { getCompiledDefinition } from '../engine/definition-cache';
import type { EngineAction } from '../engine/types';
import type { DefinitionService } from './definition.service';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import { inTransaction } from '../persistence/transaction';
import type { Clock } from './clock.service';
import { incidentView } from './instance.service';
import type { RuntimeService } from './runtime.service';

export interface IncidentOverview extends ReturnType<typeof incidentView> {
  attempts: number;
  instanceId: string;
  definitionKey: string;
  version: number;
  /** the newest version of the instance's process (a migration target) */
  latestVersion: number;
  businessKey: string | null;
  /** the process's name as deployed in the instance's version */
  processName: string | null;
  /** the element's name in the instance's version (null: unnamed or no element) */
  elementName: string | null;
}

/**
 * Incidents: a service task whose retries ran out (kind `job`), or an engine failure (kind `engine`:
 * a FEEL error, an uncaught BPMN error, the loop guard) whose action is kept to be replayed on retry.
 */
export class IncidentService {
  constructor(
    private readonly d: { sequelize: Sequelize; repo: RuntimeRepository; runtime: Pick<RuntimeService, 'act' | 'runDueJobs'>; clock: Pick<Clock, 'now'>; definitions?: Pick<DefinitionService, 'compiled' | 'byId'> },
  ) {}

  async list() {
    return (await this.d.repo.allOpenIncidents()).map(incidentView);
  }

  /**
   * The open incidents as the 故障 page shows them (administrators): each with its instance (process,
   * version, business key), the element by its name in the instance's version, the message and the attempts.
   */
  async overview(): Promise<IncidentOverview[]> {
    const out: IncidentOverview[] = [];
    for (const inc of await this.d.repo.allOpenIncidents()) {
      const inst = await this.d.repo.findInstance(inc.instanceId);
      if (!inst) continue;
      let elementName: string | null = null;
      const processName = this.d.definitions ? (await this.d.definitions.byId(inst.definitionId)).name : null;
      if (inc.activityId && this.d.definitions) {
        const compiled = await getCompiledDefinition(await this.d.definitions.compiled(inst.definitionId)).catch(() => null);
        elementName = compiled?.model.elements.get(inc.activityId)?.name ?? null;
      }
      const latest = this.d.definitions ? await this.d.repo.latestVersionOf(inst.definitionKey) : inst.definitionVersion;
      out.push({
        ...incidentView(inc),
        attempts: inc.attempts ?? 1,
        instanceId: inst.id,
        definitionKey: inst.definitionKey,
        version: inst.definitionVersion,
        latestVersion: latest ?? inst.definitionVersion,
        businessKey: inst.businessKey,
        processName,
        elementName,
      });
    }
    return out;
  }

  async retry(id: number, actor: string) {
    const inc = await this.d.repo.findIncident(id);
    if (!inc) throw notFound(`异常 ${id} 不存在`);
    if (inc.resolvedAt) throw conflict('该异常已处理', 'incident-resolved');
    if (inc.kind === 'engine') {
      const action = inc.pendingAction as unknown as EngineAction;
      const state = await this.d.runtime.act(inc.instanceId, action, { actor, operation: 'incident-retry', data: { incidentId: id }, retriesIncidentId: id });
      const after = await this.d.repo.findIncident(id);
      return { incident: incidentView(after!), processInstance: state };
    }
    // a job incident: resolve it and let the service task run again now
    await inTransaction(this.d.sequelize, async (t) => {
      const fresh = await this.d.repo.findIncident(id, t);
      if (!fresh || fresh.resolvedAt) throw conflict('该异常已处理', 'incident-resolved');
      const now = this.d.clock.now();
      await fresh.update({ resolvedAt: now, resolvedBy: actor }, { transaction: t });
      if (inc.pendingAction && (inc.pendingAction as { kind?: string }).kind === 'call-start') {
        const p = inc.pendingAction as { processId: string; variables: Record<string, unknown> };
        await this.d.repo.createJob({ type: 'call-start', instanceId: inc.instanceId, executionId: inc.executionId, activityId: inc.activityId, dueAt: now, payload: { processId: p.processId, variables: p.variables }, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now }, t);
      } else {
        await this.d.repo.createJob({ type: 'retry', instanceId: inc.instanceId, executionId: inc.executionId, activityId: inc.activityId, dueAt: now, payload: null, attempts: 0, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now }, t);
      }
      const open = await this.d.repo.openIncidents(inc.instanceId, t);
      const inst = await this.d.repo.lockInstance(inc.instanceId, t);
      if (inst && inst.state === 'incident' && open.length === 0) await inst.update({ state: 'running' }, { transaction: t });
      await this.d.repo.log({ instanceId: inc.instanceId, operation: 'incident-retry', actor, at: now, data: { incidentId: id } }, t);
    });
    await this.d.runtime.runDueJobs();
    const after = await this.d.repo.findIncident(id);
    return { incident: incidentView(after!), processInstance: null };
  }
}
