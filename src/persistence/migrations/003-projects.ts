import { DataTypes, type QueryInterface } from 'sequelize';

const at = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const money = (allowNull = true) => ({ type: DataTypes.DECIMAL(16, 2), allowNull });
const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };

/** The domain of the measures: projects, their documents (stored in the database, so every app process sees them), payments, annual plans. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const blob = qi.sequelize.getDialect() === 'mysql' ? DataTypes.BLOB('long') : DataTypes.BLOB;
  await qi.createTable('projects', {
    id,
    code: { type: DataTypes.STRING(40), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    unitCode: { type: DataTypes.STRING(64), allowNull: false },
    type: { type: DataTypes.STRING(20), allowNull: false },
    investment: money(false),
    planYear: { type: DataTypes.INTEGER, allowNull: false },
    classified: { type: DataTypes.BOOLEAN, allowNull: false },
    crossDepartment: { type: DataTypes.BOOLEAN, allowNull: false },
    participants: { type: DataTypes.JSON, allowNull: false },
    standaloneMobileApp: { type: DataTypes.BOOLEAN, allowNull: false },
    justification: { type: DataTypes.TEXT, allowNull: true },
    scopeCategory: { type: DataTypes.STRING(40), allowNull: false },
    inAnnualPlan: { type: DataTypes.BOOLEAN, allowNull: false },
    outOfPlanCategory: { type: DataTypes.STRING(40), allowNull: true },
    existingSystems: { type: DataTypes.JSON, allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false },
    stage: { type: DataTypes.STRING(40), allowNull: false },
    budgeted: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    approvedAmount: money(),
    createdBy: { type: DataTypes.STRING(64), allowNull: false },
    createdAt: at(),
    updatedAt: at(),
    submittedAt: at(true),
  });
  await qi.addIndex('projects', ['unitCode']);
  await qi.addIndex('projects', ['planYear', 'stage']);

  await qi.createTable('project_documents', {
    id,
    projectId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'projects', key: 'id' }, onDelete: 'CASCADE' },
    materialType: { type: DataTypes.STRING(40), allowNull: false },
    filename: { type: DataTypes.STRING(255), allowNull: false },
    mimeType: { type: DataTypes.STRING(100), allowNull: false },
    size: { type: DataTypes.INTEGER, allowNull: false },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    content: { type: blob, allowNull: false },
    uploadedBy: { type: DataTypes.STRING(64), allowNull: false },
    uploadedAt: at(),
  });
  await qi.addIndex('project_documents', ['projectId', 'materialType']);

  await qi.createTable('payments', {
    id,
    projectId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'projects', key: 'id' }, onDelete: 'CASCADE' },
    instanceId: { type: DataTypes.STRING(36), allowNull: true },
    amount: money(false),
    state: { type: DataTypes.STRING(20), allowNull: false }, // requested | disbursed | refused
    requestedBy: { type: DataTypes.STRING(64), allowNull: true },
    requestedAt: at(),
    decidedAt: at(true),
  });
  await qi.addIndex('payments', ['projectId']);

  await qi.createTable('annual_plans', {
    id,
    year: { type: DataTypes.INTEGER, allowNull: false },
    state: { type: DataTypes.STRING(20), allowNull: false }, // compiling | approved | returned
    instanceId: { type: DataTypes.STRING(36), allowNull: true },
    createdBy: { type: DataTypes.STRING(64), allowNull: false },
    createdAt: at(),
    approvedAt: at(true),
  });
  await qi.createTable('annual_plan_items', {
    planId: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'annual_plans', key: 'id' }, onDelete: 'CASCADE' },
    projectId: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'projects', key: 'id' } },
    priority: { type: DataTypes.INTEGER, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ['annual_plan_items', 'annual_plans', 'payments', 'project_documents', 'projects']) await qi.dropTable(t);
}
