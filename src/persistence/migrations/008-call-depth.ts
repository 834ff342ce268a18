import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * 008: how deep an instance is in a chain of calls (call activities and processes started by a
 * handler): the root is 0, what it calls or starts 1, … — the runtime refuses to go past
 * MAX_CALL_DEPTH (an incident), so a process that calls or starts itself cannot pile up instances.
 *
 * It also repairs due dates written before the year limit existed: on SQLite a year past 9999 was
 * stored as text with more than four digits ("102025-…"), which compares as earlier than today, so
 * the job looked due forever. Such timers and task deadlines are set to the last storable instant
 * (9999-12-31 23:59:59 Asia/Shanghai): never due, and visible for what they are.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('process_instances', 'callDepth', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
  if (qi.sequelize.getDialect() === 'sqlite') {
    const last = "'9999-12-31 15:59:59.999 +00:00'";
    const bad = (column: string) => `${column} IS NOT NULL AND (${column} LIKE '+%' OR ${column} LIKE '-%' OR ${column} GLOB '[0-9][0-9][0-9][0-9][0-9]*')`;
    await qi.sequelize.query(`UPDATE jobs SET dueAt = ${last} WHERE ${bad('dueAt')}`);
    await qi.sequelize.query(`UPDATE tasks SET dueAt = ${last} WHERE ${bad('dueAt')}`);
    await qi.sequelize.query(`UPDATE tasks SET followUpAt = ${last} WHERE ${bad('followUpAt')}`);
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn('process_instances', 'callDepth');
}
