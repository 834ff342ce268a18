import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkingCalendar } from '../domain/calendar';
import { type LiveEngine, runEngine, withEngineState } from './engine-runner';
import type { CompiledDefinitionRef, EngineAction, EngineClock, RunResult } from './types';

/**
 * Engine workers (issue 13, P2): the run a task completion makes ahead of its unit of work (RuntimeService.runAhead)
 * is made in a worker thread, so the main thread — which parses the requests, runs the units of work and answers —
 * is not busy with it meanwhile; on a machine of two cores the engine's CPU goes to the second. The run is the same
 * runInstance on the same definition, state, action and calendar, with the clock read at the request; a run that
 * reaches a service task reports it and is not used (handlers act in a unit of work, on the main thread). Whatever
 * goes wrong here — a worker that cannot start, dies, or does not answer in time — answers null: the unit of work
 * then runs the engine itself, as it would without workers. ENGINE_WORKERS sets how many (0: none).
 */
export interface EngineRunRequest {
  id: number;
  definition: CompiledDefinitionRef;
  state: unknown;
  action: EngineAction;
  instanceId: string;
  /** the clock's instant, ms */
  now: number;
  calendar: WorkingCalendar;
  maxActivitiesPerRun?: number;
}

export type EngineRunReply = { id: number; ok: true; result: RunResult; invoked: boolean } | { id: number; ok: false; message: string };

/** the old generation of a worker's heap at most (MB) */
export const ENGINE_WORKER_HEAP_MB = 256;

/**
 * The young generation of a worker's heap (MB; V8 takes a third of it for each of its two semi-spaces: 64 MB, as
 * `npm start` gives the main thread with `--max-semi-space-size=64`). A run's objects live as long as the run; with
 * V8's default (48 MB, semi-spaces of 16) they outlived scavenges and were promoted, then collected by mark-compacts:
 * the bench's completion run took 2.5–3.3 ms of CPU in a worker with the default and 1.5–1.7 in most runs with this
 * (see the README, session 28).
 */
export const ENGINE_WORKER_YOUNG_MB = 192;

/** how long a run in a worker may take before the request is answered null (the unit runs the engine itself) */
export const ENGINE_WORKER_TIMEOUT_MS = 10_000;

interface Slot {
  worker: Worker | null;
  busy: number;
}

export class EngineWorkers {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { resolve: (r: { result: RunResult; invoked: boolean } | null) => void; timer: NodeJS.Timeout; slot: Slot }>();
  private nextId = 1;
  private closed = false;
  /** runs answered by a worker, and requests answered null (a failure, a timeout, a worker gone) */
  readonly counts = { ran: 0, failed: 0 };

  constructor(
    size: number,
    private readonly fastPath: boolean,
  ) {
    this.slots = Array.from({ length: Math.max(0, size) }, () => ({ worker: null, busy: 0 }));
  }

  get size(): number {
    return this.slots.length;
  }

  /** Runs the action in the least busy worker; null when it could not (the caller runs the engine itself). */
  run(request: Omit<EngineRunRequest, 'id'>): Promise<{ result: RunResult; invoked: boolean } | null> {
    if (this.closed || !this.slots.length) return Promise.resolve(null);
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    let worker: Worker;
    try {
      worker = slot.worker ??= this.start(slot);
    } catch {
      this.counts.failed++;
      return Promise.resolve(null);
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // a run that takes this long is the unit's to make (with its budgets on the main thread); the worker is
        // replaced, whatever it is doing
        this.settle(id, null);
        this.kill(slot);
      }, ENGINE_WORKER_TIMEOUT_MS);
      timer.unref();
      this.pending.set(id, { resolve, timer, slot });
      slot.busy++;
      try {
        worker.postMessage({ ...request, id } satisfies EngineRunRequest);
      } catch {
        this.settle(id, null);
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, null);
    await Promise.all(this.slots.map(async (s) => s.worker?.terminate()));
  }

  private start(slot: Slot): Worker {
    // the worker runs the same TypeScript: a CommonJS bootstrap loads tsx's require hook first (as the FEEL sandbox's)
    const bootstrap = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.join(__dirname, 'engine-workers.worker.ts'))});`;
    // its heap bounded (a runaway run fails there, answered null, instead of growing the process)
    const worker = new Worker(bootstrap, { eval: true, workerData: { fastPath: this.fastPath }, resourceLimits: { maxOldGenerationSizeMb: ENGINE_WORKER_HEAP_MB, maxYoungGenerationSizeMb: ENGINE_WORKER_YOUNG_MB }, stdout: true, stderr: true });
    worker.unref();
    worker.on('message', (reply: EngineRunReply) => this.settle(reply.id, reply));
    worker.on('error', () => this.kill(slot));
    worker.once('exit', () => {
      if (slot.worker === worker) this.kill(slot);
    });
    return worker;
  }

  /** the worker of a slot gone: its requests answered null, a new one started at the next request */
  private kill(slot: Slot): void {
    const worker = slot.worker;
    slot.worker = null;
    for (const [id, p] of [...this.pending]) if (p.slot === slot) this.settle(id, null);
    void worker?.terminate();
  }

  private settle(id: number, reply: EngineRunReply | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    p.slot.busy--;
    if (reply?.ok) {
      this.counts.ran++;
      // the worker sent the state as text alone: parsed from it on first read, as runInstance answers it
      const { result } = reply;
      p.resolve({ result: result.engineStateText === undefined ? result : withEngineState(result.engineStateText, result), invoked: reply.invoked });
    } else {
      this.counts.failed++;
      p.resolve(null);
    }
  }
}

/**
 * A run made ahead of a unit of work, in a worker or on this thread: runInstance with no handlers — a service task
 * reached waits, and `invoked` says it was reached (the run is then not used: handlers act in a unit of work).
 */
export async function runWithoutHandlers(
  request: Omit<EngineRunRequest, 'id' | 'now'> & { clock: EngineClock; live?: LiveEngine | null; keepLive?: boolean },
): Promise<{ result: RunResult; invoked: boolean; live: LiveEngine | null }> {
  let invoked = false;
  const { result, live } = await runEngine({
    live: request.live,
    keepLive: request.keepLive,
    definition: request.definition,
    state: request.state,
    action: request.action,
    instanceId: request.instanceId,
    host: {
      clock: request.clock,
      calendar: request.calendar,
      maxActivitiesPerRun: request.maxActivitiesPerRun,
      invokeService: async () => {
        invoked = true;
        return { kind: 'wait' };
      },
    },
  });
  return { result, invoked, live: invoked ? null : live };
}

const shared = new Map<string, EngineWorkers>();

/**
 * The process's engine workers of that size (they hold nothing of an app: every app of the process — the tests start
 * many — shares them; unref'd, they never keep the process alive).
 */
export function engineWorkers(size: number, fastPath: boolean): EngineWorkers {
  const key = `${size}:${fastPath}`;
  let pool = shared.get(key);
  if (!pool) {
    pool = new EngineWorkers(size, fastPath);
    shared.set(key, pool);
  }
  return pool;
}
