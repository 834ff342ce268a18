import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 017: how many times an incident's step was tried (the 故障 page shows it): a service task's
 * attempts when its retries ran out, an engine incident's failed runs (each retry that fails again adds one).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('incidents', 'attempts', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('incidents', 'attempts');
}
