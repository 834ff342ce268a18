/**
 * The FEEL budget. A FEEL expression from a diagram must never stop, freeze or crash the server:
 * `count(for i in 1..30000000 return i) > 0` builds a list of 30 million numbers, `for i in 1.5..3`
 * never ends in feelin (its number ranges step by 1 until they hit the end exactly), a recursive
 * function in a context doubles its work per level, and `matches()` takes any regular expression.
 * feelin evaluates synchronously and offers no hook to count steps, so:
 *
 * - **Plain expressions** (no iteration, range, function definition, context literal, regular
 *   expression or list-building function: what conditions and mappings usually are) are evaluated
 *   in place: their cost is bounded by their length (at most 2,000 characters at deploy) and by the
 *   size of the variables, which are JSON stored in the database.
 * - **Everything else** runs in a sandbox: a worker thread with its own heap limit
 *   (`FEEL_BUDGET.heapMb`), answered synchronously through a shared-memory signal
 *   (Atomics.wait + receiveMessageOnPort), and given `FEEL_BUDGET.timeMs` of wall-clock time. A
 *   worker that runs out of time or memory is terminated and replaced; the evaluation throws
 *   FeelBudgetError, which every caller turns into an incident of its element (or, for a
 *   completion rule, a refused completion). The heap limit bounds list and string sizes, the time
 *   bounds the steps.
 * - Every result, in place or sandboxed, is checked against `FEEL_BUDGET.maxResultItems` list items
 *   and `FEEL_BUDGET.maxResultChars` characters of JSON before it can become a variable.
 * - At deploy, a literal range longer than `FEEL_BUDGET.maxRangeItems` is refused
 *   (`feelCostProblem`); a range whose bounds are variables is bounded at run time.
 */
import path from 'node:path';
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { parseExpression } from '@bpmn-io/feelin';
import type { WorkingCalendar } from '../domain/calendar';
import { feelCostProblem, MAX_FEEL_RANGE_ITEMS } from '../lint/feel-syntax';

export const FEEL_BUDGET = {
  /** wall-clock time of one sandboxed evaluation */
  timeMs: 2_000,
  /** old-generation heap of the sandbox worker */
  heapMb: 96,
  /** items in a list result (nested lists counted too) */
  maxResultItems: 100_000,
  /** characters of a result as JSON */
  maxResultChars: 1_000_000,
  /** items of a range written with literal bounds (checked at deploy) */
  maxRangeItems: MAX_FEEL_RANGE_ITEMS,
};

export class FeelBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeelBudgetError';
  }
}

// ---- which expressions need the sandbox ---------------------------------------------------------

/** Tree nodes that iterate, build ranges, define functions or compose contexts (each entry may double the last). */
const COSTLY_NODES = new Set([
  'ForExpression',
  'QuantifiedExpression',
  'IterationContext',
  'FunctionDefinition',
  'Interval',
  'Context',
]);

/** Built-ins that take regular expressions, call back, or build lists or strings from lists. */
const COSTLY_FUNCTIONS = [
  'matches',
  'replace',
  'split',
  'sort',
  'concatenate',
  'flatten',
  'union',
  'distinct values',
  'duplicate values',
  'string join',
  'append',
  'insert before',
  'list replace',
  'index of',
  'sublist',
  'reverse',
  'product',
  'context merge',
  'context put',
];
const COSTLY_CALL = new RegExp(`(^|[^\\w\\s.])\\s*(${COSTLY_FUNCTIONS.map((f) => f.replace(/ /g, '\\s+')).join('|')})\\s*\\(`);

const planCache = new Map<string, boolean>();

/** true when the expression (without its '=') may cost more than its length: evaluate it in the sandbox. */
export function needsSandbox(source: string): boolean {
  const cached = planCache.get(source);
  if (cached !== undefined) return cached;
  let costly = COSTLY_CALL.test(` ${source}`) || source.includes('..');
  if (!costly) {
    try {
      parseExpression(source, {}, undefined).iterate({
        enter(node) {
          if (COSTLY_NODES.has(node.name)) costly = true;
          return !costly;
        },
      });
    } catch {
      costly = true; // let the sandbox report it
    }
  }
  if (planCache.size > 5_000) planCache.clear();
  planCache.set(source, costly);
  return costly;
}

// feelCostProblem is a lint rule's check too (src/lint), so the browser refuses what the deploy refuses
export { feelCostProblem };

/** Refuses a result that is too large to be a variable. */
export function checkResultSize(value: unknown, expression: string): void {
  let items = 0;
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      items += v.length;
      if (items > FEEL_BUDGET.maxResultItems) {
        throw new FeelBudgetError(
          `FEEL 表达式的结果超过 ${FEEL_BUDGET.maxResultItems} 个列表元素 (the result exceeds the list budget): ${expression.slice(0, 200)}`,
        );
      }
      for (const x of v) if (x !== null && typeof x === 'object') stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) if (x !== null && typeof x === 'object') stack.push(x);
    }
  }
  if (typeof value === 'string' || (value !== null && typeof value === 'object')) {
    const chars = typeof value === 'string' ? value.length : JSON.stringify(value).length;
    if (chars > FEEL_BUDGET.maxResultChars) {
      throw new FeelBudgetError(
        `FEEL 表达式的结果超过 ${FEEL_BUDGET.maxResultChars} 个字符 (the result exceeds the size budget): ${expression.slice(0, 200)}`,
      );
    }
  }
}

// ---- the sandbox worker ------------------------------------------------------------------------

export interface SandboxRequest {
  expression: string;
  context: Record<string, unknown>;
  now: string;
  /** structured-cloned (own fields only): the worker gives it its prototype back */
  calendar: WorkingCalendar;
}

/** provisional: the years without calendar data a working-day result depended on */
export type SandboxReply = { ok: true; value: unknown; provisional: number[] } | { ok: false; name: string; message: string; provisional: number[] };

interface Sandbox {
  worker: Worker;
  port: MessagePort;
  /** [0]: reply ready (1), [1]: worker loaded (1) */
  signal: Int32Array;
}

let sandbox: Sandbox | null = null;
const STARTUP_MS = 30_000;

function startSandbox(): Sandbox {
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const { port1, port2 } = new MessageChannel();
  // the worker runs the same TypeScript: a CommonJS bootstrap loads tsx's require hook first (under
  // mocha the main thread's hook is not in execArgv, and a worker would load a .ts file as ESM)
  const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'feel-sandbox.worker.ts'))});`;
  const worker = new Worker(bootstrap, {
    eval: true,
    workerData: { port: port2, signal: signal.buffer },
    transferList: [port2],
    resourceLimits: { maxOldGenerationSizeMb: FEEL_BUDGET.heapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
  });
  worker.unref();
  port1.unref();
  worker.on('error', () => undefined); // out of memory and the like: noticed by the caller's wait
  const s: Sandbox = { worker, port: port1, signal };
  worker.once('exit', () => {
    if (sandbox === s) sandbox = null;
  });
  if (Atomics.wait(signal, 1, 0, STARTUP_MS) === 'timed-out') {
    void worker.terminate();
    throw new Error('FEEL 沙箱未能启动 (the FEEL sandbox did not start)');
  }
  return s;
}

function kill(s: Sandbox): void {
  if (sandbox === s) sandbox = null;
  void s.worker.terminate();
}

/** Evaluates in the sandbox worker, synchronously, within the time and heap budget. */
export function evaluateInSandbox(request: SandboxRequest): SandboxReply {
  const s = (sandbox ??= startSandbox());
  Atomics.store(s.signal, 0, 0);
  s.port.postMessage(request);
  const waited = Atomics.wait(s.signal, 0, 0, FEEL_BUDGET.timeMs);
  const reply = receiveMessageOnPort(s.port)?.message as SandboxReply | undefined;
  if (waited === 'timed-out' || !reply) {
    kill(s);
    throw new FeelBudgetError(
      `FEEL 表达式超出计算预算（${FEEL_BUDGET.timeMs} 毫秒、${FEEL_BUDGET.heapMb} MB 内存），已停止 ` +
        `(the FEEL expression exceeded its budget of ${FEEL_BUDGET.timeMs} ms / ${FEEL_BUDGET.heapMb} MB): ${request.expression.slice(0, 200)}`,
    );
  }
  return reply;
}

/** For tests and shutdown: stops the worker (a new one starts on the next sandboxed evaluation). */
export async function stopFeelSandbox(): Promise<void> {
  const s = sandbox;
  sandbox = null;
  if (s) await s.worker.terminate();
}
