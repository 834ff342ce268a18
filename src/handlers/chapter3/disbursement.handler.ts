import { BpmnError } from '../../domain/errors';
import { ruleDetail } from '../../domain/rules';
import { defineHandler } from '../handler';

export interface PaymentRecord {
  no: number;
  amount: number;
  disbursedAt: string;
}

const cents = (n: number) => Math.round(n * 100);

/**
 * Records a payment the Finance Bureau approved (国库集中支付, 第14条): adds it to the running total and
 * the list of payments, and tells the unit. Budget control (第15条) is checked again here: a payment
 * that would take the total above the contract amount throws BpmnError OVER_BUDGET.
 */
export const recordDisbursementHandler = defineHandler<
  { paymentAmount: number; disbursedTotal?: number | null; contractAmount: number; payments?: PaymentRecord[] | null; to?: string[] },
  { disbursedTotal: number; payments: PaymentRecord[]; lastPayment: PaymentRecord }
>({
  name: 'record-disbursement',
  title: '登记资金拨付',
  description: '区财政局审核通过后登记本次拨付：累加已拨付总额、记入支付清单并通知项目单位；累计拨付超过合同金额时抛出 BPMN 错误 OVER_BUDGET（第15条）。',
  category: '实施与验收',
  inputs: [
    { name: 'paymentAmount', type: 'number', title: '本次拨付金额（元）', required: true },
    { name: 'disbursedTotal', type: 'number', title: '此前累计拨付（元）' },
    { name: 'contractAmount', type: 'number', title: '合同金额（元）', required: true },
    { name: 'payments', type: 'array', title: '此前的支付清单' },
    { name: 'to', type: 'array', title: '通知接收人' },
  ],
  outputs: [
    { name: 'disbursedTotal', type: 'number', title: '累计拨付（元）' },
    { name: 'payments', type: 'array', title: '支付清单' },
    { name: 'lastPayment', type: 'object', title: '本次拨付' },
  ],
  async run(input, ctx) {
    const amount = Number(input.paymentAmount);
    const before = Number(input.disbursedTotal ?? 0);
    const contract = Number(input.contractAmount);
    if (!Number.isFinite(amount) || amount <= 0) throw new Error('record-disbursement needs a positive paymentAmount');
    if (!Number.isFinite(before) || !Number.isFinite(contract)) throw new Error('record-disbursement needs numeric disbursedTotal and contractAmount');
    const total = (cents(before) + cents(amount)) / 100;
    if (cents(total) > cents(contract)) {
      throw new BpmnError('OVER_BUDGET', ruleDetail('R15.1', `累计拨付 ${total} 元将超过合同金额 ${contract} 元`).message);
    }
    const list = Array.isArray(input.payments) ? input.payments : [];
    const lastPayment: PaymentRecord = { no: list.length + 1, amount, disbursedAt: ctx.now.toISOString() };
    // the project's payment list (GET /api/projects/:id); once per step, a resumed step records nothing twice
    if (ctx.businessKey) {
      const code = ctx.businessKey;
      await ctx.once('record-payment', () => ctx.projects.recordPayment(code, { amount, state: 'disbursed', instanceId: ctx.instanceId, decidedAt: ctx.now }));
    }
    const to = Array.isArray(input.to) ? input.to.filter((x) => typeof x === 'string' && x) : [];
    if (to.length) {
      ctx.notify({
        to,
        kind: 'info',
        title: `第${lastPayment.no}笔资金已拨付`,
        body: `项目 ${ctx.businessKey ?? ''} 第${lastPayment.no}笔资金 ${amount} 元已经区财政局审核并拨付（第14条），累计拨付 ${total} 元，合同金额 ${contract} 元。`,
        key: `record-disbursement:${ctx.executionId}`,
      });
    }
    return { disbursedTotal: total, payments: [...list, lastPayment], lastPayment };
  },
});
