/**
 * The lint rules, in the order the deploy reports their problems (an explicit list, not a folder
 * scan). The server runs them all on deploy (engine/validate-deployment.ts); the modeler runs them
 * live as the bpmnlint plugin `govflow` (../bpmnlint-plugin.ts).
 */
import type { LintRule } from '../lint-document';
import { callActivities } from './call-activities';
import { eventSubProcesses } from './event-sub-processes';
import { events } from './events';
import { extensions } from './extensions';
import { forms } from './forms';
import { gateways } from './gateways';
import { knownGroups } from './known-groups';
import { knownHandlers } from './known-handlers';
import { messages } from './messages';
import { multiInstance } from './multi-instance';
import { sequenceFlows } from './sequence-flows';
import { serviceTasks } from './service-tasks';
import { structure } from './structure';
import { supportedElements } from './supported-elements';
import { timers } from './timers';
import { userTasks } from './user-tasks';

export const RULES: readonly LintRule[] = [
  structure,
  supportedElements,
  extensions,
  multiInstance,
  events,
  eventSubProcesses,
  timers,
  messages,
  userTasks,
  knownGroups,
  forms,
  serviceTasks,
  knownHandlers,
  callActivities,
  gateways,
  sequenceFlows,
];
