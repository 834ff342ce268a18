import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { instance, setClock, taskOf } from '../support/runtime';
import { nestedSubProcesses, unconnectedTasks } from '../support/robust-diagrams';

const ROBUST = path.resolve(__dirname, '../fixtures/robust');
const robust = (name: string) => fs.readFileSync(path.join(ROBUST, name), 'utf8');

interface InstanceRow {
  id: string;
  state: string;
  parentInstanceId: string | null;
  activeActivityIds: string[];
}

describe('runtime: no diagram stops, freezes or crashes the server (issue 12), through the HTTP API', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(() => t.close());

  const deployXml = async (xml: string) => t.as('admin').post('/api/process-definitions', { xml });
  const deployOk = async (name: string) => {
    const res = await deployXml(robust(name));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { key: string };
  };
  const start = async (key: string, variables: Record<string, unknown> = {}) => {
    const res = await t.as('admin').post(`/api/process-definitions/${key}/instances`, { variables });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as InstanceRow;
  };
  const instancesOf = async (key: string) => (await t.as('admin').get(`/api/process-instances?definitionKey=${key}`)).body as InstanceRow[];
  const messages = (res: { body: { error?: { details?: { message: string }[] } } }) => (res.body.error?.details ?? []).map((d) => d.message).join('\n');

  it('item 1: refuses a document over the element limit with its count; unconnected tasks under it stay inert', async () => {
    const big = await deployXml(unconnectedTasks(2500));
    expect(big.status).to.equal(422);
    expect(messages(big)).to.contain('超过 2000 个');

    await deployXml(unconnectedTasks(1500)).then((r) => expect(r.status, JSON.stringify(r.body)).to.equal(201));
    const started = await start('unconnected');
    expect(started.state).to.equal('running');
    expect(started.activeActivityIds).to.deep.equal(['only']);
  });

  it('item 2: a looping FEEL condition is an incident of its gateway; a looping completion rule refuses the completion; the server answers', async () => {
    await deployOk('feel-loop-condition.bpmn');
    const looping = await start('feelLoopCondition', { n: 30_000_000 });
    expect(looping.state).to.equal('incident');
    const inc = (await t.as('admin').get('/api/incidents')).body.find((i: { processInstanceId: string }) => i.processInstanceId === looping.id);
    expect(inc.activityId).to.equal('check');
    expect(inc.message).to.contain('超出计算预算');
    expect((await t.api.get('/healthz')).status).to.equal(200);

    await deployOk('feel-loop-rule.bpmn');
    const ruled = await start('feelLoopRule', { n: 30_000_000 });
    const task = await taskOf(t, 'sjj', ruled.id);
    const res = await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} });
    expect(res.status).to.equal(422);
    expect(JSON.stringify(res.body.error.details)).to.contain('超出计算预算');
    expect((await instance(t, ruled.id)).activeActivityIds).to.deep.equal(['review']);
  });

  it('item 3: refuses a literal timer past the year 9999 at deploy; a FEEL one is an incident and stores no job', async () => {
    const literal = await deployXml(robust('far-timer-literal.bpmn'));
    expect(literal.status).to.equal(422);
    expect(messages(literal)).to.contain('到期时间超出可保存的范围');

    await deployOk('far-timer.bpmn');
    const far = await start('farTimer', { waitFor: 'P99999Y' });
    expect(far.state).to.equal('incident');
    const near = await start('farTimer', { waitFor: 'P1D' });
    expect(near.state).to.equal('running');
    const fired = await setClock(t, '2026-12-31T00:00:00+08:00');
    expect(fired.firedJobs).to.be.at.most(1);
    expect((await instance(t, near.id)).state).to.equal('completed');
    expect((await instance(t, far.id)).state).to.equal('incident');
  });

  it('item 4: a process that calls itself stops at the call depth limit with an incident; terminating the root terminates every called instance', async () => {
    await deployOk('self-call.bpmn');
    const root = await start('selfCall');
    const all = await instancesOf('selfCall');
    expect(all, 'root + 10 levels').to.have.length(11);
    const deepest = all.find((i) => i.state === 'incident')!;
    expect(deepest).to.not.equal(undefined);
    const inc = (await instance(t, deepest.id)).incidents[0];
    expect(inc.message).to.contain('调用层级超过 10 层');

    const res = await t.as('admin').delete(`/api/process-instances/${root.id}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const after = await instancesOf('selfCall');
    expect(after.map((i) => i.state)).to.deep.equal(Array(11).fill('terminated'));
    const child = await instance(t, after.find((i) => i.parentInstanceId === root.id)!.id);
    expect(child.operations.find((o: { operation: string }) => o.operation === 'terminate').data).to.deep.equal({ calledBy: root.id });
  });

  it('item 4: a process whose handler starts it again stops at the same limit with an incident', async () => {
    await deployOk('self-start.bpmn');
    await start('selfStart');
    const all = await instancesOf('selfStart');
    expect(all).to.have.length(11);
    expect(all.filter((i) => i.state === 'incident')).to.have.length(1);
    const stuck = await instance(t, all.find((i) => i.state === 'incident')!.id);
    expect(stuck.incidents[0].message).to.contain('连续启动的流程超过 10 层');
  });

  it('item 5: starts 40 nested sub-processes without a false loop incident; refuses more than 50 levels at deploy', async () => {
    await deployXml(nestedSubProcesses(40)).then((r) => expect(r.status, JSON.stringify(r.body)).to.equal(201));
    const deep = await start('nested40');
    expect(deep.state).to.equal('running');
    expect(deep.activeActivityIds).to.have.length(41);
    const tooDeep = await deployXml(nestedSubProcesses(51));
    expect(tooDeep.status).to.equal(422);
    expect(messages(tooDeep)).to.contain('嵌套超过 50 层');
  });

  describe('item 6: one strict XML read', () => {
    const send = async (body: Buffer | string, type = 'application/xml') =>
      t.api.post('/api/process-definitions').set('Content-Type', type).set('Authorization', `Bearer ${await t.token('admin')}`).send(body);
    const doc = (name: string, encoding = 'UTF-8') =>
      `<?xml version="1.0" encoding="${encoding}"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="x">` +
      `<bpmn:process id="enc_${encoding.replace(/\W/g, '')}" name="${name}" isExecutable="true"><bpmn:startEvent id="s" /></bpmn:process></bpmn:definitions>`;

    it('reads ISO-8859-1 and UTF-16 documents in their own encoding', async () => {
      const latin = await send(Buffer.from(doc('Prüfung für Ämter', 'ISO-8859-1'), 'latin1'));
      expect(latin.status, JSON.stringify(latin.body)).to.equal(201);
      expect(latin.body.name).to.equal('Prüfung für Ämter');
      const utf16 = await send(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(doc('项目审批', 'UTF-16'), 'utf16le')]));
      expect(utf16.status, JSON.stringify(utf16.body)).to.equal(201);
      expect(utf16.body.name).to.equal('项目审批');
    });

    it('refuses bytes that are not valid in the declared encoding, an unknown encoding, undeclared prefixes and a hidden depth bypass', async () => {
      const invalid = await send(Buffer.concat([Buffer.from(doc('名称').split('名称')[0]), Buffer.from([0xc3, 0x28]), Buffer.from(doc('名称').split('名称')[1])]));
      expect(invalid.status).to.equal(422);
      expect(messages(invalid)).to.contain('不符合其编码 UTF-8');

      const unknown = await send(Buffer.from(doc('x', 'EBCDIC-037')));
      expect(unknown.status).to.equal(422);
      expect(messages(unknown)).to.contain('不支持文档声明的编码');

      const undeclared = await send(doc('x').replace(' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"', ''));
      expect(undeclared.status).to.equal(422);
      expect(messages(undeclared)).to.contain('前缀 "bpmn"');

      const bypass = `<?pi ${'</a>'.repeat(2000)} ?>${doc('x').replace(/^<\?xml[^>]*>/, '').replace('<bpmn:startEvent id="s" />', `<bpmn:extensionElements>${'<x:a xmlns:x="urn:x">'.repeat(600)}${'</x:a>'.repeat(600)}</bpmn:extensionElements><bpmn:startEvent id="s" />`)}`;
      const deep = await send(bypass);
      expect(deep.status).to.equal(422);
      expect(messages(deep)).to.contain('嵌套层级超过 500 层');
    });
  });

  it('item 7: an uncaught error end event is an incident, not a completion', async () => {
    await deployOk('error-end.bpmn');
    const inst = await start('errorEnd', { caught: false });
    expect(inst.state).to.equal('incident');
    expect((await instance(t, inst.id)).incidents[0].message).to.contain('未被捕获的 BPMN 错误 OTHER');
  });

  it('item 8: an exclusive split followed by a parallel join waits at the join (Zeebe), it does not complete', async () => {
    await deployOk('xor-then-join.bpmn');
    const inst = await start('xorThenJoin', { pathA: true });
    const task = await taskOf(t, 'sjj', inst.id, 'a');
    expect((await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).to.equal(200);
    expect((await instance(t, inst.id)).state).to.equal('running');
  });

  it('item 9: a non-boolean condition, a FEEL message name without text and an unknown FEEL candidate group are incidents', async () => {
    await deployOk('condition-types.bpmn');
    expect((await start('conditionTypes', { amount: 5 })).state).to.equal('incident');

    await deployOk('feel-names.bpmn');
    expect((await start('feelNames', { kind: 'message' })).state).to.equal('incident');
    const nobody = await start('feelNames', { kind: 'task', reviewGroup: 'no-such-group' });
    expect(nobody.state).to.equal('incident');
    expect((await instance(t, nobody.id)).incidents[0].message).to.contain('候选组 "no-such-group" 不存在');
    const seen = await start('feelNames', { kind: 'task', reviewGroup: 'data-bureau' });
    expect(seen.state).to.equal('running');
    await taskOf(t, 'sjj', seen.id, 'review');
  });

  it('item 10: a parallel split wired twice into one task gives two tasks, one after the other', async () => {
    await deployOk('two-tokens.bpmn');
    const inst = await start('twoTokens');
    for (let k = 0; k < 2; k++) {
      const task = await taskOf(t, 'sjj', inst.id, 'review');
      expect((await t.as('sjj').post(`/api/tasks/${task.id}/complete`, { variables: {} })).status).to.equal(200);
    }
    expect((await instance(t, inst.id)).state).to.equal('completed');
  });
});
