import type { SettingsRepository } from '../persistence/repositories/settings.repository';

/**
 * The process clock that due dates and timers use. `system` is the wall clock. `manual` (tests and
 * demos; refused in production) stands still until moved with POST /api/dev/clock; its value lives
 * in the database so every app process sees the same time (refresh() reads it).
 */
export interface Clock {
  readonly manual: boolean;
  now(): Date;
  refresh(): Promise<void>;
  set(now: Date): Promise<void>;
}

export class SystemClock implements Clock {
  readonly manual = false;
  now() {
    return new Date();
  }
  async refresh() {}
  async set(): Promise<void> {
    throw new Error('the system clock cannot be set');
  }
}

const KEY = 'clock.now';

export class ManualClock implements Clock {
  readonly manual = true;
  private current = new Date();

  constructor(private readonly settings: Pick<SettingsRepository, 'get' | 'put' | 'getOrCreate'>) {}

  now() {
    return new Date(this.current.getTime());
  }

  async refresh() {
    const stored = await this.settings.getOrCreate(KEY, () => new Date().toISOString());
    this.current = new Date(stored);
  }

  /** Any instant, also backwards (a test setting up "September 2026"); due dates already computed stay as they are. */
  async set(now: Date) {
    await this.settings.put(KEY, now.toISOString());
    this.current = now;
  }
}
