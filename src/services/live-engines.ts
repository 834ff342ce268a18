import type { LiveEngine } from '../engine/engine-runner';

/**
 * Hot instances stay live (issue 13 item 1): the engines of the instances this process ran last, each as the unit of
 * work that ran it left it and committed it — keyed by the instance, its definition and the revision that commit
 * wrote. The next completion of one of their user tasks signals that engine instead of recovering the saved state,
 * when the instance is still at that revision (another process, a timer, a migration or an incident moves the
 * revision on, and the state is recovered as always). An engine is taken out while a run uses it — one run at a time —
 * and put back only by a unit that committed what that run did; a run that fails, is not used or is rolled back loses
 * it. At most `capacity` engines are held, the least recently put leaving first (each holds its diagram's elements
 * and broker: about 0.3 MB for the bench's three-element diagram).
 */
export class LiveEngines {
  private readonly entries = new Map<string, { revision: number; definitionId: number; live: LiveEngine }>();
  /** runs on a live engine, and takes that found none or a stale one */
  readonly counts = { hits: 0, misses: 0 };

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The instance's engine when it stands for that revision of that definition; it is no longer held here. */
  take(instanceId: string, revision: number, definitionId: number): LiveEngine | null {
    const entry = this.entries.get(instanceId);
    this.entries.delete(instanceId);
    if (entry && entry.revision === revision && entry.definitionId === definitionId) {
      this.counts.hits++;
      return entry.live;
    }
    this.counts.misses++;
    return null;
  }

  /** Lets every engine go (the next action on each instance recovers its saved state). */
  clear(): void {
    this.entries.clear();
  }

  /** Holds the engine of a committed unit: it stands for `revision` of the instance. */
  put(instanceId: string, revision: number, definitionId: number, live: LiveEngine): void {
    this.entries.delete(instanceId);
    if (this.capacity <= 0) return;
    this.entries.set(instanceId, { revision, definitionId, live });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
