import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { IncidentModel, JobModel } from '../../src/persistence/models/runtime.model';
import { startTestApp, type TestApp } from '../support/app';
import { fixture } from '../support/runtime';

const XML = fixture('burst-timers.bpmn');

/**
 * Issue 13 item 2 (group commit) for due timers: the timers of a claim fire in one transaction, each in a savepoint
 * of its own. The batch shares the transaction (one START/BEGIN and one COMMIT for the claim); a timer that fails
 * rolls back its own work only and is released with back-off after the commit, while the timers before and after
 * it in the batch fire and stay fired; each fires exactly once.
 */
describe('due timers of a claim fire in one transaction, each in a savepoint', () => {
  let t: TestApp;
  const statements: string[] = [];
  let counting = false;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual', JOB_CONCURRENCY: '1', SCHEDULER_INTERVAL_MS: '3600000' }, {}, { sqlLogging: (sql) => counting && statements.push(sql) });
    await t.gf.definitions.deploy({ xml: XML }, 'admin');
  });
  after(async () => t?.close());

  const stateOf = async (id: string) => (await t.as('admin').get(`/api/process-instances/${id}`)).body;

  it('fires five timers in one transaction; the one whose instance has an open engine incident rolls back alone and is released with back-off', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.gf.runtime.start('batched-timer', { variables: { i } }, 'admin')).id);
    const blocked = ids[2];
    await IncidentModel.create({ instanceId: blocked, activityId: 'Wait', executionId: null, kind: 'engine', message: '测试：未解决的引擎异常', attempts: 1, pendingAction: null, createdAt: t.gf.clock.now(), resolvedAt: null, resolvedBy: null } as never);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));

    statements.length = 0;
    counting = true;
    expect(await t.gf.runtime.runDueJobs()).to.equal(5);
    counting = false;

    const begins = statements.filter((s) => /START TRANSACTION|BEGIN/i.test(s) && !/SAVEPOINT/i.test(s));
    const commits = statements.filter((s) => /\bCOMMIT\b/i.test(s));
    const savepoints = statements.filter((s) => /^Executing \([^)]*\): SAVEPOINT/i.test(s));
    const rollbacks = statements.filter((s) => /ROLLBACK TO SAVEPOINT/i.test(s));
    expect(begins, begins.join('\n')).to.have.length(1);
    expect(commits, commits.join('\n')).to.have.length(1);
    expect(savepoints).to.have.length(5);
    expect(rollbacks).to.have.length(1);
    // a save reads only the kinds of wait rows its instance has (issue 13 item 3): the instance's locking read says
    // which (EXISTS, leaving out the timer's own job row, which the unit deletes), so no statement of its own asks;
    // these instances have no open task, no other job, no subscription — none of those lists is read; the open
    // incidents are read only for the instance whose lock found one
    const reads = (re: RegExp) => statements.filter((s) => /SELECT/.test(s) && re.test(s));
    expect(reads(/FROM `tasks`|`JobModel`\.`instanceId`|message_subscriptions WHERE instanceId = \S+ UNION/), 'wait lists read').to.have.length(0);
    expect(reads(/FOR UPDATE|FROM `process_instances`/).filter((s) => /hasJobs/.test(s) && /jobs\.id <> \d+/.test(s)), 'the locks that read the wait kinds').to.have.length(5);
    expect(reads(/SELECT EXISTS \(SELECT 1 FROM tasks/), 'no wait-kinds statement of its own').to.have.length(0);
    expect(reads(/FROM `incidents`/), 'incident lists read').to.have.length(1);

    for (const id of ids) {
      const inst = await stateOf(id);
      if (id === blocked) {
        expect(inst.state).to.equal('running');
        expect(inst.activeActivityIds).to.deep.equal(['Wait']);
        expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(0);
      } else {
        expect(inst.state, id).to.equal('completed');
        expect(inst.history.filter((h: { activityId: string; endedAt: string | null }) => h.activityId === 'Wait' && h.endedAt)).to.have.length(1);
        expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(1);
      }
    }
    const job = await JobModel.findOne({ where: { instanceId: blocked } });
    expect(job, 'the failed timer stays, released').to.not.equal(null);
    expect(job!.attempts).to.equal(1);
    expect(job!.lastError).to.match(/open engine incident/);
    expect(job!.lockedUntil!.getTime()).to.be.greaterThan(Date.now());
    const left = await t.gf.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM jobs', { type: QueryTypes.SELECT });
    expect(Number(left[0].n)).to.equal(1);
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('a batch that fails as a whole (its commit cannot append to the trail) releases every timer with back-off and rejects nothing', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.gf.runtime.start('batched-timer', { variables: { i } }, 'admin')).id);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));
    const sequelize = t.gf.db.sequelize;
    const [head] = await sequelize.query<{ name: string; lastId: number; lastHash: string }>("SELECT name, lastId, lastHash FROM audit_chain WHERE name = 'activity_history'", { type: QueryTypes.SELECT });
    await sequelize.query("DELETE FROM audit_chain WHERE name = 'activity_history'");
    try {
      expect(await t.gf.runtime.runDueJobs()).to.be.at.least(3);
    } finally {
      await sequelize.query('INSERT INTO audit_chain (name, lastId, lastHash) VALUES (?, ?, ?)', { replacements: [head.name, head.lastId, head.lastHash] });
    }
    for (const id of ids) {
      expect((await stateOf(id)).activeActivityIds, id).to.deep.equal(['Wait']);
      const job = await JobModel.findOne({ where: { instanceId: id } });
      expect(job?.attempts, id).to.equal(1);
      expect(job?.lastError).to.match(/chain has no head/);
      expect(job!.lockedUntil!.getTime()).to.be.greaterThan(Date.now());
    }
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });
});
