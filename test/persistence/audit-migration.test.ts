import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { GENESIS, historyHash, verifyTrail } from '../../src/persistence/audit-chain';
import { openDatabase, type Database } from '../../src/persistence/db';
import { migrate, migrator } from '../../src/persistence/migrator';
import { isoOf } from '../../src/persistence/sql';
import { initModels } from '../../src/persistence/models';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { freshDatabaseUrl } from '../support/database';

/** Migration 011: history and operations written before the trail existed are hashed in id order, and the chains go on from them. */
describe('migration 011: the existing history is hashed in order', () => {
  let db: Database;
  before(async () => {
    db = await openDatabase(await freshDatabaseUrl());
  });
  after(() => db.close());

  it('hashes the rows in id order, sets the head, and later appends link to the last of them', async () => {
    await migrator(db.sequelize).up({ to: '008-call-depth' });
    // dates written as each database stores them (a replacement Date would lose its milliseconds on MySQL)
    const stored = (d: Date | null) => (d === null ? null : db.dialect === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', ' +00:00') : d.toISOString().replace('T', ' ').replace('Z', ''));
    const insert = (id: number, activityId: string, startedAt: Date, endedAt: Date | null, outcome: string | null) =>
      db.sequelize.query(
        'INSERT INTO activity_history (id, instanceId, executionId, activityId, activityName, activityType, startedAt, endedAt, actor, outcome) ' +
          "VALUES (:id, 'inst-1', :exec, :activityId, '审核', 'bpmn:UserTask', :startedAt, :endedAt, :actor, :outcome)",
        { replacements: { id, exec: `${activityId}_x`, activityId, startedAt: stored(startedAt), endedAt: stored(endedAt), actor: endedAt ? 'sjj' : null, outcome } },
      );
    // closed by an UPDATE in the old scheme (endedAt filled in), and one still open
    await insert(3, 'Submitted', new Date('2026-09-15T02:00:00.123Z'), new Date('2026-09-15T02:00:00.123Z'), null);
    await insert(5, 'Review', new Date('2026-09-15T02:00:01.000Z'), new Date('2026-09-16T03:00:00.000Z'), '同意');
    await insert(9, 'Archive', new Date('2026-09-16T03:00:00.500Z'), null, null);

    for (const [id, operation, data] of [[2, 'start', '{"version":1,"definitionKey":"x"}'], [7, 'complete', null]] as const) {
      await db.sequelize.query("INSERT INTO operation_log (id, instanceId, taskId, operation, actor, at, data) VALUES (:id, 'inst-1', NULL, :operation, 'sjj', :at, :data)", {
        replacements: { id, operation, at: stored(new Date('2026-09-15T02:00:00.789Z')), data },
      });
    }

    expect(await migrate(db.sequelize)).to.include.members(['011-audit-trail', '011-operation-chain']);
    const rows = await db.sequelize.query<{ id: number; prevHash: string; hash: string }>('SELECT * FROM activity_history ORDER BY id', { type: QueryTypes.SELECT });
    expect(rows.map((r) => Number(r.id))).to.deep.equal([3, 5, 9]);
    expect(rows[0].prevHash).to.equal(GENESIS);
    expect(rows[1].prevHash).to.equal(rows[0].hash);
    expect(rows[2].prevHash).to.equal(rows[1].hash);
    expect(rows[0].hash).to.equal(historyHash(rows[0] as never, GENESIS));
    expect(await verifyTrail(db.sequelize)).to.deep.equal({ ok: true, checked: 3, operationLog: { ok: true, checked: 2 } });

    // the open activity ends now: a closing row, linked to the last migrated row
    initModels(db.sequelize);
    const repo = new RuntimeRepository();
    const ended = await db.sequelize.transaction((t) => repo.endActivity('inst-1', 'Archive_x', { endedAt: new Date('2026-09-17T01:00:00.456Z'), outcome: '归档', actor: 'sjj' }, t));
    expect(ended).to.equal(true);
    // the closing row repeats its start row's fields, the start time to the millisecond
    const pair = await db.sequelize.query<{ id: number; startedAt: Date | string; activityName: string; activityType: string; closesId: number | null }>(
      "SELECT id, startedAt, activityName, activityType, closesId FROM activity_history WHERE executionId = 'Archive_x' ORDER BY id",
      { type: QueryTypes.SELECT },
    );
    expect(pair.map((r) => [isoOf(r.startedAt), r.activityName, r.activityType, r.closesId === null ? null : Number(r.closesId)])).to.deep.equal([
      ['2026-09-16T03:00:00.500Z', '审核', 'bpmn:UserTask', null],
      ['2026-09-16T03:00:00.500Z', '审核', 'bpmn:UserTask', 9],
    ]);
    await db.sequelize.transaction((t) => repo.log({ instanceId: 'inst-1', operation: 'variables', actor: 'sjj', at: new Date('2026-09-17T01:00:00.456Z'), data: { changed: { b: 1, a: [new Date(0)] } } }, t));
    expect(await verifyTrail(db.sequelize)).to.deep.equal({ ok: true, checked: 4, operationLog: { ok: true, checked: 3 } });
    const history = await repo.activityHistory('inst-1');
    expect(history.map((h) => [h.activityId, h.endedAt?.toISOString() ?? null, h.outcome])).to.deep.equal([
      ['Submitted', '2026-09-15T02:00:00.123Z', null],
      ['Review', '2026-09-16T03:00:00.000Z', '同意'],
      ['Archive', '2026-09-17T01:00:00.456Z', '归档'],
    ]);
  });
});
