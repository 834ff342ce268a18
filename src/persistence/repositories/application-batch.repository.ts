import { Op, type Transaction } from 'sequelize';
import type { ApplicationBatch } from '../../domain/application-batch';
import { appendOperation } from '../audit-chain';
import { ApplicationBatchModel } from '../models/project.model';

const toBatch = (m: ApplicationBatchModel): ApplicationBatch => ({
  id: m.id,
  name: m.name,
  planYear: m.planYear,
  opensOn: m.opensOn,
  closesOn: m.closesOn,
  closedAt: m.closedAt,
  createdBy: m.createdBy,
  createdAt: m.createdAt,
});

/** 第5条第（一）项 申报批次 (table application_batches, migration 016). */
export class ApplicationBatchRepository {
  async list(t?: Transaction): Promise<ApplicationBatch[]> {
    const rows = await ApplicationBatchModel.findAll({ order: [['planYear', 'DESC'], ['opensOn', 'DESC'], ['id', 'DESC']], transaction: t });
    return rows.map(toBatch);
  }

  async byId(id: number, t?: Transaction, lock = false): Promise<ApplicationBatch | null> {
    const row = await ApplicationBatchModel.findByPk(id, { transaction: t, lock: lock && t ? t.LOCK.UPDATE : undefined });
    return row ? toBatch(row) : null;
  }

  async byName(name: string, t?: Transaction): Promise<ApplicationBatch | null> {
    const row = await ApplicationBatchModel.findOne({ where: { name }, transaction: t });
    return row ? toBatch(row) : null;
  }

  /** The batches of a plan year not closed early whose days meet [from, to]. */
  async overlapping(planYear: number, from: string, to: string, t?: Transaction): Promise<ApplicationBatch[]> {
    const rows = await ApplicationBatchModel.findAll({
      where: { planYear, closedAt: null, opensOn: { [Op.lte]: to }, closesOn: { [Op.gte]: from } },
      order: [['opensOn', 'ASC']],
      transaction: t,
    });
    return rows.map(toBatch);
  }

  async create(b: Omit<ApplicationBatch, 'id' | 'closedAt'>, t?: Transaction): Promise<ApplicationBatch> {
    return toBatch(await ApplicationBatchModel.create({ ...b, closedAt: null }, { transaction: t }));
  }

  async close(id: number, at: Date, t: Transaction): Promise<void> {
    await ApplicationBatchModel.update({ closedAt: at }, { where: { id }, transaction: t });
  }
}

/** Appends an administrator's action on a batch to the operation log (no instance: instanceId null). */
export function logBatchOperation(values: { operation: string; actor: string; at: Date; data: Record<string, unknown> }, t: Transaction) {
  return appendOperation({ instanceId: null, ...values }, t);
}
