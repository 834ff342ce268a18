/**
 * Durable timers. bpmn-elements' TimerEventDefinition reads `new Date()`, arms a real setTimeout
 * (and silently never arms one over 2^31 ms ≈ 24.8 days). We keep every timer in the database
 * instead, so the engine's TimerEventDefinition is replaced (Engine option `elements`) by
 * DurableTimerEventDefinition, which:
 *
 * - computes the due date from host.clock once, when the timer starts, from timeDate / timeDuration /
 *   timeCycle written as ISO-8601 or as `=FEEL` (a FEEL result may be a date, a date-time or a
 *   duration string; a date means 00:00 Asia/Shanghai of that day — see iso8601.ts);
 * - writes the due date into the execution message it publishes (`execute.timer`), which is exactly
 *   the message bpmn-elements keeps in the saved state and redelivers on recover + resume: a
 *   recovered timer therefore keeps its original due date however often it is recovered;
 * - never arms a real timer: it registers a TimerWait with the run, and completes (later in the same
 *   run, on a fresh macrotask) only when its due date ≤ host.clock.now(). Firing a timer = the caller
 *   moves the clock and runs `resume`;
 * - for a cycle (R3/PT1H, R/P1D) publishes `execute.repeat` with the next due date (the next point
 *   on the cycle's grid strictly after now — missed occurrences are coalesced, so a resume after a
 *   long pause fires once, not in a burst, and never loops), which a non-interrupting boundary event
 *   turns into a restart of itself carrying that due date.
 *
 * The engine's `timers` option gets createInertTimers(): nothing in the engine may arm a real timer;
 * if something tries, the run becomes an incident.
 */
import * as Elements from 'bpmn-elements';
import { type ActivityElement, type ElementBroker, type ElementContent, type ElementMessage, copyContent } from './bpmn-internals';
import { feelErrorMessage } from './feel-expressions';
import {
  IsoFormatError,
  addDuration,
  isDurationText,
  nextOccurrence,
  parseCycle,
  parseDateTime,
  parseDuration,
} from './iso8601';
import { takeEventSubProcessCycle } from './event-subprocesses';
import { type RunContext, runContextOf } from './run-context';
import type { ProvisionalBasis, TimerWait } from './types';

type TimerType = TimerWait['timerType'];
const TIMER_TYPES: TimerType[] = ['timeDate', 'timeDuration', 'timeCycle'];

/** Cycle bookkeeping carried in the timer message (and in a boundary restart's `repeat`). */
export interface CycleState {
  /** occurrences still to fire including this one; -1 = unbounded */
  remaining: number;
  /** the ISO-8601 interval */
  interval: string;
  /** set on a restart: the due date of the next occurrence */
  nextDueAt?: string;
  expression: string;
}

interface ResolvedTimer {
  timerType: TimerType;
  expression: string;
  dueAt: Date;
  cycle: CycleState | null;
  /** computed on a calendar without data for a year it depended on (only known when computed in this run) */
  provisional?: ProvisionalBasis | null;
}

interface TimerEventDefinitionDef {
  type?: string;
  behaviour?: Partial<Record<TimerType, string>>;
}

function describeValue(v: unknown): string {
  return v === null || v === undefined ? 'null' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/** Turns the (evaluated) timer value into a due date and, for cycles, the cycle state. */
export function computeTimer(timerType: TimerType, expression: string, value: unknown, now: Date): ResolvedTimer {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new IsoFormatError(
      `定时器表达式 ${expression} 的结果不是日期、日期时间或时长 (a timer must give a date, date-time or ISO-8601 duration, got ${describeValue(value)})`,
    );
  }
  const text = value.trim();
  if (timerType === 'timeCycle') {
    const cycle = parseCycle(text);
    const interval = text.split('/').slice(1).find(isDurationText) as string;
    const first = cycle.start
      ? cycle.start.getTime() > now.getTime()
        ? cycle.start
        : nextOccurrence(cycle.start, cycle.interval, now)
      : addDuration(now, cycle.interval);
    return {
      timerType,
      expression,
      dueAt: first,
      cycle: { remaining: cycle.repetitions, interval, expression },
    };
  }
  // timeDate and timeDuration accept either form: `=addWorkingDays(signedAt, 10)` is a natural
  // timeDuration in a modeler, `P40D` a natural timeDate mistake; both have one sensible meaning.
  const dueAt = isDurationText(text) ? addDuration(now, parseDuration(text)) : parseDateTime(text);
  return { timerType, expression, dueAt, cycle: null };
}

export class DurableTimerEventDefinition {
  readonly type: string;
  readonly activity: ActivityElement;
  readonly broker: ElementBroker;
  private readonly definitions: Partial<Record<TimerType, string>>;
  private readonly run: RunContext;
  private stopped = false;
  private timerContent: ElementContent | null = null;
  private timer: ResolvedTimer | null = null;
  private activityExecutionId: string | null = null;

  constructor(activity: ActivityElement, eventDefinition: TimerEventDefinitionDef) {
    this.type = eventDefinition.type ?? 'bpmn:TimerEventDefinition';
    this.activity = activity;
    this.broker = activity.broker;
    this.definitions = { ...eventDefinition.behaviour };
    this.run = runContextOf(activity.environment);
  }

  get executionId(): string | undefined {
    return this.timerContent?.executionId;
  }

  execute(executeMessage: ElementMessage): void {
    const content = executeMessage.content;
    const executionId = content.executionId;
    const isRecovered = !!(executeMessage.fields.redelivered || content.isRecovered) && this.run.isRecovered({ ...content, isRecovered: true });
    const activityExecutionId = content.parent?.executionId ?? executionId;
    const run = this.run;

    this.stopped = false;
    this.activityExecutionId = activityExecutionId;

    let timer: ResolvedTimer;
    try {
      timer = this.resolve(content, activityExecutionId);
    } catch (err) {
      run.fail(this.activity.id, feelErrorMessage(err, `定时器 ${this.activity.id} 无法计算到期时间 (timer cannot compute its due date)`));
      return;
    }
    this.timer = timer;

    const timerContent = (this.timerContent = copyContent(content, {
      timerType: timer.timerType,
      [timer.timerType]: timer.expression,
      timerExpression: timer.expression,
      expireAt: timer.dueAt.toISOString(),
      timerCycle: timer.cycle,
      ...(isRecovered && { isResumed: true }),
      state: 'timer',
    }));

    this.broker.subscribeTmp('api', `activity.#.${executionId}`, (_key, message) => this.onApiMessage(message), {
      noAck: true,
      consumerTag: `_api-${executionId}`,
      priority: 400,
    });

    // the execution message bpmn-elements keeps in the state: it now carries the due date
    this.broker.publish('execution', 'execute.timer', copyContent(timerContent));
    this.broker.publish('event', 'activity.timer', copyContent(timerContent));

    run.timers.set(activityExecutionId, {
      activityId: this.activity.id,
      executionId: activityExecutionId,
      dueAt: timer.dueAt,
      timerType: timer.timerType,
      expression: timer.expression,
      provisional: timer.provisional ?? null,
      isNew: !isRecovered,
    });

    if (timer.dueAt.getTime() <= run.now().getTime() && run.mode === 'normal') {
      run.defer(() => this.complete());
    }
  }

  /** bpmn-elements calls stop() on some element stops; we hold no real timer. */
  stop(): void {
    this.halt();
  }

  private resolve(content: ElementContent, activityExecutionId: string): ResolvedTimer {
    // recovered (or re-executed) timer: the due date computed when it started — or, in a
    // 'reschedule' run, the one computed again on a newer calendar (it replaces expireAt in the state)
    if (typeof content.expireAt === 'string' && typeof content.timerType === 'string') {
      const rescheduled = this.run.reschedules.get(activityExecutionId);
      return {
        timerType: content.timerType as TimerType,
        expression: String(content.timerExpression ?? content[content.timerType] ?? ''),
        dueAt: rescheduled?.dueAt ?? new Date(content.expireAt),
        cycle: (content.timerCycle as CycleState | null | undefined) ?? null,
        ...(rescheduled && { provisional: rescheduled.provisional }),
      };
    }
    // restart of a non-interrupting cycle boundary: the next occurrence computed when it fired
    const repeat = content.inbound?.[0]?.repeat as CycleState | undefined;
    if (repeat && typeof repeat === 'object' && typeof repeat.nextDueAt === 'string') {
      return {
        timerType: 'timeCycle',
        expression: repeat.expression,
        dueAt: new Date(repeat.nextDueAt),
        cycle: { remaining: repeat.remaining, interval: repeat.interval, expression: repeat.expression },
      };
    }
    // a non-interrupting cycle event sub-process armed again: its next occurrence (event-subprocesses.ts)
    const next = takeEventSubProcessCycle(this.run, this.activity) as CycleState | null;
    if (next && typeof next.nextDueAt === 'string') {
      return {
        timerType: 'timeCycle',
        expression: next.expression,
        dueAt: new Date(next.nextDueAt),
        cycle: { remaining: next.remaining, interval: next.interval, expression: next.expression },
      };
    }
    const timerType = TIMER_TYPES.find((t) => typeof this.definitions[t] === 'string' && this.definitions[t] !== '');
    if (!timerType) throw new IsoFormatError('定时器没有定义时间 (timer without timeDate, timeDuration or timeCycle)');
    const expression = (this.definitions[timerType] as string).trim();
    const { value, provisional } = this.run.evaluateDate(expression, this.activity.id);
    // a provisional due date is computed again later from the clock of this evaluation (recomputeTimer)
    const now = provisional ? new Date(provisional.now) : this.run.now();
    return { ...computeTimer(timerType, expression, value, now), provisional };
  }

  private complete(): void {
    if (this.stopped || !this.timerContent || !this.timer || !this.activityExecutionId) return;
    const run = this.run;
    const timerContent = this.timerContent;
    const timer = this.timer;
    this.halt();
    run.timers.delete(this.activityExecutionId);
    run.firedTimers.add(this.activityExecutionId);

    const now = run.now();
    const done = {
      stoppedAt: now.toISOString(),
      runningTime: Math.max(0, now.getTime() - timer.dueAt.getTime()),
      state: 'timeout',
    };
    this.broker.publish('event', 'activity.timeout', copyContent(timerContent, done));

    const cycle = timer.cycle;
    if (cycle && (cycle.remaining === -1 || cycle.remaining > 1)) {
      const next = nextOccurrence(timer.dueAt, parseDuration(cycle.interval), now);
      const repeat: CycleState = {
        remaining: cycle.remaining === -1 ? -1 : cycle.remaining - 1,
        interval: cycle.interval,
        expression: cycle.expression,
        nextDueAt: next.toISOString(),
      };
      run.cycleRepeats.set(this.activityExecutionId, repeat);
      this.broker.publish('execution', 'execute.repeat', copyContent(timerContent, { ...done, repeat }));
    }
    this.broker.publish('execution', 'execute.completed', copyContent(timerContent, done));
  }

  private onApiMessage(message: ElementMessage): void {
    const { type, correlationId } = message.properties;
    switch (type) {
      case 'cancel': {
        // bpmn-elements' "cancel" completes the timer early (engine.cancelActivity); we keep it
        if (this.stopped || !this.timerContent) return;
        const content = this.timerContent;
        this.halt();
        this.forget();
        this.broker.publish('execution', 'execute.completed', copyContent(content, { state: 'cancel' }), { correlationId });
        return;
      }
      case 'stop':
        this.halt();
        return;
      case 'discard': {
        if (!this.timerContent) return;
        const content = this.timerContent;
        this.halt();
        this.forget();
        this.broker.publish('execution', 'execute.discard', copyContent(content, { state: 'discard' }), { correlationId });
        return;
      }
    }
  }

  private forget(): void {
    if (this.activityExecutionId) this.run.timers.delete(this.activityExecutionId);
  }

  private halt(): void {
    this.stopped = true;
    const executionId = this.executionId;
    if (executionId) this.broker.cancel(`_api-${executionId}`);
  }
}

interface TimersConstructor {
  new (options: { setTimeout: (...args: unknown[]) => unknown; clearTimeout: (ref: unknown) => unknown }): object;
}

/** bpmn-elements' Timers with setTimeout refused: no real timer is ever armed in a run. */
export function createInertTimers(run: RunContext): object {
  const TimersImpl = (Elements as unknown as { Timers: TimersConstructor }).Timers;
  return new TimersImpl({
    setTimeout: () => {
      run.fail(null, '引擎请求了真实定时器，已拒绝 (the engine asked for a real timer; timers are durable)');
      return null;
    },
    clearTimeout: () => undefined,
  });
}
