/**
 * Parsed FEEL expressions, kept (issue 13 item 4). feelin parses an expression at every evaluation — most of an
 * evaluation's time (25–90 µs of 30–90 µs here, more while the code is cold) — and offers no way to evaluate a tree
 * parsed before. It parses through the parser of @bpmn-io/lezer-feel (`parser.configure({top, contextTracker,
 * dialect}).parse(expression)`), so `withParseCache` wraps that one call: while it runs `evaluate`, `configure`
 * answers a parse from the cache, and parses (and keeps the tree) on a miss. Outside `withParseCache` the parser is
 * the library's own (the lint and the sandbox check parse through it unchanged).
 *
 * A tree depends on more than the text: the variables in scope decide how names are read (a variable called `in` or
 * `a b` changes the parse of `for x in items` or `a b + 1`). Only a name whose whole text occurs in the expression can
 * be matched by the tokenizer, so the cache key is the text with every context key — at the top level, and inside
 * the values of keys that occur (paths, filters and iterations reach those) — whose text, without whitespace, occurs
 * in the text without whitespace. A context too large to walk within the budget is parsed as before, uncached.
 * FEEL_PARSE_CACHE=off turns the cache off (for a before/after).
 */
import { parser } from '@bpmn-io/lezer-feel';

type Tree = ReturnType<typeof parser.parse>;

/** trees kept at most (a district's diagrams hold a few hundred expressions); the map starts afresh beyond it */
const MAX_TREES = 5_000;
/** context keys looked at per evaluation at most; beyond it the expression is parsed uncached */
const KEY_BUDGET = 1_000;

const trees = new Map<string, Tree>();
let current: string | null = null;

type Configure = (config: { top?: string; dialect?: string; contextTracker?: unknown }) => { parse(input: string): Tree };
const lezer = parser as unknown as { configure: Configure };
const configure: Configure = lezer.configure.bind(lezer);
lezer.configure = (config) => {
  const scope = current;
  if (scope === null) return configure(config);
  return {
    parse(input: string) {
      const key = `${config.top ?? ''}\u0000${config.dialect ?? ''}\u0000${input}\u0000${scope}`;
      const kept = trees.get(key);
      if (kept) return kept;
      const tree = configure(config).parse(input);
      if (trees.size >= MAX_TREES) trees.clear();
      trees.set(key, tree);
      return tree;
    },
  };
};

const enabled = process.env.FEEL_PARSE_CACHE !== 'off';
const squeeze = (s: string) => s.replace(/\s+/g, '');

/** The context's keys that could change how `expression` parses, as one text; null when over the budget. */
export function scopeKey(expression: string, context: Record<string, unknown>): string | null {
  const text = squeeze(expression);
  const found: string[] = [];
  let budget = KEY_BUDGET;
  const walk = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object') return true;
    if (depth > 8) return false; // deeper than walked: parsed uncached
    if (Array.isArray(value)) {
      for (const item of value) if (--budget < 0 || !walk(item, depth + 1)) return false;
      return true;
    }
    for (const [k, v] of Object.entries(value)) {
      if (--budget < 0) return false;
      const name = squeeze(k);
      if (name !== '' && text.includes(name)) {
        found.push(`${depth}:${k}`);
        if (!walk(v, depth + 1)) return false;
      }
    }
    return true;
  };
  if (!walk(context, 0)) return null;
  return found.sort().join('\u0001');
}

/** Runs `evaluate` (one synchronous feelin call on `expression` with `context`) with parsed trees kept. */
export function withParseCache<T>(expression: string, context: Record<string, unknown>, evaluate: () => T): T {
  const scope = enabled ? scopeKey(expression, context) : null;
  if (scope === null) return evaluate();
  current = scope;
  try {
    return evaluate();
  } finally {
    current = null;
  }
}

/** how many trees are kept (for the tests) */
export function keptTrees(): number {
  return trees.size;
}
