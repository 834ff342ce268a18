import { columnsOf, modelsOf, selectRows } from '../direct';
import { fn, col, Op, type Transaction } from 'sequelize';
import { FormDefinitionModel, IncidentModel, ProcessDefinitionModel, ProcessInstanceModel } from '../models/runtime.model';

export interface DefinitionRow {
  id: number;
  key: string;
  version: number;
  name: string;
  xml: string;
  checksum: string;
  forms: Record<string, number>;
  deployedAt: Date;
  deployedBy: string | null;
  /** the change note written at deploy */
  note: string | null;
}

/** An open incident with the version its instance runs. */
export interface OpenIncidentRow {
  id: number;
  instanceId: string;
  definitionId: number;
  activityId: string | null;
  message: string;
  createdAt: Date;
}

const row = (m: ProcessDefinitionModel): DefinitionRow => ({
  id: m.id,
  key: m.key,
  version: m.version,
  name: m.name,
  xml: m.xml,
  checksum: m.checksum,
  forms: m.forms ?? {},
  deployedAt: m.deployedAt,
  deployedBy: m.deployedBy,
  note: m.note ?? null,
});

export class DefinitionRepository {
  async latest(key: string, transaction?: Transaction): Promise<DefinitionRow | null> {
    // on the driver connection: every start reads it
    const rows = await selectRows(ProcessDefinitionModel.sequelize!, `SELECT ${columnsOf(ProcessDefinitionModel)} FROM process_definitions WHERE \`key\` = $1 ORDER BY version DESC LIMIT 1`, [key], transaction);
    const [m] = modelsOf(ProcessDefinitionModel, rows);
    return m ? row(m) : null;
  }

  /** The id of the newest version of a key (null when none): one indexed read without the document. */
  async latestId(key: string): Promise<number | null> {
    const [r] = await selectRows<{ id: number | string }>(ProcessDefinitionModel.sequelize!, 'SELECT id FROM process_definitions WHERE `key` = $1 ORDER BY version DESC LIMIT 1', [key]);
    return r ? Number(r.id) : null;
  }

  async byVersion(key: string, version: number): Promise<DefinitionRow | null> {
    const m = await ProcessDefinitionModel.findOne({ where: { key, version } });
    return m ? row(m) : null;
  }

  async byId(id: number, transaction?: Transaction): Promise<DefinitionRow | null> {
    const m = await ProcessDefinitionModel.findByPk(id, { transaction });
    return m ? row(m) : null;
  }

  /** The latest version of every key. */
  async listLatest(): Promise<Omit<DefinitionRow, 'xml'>[]> {
    const all = await ProcessDefinitionModel.findAll({ attributes: { exclude: ['xml'] }, order: [['key', 'ASC'], ['version', 'DESC']] });
    const seen = new Set<string>();
    return all.filter((m) => !seen.has(m.key) && seen.add(m.key)).map((m) => ({ ...row(m), xml: undefined }) as Omit<DefinitionRow, 'xml'>);
  }

  /** Every version of every key (without the documents), by key then version. */
  async allVersions(): Promise<Omit<DefinitionRow, 'xml'>[]> {
    const all = await ProcessDefinitionModel.findAll({ attributes: { exclude: ['xml'] }, order: [['key', 'ASC'], ['version', 'ASC']] });
    return all.map((m) => ({ ...row(m), xml: undefined }) as Omit<DefinitionRow, 'xml'>);
  }

  /** How many instances each version has in each state: definitionId → state → count. */
  async instanceCounts(): Promise<Map<number, Record<string, number>>> {
    const rows = (await ProcessInstanceModel.findAll({
      attributes: ['definitionId', 'state', [fn('COUNT', col('id')), 'n']],
      group: ['definitionId', 'state'],
      raw: true,
    })) as unknown as { definitionId: number; state: string; n: number | string }[];
    const out = new Map<number, Record<string, number>>();
    for (const r of rows) {
      const counts = out.get(Number(r.definitionId)) ?? {};
      counts[r.state] = Number(r.n);
      out.set(Number(r.definitionId), counts);
    }
    return out;
  }

  /** The open incidents, each with its instance's version. */
  async openIncidents(): Promise<OpenIncidentRow[]> {
    const incidents = await IncidentModel.findAll({ where: { resolvedAt: null }, order: [['createdAt', 'ASC'], ['id', 'ASC']] });
    if (!incidents.length) return [];
    const ids = [...new Set(incidents.map((i) => i.instanceId))];
    const instances = await ProcessInstanceModel.findAll({ attributes: ['id', 'definitionId'], where: { id: { [Op.in]: ids } } });
    const defOf = new Map(instances.map((i) => [i.id, i.definitionId]));
    return incidents
      .filter((i) => defOf.has(i.instanceId))
      .map((i) => ({ id: i.id, instanceId: i.instanceId, definitionId: defOf.get(i.instanceId)!, activityId: i.activityId, message: i.message, createdAt: i.createdAt }));
  }

  async create(d: Omit<DefinitionRow, 'id'>, transaction: Transaction): Promise<DefinitionRow> {
    return row(await ProcessDefinitionModel.create(d, { transaction }));
  }

  async latestForm(formId: string, transaction?: Transaction): Promise<FormDefinitionModel | null> {
    return FormDefinitionModel.findOne({ where: { formId }, order: [['version', 'DESC']], transaction });
  }

  async formById(id: number, transaction?: Transaction): Promise<{ formId: string; version: number; schema: Record<string, unknown> } | null> {
    const f = await FormDefinitionModel.findByPk(id, { transaction });
    return f ? { formId: f.formId, version: f.version, schema: f.schema } : null;
  }

  async knownFormIds(formIds: string[]): Promise<Set<string>> {
    const rows = await FormDefinitionModel.findAll({ attributes: ['formId'], where: { formId: { [Op.in]: formIds } } });
    return new Set(rows.map((r) => r.formId));
  }

  async createForm(f: { formId: string; version: number; schema: Record<string, unknown>; checksum: string; deployedAt: Date; deployedBy: string | null }, transaction: Transaction) {
    return FormDefinitionModel.create(f, { transaction });
  }
}
