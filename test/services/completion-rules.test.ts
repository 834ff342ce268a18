import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { validateDeployment } from '../../src/engine/validate-deployment';
import { completionRuleProblems } from '../../src/services/task.service';
import { CHINESE_DAYS } from '../support/calendar';

describe('completion rules on user tasks (zeebe:properties rule:<id>)', () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const rules = { 'rule:R10.1': '=contractAmount <= investment', 'message:R10.1': '合同金额不得超过批准的预算', 'rule:X1': '=ok' };

  it('passes when every rule holds', () => {
    expect(completionRuleProblems(rules, { contractAmount: 5, investment: 5, ok: true }, now, CHINESE_DAYS)).to.deep.equal([]);
  });

  it('names every broken rule; a rule of the measures cites its article', () => {
    expect(completionRuleProblems(rules, { contractAmount: 6, investment: 5, ok: false }, now, CHINESE_DAYS)).to.deep.equal([
      { rule: 'R10.1', article: '第10条', message: '不符合第10条：合同金额不得超过批准的预算' },
      { rule: 'X1', message: '规则 X1 未满足' },
    ]);
  });

  it('treats a missing value as not holding (FEEL null is not true)', () => {
    expect(completionRuleProblems(rules, { ok: true }, now, CHINESE_DAYS).map((p) => p.rule)).to.deep.equal(['R10.1']);
  });

  it('refuses at deploy a rule that is not FEEL or does not parse', async () => {
    const xml = fs.readFileSync(path.resolve(__dirname, '../fixtures/deploy/completion-rules-broken.bpmn'), 'utf8');
    const result = await validateDeployment(xml, { hasHandler: () => true, hasGroup: () => true, hasForm: () => true });
    expect(result.ok).to.equal(false);
    if (!result.ok) {
      expect(result.problems.map((p) => p.elementId)).to.deep.equal(['T', 'T']);
      expect(result.problems[0].message).to.contain('rule:R10.1');
      expect(result.problems[1].message).to.contain('必须是 FEEL');
    }
  });
});
