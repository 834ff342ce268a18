import type { QueryInterface } from 'sequelize';

/**
 * 013: indexes the 监控 figures read by (src/persistence/repositories/statistics.repository.ts): an
 * execution's closing row by the start row it names (the append-only trail), tasks by project and
 * state, instances by definition version.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex('activity_history', ['closesId'], { name: 'activity_history_closes_id' });
  await qi.addIndex('tasks', ['projectId', 'state'], { name: 'tasks_project_state' });
  await qi.addIndex('process_instances', ['definitionId', 'state'], { name: 'process_instances_definition_state' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('process_instances', 'process_instances_definition_state');
  await qi.removeIndex('tasks', 'tasks_project_state');
  await qi.removeIndex('activity_history', 'activity_history_closes_id');
}
