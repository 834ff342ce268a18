import type { QueryInterface } from 'sequelize';

/**
 * 019: the task list's index (issue 13 item 6). `GET /api/tasks` reads two ordered, limited ranges of open
 * tasks — the caller's own (assignee = user) and the unassigned ones offered to them — each walked in
 * (createdAt, id) order through `tasks (state, assignee, createdAt, id)`, so neither is sorted and each stops
 * at the page's end. It replaces `tasks (state, assignee)`, its prefix. From now on a task's candidate rows go when
 * it ends (RuntimeRepository.endTasks); those of the tasks already ended go here. `down` keeps them gone (the
 * rows of ended tasks were read by nothing; each task keeps its candidate lists).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.sequelize.query(`DELETE FROM task_candidates WHERE taskId IN (SELECT id FROM tasks WHERE state <> 'open')`);
  await qi.addIndex('tasks', ['state', 'assignee', 'createdAt', 'id'], { name: 'tasks_state_assignee_created' });
  await qi.removeIndex('tasks', 'tasks_state_assignee');
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex('tasks', ['state', 'assignee'], { name: 'tasks_state_assignee' });
  await qi.removeIndex('tasks', 'tasks_state_assignee_created');
}
