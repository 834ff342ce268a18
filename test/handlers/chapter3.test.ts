import { expect } from 'chai';
import { BpmnError } from '../../src/domain/errors';
import type { Project, ProjectPort } from '../../src/domain/project';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import { CHAPTER3_HANDLERS } from '../../src/handlers/chapter3';
import { recordDisbursementHandler } from '../../src/handlers/chapter3/disbursement.handler';
import { checkStageMaterialsHandler } from '../../src/handlers/chapter3/materials.handler';
import { implementationNoticeHandler } from '../../src/handlers/chapter3/notice.handler';
import type { HandlerContext, NotificationRequest } from '../../src/handlers/handler';

/** A handler context over an in-memory project port: real handler objects, observable effects. */
function context(materials: string[] | null, over: Partial<HandlerContext> = {}) {
  const sent: NotificationRequest[] = [];
  const projects: ProjectPort = {
    async get(code) {
      return materials ? ({ code, materials } as unknown as Project & { materials: string[] }) : null;
    },
    async setStage() {},
    async update() {},
    async recordPayment() {},
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
    startProcess: () => {},
    publishMessage: () => {},
    ...over,
  } as HandlerContext;
  return { ctx, sent };
}

describe('chapter 3 handlers (实施与验收)', () => {
  it('are registered once each in the shipped handler list', () => {
    const names = CHAPTER3_HANDLERS.map((h) => h.name);
    expect(names).to.deep.equal(['check-stage-materials', 'implementation-notice', 'record-disbursement']);
    for (const n of names) expect(BUILTIN_HANDLERS.filter((h) => h.name === n), n).to.have.length(1);
  });

  describe('check-stage-materials', () => {
    const required = [
      { type: 'contract', label: '合同', rule: 'R13.1' },
      { type: 'crypto-plan', label: '密码应用方案', rule: 'R11.1' },
      { type: 'emergency-plan', label: '应急预案', rule: 'R13.3' },
    ];

    it('names each missing material with the article of its rule, in the order of the list', async () => {
      const { ctx } = context(['contract', 'other']);
      const out = await checkStageMaterialsHandler.run({ required }, ctx);
      expect(out).to.deep.equal({
        ok: false,
        missing: ['crypto-plan', 'emergency-plan'],
        problems: [
          { rule: 'R11.1', article: '第11条', field: 'crypto-plan', message: '不符合第11条：缺少密码应用方案' },
          { rule: 'R13.3', article: '第13条', field: 'emergency-plan', message: '不符合第13条：缺少应急预案' },
        ],
      });
    });

    it('is satisfied when every listed material was uploaded (the list is the diagram\'s, nothing else is required)', async () => {
      const { ctx } = context(['contract', 'crypto-plan', 'emergency-plan']);
      expect(await checkStageMaterialsHandler.run({ required }, ctx)).to.deep.equal({ ok: true, problems: [], missing: [] });
      expect(await checkStageMaterialsHandler.run({ required: [] }, ctx)).to.deep.equal({ ok: true, problems: [], missing: [] });
    });

    it('fails technically (retry, then incident) without a project or a list', async () => {
      const none = context(null).ctx;
      await expectRejects(checkStageMaterialsHandler.run({ required }, none), /不存在/);
      await expectRejects(checkStageMaterialsHandler.run({ required }, context([], { businessKey: null }).ctx), /businessKey/);
      await expectRejects(checkStageMaterialsHandler.run({ required: 'contract' } as never, context([]).ctx), /required/);
    });
  });

  describe('record-disbursement', () => {
    it('adds the payment to the running total and the list, and tells the unit once per step', async () => {
      const { ctx, sent } = context([]);
      const out = await recordDisbursementHandler.run(
        { paymentAmount: 400000.1, disbursedTotal: 300000.2, contractAmount: 780000, payments: [{ no: 1, amount: 300000.2, disbursedAt: 'x' }], to: ['group:unit:rmyy'] },
        ctx,
      );
      expect(out.disbursedTotal).to.equal(700000.3);
      expect(out.payments).to.have.length(2);
      expect(out.lastPayment).to.deep.equal({ no: 2, amount: 400000.1, disbursedAt: '2026-10-21T02:00:00.000Z' });
      expect(sent).to.have.length(1);
      expect(sent[0]).to.include({ kind: 'info', title: '第2笔资金已拨付', key: 'record-disbursement:A_1' });
      expect(sent[0].to).to.deep.equal(['group:unit:rmyy']);
    });

    it('starts from nothing disbursed and allows exactly the contract amount', async () => {
      const out = await recordDisbursementHandler.run({ paymentAmount: 780000, disbursedTotal: null, contractAmount: 780000 }, context([]).ctx);
      expect(out).to.include({ disbursedTotal: 780000 });
    });

    it('throws BpmnError OVER_BUDGET citing 第15条 beyond the contract amount (R15.1)', async () => {
      const err = await rejection(recordDisbursementHandler.run({ paymentAmount: 0.01, disbursedTotal: 780000, contractAmount: 780000 }, context([]).ctx));
      expect(err).to.be.instanceOf(BpmnError);
      expect((err as BpmnError).code).to.equal('OVER_BUDGET');
      expect(err.message).to.match(/^不符合第15条：累计拨付 780000\.01 元将超过合同金额 780000 元/);
    });

    it('refuses a payment that is not a positive amount as a technical error', async () => {
      await expectRejects(recordDisbursementHandler.run({ paymentAmount: 0, disbursedTotal: 0, contractAmount: 1 }, context([]).ctx), /positive/);
    });
  });

  describe('implementation-notice', () => {
    it('sends a reminder or an escalation with its kind, once per step', async () => {
      const { ctx, sent } = context([]);
      await implementationNoticeHandler.run({ to: ['group:data-bureau', 'group:unit:rmyy'], kind: 'escalation', title: '合同备案逾期（第13条）', body: '已超期3个工作日' }, ctx);
      expect(sent).to.deep.equal([{ to: ['group:data-bureau', 'group:unit:rmyy'], kind: 'escalation', title: '合同备案逾期（第13条）', body: '已超期3个工作日', key: 'implementation-notice:A_1' }]);
    });

    it('takes a comma-separated recipient list, falls back to info for an unknown kind, and needs to and title', async () => {
      const { ctx, sent } = context([]);
      await implementationNoticeHandler.run({ to: 'sjj, group:finance', kind: 'shout', title: 'T' }, ctx);
      expect(sent[0]).to.include({ kind: 'info', body: '' });
      expect(sent[0].to).to.deep.equal(['sjj', 'group:finance']);
      await expectRejects(implementationNoticeHandler.run({ to: [], title: 'T' }, ctx), /needs/);
    });
  });
});

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

async function expectRejects(p: Promise<unknown>, pattern: RegExp) {
  expect((await rejection(p)).message).to.match(pattern);
}
