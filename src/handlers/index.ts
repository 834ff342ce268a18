import type { HandlerDescriptor } from './handler';
import { notifyHandler } from './notify.handler';

/** Every handler GovFlow ships. Registration is this explicit list, never a folder scan. */
export const BUILTIN_HANDLERS: HandlerDescriptor[] = [notifyHandler as unknown as HandlerDescriptor];
