/** where multi-instance bodies keep their items and their instances' local variables (engine/multi-instance.ts) */
export const LOOP_STORE_VARIABLE = 'govflowLoops';

/** where non-interrupting timer-cycle event sub-processes keep their next occurrence (engine/event-subprocesses.ts) */
export const CYCLE_STORE_VARIABLE = 'govflowCycles';

/** Written by bpmn-elements into the process variables on every execute (engine/variables.ts), or kept by the engine layer: never a diagram's variable name. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set(['fields', 'content', 'properties', LOOP_STORE_VARIABLE, CYCLE_STORE_VARIABLE]);
