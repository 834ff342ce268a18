import type { Logger } from 'pino';
import type { OutboxService } from './outbox.service';
import type { RuntimeService } from './runtime.service';

/**
 * The database-backed scheduler: every interval it fires due timers, retries and call-activity jobs
 * (claimed with a lease, so several app processes fire each exactly once) and delivers the outbox.
 * Jobs that fell due while the server was down run at the first tick, right at start.
 */
export class Scheduler {
  static readonly JOBS_PER_ROUND = 500;
  static readonly DELIVERIES_PER_ROUND = 100;
  static readonly MAX_ROUNDS = 200;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopping = false;

  constructor(private readonly d: { runtime: Pick<RuntimeService, 'runDueJobs'>; outbox: Pick<OutboxService, 'dispatch'>; log: Logger; intervalMs: number }) {}

  start() {
    if (this.timer) return;
    this.stopping = false;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.d.intervalMs);
    this.timer.unref();
  }

  async stop() {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One tick; overlapping calls share the tick under way. A tick drains: it runs rounds of due jobs and
   * deliveries until a round leaves nothing (a burst of 10,000 timers or notifications does not wait
   * 100 rows per interval), at most MAX_ROUNDS rounds, and ends early when the scheduler stops.
   */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        let jobs = 0;
        let sent = 0;
        for (let round = 0; round < Scheduler.MAX_ROUNDS && !(round > 0 && this.stopping); round++) {
          const ran = await this.d.runtime.runDueJobs(Scheduler.JOBS_PER_ROUND);
          const delivered = await this.d.outbox.dispatch(Scheduler.DELIVERIES_PER_ROUND);
          jobs += ran;
          sent += delivered;
          if (ran < Scheduler.JOBS_PER_ROUND && delivered < Scheduler.DELIVERIES_PER_ROUND) break;
        }
        if (jobs || sent) this.d.log.debug({ event: 'scheduler.tick', jobs, sent });
      } catch (err) {
        this.d.log.error({ event: 'scheduler.failed', err: err instanceof Error ? err.message : String(err) });
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
