import { expect } from 'chai';
import { BpmnError } from '../../src/domain/errors';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import { CHAPTER3_HANDLERS } from '../../src/handlers/chapter3';
import { recordDisbursementHandler } from '../../src/handlers/chapter3/disbursement.handler';
import { handlerContext as context, rejection } from '../support/handler-context';

describe('chapter 3 handlers (实施与验收)', () => {
  it('are registered once each in the shipped handler list', () => {
    const names = CHAPTER3_HANDLERS.map((h) => h.name);
    expect(names).to.deep.equal(['record-disbursement']);
    for (const n of names) expect(BUILTIN_HANDLERS.filter((h) => h.name === n), n).to.have.length(1);
  });

  describe('record-disbursement', () => {
    it('adds the payment to the running total and the list, and tells the unit once per step', async () => {
      const { ctx, sent, payments } = context([]);
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
      expect(payments).to.deep.equal([{ code: 'GF-2027-0001', amount: 400000.1, state: 'disbursed' }]);
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
});

async function expectRejects(p: Promise<unknown>, pattern: RegExp) {
  expect((await rejection(p)).message).to.match(pattern);
}
