import type { QueryInterface } from 'sequelize';

/**
 * 020: the instance list's index (issue 13 item 6). `GET /api/process-instances` reads the newest instances the
 * caller may see (第5条 a condition of the query, RuntimeRepository.listInstances), walked in `startedAt` order
 * through this index and stopped at the page's end instead of sorting every instance that matches.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex('process_instances', ['startedAt'], { name: 'process_instances_started' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('process_instances', 'process_instances_started');
}
