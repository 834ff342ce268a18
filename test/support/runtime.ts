import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { BpmnError } from '../../src/domain/errors';
import { ProjectModel } from '../../src/persistence/models/project.model';
import { defineHandler, type HandlerDescriptor } from '../../src/handlers/handler';
import type { TestApp } from './app';

export const FIXTURES = path.resolve(__dirname, '../fixtures/runtime');
export const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');
export const form = (name: string) => JSON.parse(fixture(name));

/** Deploys a fixture diagram (with forms) as admin; returns the response body. */
export async function deploy(t: TestApp, file: string, forms: string[] = []) {
  const res = await (await t.as('admin').post('/api/process-definitions', { xml: fixture(file), forms: forms.map(form) }));
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { key: string; version: number; name: string };
}

export async function startInstance(t: TestApp, key: string, body: { businessKey?: string; variables?: Record<string, unknown> } = {}) {
  const res = await t.as('admin').post(`/api/process-definitions/${key}/instances`, body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: string; state: string; activeActivityIds: string[] };
}

export async function instance(t: TestApp, id: string) {
  const res = await t.as('admin').get(`/api/process-instances/${id}`);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

/** The one open task of an instance that `username` may act on. */
export async function taskOf(t: TestApp, username: string, instanceId: string, activityId?: string) {
  const res = await t.as(username).get(`/api/tasks?processInstanceId=${instanceId}`);
  expect(res.status).to.equal(200);
  const tasks = (res.body as { id: number; activityId: string; name: string | null; dueAt: string | null; provisional: boolean }[]).filter((x) => !activityId || x.activityId === activityId);
  expect(tasks, `open tasks of ${username} in ${instanceId}`).to.have.length(1);
  return tasks[0];
}

export async function setClock(t: TestApp, now: string) {
  const res = await t.as('admin').post('/api/dev/clock', { now });
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body as { now: string; firedJobs: number };
}

/** Handlers the runtime tests register: real handler objects with observable behaviour. */
export function testHandlers() {
  const calls = { calc: 0, flaky: 0, charged: 0 };
  const state = { flakyFailures: 2 };
  const handlers: HandlerDescriptor[] = [
    defineHandler({
      name: 'test-calc',
      title: '测试：计算',
      description: 'value × header factor; BpmnError TOO_BIG above 1000',
      category: 'test',
      inputs: [{ name: 'value', type: 'number', title: '值' }],
      outputs: [{ name: 'result', type: 'number', title: '结果' }],
      async run(input, ctx) {
        calls.calc++;
        const value = Number(input.value);
        if (value > 1000) throw new BpmnError('TOO_BIG', `金额 ${value} 超出上限`);
        return { result: value * Number(ctx.headers.factor) };
      },
    }),
    defineHandler({
      name: 'test-flaky',
      title: '测试：不稳定接口',
      description: 'fails state.flakyFailures times, charging once through ctx.once',
      category: 'test',
      inputs: [],
      outputs: [{ name: 'receipt', type: 'string', title: '回执' }],
      async run(_input, ctx) {
        calls.flaky++;
        const receipt = await ctx.once('charge', async () => {
          calls.charged++;
          return `R-${calls.charged}`;
        });
        if (state.flakyFailures > 0) {
          state.flakyFailures--;
          throw new Error('外部接口超时');
        }
        return { receipt };
      },
    }),
  ];
  return { handlers, calls, state };
}

/**
 * Test setup: a project whose acceptance passed (stage `accepted`, as `implementation-acceptance` › StageAccepted
 * sets it) — 第18条: only such a project goes into operation (`performance-supervision` › CheckAccepted).
 */
export async function markAccepted(code: string) {
  const [n] = await ProjectModel.update({ stage: 'accepted' }, { where: { code } });
  expect(n, `project ${code}`).to.equal(1);
}
