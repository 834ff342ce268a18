import { expect } from 'chai';
import { evaluate } from '@bpmn-io/feelin';
import { evaluateFeel } from '../../src/engine/feel';
import { keptTrees, scopeKey } from '../../src/engine/feel-parse-cache';
import { CHINESE_DAYS } from '../support/calendar';

/** FEEL's parsed trees kept between evaluations (issue 13 item 4): the same answers as a parse at every evaluation. */
describe('feel: parsed expressions kept', () => {
  const opts = { now: new Date('2026-09-28T02:00:00Z'), calendar: CHINESE_DAYS };
  /** what feelin answers with a parse of its own (no cache around it), or that it throws */
  const fresh = (expression: string, context: Record<string, unknown>) => {
    try {
      return { value: evaluate(expression, context).value };
    } catch {
      return { error: true };
    }
  };
  const ours = (expression: string, context: Record<string, unknown>) => {
    try {
      return { value: evaluateFeel(expression, context, opts) };
    } catch {
      return { error: true };
    }
  };

  it('parses an expression once and answers it again from the kept tree', () => {
    const expression = `= approvedAmount * 2 + ${Date.now()}`; // a text no other test evaluates
    const before = keptTrees();
    expect(evaluateFeel(expression, { approvedAmount: 1 }, opts)).to.be.a('number');
    expect(keptTrees()).to.equal(before + 1);
    expect(evaluateFeel(expression, { approvedAmount: 2, other: 'x' }, opts)).to.be.a('number');
    expect(keptTrees()).to.equal(before + 1); // kept: `other` does not occur in the text
  });

  it('parses again when the variables in scope change how the text reads (a name with a space, a keyword, a nested key)', () => {
    // each expression is evaluated with one context after the other; the first fills the cache
    const cases: [string, Record<string, unknown>[]][] = [
      ['a b + 1', [{ 'a b': 5 }, { a: 1, b: 2 }, { 'a b': 7, a: 1 }]],
      ['for x in items return x * 2', [{ items: [1, 2] }, { items: [1, 2], in: 3 }, { items: [3] }]],
      ['a.b c', [{ a: { 'b c': 7 } }, { a: { b: 1 }, c: 2 }, { a: { 'b c': 9 } }]],
      ['items[amount > 3].amount', [{ items: [{ amount: 5 }, { amount: 1 }] }, { items: [{ 'amount > 3': true, amount: 9 }] }]],
      ['x-y + 1', [{ 'x-y': 3 }, { x: 10, y: 4 }]],
      ['if then then 1 else 2', [{ then: true }, {}]],
      ['amount >= 1000000 and project.type = "new"', [{ amount: 2000000, project: { type: 'new' } }, { amount: 1, project: { type: 'new', 'type = "new"': 1 } }]],
    ];
    for (const [expression, contexts] of cases) {
      for (const context of contexts) {
        const expected = fresh(expression, context);
        expect(ours(expression, context), `${expression} with ${JSON.stringify(context)}`).to.deep.equal(expected);
      }
    }
  });

  it('keeps the warnings of each evaluation (an unknown function is refused every time)', () => {
    for (let i = 0; i < 3; i++) expect(() => evaluateFeel('= nosuchFunction(1) + amount', { amount: 1 }, opts)).to.throw(/不存在的函数/);
  });

  it('looks at the keys that occur in the text, inside the values of keys that occur, within a budget', () => {
    expect(scopeKey('a + b', { a: 1, c: 2, b: { a: 1, z: 1 } })).to.equal(['0:a', '0:b', '1:a'].join('\u0001'));
    expect(scopeKey('a b', { 'a  b': 1 })).to.equal('0:a  b'); // whitespace does not hide a name
    expect(scopeKey('x', { y: { x: 1 } })).to.equal(''); // y does not occur: its keys cannot be reached
    let deep: Record<string, unknown> = { 'b c': 1 };
    for (let i = 0; i < 10; i++) deep = { a: deep };
    expect(scopeKey('a.a.a.a.a.a.a.a.a.a.b c', deep)).to.equal(null); // deeper than walked: parsed uncached
    const wide = Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`k${i}`, i]));
    expect(scopeKey('k1 + 1', wide)).to.equal(null); // over the budget: parsed uncached
    const before = keptTrees();
    expect(evaluateFeel(`= k1 + ${Date.now()}`, wide, opts)).to.be.a('number');
    expect(keptTrees()).to.equal(before);
  });
});
