import type { Logger } from 'pino';
import type { OutboxService } from './outbox.service';
import type { RuntimeService } from './runtime.service';

/**
 * The database-backed scheduler: every interval it fires due timers, retries and call-activity jobs
 * (claimed with a lease, so several app processes fire each exactly once) and delivers the outbox.
 * Jobs that fell due while the server was down run at the first tick, right at start.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly d: { runtime: Pick<RuntimeService, 'runDueJobs'>; outbox: Pick<OutboxService, 'dispatch'>; log: Logger; intervalMs: number }) {}

  start() {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.d.intervalMs);
    this.timer.unref();
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; overlapping calls share the pass that is under way. */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        const jobs = await this.d.runtime.runDueJobs();
        const sent = await this.d.outbox.dispatch();
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
