import type { HandlerDescriptor } from '../handler';
import { auditProjectHandler, recordAccountabilityHandler } from './audit.handlers';
import { articleNoticeHandler } from './notice.handler';

/** The handlers of chapter 4 of the measures (an explicit list). */
export const CHAPTER4_HANDLERS: HandlerDescriptor[] = [articleNoticeHandler, auditProjectHandler, recordAccountabilityHandler];
