import type { HandlerDescriptor } from '../handler';

/** The handlers of chapter 2 of the measures (an explicit list). */
export const CHAPTER2_HANDLERS: HandlerDescriptor[] = [];
