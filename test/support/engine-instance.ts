import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInstance } from '../../src/engine/engine-runner';
import { CHINESE_DAYS } from './calendar';
import type { CompiledDefinitionRef, EngineAction, EngineHost, RunResult, ServiceInvocation, ServiceOutcome } from '../../src/engine/types';

let seq = 0;

/** A fixture of test/fixtures/robust as a definition (a fresh id per call: no cache sharing). */
export function robustFixture(name: string): CompiledDefinitionRef {
  return { definitionId: `robust:${name}:${seq++}`, xml: readFileSync(join(__dirname, '../fixtures/robust', name), 'utf8') };
}

export function inlineDefinition(xml: string): CompiledDefinitionRef {
  return { definitionId: `inline:${seq++}`, xml };
}

/** An instance driven through runInstance the way the runtime does: the state saved as JSON text between runs. */
export class EngineInstance {
  saved: string | null = null;
  last!: RunResult;
  now = new Date('2026-03-02T01:00:00Z');
  readonly invocations: ServiceInvocation[] = [];
  readonly host: EngineHost;

  constructor(
    readonly definition: CompiledDefinitionRef,
    handler: (inv: ServiceInvocation) => ServiceOutcome | Promise<ServiceOutcome> = () => ({ kind: 'completed', output: {} }),
    host: Partial<EngineHost> = {},
  ) {
    this.host = {
      clock: { now: () => this.now },
      calendar: CHINESE_DAYS,
      invokeService: async (inv) => {
        this.invocations.push(inv);
        return handler(inv);
      },
      ...host,
    };
  }

  async run(action: EngineAction): Promise<RunResult> {
    const state = this.saved === null ? null : (JSON.parse(this.saved) as unknown);
    const result = await runInstance({ definition: this.definition, state, action, host: this.host, instanceId: 'robust' });
    if (result.engineState !== null) this.saved = JSON.stringify(result.engineState);
    this.last = result;
    return result;
  }

  start(variables: Record<string, unknown> = {}) {
    return this.run({ kind: 'start', variables });
  }

  resume() {
    return this.run({ kind: 'resume' });
  }

  complete(activityId: string, variables: Record<string, unknown> = {}) {
    const task = this.last.userTasks.find((t) => t.activityId === activityId);
    if (!task) throw new Error(`user task ${activityId} is not waiting: ${JSON.stringify(this.last.userTasks.map((t) => t.activityId))}`);
    return this.run({ kind: 'complete-task', executionId: task.executionId, variables });
  }

  waiting(): string[] {
    return this.last.userTasks.map((t) => t.activityId).sort();
  }
}
