import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 016: 第5条第（一）项 申报批次 — the application windows the Data Bureau opens (and may close early)
 * for a plan year. `opensOn`/`closesOn` are Asia/Shanghai calendar days (YYYY-MM-DD, both included);
 * `closedAt` is an early close. Names are unique (the demo seed finds its batches by name).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('application_batches', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    planYear: { type: DataTypes.INTEGER, allowNull: false },
    opensOn: { type: DataTypes.STRING(10), allowNull: false },
    closesOn: { type: DataTypes.STRING(10), allowNull: false },
    closedAt: { type: DataTypes.DATE(3), allowNull: true },
    createdBy: { type: DataTypes.STRING(64), allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('application_batches', ['name'], { unique: true, name: 'application_batches_name' });
  await qi.addIndex('application_batches', ['planYear', 'opensOn'], { name: 'application_batches_year' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('application_batches');
}
