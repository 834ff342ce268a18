import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 015: 第16条 重大投资损失 — the reports of a major investment loss a project's unit or the Data Bureau
 * makes during implementation (POST /api/projects/:id/loss-reports). Each is written in the unit of
 * work that correlates it into the running implementation instance (which opens the 第16条 decision).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('loss_reports', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    projectId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'projects', key: 'id' }, onDelete: 'CASCADE' },
    instanceId: { type: DataTypes.STRING(36), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: false },
    amount: { type: DataTypes.DECIMAL(16, 2), allowNull: false },
    reportedBy: { type: DataTypes.STRING(64), allowNull: false },
    reportedAt: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('loss_reports', ['projectId']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('loss_reports');
}
