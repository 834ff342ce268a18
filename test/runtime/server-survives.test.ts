import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { freshDatabaseUrl } from '../support/database';
import { unconnectedTasks } from '../support/robust-diagrams';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const robust = (name: string) => fs.readFileSync(path.resolve(__dirname, '../fixtures/robust', name), 'utf8');

describe('a real server survives the diagrams that used to stop, freeze or crash it (issue 12)', function () {
  this.timeout(180_000);
  let databaseUrl: string;
  let server: ServerProcess;

  before(async () => {
    databaseUrl = await freshDatabaseUrl();
    server = await startServerProcess(databaseUrl);
  });
  after(async () => {
    await server?.kill();
  });

  const as = async (s: ServerProcess) => `Bearer ${await s.token('admin')}`;
  const deploy = async (s: ServerProcess, xml: string) =>
    s.api.post('/api/process-definitions').set('Authorization', await as(s)).send({ xml });
  const start = async (s: ServerProcess, key: string, variables: Record<string, unknown>) =>
    s.api.post(`/api/process-definitions/${key}/instances`).set('Authorization', await as(s)).send({ variables });
  const get = async (s: ServerProcess, url: string) => s.api.get(url).set('Authorization', await as(s));
  /** the instance's state once it is `wanted` (or the last one seen, after a bounded number of looks) */
  const stateOf = async (s: ServerProcess, id: string, wanted: string) => {
    let state = '';
    for (let look = 0; look < 120 && state !== wanted; look++) {
      if (look) await new Promise((r) => setTimeout(r, 250));
      state = (await get(s, `/api/process-instances/${id}`)).body.state;
    }
    return state;
  };
  const healthy = async (s: ServerProcess) => expect((await s.api.get('/healthz')).status).to.equal(200);

  let loopingId: string;

  it('refuses 60,000 unconnected tasks at deploy with the count, and answers /healthz', async () => {
    const res = await deploy(server, unconnectedTasks(60_000));
    expect(res.status).to.equal(422);
    expect(JSON.stringify(res.body)).to.contain('超过 2000 个');
    await healthy(server);
  });

  it('runs a looping FEEL condition after a timer as an incident when the clock passes the timer, and answers /healthz', async () => {
    expect((await deploy(server, robust('feel-loop-timer.bpmn'))).status).to.equal(201);
    const started = await start(server, 'feelLoopTimer', { n: 30_000_000 });
    expect(started.status).to.equal(201);
    loopingId = started.body.id;
    const moved = await server.api.post('/api/dev/clock').set('Authorization', await as(server)).send({ now: '2027-06-01T00:00:00+08:00' });
    expect(moved.status).to.equal(200);
    // the server's own scheduler may have claimed the timer first: it then fires right after the answer
    expect(await stateOf(server, loopingId, 'incident')).to.equal('incident');
    await healthy(server);
  });

  it('stops a self-calling process at the call depth, and a FEEL timer in the year 102025 is an incident, not a job due forever', async () => {
    expect((await deploy(server, robust('self-call.bpmn'))).status).to.equal(201);
    expect((await start(server, 'selfCall', {})).status).to.equal(201);
    // the scheduler may carry part of the chain on after the answer: look until it stopped (bounded)
    let chain: { state: string }[] = [];
    for (let look = 0; look < 120 && !chain.some((i) => i.state === 'incident'); look++) {
      if (look) await new Promise((r) => setTimeout(r, 250));
      chain = (await get(server, '/api/process-instances?definitionKey=selfCall')).body;
    }
    expect(chain, 'the root and 10 called levels, the last one stopped by an incident').to.have.length(11);

    expect((await deploy(server, robust('far-timer.bpmn'))).status).to.equal(201);
    const far = await start(server, 'farTimer', { waitFor: 'P99999Y' });
    expect(far.body.state).to.equal('incident');
    for (const now of ['2027-06-02T00:00:00+08:00', '2027-06-03T00:00:00+08:00']) {
      const moved = await server.api.post('/api/dev/clock').set('Authorization', await as(server)).send({ now });
      expect(moved.status).to.equal(200);
      expect(moved.body.firedJobs, 'no job looks due').to.equal(0);
    }
    await healthy(server);
  });

  it('after a restart on the same database, answers /healthz, keeps the incident and the clock still moves', async () => {
    await server.kill();
    server = await startServerProcess(databaseUrl);
    await healthy(server);
    expect((await get(server, `/api/process-instances/${loopingId}`)).body.state).to.equal('incident');
    const moved = await server.api.post('/api/dev/clock').set('Authorization', await as(server)).send({ now: '2027-07-01T00:00:00+08:00' });
    expect(moved.status).to.equal(200);
    await healthy(server);
  });
});
