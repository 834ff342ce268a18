import { DataTypes, type QueryInterface } from 'sequelize';
import { hashExisting } from '../audit-chain';

/**
 * 011 (second part): the operation log (`operation_log`: claims, completions, variable changes, …) is
 * hash-chained like the history (`src/persistence/audit-chain.ts`): `prevHash`, `hash`, and its own head
 * in `audit_chain`. The rows written before are hashed as they stand, in id order.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('operation_log', 'prevHash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('operation_log', 'hash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.sequelize.transaction((t) => hashExisting(qi.sequelize, 'operations', t));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query("DELETE FROM audit_chain WHERE name = 'operation_log'");
  await qi.removeColumn('operation_log', 'hash');
  await qi.removeColumn('operation_log', 'prevHash');
}
