import { malformed } from '../domain/errors';
import type { DefinitionService } from './definition.service';
import type { IncidentService } from './incident.service';
import type { MigrationResult, RuntimeService } from './runtime.service';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';

export interface MigrateRequest {
  targetVersion: number;
  mapping: Record<string, string>;
  dryRun: boolean;
}

/** The body of a migration request, checked (400 with the field otherwise). */
export function migrateRequest(body: Record<string, unknown>): MigrateRequest {
  const v = body.targetVersion;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw malformed('targetVersion 须为正整数', [{ field: 'targetVersion', message: '请指定目标版本号' }]);
  const mapping = body.mapping ?? {};
  if (!mapping || typeof mapping !== 'object' || Array.isArray(mapping) || Object.entries(mapping).some(([a, b]) => !a || typeof b !== 'string' || !b)) {
    throw malformed('mapping 须为 {源环节: 目标环节} 对象', [{ field: 'mapping', message: '每一项须为环节 id 到环节 id' }]);
  }
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw malformed('dryRun 须为 true 或 false', [{ field: 'dryRun', message: '须为布尔值' }]);
  return { targetVersion: v, mapping: mapping as Record<string, string>, dryRun: body.dryRun === true };
}

export interface BatchResult {
  definitionKey: string;
  from: number;
  to: number;
  dryRun: boolean;
  total: number;
  /** migrated (or, in a dry run, that would be) */
  ok: number;
  refused: number;
  instances: (MigrationResult & { businessKey: string | null; error?: string })[];
}

/**
 * Instance migration (issue 9 item 7; administrators only — the controller checks): one instance, or
 * every unended instance of one version (each in its own unit of work: one refusal leaves the others
 * migrated). An instance with open incidents is retried on its new version right after it migrated —
 * "resolve by migrating": a fixed diagram replays the action that failed.
 */
export class MigrationService {
  constructor(
    private readonly d: {
      runtime: Pick<RuntimeService, 'migrate'>;
      definitions: Pick<DefinitionService, 'get'>;
      incidents: Pick<IncidentService, 'retry'>;
      repo: Pick<RuntimeRepository, 'findInstance' | 'openIncidents' | 'instancesOfDefinition'>;
    },
  ) {}

  async migrate(instanceId: string, req: MigrateRequest, actor: string): Promise<MigrationResult & { incidentsRetried: number }> {
    const inst = await this.d.repo.findInstance(instanceId);
    const target = inst ? await this.d.definitions.get(inst.definitionKey, req.targetVersion) : null;
    // an unknown instance: the runtime answers 404 (target id 0 is never looked up before that)
    const result = await this.d.runtime.migrate(instanceId, target?.id ?? 0, req.mapping, { dryRun: req.dryRun, actor });
    return { ...result, incidentsRetried: result.migrated ? await this.retryIncidents(instanceId, actor) : 0 };
  }

  async migrateVersion(key: string, version: number, req: MigrateRequest, actor: string): Promise<BatchResult> {
    const source = await this.d.definitions.get(key, version);
    const target = await this.d.definitions.get(key, req.targetVersion);
    const instances = await this.d.repo.instancesOfDefinition(source.id);
    const out: BatchResult = { definitionKey: key, from: version, to: target.version, dryRun: req.dryRun, total: instances.length, ok: 0, refused: 0, instances: [] };
    for (const inst of instances) {
      let r: MigrationResult & { error?: string };
      try {
        r = await this.d.runtime.migrate(inst.id, target.id, req.mapping, { dryRun: req.dryRun, actor });
        if (r.migrated) await this.retryIncidents(inst.id, actor);
      } catch (err) {
        const e = err as Error & { details?: { elementId?: string; message: string }[] };
        r = { instanceId: inst.id, definitionKey: key, from: version, to: target.version, moves: [], problems: (e.details ?? [{ message: e.message }]).map((p) => ({ elementId: p.elementId ?? '', message: p.message })), migrated: false, error: e.message };
      }
      if (r.problems.length) out.refused++;
      else out.ok++;
      out.instances.push({ ...r, businessKey: inst.businessKey });
    }
    return out;
  }

  private async retryIncidents(instanceId: string, actor: string): Promise<number> {
    let n = 0;
    for (const inc of await this.d.repo.openIncidents(instanceId)) {
      try {
        await this.d.incidents.retry(inc.id, actor);
        n++;
      } catch {
        // still failing on the new version: the incident stays open (its message updated by the retry)
      }
    }
    return n;
  }
}
