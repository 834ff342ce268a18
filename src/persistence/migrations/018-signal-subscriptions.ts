import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 018: signal subscriptions (issue 12 item 13) — one row per waiting signal catch (intermediate catch,
 * boundary, event sub-process signal start) of a running instance, like message_subscriptions. A
 * broadcast (POST /api/signals, or a signal throw event through a `broadcast-signal` job) consumes each
 * row it found exactly once, under the instance's row lock.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('signal_subscriptions', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    instanceId: { type: DataTypes.STRING(36), allowNull: false },
    executionId: { type: DataTypes.STRING(255), allowNull: false },
    activityId: { type: DataTypes.STRING(255), allowNull: false },
    signalName: { type: DataTypes.STRING(255), allowNull: false },
    createdAt: { type: DataTypes.DATE(3), allowNull: false },
  });
  await qi.addIndex('signal_subscriptions', ['signalName']);
  await qi.addIndex('signal_subscriptions', ['instanceId']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('signal_subscriptions');
}
