import { DataTypes, type QueryInterface } from 'sequelize';
import { hashExisting } from '../audit-chain';

/**
 * 011: the tamper-evident trail (`src/persistence/audit-chain.ts`). `activity_history` becomes append-only
 * and hash-chained: `closesId` (an activity's end is a row of its own that names its start row),
 * `prevHash` and `hash` (SHA-256 over the row's content and its predecessor's hash), and the chain head
 * `audit_chain` (one row per chain: the last row's id and hash; appending locks it). The rows written
 * before — closed then by an UPDATE — are hashed as they stand, in id order.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('activity_history', 'closesId', { type: DataTypes.INTEGER, allowNull: true });
  await qi.addColumn('activity_history', 'prevHash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addColumn('activity_history', 'hash', { type: DataTypes.STRING(64), allowNull: true });
  await qi.createTable('audit_chain', {
    name: { type: DataTypes.STRING(40), primaryKey: true },
    lastId: { type: DataTypes.INTEGER, allowNull: true },
    lastHash: { type: DataTypes.STRING(64), allowNull: false },
  });
  await qi.sequelize.transaction((t) => hashExisting(qi.sequelize, 'history', t));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('audit_chain');
  await qi.removeColumn('activity_history', 'hash');
  await qi.removeColumn('activity_history', 'prevHash');
  await qi.removeColumn('activity_history', 'closesId');
}
