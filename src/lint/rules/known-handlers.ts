import type { LintRule } from '../lint-document';
import { label } from '../model';
import { handlerType } from './service-tasks';

/** A service task's handler is registered (the server's registry; GET /api/handlers in the modeler). */
export const knownHandlers: LintRule = {
  name: 'known-handlers',
  description: '处理器类型须是已注册的处理器',
  flowNode(el, _container, _outgoing, scope) {
    const type = handlerType(el);
    if (type && !scope.ctx.hasHandler(type)) scope.add(el, `${label(el)}的处理器类型 "${type}" 未注册`);
  },
};
