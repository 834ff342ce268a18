import { expect } from 'chai';
import { Sequelize } from 'sequelize';
import { freshDatabaseUrl } from '../support/database';
import { fixture, form } from '../support/runtime';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const bearer = async (s: ServerProcess, user: string) => `Bearer ${await s.token(user)}`;

async function deployOn(s: ServerProcess, file: string, forms: string[] = []) {
  const res = await s.api.post('/api/process-definitions').set('Authorization', await bearer(s, 'admin')).send({ xml: fixture(file), forms: forms.map(form) });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
}

async function startOn(s: ServerProcess, key: string, body: object = {}) {
  const res = await s.api.post(`/api/process-definitions/${key}/instances`).set('Authorization', await bearer(s, 'admin')).send(body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: string; activeActivityIds: string[] };
}

const getInstance = async (s: ServerProcess, id: string) =>
  (await s.api.get(`/api/process-instances/${id}`).set('Authorization', await bearer(s, 'admin'))).body;

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Moves the manual clock the way time passes while no server runs: in the database only. */
async function setClockInDatabase(databaseUrl: string, iso: string) {
  const db = databaseUrl.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: databaseUrl.slice(7), logging: false })
    : new Sequelize(databaseUrl, { logging: false });
  await db.query("UPDATE settings SET value = ? WHERE `key` = 'clock.now'", { replacements: [iso] });
  await db.close();
}

describe('durability: server processes stopped, killed and racing on one database', function () {
  this.timeout(120_000);
  const servers: ServerProcess[] = [];
  const start = async (url: string) => {
    const s = await startServerProcess(url);
    servers.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of servers.splice(0)) if (s.child.exitCode === null) await s.kill();
  });

  it('continues an instance after a graceful stop and after SIGKILL; timers due while down fire at start', async () => {
    const url = await freshDatabaseUrl();
    // given a server with an instance waiting at a user task and one waiting on a 40-day timer
    const a = await start(url);
    await a.api.post('/api/dev/clock').set('Authorization', await bearer(a, 'admin')).send({ now: '2026-01-05T10:00:00+08:00' });
    await deployOn(a, 'approval.bpmn', ['review-form.form']);
    await deployOn(a, 'timers.bpmn');
    const approval = await startOn(a, 'simple-approval', { businessKey: 'DUR-1' });
    const timer = await startOn(a, 'long-timers');
    expect(timer.activeActivityIds).to.deep.equal(['Wait40Days']);
    // when it stops gracefully and a new server starts on the same database
    await a.stop();
    const b = await start(url);
    // then the task is there and can be claimed
    const tasks = (await b.api.get('/api/tasks').set('Authorization', await bearer(b, 'sjj'))).body;
    const task = tasks.find((x: { processInstanceId: string }) => x.processInstanceId === approval.id);
    expect(task).to.include({ activityId: 'Review' });
    expect((await b.api.post(`/api/tasks/${task.id}/claim`).set('Authorization', await bearer(b, 'sjj'))).status).to.equal(200);
    // when that server is SIGKILLed while the completion may be in flight
    const inFlight = b.api
      .post(`/api/tasks/${task.id}/complete`)
      .set('Authorization', await bearer(b, 'sjj'))
      .send({ variables: { decision: 'approve', opinion: '同意' } })
      .then((r) => r.status, () => 'killed');
    await new Promise((r) => setTimeout(r, 5));
    await b.kill();
    const outcome = await inFlight;
    // and 41 days pass while no server runs
    await setClockInDatabase(url, new Date('2026-02-15T10:00:00+08:00').toISOString());
    const c = await start(url);
    // then the completion happened completely or not at all
    const after = await getInstance(c, approval.id);
    if (after.state === 'completed') {
      expect(after.history.find((h: { activityId: string }) => h.activityId === 'Approved')).to.be.an('object');
    } else {
      expect(outcome).to.not.equal(200);
      expect(after.activeActivityIds).to.deep.equal(['Review']);
      const again = await c.api.post(`/api/tasks/${task.id}/complete`).set('Authorization', await bearer(c, 'sjj')).send({ variables: { decision: 'approve', opinion: '同意' } });
      expect(again.status).to.equal(200);
      expect((await getInstance(c, approval.id)).state).to.equal('completed');
    }
    // and the timer that fell due while no server ran fired at start
    await until('the 40-day timer', async () => (await getInstance(c, timer.id)).activeActivityIds[0] === 'Wait13Months');
  });

  it('two server processes: the same task completed on both → one 200, one 409; each timer fires exactly once', async () => {
    const url = await freshDatabaseUrl();
    const p1 = await start(url);
    const p2 = await start(url);
    await p1.api.post('/api/dev/clock').set('Authorization', await bearer(p1, 'admin')).send({ now: '2026-01-05T10:00:00+08:00' });
    await deployOn(p1, 'approval.bpmn', ['review-form.form']);
    await deployOn(p1, 'timers.bpmn');

    // the same task, completed on both processes at once
    for (let round = 0; round < 3; round++) {
      const inst = await startOn(p1, 'simple-approval');
      const task = (await p2.api.get(`/api/tasks?processInstanceId=${inst.id}`).set('Authorization', await bearer(p2, 'sjj'))).body[0];
      const [r1, r2] = await Promise.all([
        p1.api.post(`/api/tasks/${task.id}/complete`).set('Authorization', await bearer(p1, 'sjj')).send({ variables: { decision: 'approve', opinion: 'p1' } }),
        p2.api.post(`/api/tasks/${task.id}/complete`).set('Authorization', await bearer(p2, 'admin')).send({ variables: { decision: 'reject', opinion: 'p2' } }),
      ]);
      expect([r1.status, r2.status].sort(), `round ${round}: ${r1.text} ${r2.text}`).to.deep.equal([200, 409]);
      const done = await getInstance(p2, inst.id);
      expect(done.state).to.equal('completed');
      expect(done.history.filter((h: { activityId: string }) => h.activityId === 'Review')).to.have.length(1);
    }

    // timers: both schedulers race for every due timer
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await startOn(i % 2 ? p1 : p2, 'long-timers')).id);
    await setClockInDatabase(url, new Date('2026-02-15T10:00:00+08:00').toISOString());
    for (const id of ids) {
      const inst = await until(`timer of ${id}`, async () => {
        const x = await getInstance(p1, id);
        return x.activeActivityIds[0] === 'Wait13Months' && x;
      });
      expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'Wait40Days')).to.have.length(1);
      expect(inst.history.filter((h: { activityId: string }) => h.activityId === 'Wait13Months')).to.have.length(1);
      expect(inst.operations.filter((o: { operation: string }) => o.operation === 'timer')).to.have.length(1);
    }
  });
});
