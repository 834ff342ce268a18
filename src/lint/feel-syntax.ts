/**
 * FEEL checks that need no evaluation: does it parse (feelin's parser, the same the engine evaluates
 * with), and is a literal range too long to build. Shared by the server's deploy validation and the
 * modeler's live lint (both through src/lint/rules), and used by the engine (engine/feel.ts).
 */
import { parseExpression, parseUnaryTests } from '@bpmn-io/feelin';

/** items of a range written with literal bounds (checked at deploy; engine/feel-sandbox FEEL_BUDGET.maxRangeItems) */
export const MAX_FEEL_RANGE_ITEMS = 100_000;

function strip(expression: string): string {
  return expression.startsWith('=') ? expression.slice(1) : expression;
}

/** Parses only; null when the expression is valid, else the message (Chinese first). */
export function checkFeel(expression: string, kind: 'expression' | 'unaryTests' = 'expression'): string | null {
  const source = strip(expression);
  const tree = (kind === 'unaryTests' ? parseUnaryTests : parseExpression)(source, {}, undefined);
  let at = -1;
  tree.iterate({
    enter(node) {
      if (at < 0 && node.type.isError) at = node.from;
      return at < 0;
    },
  });
  if (at < 0) return null;
  const char = at + 1 + expression.length - source.length; // 1-based, in the text as written (with '=')
  const where =
    at >= source.trimEnd().length
      ? '表达式不完整 (incomplete expression)'
      : `第 ${char} 个字符处有语法错误 (syntax error at character ${char})`;
  return `FEEL 表达式无法解析：${where}: ${expression}`;
}

/**
 * A deploy-time problem for ranges with literal bounds that are too long (`1..30000000`), or
 * null. Bounds that are variables cannot be checked here; the run-time budget bounds them.
 */
export function feelCostProblem(expression: string): string | null {
  const source = expression.replace(/^\s*=/, '');
  const re = /(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(source))) {
    const from = Number(m[1]);
    const to = Number(m[2]);
    if (Math.abs(to - from) + 1 > MAX_FEEL_RANGE_ITEMS) {
      return `FEEL 表达式中的区间 ${m[0]} 有 ${Math.abs(to - from) + 1} 个元素，超过上限 ${MAX_FEEL_RANGE_ITEMS}`;
    }
    if (!Number.isInteger(from) || !Number.isInteger(to)) {
      return `FEEL 表达式中的区间 ${m[0]} 的端点必须是整数`;
    }
  }
  return null;
}

