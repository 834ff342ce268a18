import type { HandlerDescriptor } from '../handler';
import { releaseAnnualPlanHandler } from './annual-plan.handlers';
import {
  checkMobileAppHandler,
  checkRulesHandler,
  checkScopeHandler,
  groupMembersHandler,
  prepareRevisionHandler,
  reloadApplicationHandler,
} from './application.handlers';

/** The handlers of chapter 2 of the measures (an explicit list). */
export const CHAPTER2_HANDLERS: HandlerDescriptor[] = [
  checkScopeHandler,
  checkRulesHandler,
  checkMobileAppHandler,
  prepareRevisionHandler,
  reloadApplicationHandler,
  releaseAnnualPlanHandler,
  groupMembersHandler,
];
