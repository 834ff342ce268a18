import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 012: a deployment's change note (变更说明) — what the administrator changed and why, written in the
 * process studio when deploying a new version; shown with each version on the 流程 pages.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('process_definitions', 'note', { type: DataTypes.TEXT, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('process_definitions', 'note');
}
