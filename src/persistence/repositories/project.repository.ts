import { Op, QueryTypes, type Transaction } from 'sequelize';
import type { Project, ProjectFields } from '../../domain/project';
import { AnnualPlanItemModel, AnnualPlanModel, LossReportModel, PaymentModel, ProjectDocumentModel, ProjectModel } from '../models/project.model';
import { executeBound } from '../direct';
import { projectScopeSql, type ProjectScope } from '../project-scope';

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** A LIKE pattern (with `ESCAPE '!'`) for a text anywhere in a column: `!` escapes LIKE's wildcards (a backslash is an escape of MySQL's string literals too). */
const containing = (text: string) => `%${text.replace(/[!%_]/g, (c) => `!${c}`)}%`;

/** Reads rows by id, 1,000 ids a statement, in the order of the slices. */
async function inThousands<T>(ids: number[], read: (part: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += 1000) out.push(...(await read(ids.slice(i, i + 1000))));
  return out;
}

/** The project list's filters: exact stage, unit, plan year and type; `q` a part of the name or the code. */
export interface ProjectListFilter {
  stage?: string;
  unitCode?: string;
  planYear?: number;
  type?: string;
  q?: string;
}

export const toProject = (m: ProjectModel): Project => ({
  id: m.id,
  code: m.code,
  name: m.name,
  unitCode: m.unitCode,
  type: m.type as Project['type'],
  investment: Number(m.investment),
  planYear: m.planYear,
  classified: Boolean(m.classified),
  crossDepartment: Boolean(m.crossDepartment),
  participants: m.participants ?? [],
  standaloneMobileApp: Boolean(m.standaloneMobileApp),
  justification: m.justification,
  scopeCategory: m.scopeCategory as Project['scopeCategory'],
  inAnnualPlan: Boolean(m.inAnnualPlan),
  outOfPlanCategory: m.outOfPlanCategory as Project['outOfPlanCategory'],
  existingSystems: m.existingSystems ?? [],
  description: m.description,
  stage: m.stage,
  budgeted: Boolean(m.budgeted),
  approvedAmount: num(m.approvedAmount),
  createdBy: m.createdBy,
  createdAt: m.createdAt,
  submittedAt: m.submittedAt,
});

export class ProjectRepository {
  /** The next code of a plan year: GF-<year>-<4 digits>, unique by the column's constraint. */
  /**
   * The next code of a plan year: one atomic upsert of the year's counter row (the row lock serialises
   * concurrent drafts until their commit), then its value — on SQLite and MySQL alike.
   */
  async nextCode(planYear: number, t: Transaction): Promise<string> {
    const sequelize = ProjectModel.sequelize!;
    const name = `project:${planYear}`;
    const upsert =
      sequelize.getDialect() === 'sqlite'
        ? 'INSERT INTO code_sequences (name, value) VALUES ($1, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1'
        : 'INSERT INTO code_sequences (name, value) VALUES ($1, 1) ON DUPLICATE KEY UPDATE value = value + 1';
    await executeBound(sequelize, upsert, [name], t);
    const [row] = await sequelize.query<{ value: number }>('SELECT value FROM code_sequences WHERE name = $1', { bind: [name], type: QueryTypes.SELECT, transaction: t });
    return `GF-${planYear}-${String(Number(row.value)).padStart(4, '0')}`;
  }

  async create(fields: ProjectFields & { code: string; stage: string; createdBy: string; now: Date }, t: Transaction): Promise<Project> {
    const { now, ...rest } = fields;
    return toProject(await ProjectModel.create({ ...rest, budgeted: false, approvedAmount: null, createdAt: now, updatedAt: now, submittedAt: null }, { transaction: t }));
  }

  async byId(id: number, t?: Transaction) {
    const m = await ProjectModel.findByPk(id, { transaction: t, lock: t ? t.LOCK.UPDATE : undefined });
    return m ? toProject(m) : null;
  }

  async byIds(ids: number[]) {
    return (await ProjectModel.findAll({ where: { id: { [Op.in]: ids } } })).map(toProject);
  }

  async byCode(code: string, t?: Transaction) {
    const m = await ProjectModel.findOne({ where: { code }, transaction: t });
    return m ? toProject(m) : null;
  }

  async update(id: number, changes: Partial<Omit<Project, 'id' | 'code'>> & { updatedAt: Date }, t?: Transaction) {
    await ProjectModel.update(changes, { where: { id }, transaction: t });
  }

  async updateByCode(code: string, changes: Partial<Omit<Project, 'id' | 'code'>> & { updatedAt: Date }, t?: Transaction) {
    await ProjectModel.update(changes, { where: { code }, transaction: t });
  }

  /**
   * The newest projects (at most `limit`) of a filter that a reader's scope covers: the scope is a condition of the
   * query (issue 13 item 6), so a unit's projects are found however many newer ones of others there are.
   */
  async list(filter: ProjectListFilter, scope: ProjectScope, limit = 1000) {
    const bind: Record<string, unknown> = {};
    const terms = [projectScopeSql(scope, bind)];
    for (const k of ['stage', 'unitCode', 'planYear', 'type'] as const) {
      const v = filter[k];
      if (v === undefined || v === '') continue;
      bind[`f_${k}`] = v;
      terms.push(`p.${k} = $f_${k}`);
    }
    // the search: a part of the name, or of the code in any case
    if (filter.q) {
      bind.f_name = containing(filter.q);
      bind.f_code = containing(filter.q.toLowerCase());
      terms.push("(p.name LIKE $f_name ESCAPE '!' OR LOWER(p.code) LIKE $f_code ESCAPE '!')");
    }
    const ids = await ProjectModel.sequelize!.query<{ id: number }>(`SELECT p.id FROM projects p WHERE ${terms.join(' AND ')} ORDER BY p.id DESC LIMIT ${Math.floor(limit)}`, {
      type: QueryTypes.SELECT,
      bind,
    });
    // the rows by primary key (an export asks for many)
    return inThousands(
      ids.map((r) => Number(r.id)),
      async (part) => (await ProjectModel.findAll({ where: { id: { [Op.in]: part } }, order: [['id', 'DESC']] })).map(toProject),
    );
  }

  /** What the visibility rule needs of these projects (light rows), read 1,000 ids a statement. */
  visibilityRows(ids: number[]) {
    return inThousands([...new Set(ids.map(Number).filter(Number.isSafeInteger))], (part) =>
      ProjectModel.sequelize!.query<{ id: number; classified: number | boolean; unitCode: string; participants: string | string[] | null }>(
        `SELECT p.id, p.classified, p.unitCode, p.participants FROM projects p WHERE p.id IN (${part.join(', ')})`,
        { type: QueryTypes.SELECT },
      ),
    );
  }

  /**
   * The ordinary projects some unit of `units` takes part in (第5条第（三）项), found in the stored participant lists;
   * a superset is harmless (the visibility rule checks each), so the codes are matched as quoted JSON strings.
   */
  async participatingIn(units: string[]): Promise<number[]> {
    if (!units.length) return [];
    const bind: Record<string, unknown> = {};
    const like = units.map((u, n) => ((bind[`q${n}`] = containing(JSON.stringify(u))), `p.participants LIKE $q${n} ESCAPE '!'`));
    const rows = await ProjectModel.sequelize!.query<{ id: number }>(`SELECT p.id FROM projects p WHERE p.classified = 0 AND (${like.join(' OR ')})`, { type: QueryTypes.SELECT, bind });
    return rows.map((r) => Number(r.id));
  }

  async addDocument(d: Omit<ProjectDocumentModel['_creationAttributes'], 'id'>, t?: Transaction) {
    const m = await ProjectDocumentModel.create(d, { transaction: t });
    return { id: m.id, materialType: m.materialType, filename: m.filename, size: m.size, sha256: m.sha256, mimeType: m.mimeType, uploadedBy: m.uploadedBy, uploadedAt: m.uploadedAt };
  }

  async documents(projectId: number, t?: Transaction) {
    const rows = await ProjectDocumentModel.findAll({ where: { projectId }, attributes: { exclude: ['content'] }, order: [['id', 'ASC']], transaction: t });
    return rows.map((m) => ({ id: m.id, materialType: m.materialType, filename: m.filename, size: m.size, sha256: m.sha256, mimeType: m.mimeType, uploadedBy: m.uploadedBy, uploadedAt: m.uploadedAt }));
  }

  /** removes one document of a project; how many rows went (0: none such) */
  removeDocument(projectId: number, documentId: number) {
    return ProjectDocumentModel.destroy({ where: { projectId, id: documentId } });
  }

  async documentContent(projectId: number, documentId: number) {
    return ProjectDocumentModel.findOne({ where: { projectId, id: documentId } });
  }

  async payments(projectId: number, t?: Transaction) {
    const rows = await PaymentModel.findAll({ where: { projectId }, order: [['id', 'ASC']], transaction: t });
    return rows.map((p) => ({ id: p.id, amount: Number(p.amount), state: p.state, requestedBy: p.requestedBy, requestedAt: p.requestedAt, decidedAt: p.decidedAt, instanceId: p.instanceId }));
  }

  async addPayment(p: { projectId: number; instanceId: string; amount: number; state: string; requestedAt: Date; decidedAt: Date }, t?: Transaction) {
    await PaymentModel.create({ ...p, requestedBy: null }, { transaction: t });
  }

  /** 第16条: the major-investment-loss reports of a project, oldest first */
  async lossReports(projectId: number, t?: Transaction) {
    const rows = await LossReportModel.findAll({ where: { projectId }, order: [['id', 'ASC']], transaction: t });
    return rows.map((r) => ({ id: r.id, instanceId: r.instanceId, description: r.description, amount: Number(r.amount), reportedBy: r.reportedBy, reportedAt: r.reportedAt }));
  }

  async addLossReport(r: { projectId: number; instanceId: string; description: string; amount: number; reportedBy: string; reportedAt: Date }, t: Transaction) {
    const row = await LossReportModel.create(r, { transaction: t });
    return row.id;
  }

  async createPlan(p: { year: number; createdBy: string; createdAt: Date; projectIds: number[] }, t: Transaction) {
    const plan = await AnnualPlanModel.create({ year: p.year, state: 'compiling', instanceId: null, createdBy: p.createdBy, createdAt: p.createdAt, approvedAt: null }, { transaction: t });
    await AnnualPlanItemModel.bulkCreate(p.projectIds.map((projectId, i) => ({ planId: plan.id, projectId, priority: i + 1 })), { transaction: t });
    return plan;
  }

  async setPlanInstance(planId: number, instanceId: string, t: Transaction) {
    await AnnualPlanModel.update({ instanceId }, { where: { id: planId }, transaction: t });
  }

  async plan(planId: number) {
    const plan = await AnnualPlanModel.findByPk(planId);
    if (!plan) return null;
    const items = await AnnualPlanItemModel.findAll({ where: { planId }, order: [['priority', 'ASC']] });
    return { id: plan.id, year: plan.year, state: plan.state, instanceId: plan.instanceId, createdBy: plan.createdBy, createdAt: plan.createdAt, approvedAt: plan.approvedAt, items: items.map((i) => ({ projectId: i.projectId, priority: i.priority })) };
  }

  /** Every annual plan, newest year first, with the ids of its projects. */
  async plans() {
    const [plans, items] = await Promise.all([AnnualPlanModel.findAll({ order: [['year', 'DESC'], ['id', 'DESC']] }), AnnualPlanItemModel.findAll()]);
    return plans.map((p) => ({ id: p.id, year: p.year, state: p.state, instanceId: p.instanceId, createdAt: p.createdAt, approvedAt: p.approvedAt, projectIds: items.filter((i) => i.planId === p.id).map((i) => i.projectId) }));
  }

  async updatePlan(planId: number, changes: { state?: string; approvedAt?: Date | null }, t?: Transaction) {
    await AnnualPlanModel.update(changes, { where: { id: planId }, transaction: t });
  }
}
