/** where multi-instance bodies keep their items and their instances' local variables (engine/multi-instance.ts) */
export const LOOP_STORE_VARIABLE = 'govflowLoops';

/** Written by bpmn-elements into the process variables on every execute (engine/variables.ts): never a diagram's variable name. */
export const RESERVED_VARIABLE_NAMES: ReadonlySet<string> = new Set(['fields', 'content', 'properties', LOOP_STORE_VARIABLE]);
