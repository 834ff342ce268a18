import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 014: the Chinese approval operations (issue 8 item 3).
 * - tasks.delegationState: 委派 as in Flowable — `pending` while the delegate (assignee) works on it for
 *   its owner, `resolved` once the delegate handed it back; null when never delegated.
 * - tasks.openedAt: when one of its holders first opened the task (its page or GET /api/tasks/:id) — a
 *   step that was opened is no longer "untouched" and the step before it can no longer be withdrawn (撤回).
 * - task_signers: 加签 — who was asked to sign an open task, by whom, and their opinion once signed; the
 *   task cannot be completed while one of them has not signed.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('tasks', 'delegationState', { type: DataTypes.STRING(16), allowNull: true });
  await qi.addColumn('tasks', 'openedAt', { type: DataTypes.DATE(3), allowNull: true });
  await qi.createTable('task_signers', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    taskId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'tasks', key: 'id' }, onDelete: 'CASCADE' },
    username: { type: DataTypes.STRING, allowNull: false },
    addedBy: { type: DataTypes.STRING, allowNull: false },
    addedAt: { type: DataTypes.DATE(3), allowNull: false },
    request: { type: DataTypes.TEXT, allowNull: true },
    opinion: { type: DataTypes.TEXT, allowNull: true },
    signedAt: { type: DataTypes.DATE(3), allowNull: true },
  });
  await qi.addIndex('task_signers', ['taskId', 'username'], { unique: true });
  await qi.addIndex('task_signers', ['username', 'signedAt']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('task_signers');
  await qi.removeColumn('tasks', 'openedAt');
  await qi.removeColumn('tasks', 'delegationState');
}
