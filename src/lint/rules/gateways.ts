import type { LintRule } from '../lint-document';
import { label } from '../model';

/**
 * Exclusive and inclusive gateways with several outgoing flows: each flow has a condition or is the
 * default (which is one of its own outgoing flows); an event-based gateway leads to two or more
 * timer or message catch events.
 */
export const gateways: LintRule = {
  name: 'gateways',
  description: '网关：多个出口须有条件或默认流；事件网关只连接定时器或消息事件',
  flowNode(gateway, _container, outgoing, scope) {
    if (gateway.$type === 'bpmn:ExclusiveGateway' || gateway.$type === 'bpmn:InclusiveGateway') {
      const missingDefault = scope.missingReference(gateway, 'default');
      if (missingDefault !== undefined) {
        scope.add(gateway, `${label(gateway)}的默认流 "${missingDefault}" 不存在`);
      } else if (gateway.default && !outgoing.includes(gateway.default)) {
        scope.add(gateway, `${label(gateway)}的默认流${label(gateway.default)}不是它的出口顺序流`);
      }
      if (outgoing.length <= 1) return;
      for (const flow of outgoing) {
        if (!flow.conditionExpression && flow !== gateway.default) {
          scope.add(flow, `${label(gateway)}有多个出口，${label(flow)}既没有条件也不是默认流`);
        }
      }
    } else if (gateway.$type === 'bpmn:EventBasedGateway') {
      if (outgoing.length < 2) scope.add(gateway, `${label(gateway)}至少需要两个出口顺序流（现有 ${outgoing.length} 个）`);
      for (const flow of outgoing) {
        const target = flow.targetRef;
        if (!target) continue;
        const defs = target.eventDefinitions ?? [];
        const ok =
          target.$type === 'bpmn:IntermediateCatchEvent' &&
          defs.length === 1 &&
          (defs[0].$type === 'bpmn:TimerEventDefinition' || defs[0].$type === 'bpmn:MessageEventDefinition');
        if (!ok) scope.add(flow, `${label(gateway)}的出口${label(flow)}连接到${label(target)}：事件网关的出口只能连接定时器或消息中间捕获事件`);
      }
    }
  },
};
