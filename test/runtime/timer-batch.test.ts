import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { IncidentModel, JobModel } from '../../src/persistence/models/runtime.model';
import { RuntimeRepository } from '../../src/persistence/repositories/runtime.repository';
import { startTestApp, type TestApp } from '../support/app';
import { fixture } from '../support/runtime';

const XML = fixture('burst-timers.bpmn');

/**
 * Issue 13 item 2 (group commit) for due timers: the timers of a claim fire in one transaction. First as one plain
 * unit (the instances locked and the job rows consumed by one statement each, no savepoint per timer); should a
 * timer fail, or a job no longer be this claim's, that transaction rolls back and the batch runs again with each
 * timer in a savepoint of its own: a timer that fails rolls back its own work only and is released with back-off
 * after the commit, while the timers before and after it in the batch fire and stay fired; each fires exactly once.
 */
describe('due timers of a claim fire in one transaction', () => {
  let t: TestApp;
  const statements: string[] = [];
  let counting = false;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual', JOB_CONCURRENCY: '1', SCHEDULER_INTERVAL_MS: '3600000' }, {}, { sqlLogging: (sql) => counting && statements.push(sql) });
    await t.gf.definitions.deploy({ xml: XML }, 'admin');
  });
  after(async () => t?.close());

  const stateOf = async (id: string) => (await t.as('admin').get(`/api/process-instances/${id}`)).body;
  const reads = (re: RegExp) => statements.filter((s) => /SELECT/.test(s) && re.test(s));
  const matching = (re: RegExp) => statements.filter((s) => re.test(s));
  const BEGIN = /START TRANSACTION|BEGIN/i;
  /**
   * The statements of the units of work: every statement but those of a claim's or a release's own transaction (on SQLite a write
   * outside a unit of work — the claim of due jobs, a failed job given back — takes the writer's turn as a transaction of its own).
   */
  const inUnits = () => {
    const byConnection = new Map<string, string[]>();
    for (const s of statements) {
      const id = /^Executing \(([^)]+)\)/.exec(s)?.[1] ?? 'default';
      byConnection.set(id, [...(byConnection.get(id) ?? []), s]);
    }
    const claimOnly = (list: string[]) => list.every((s) => /: (BEGIN|COMMIT)|: UPDATE `?jobs`? SET /i.test(s));
    return [...byConnection.entries()].filter(([id, list]) => id === 'default' || !claimOnly(list)).flatMap(([, list]) => list);
  };
  const unitsMatching = (re: RegExp) => inUnits().filter((s) => re.test(s));
  const SAVEPOINT = /^Executing \([^)]*\): SAVEPOINT/i;

  it('fires five timers as one plain unit: one transaction, no savepoint, one statement locks the instances and one consumes the jobs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.gf.runtime.start('batched-timer', { variables: { i } }, 'admin')).id);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));

    statements.length = 0;
    counting = true;
    expect(await t.gf.runtime.runDueJobs()).to.equal(5);
    counting = false;

    expect(unitsMatching(BEGIN).filter((s) => !/SAVEPOINT/i.test(s))).to.have.length(1);
    expect(unitsMatching(/\bCOMMIT\b/i)).to.have.length(1);
    expect(matching(/ROLLBACK/i)).to.have.length(0);
    expect(matching(SAVEPOINT), 'savepoints').to.have.length(0);
    const deletes = matching(/DELETE FROM jobs/);
    expect(deletes, deletes.join('\n')).to.have.length(1);
    expect(deletes[0]).to.match(/lockedBy = \S+ AND id IN \((\S+, ){4}\S+\)/);
    if (t.gf.db.sequelize.getDialect() !== 'sqlite') expect(reads(/FROM process_instances WHERE id IN \((\S+, ){4}\S+\) ORDER BY id FOR UPDATE/), 'the batch\'s lock').to.have.length(1);
    // a save reads only the kinds of wait rows its instance has (issue 13 item 3): the instance's locking read says
    // which (EXISTS, leaving out the timer's own job row), so no statement of its own asks; these instances have no
    // open task, no other job, no subscription — none of those lists is read
    expect(reads(/FROM `tasks`|FROM tasks WHERE instanceId = |`JobModel`\.`instanceId`|message_subscriptions WHERE instanceId = \S+ UNION/), 'wait lists read').to.have.length(0);
    // (the consumed job's id bound: one statement text for every timer)
    expect(reads(/FOR UPDATE|FROM process_instances WHERE id = \$1/).filter((s) => /hasJobs/.test(s) && /jobs\.id <> \$2/.test(s)), 'the locks that read the wait kinds').to.have.length(5);
    expect(reads(/SELECT EXISTS \(SELECT 1 FROM tasks/), 'no wait-kinds statement of its own').to.have.length(0);
    expect(reads(/FROM `incidents`/), 'incident lists read').to.have.length(0);
    for (const id of ids) {
      const inst = await stateOf(id);
      expect(inst.state, id).to.equal('completed');
      expect(inst.history.filter((h: { activityId: string; endedAt: string | null }) => h.activityId === 'Wait' && h.endedAt)).to.have.length(1);
      expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(1);
    }
    expect(await JobModel.count()).to.equal(0);
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('a job that went to another claim meanwhile is left to it: the batch runs apart, the others fire once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await t.gf.runtime.start('batched-timer', { variables: { i } }, 'admin')).id);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));
    const claimed = await new RuntimeRepository().claimDueJobs('test-claim', t.gf.clock.now(), new Date(), 60_000, 10);
    expect(claimed.map((j) => j.instanceId).sort()).to.deep.equal([...ids].sort());
    const taken = claimed[1];
    await JobModel.update({ lockedBy: 'another-process' }, { where: { id: taken.id } });

    statements.length = 0;
    counting = true;
    await (t.gf.runtime as unknown as { runTimers(jobs: JobModel[]): Promise<void> }).runTimers(claimed);
    counting = false;

    expect(matching(/^Executing \([^)]*\): ROLLBACK;?$/i), 'the plain unit rolled back').to.have.length(1);
    expect(matching(SAVEPOINT), 'then each timer in a savepoint').to.have.length(3);
    for (const job of claimed) {
      const inst = await stateOf(job.instanceId);
      if (job.id === taken.id) {
        expect(inst.activeActivityIds, 'left waiting for the other claim').to.deep.equal(['Wait']);
        expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(0);
      } else {
        expect(inst.state).to.equal('completed');
        expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(1);
      }
    }
    const left = await JobModel.findAll();
    expect(left.map((j) => [j.id, j.lockedBy, j.attempts])).to.deep.equal([[taken.id, 'another-process', 0]]);
    await left[0].destroy();
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('two timers of one instance in a batch: the first fires both, the second finds its job gone (skipped, as a unit alone does)', async () => {
    await t.gf.definitions.deploy({ xml: fixture('twin-timers.bpmn') }, 'admin');
    const single = (await t.gf.runtime.start('batched-timer', { variables: {} }, 'admin')).id;
    const twin = (await t.gf.runtime.start('twin-timers', { variables: {} }, 'admin')).id;
    expect(await JobModel.count({ where: { instanceId: twin } })).to.equal(2);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));

    statements.length = 0;
    counting = true;
    expect(await t.gf.runtime.runDueJobs()).to.equal(3);
    counting = false;

    expect(matching(SAVEPOINT), 'run apart, each in a savepoint').to.have.length(3);
    const inst = await stateOf(twin);
    expect(inst.state).to.equal('completed');
    expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer'), 'one unit ran').to.have.length(1);
    for (const id of ['WaitA', 'WaitB']) expect(inst.history.filter((h: { activityId: string; endedAt: string | null }) => h.activityId === id && h.endedAt)).to.have.length(1);
    expect((await stateOf(single)).state).to.equal('completed');
    expect(await JobModel.count()).to.equal(0);
    expect((await t.as('admin').get('/api/audit/verify')).body.ok).to.equal(true);
  });

  it('a timer that fails (its instance has an open engine incident): the plain unit rolls back, the batch runs again in savepoints, the failed one alone is released with back-off', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.gf.runtime.start('batched-timer', { variables: { i } }, 'admin')).id);
    const blocked = ids[2];
    await IncidentModel.create({ instanceId: blocked, activityId: 'Wait', executionId: null, kind: 'engine', message: '测试：未解决的引擎异常', attempts: 1, pendingAction: null, createdAt: t.gf.clock.now(), resolvedAt: null, resolvedBy: null } as never);
    await t.gf.clock.set(new Date(t.gf.clock.now().getTime() + 2 * 3600_000));

    statements.length = 0;
    counting = true;
    expect(await t.gf.runtime.runDueJobs()).to.equal(5);
    counting = false;

    // the plain unit (ids[0], ids[1] fired, ids[2] failed) rolled back; then one transaction of five savepoints
    expect(unitsMatching(BEGIN).filter((s) => !/SAVEPOINT/i.test(s)), 'two transactions').to.have.length(2);
    expect(unitsMatching(/\bCOMMIT\b/i), 'one committed').to.have.length(1);
    expect(matching(/^Executing \([^)]*\): ROLLBACK;?$/i), 'one rolled back').to.have.length(1);
    expect(matching(SAVEPOINT)).to.have.length(5);
    expect(matching(/ROLLBACK TO SAVEPOINT/i)).to.have.length(1);
    // each timer consumes its job in its savepoint — but the failing one, refused before its claim
    expect(matching(/DELETE FROM jobs WHERE id = \S+ AND lockedBy/), 'jobs consumed one by one').to.have.length(4);
    // the incidents are read only for the instance whose lock found one (once in each pass)
    expect(reads(/FROM `incidents`/), 'incident lists read').to.have.length(2);

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
