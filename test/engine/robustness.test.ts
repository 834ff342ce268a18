import { expect } from 'chai';
import { evaluateFeel } from '../../src/engine/feel';
import { FEEL_BUDGET, FeelBudgetError, needsSandbox } from '../../src/engine/feel-sandbox';
import { CHINESE_DAYS } from '../support/calendar';
import { validateDeployment } from '../../src/engine/validate-deployment';
import { EngineInstance, inlineDefinition, robustFixture } from '../support/engine-instance';
import { unconnectedTasks } from '../support/robust-diagrams';

const opts = { now: new Date('2026-03-02T01:00:00Z'), calendar: CHINESE_DAYS };

function feelError(expression: string, context: Record<string, unknown> = {}): Error {
  try {
    evaluateFeel(expression, context, opts);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${expression} evaluated without an error`);
}

describe('engine: no diagram stops, freezes or crashes the run (issue 12)', () => {
  describe('item 1: elements without an incoming sequence flow', () => {
    it('given 1,500 unconnected tasks, when the instance starts, then they stay inert (Zeebe) and only the connected task waits', async () => {
      const i = new EngineInstance(inlineDefinition(unconnectedTasks(1500)));
      await i.start();
      expect(i.last.incident).to.equal(null);
      expect(i.last.activeActivityIds).to.deep.equal(['only']);
      expect(i.last.history.filter((h) => h.activityId.startsWith('loose'))).to.have.length(0);
      await i.complete('only');
      expect(i.last.state).to.equal('completed');
    });
  });

  describe('item 2: every FEEL evaluation has a budget', () => {
    it('stops a 30-million-element list, a range that never ends, a catastrophic regular expression and a doubling context', () => {
      for (const expression of [
        '=count(for i in 1..30000000 return i) > 0',
        '=for i in 1.5..3 return i',
        '=matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$")',
        `={a: [1,2,3,4], ${Array.from({ length: 26 }, (_, k) => `b${k}: concatenate(${k ? `b${k - 1}` : 'a'}, ${k ? `b${k - 1}` : 'a'})`).join(', ')}}.b25`,
      ]) {
        const err = feelError(expression);
        expect(err, expression).to.be.instanceOf(FeelBudgetError);
        expect(err.message).to.contain('超出');
      }
      // the sandbox is replaced and answers again
      expect(evaluateFeel('=count(for i in 1..3 return i)', {}, opts)).to.equal(3);
    });

    it('refuses a result larger than the list budget', () => {
      const limit = FEEL_BUDGET.maxResultItems;
      FEEL_BUDGET.maxResultItems = 1000; // the same check, on a list that builds quickly on a busy machine
      try {
        const err = feelError('=for i in 1..n return i', { n: 1001 });
        expect(err).to.be.instanceOf(FeelBudgetError);
        expect(err.message).to.contain('1000 个列表元素');
        expect(evaluateFeel('=for i in 1..n return i', { n: 1000 }, opts)).to.have.length(1000);
      } finally {
        FEEL_BUDGET.maxResultItems = limit;
      }
    });

    it('evaluates plain conditions in place and iterations in the sandbox, with the same results', () => {
      expect(needsSandbox('investment >= 500000 and list contains(["new"], type)')).to.equal(false);
      expect(needsSandbox('some x in items satisfies x > 3')).to.equal(true);
      expect(needsSandbox('count(for i in 1..n return i)')).to.equal(true);
      expect(evaluateFeel('=some x in items satisfies x > 3', { items: [1, 5] }, opts)).to.equal(true);
      expect(evaluateFeel('=addWorkingDays("2026-09-28", 10)', {}, opts)).to.equal('2026-10-16');
      expect(evaluateFeel('=for d in ["2026-09-28"] return addWorkingDays(d, 10)', {}, opts)).to.deep.equal(['2026-10-16']);
    });

    it('given a looping condition, when the gateway is reached, then it is an incident of the gateway and the previous state is kept', async () => {
      const i = new EngineInstance(robustFixture('feel-loop-condition.bpmn'));
      await i.start({ n: 30_000_000 });
      expect(i.last.state).to.equal('incident');
      expect(i.last.incident?.activityId).to.equal('check');
      expect(i.last.incident?.message).to.contain('超出计算预算');
    });

    it('given a looping input mapping, when the task starts, then it is an incident of the task', async () => {
      const i = new EngineInstance(robustFixture('feel-loop-mapping.bpmn'));
      await i.start({ from: 1, to: 50_000_000 });
      expect(i.last.state).to.equal('incident');
      expect(i.last.incident?.activityId).to.equal('review');
    });

    it('given a looping condition after a timer, when the timer fires on every resume, then each resume is an incident and nothing loops', async () => {
      const i = new EngineInstance(robustFixture('feel-loop-timer.bpmn'));
      await i.start({ n: 30_000_000 });
      expect(i.last.state).to.equal('running');
      i.now = new Date(i.now.getTime() + 2 * 86_400_000);
      for (let k = 0; k < 2; k++) {
        const r = await i.resume();
        expect(r.state).to.equal('incident');
        expect(r.incident?.message).to.contain('超出计算预算');
      }
    });
  });

  describe('deploy-time checks of items 2 and 3', () => {
    const ctx = { hasHandler: () => true, hasGroup: () => true, hasForm: () => true };
    const withFlowCondition = (condition: string) =>
      robustFixture('feel-loop-condition.bpmn').xml.replace('=count(for i in 1..n return i) &gt; 0', condition);
    const withTimer = (timer: string) => robustFixture('feel-loop-timer.bpmn').xml.replace('<bpmn:timeDuration>P1D</bpmn:timeDuration>', timer);
    const problems = async (xml: string) => {
      const r = await validateDeployment(xml, ctx);
      return r.ok ? [] : r.problems.map((p) => p.message);
    };

    it('refuses a literal range longer than the budget, a range with fractional bounds, and timers past the year 9999', async () => {
      expect((await problems(withFlowCondition('=count(for i in 1..30000000 return i) &gt; 0'))).join()).to.contain('超过上限 100000');
      expect((await problems(withFlowCondition('=count(for i in 1.5..3 return i) &gt; 0'))).join()).to.contain('端点必须是整数');
      expect((await problems(withTimer('<bpmn:timeDuration>P99999Y</bpmn:timeDuration>'))).join()).to.contain('到期时间超出可保存的范围');
      expect((await problems(withTimer('<bpmn:timeDate>0999-12-31</bpmn:timeDate>'))).join()).to.contain('到期时间超出可保存的范围');
      expect(await problems(withFlowCondition('=count(for i in 1..100 return i) &gt; 0'))).to.deep.equal([]);
      expect(await problems(withTimer('<bpmn:timeDuration>P7000Y</bpmn:timeDuration>'))).to.deep.equal([]);
    });
  });

  describe('item 3: due dates past the year 9999', () => {
    it('given a FEEL timer giving P99999Y, when it starts, then it is an incident (no due date is stored)', async () => {
      const i = new EngineInstance(robustFixture('far-timer.bpmn'));
      await i.start({ waitFor: 'P99999Y' });
      expect(i.last.state).to.equal('incident');
      expect(i.last.incident?.message).to.contain('到期时间超出可保存的范围');
      expect(i.last.timers).to.have.length(0);

      const ok = new EngineInstance(robustFixture('far-timer.bpmn'));
      await ok.start({ waitFor: 'P7000Y' });
      expect(ok.last.timers[0].dueAt.getUTCFullYear()).to.equal(9026);
    });
  });

  describe('item 7: an error end event nobody catches', () => {
    it('when it is reached, then the instance is an incident (Zeebe), not completed; a caught one still takes its boundary', async () => {
      const i = new EngineInstance(robustFixture('error-end.bpmn'));
      await i.start({ caught: false });
      expect(i.last.state).to.equal('incident');
      expect(i.last.incident?.activityId).to.equal('uncaughtEnd');
      expect(i.last.incident?.message).to.contain('未被捕获的 BPMN 错误 OTHER');

      const caught = new EngineInstance(robustFixture('error-end.bpmn'));
      await caught.start({ caught: true });
      expect(caught.last.state).to.equal('running');
      expect(caught.waiting()).to.deep.equal(['handle']);
    });
  });

  describe('item 9: what Zeebe makes an incident', () => {
    it('a condition giving null or a number is an incident of its gateway, never the default flow', async () => {
      for (const amount of [null, 5]) {
        const i = new EngineInstance(robustFixture('condition-types.bpmn'));
        await i.start(amount === null ? {} : { amount });
        expect(i.last.state, String(amount)).to.equal('incident');
        expect(i.last.incident?.activityId).to.equal('check');
        expect(i.last.incident?.message).to.contain(`实际为 ${amount === null ? 'null' : '5'}`);
      }
      const ok = new EngineInstance(robustFixture('condition-types.bpmn'));
      await ok.start({ amount: false });
      expect(ok.waiting()).to.deep.equal(['smallTask']);
    });

    it('a FEEL message name giving null is an incident of the catch event; a name giving text waits for that name', async () => {
      const i = new EngineInstance(robustFixture('feel-names.bpmn'));
      await i.start({ kind: 'message' });
      expect(i.last.state).to.equal('incident');
      expect(i.last.incident?.activityId).to.equal('catch');
      expect(i.last.incident?.message).to.contain('消息名称');

      const ok = new EngineInstance(robustFixture('feel-names.bpmn'));
      await ok.start({ kind: 'message', messageName: 'approved' });
      expect(ok.last.messages.map((m) => m.messageName)).to.deep.equal(['approved']);
    });
  });
});
