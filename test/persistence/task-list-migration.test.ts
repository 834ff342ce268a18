import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate, migrator } from '../../src/persistence/migrator';
import { freshDatabaseUrl } from '../support/database';

/** Migration 019: the task list's index replaces tasks (state, assignee); the candidate rows of ended tasks go, an open task's stay. */
describe('migration 019: the task list index, candidate rows of open tasks only', () => {
  let db: Database;
  before(async () => {
    db = await openDatabase(await freshDatabaseUrl());
  });
  after(() => db.close());

  const indexNames = async () => {
    const indexes = (await db.sequelize.getQueryInterface().showIndex('tasks')) as { name: string }[];
    return indexes.map((i) => i.name);
  };
  const candidates = async () =>
    (await db.sequelize.query<{ taskId: number; kind: string; value: string }>('SELECT taskId, kind, `value` FROM task_candidates ORDER BY taskId, kind, `value`', { type: QueryTypes.SELECT })).map((r) => [Number(r.taskId), r.kind, r.value]);

  it('keeps the open task offered, drops the rows of the completed and the canceled one, and goes down again', async () => {
    await migrator(db.sequelize).up({ to: '018-signal-subscriptions' });
    const at = db.dialect === 'sqlite' ? '2026-09-15 02:00:00.000 +00:00' : '2026-09-15 02:00:00.000';
    for (const [id, state] of [[1, 'open'], [2, 'completed'], [3, 'canceled']] as const) {
      await db.sequelize.query(
        'INSERT INTO tasks (id, instanceId, executionId, activityId, definitionKey, candidateGroups, candidateUsers, input, properties, state, createdAt, revision) ' +
          "VALUES (:id, 'inst-1', :exec, 'Review', 'p', '[\"finance\"]', '[\"czj\"]', '{}', '{}', :state, :at, 0)",
        { replacements: { id, exec: `Review_${id}`, state, at } },
      );
      for (const [kind, value] of [['group', 'finance'], ['user', 'czj']]) await db.sequelize.query('INSERT INTO task_candidates (taskId, kind, `value`) VALUES (:id, :kind, :value)', { replacements: { id, kind, value } });
    }
    expect(await indexNames()).to.include('tasks_state_assignee');

    expect(await migrate(db.sequelize)).to.include('019-task-list-index');
    expect(await candidates()).to.deep.equal([
      [1, 'group', 'finance'],
      [1, 'user', 'czj'],
    ]);
    const names = await indexNames();
    expect(names).to.include('tasks_state_assignee_created').and.not.include('tasks_state_assignee');

    await migrator(db.sequelize).down({ to: '019-task-list-index' });
    const back = await indexNames();
    expect(back).to.include('tasks_state_assignee').and.not.include('tasks_state_assignee_created');
    expect(await migrate(db.sequelize)).to.deep.equal(['019-task-list-index', '020-instance-list-index']);
  });
});
