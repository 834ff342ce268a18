import type { HandlerDescriptor } from '../handler';
import { recordDisbursementHandler } from './disbursement.handler';

/** The handlers of chapter 3 of the measures (an explicit list). */
export const CHAPTER3_HANDLERS: HandlerDescriptor[] = [recordDisbursementHandler];
