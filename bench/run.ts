/**
 * npm run bench [-- --quick]
 * The same diagram (start → user task → complete → end) run (a) on raw in-memory bpmn-engine and
 * (b) through the HTTP API with persistence, on SQLite and — with BENCH_DATABASE_URL (mysql://…) —
 * on MySQL. Prints instances/s for each and `persisted/raw ratio: X`.
 */
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Engine } from 'bpmn-engine';
import { createGovFlow } from '../src/app';
import { loadConfig } from '../src/config';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="benchDefinitions" targetNamespace="http://govflow.example/bench">
  <bpmn:process id="bench-approval" name="基准测试" isExecutable="true">
    <bpmn:startEvent id="Start" />
    <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Review" />
    <bpmn:userTask id="Review" name="审核">
      <bpmn:extensionElements><zeebe:assignmentDefinition candidateGroups="data-bureau" /></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="Review" targetRef="End" />
    <bpmn:endEvent id="End" />
  </bpmn:process>
</bpmn:definitions>`;

const quick = process.argv.includes('--quick');
const N = quick ? 30 : 300;

async function raw(n: number): Promise<number> {
  // the best case for the raw engine: the diagram parsed once (our runtime caches its parse too)
  const moddleName: string = 'bpmn-moddle'; // ESM-only, untyped
  const { BpmnModdle } = (await import(moddleName)) as { BpmnModdle: new () => { fromXML(xml: string): Promise<unknown> } };
  const moddleContext = await new BpmnModdle().fromXML(XML);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const engine = new Engine({ name: `bench-${i}`, moddleContext: moddleContext as never });
    await new Promise<void>((resolve, reject) => {
      engine.once('end', () => resolve());
      engine.once('error', reject);
      engine.broker.subscribeTmp(
        'event',
        'activity.wait',
        (_routingKey, msg) => {
          const { id, executionId } = msg.content as { id: string; executionId: string };
          if (id === 'Review') engine.execution!.signal({ id, executionId, decision: 'approve' });
        },
        { noAck: true },
      );
      engine.execute({ variables: { n: i } }).catch(reject);
    });
  }
  return n / ((performance.now() - t0) / 1000);
}

async function persisted(databaseUrl: string, n: number): Promise<number> {
  const gf = await createGovFlow({ ...loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent', CLOCK: 'manual' }) });
  await gf.seed();
  const server = http.createServer(gf.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (method: string, url: string, token: string | null, body?: unknown) => {
    const res = await fetch(base + url, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
    return res.json();
  };
  const token = async (username: string) => (await call('POST', '/api/auth/token', null, { username, password: gf.config.seedPassword })).token as string;
  const admin = await token('admin');
  const sjj = await token('sjj');
  await call('POST', '/api/process-definitions', admin, { xml: XML });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const started = await call('POST', '/api/process-definitions/bench-approval/instances', admin, { variables: { n: i } });
    const [task] = await call('GET', `/api/tasks?processInstanceId=${started.id}`, sjj);
    const done = await call('POST', `/api/tasks/${task.id}/complete`, sjj, { variables: { decision: 'approve' } });
    if (done.processInstance.state !== 'completed') throw new Error(`instance ${started.id} did not complete`);
  }
  const rate = n / ((performance.now() - t0) / 1000);
  server.close();
  await gf.close();
  return rate;
}

async function main() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  process.stdout.write(`machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}\n`);
  process.stdout.write(`instances per run: ${N}${quick ? ' (--quick)' : ''}\n`);
  await raw(Math.min(N, 20)); // warm-up
  const rawRate = await raw(N);
  process.stdout.write(`raw bpmn-engine (in memory): ${rawRate.toFixed(1)} instances/s\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govflow-bench-'));
  const targets: [string, string][] = [['sqlite', `sqlite:${path.join(dir, 'bench.db')}`]];
  if (process.env.BENCH_DATABASE_URL) targets.push(['mysql', process.env.BENCH_DATABASE_URL]);
  for (const [name, url] of targets) {
    const rate = await persisted(url, N);
    process.stdout.write(`persisted through the HTTP API (${name}): ${rate.toFixed(1)} instances/s\n`);
    process.stdout.write(`persisted/raw ratio: ${(rate / rawRate).toFixed(4)} (${name})\n`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
