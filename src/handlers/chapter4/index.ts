import type { HandlerDescriptor } from '../handler';

/** The handlers of chapter 4 of the measures (an explicit list). */
export const CHAPTER4_HANDLERS: HandlerDescriptor[] = [];
