import type { Project, ProjectPort } from '../../src/domain/project';
import type { HandlerContext, NotificationRequest } from '../../src/handlers/handler';

/**
 * A handler context over an in-memory project port: the handler objects are real, their effects
 * (notifications, payments) observable. `materials: null` means the project does not exist.
 */
export function handlerContext(materials: string[] | null, over: Partial<HandlerContext> = {}) {
  const sent: NotificationRequest[] = [];
  const payments: { code: string; amount: number; state: string }[] = [];
  const projects: ProjectPort = {
    async get(code) {
      return materials ? ({ code, materials } as unknown as Project & { materials: string[] }) : null;
    },
    async setStage() {},
    async update() {},
    async recordPayment(code, p) {
      payments.push({ code, amount: p.amount, state: p.state });
    },
  };
  const ctx = {
    instanceId: 'i-1',
    activityId: 'A',
    executionId: 'A_1',
    definitionKey: 'implementation-acceptance',
    businessKey: 'GF-2027-0001',
    headers: {},
    now: new Date('2026-10-21T02:00:00Z'),
    once: async (_key, fn) => fn(),
    notify: (n) => sent.push(n),
    projects,
    organisation: { members: async () => [] },
    startProcess: () => {},
    publishMessage: () => {},
    ...over,
  } as HandlerContext;
  return { ctx, sent, payments };
}

export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
