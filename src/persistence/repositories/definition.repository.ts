import { Op, type Transaction } from 'sequelize';
import { FormDefinitionModel, ProcessDefinitionModel } from '../models/runtime.model';

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
});

export class DefinitionRepository {
  async latest(key: string, transaction?: Transaction): Promise<DefinitionRow | null> {
    const m = await ProcessDefinitionModel.findOne({ where: { key }, order: [['version', 'DESC']], transaction });
    return m ? row(m) : null;
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
