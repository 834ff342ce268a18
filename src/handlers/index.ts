import { CHAPTER2_HANDLERS } from './chapter2';
import { CHAPTER3_HANDLERS } from './chapter3';
import { CHAPTER4_HANDLERS } from './chapter4';
import type { HandlerDescriptor } from './handler';
import { checkProjectMaterialsHandler } from './materials.handler';
import { notifyHandler } from './notify.handler';
import { checkProjectStageHandler, publishMessageHandler, startProcessHandler, updateProjectHandler } from './project.handlers';

/** Every handler GovFlow ships. Registration is this explicit list, never a folder scan. */
export const BUILTIN_HANDLERS: HandlerDescriptor[] = [
  notifyHandler,
  updateProjectHandler,
  startProcessHandler,
  publishMessageHandler,
  checkProjectMaterialsHandler,
  checkProjectStageHandler,
  ...CHAPTER2_HANDLERS,
  ...CHAPTER3_HANDLERS,
  ...CHAPTER4_HANDLERS,
];
