import { runInstance } from './src/engine/engine-runner';
import { runWithoutHandlers } from './src/engine/engine-workers';
import { installSmqpFastPath } from './src/engine/smqp-fast-path';
import { benchDiagram } from './bench/profiling';
import { CHINESE_DAYS } from './test/support/calendar';
process.setSourceMapsEnabled(false);
installSmqpFastPath();
const definition = { definitionId: 'bench-approval:1', xml: benchDiagram('XML'), processId: 'bench-approval' } as any;
const now = new Date();
const host = { clock: { now: () => now }, calendar: CHINESE_DAYS, invokeService: async () => ({ kind: 'wait' as const }) };
(async () => {
  const states: { state: string; executionId: string }[] = [];
  for (let i = 0; i < 200; i++) {
    const r = await runInstance({ definition, state: null, action: { kind: 'start', variables: { n: i } }, host, instanceId: `i-${i}` } as any);
    states.push({ state: r.engineStateText!, executionId: r.userTasks[0].executionId });
  }
  const N = Number(process.argv[2] ?? 3000);
  const once = async (i: number) => {
    const s = states[i % states.length];
    const r = await runWithoutHandlers({ definition, state: s.state, action: { kind: 'complete-task', executionId: s.executionId, variables: {} }, instanceId: `i-${i % 200}`, calendar: CHINESE_DAYS, clock: { now: () => now } } as any);
    if (r.result.state !== 'completed') throw new Error(r.result.state);
  };
  for (let i = 0; i < 500; i++) await once(i);
  const c = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < N; i++) await once(i);
  const cu = process.cpuUsage(c);
  console.log(`${process.execArgv.join(' ')}: ${((cu.user + cu.system) / N / 1000).toFixed(3)} ms CPU per completion run, ${((performance.now() - t) / N).toFixed(3)} ms wall`);
})();
