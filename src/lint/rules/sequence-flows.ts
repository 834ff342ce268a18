import { languageIsFeel, type LintRule } from '../lint-document';
import { isFeel, label, nonEmpty } from '../model';

/**
 * Sequence flows stay inside their container; only outgoing flows of exclusive and inclusive
 * gateways carry a condition (Zeebe's rule), and a condition is FEEL (`=…`) that parses — never
 * JUEL or a script.
 */
export const sequenceFlows: LintRule = {
  name: 'sequence-flows',
  description: '顺序流：不跨越子流程；条件只在网关出口，且是可解析的 FEEL',
  sequenceFlow(flow, container, scope) {
    for (const property of ['sourceRef', 'targetRef'] as const) {
      const missing = scope.missingReference(flow, property);
      const end = flow[property];
      if (missing !== undefined) {
        scope.add(flow, `${label(flow)}的 ${property} 指向不存在的元素 "${missing}"`);
      } else if (!end) {
        scope.add(flow, `${label(flow)}缺少 ${property}`);
      } else if (end.$parent !== container) {
        scope.add(flow, `${label(flow)}连接的${label(end)}不在同一个流程或子流程中：顺序流不能跨越子流程边界`);
      }
    }
    const condition = flow.conditionExpression;
    if (!condition) return;
    const source = flow.sourceRef;
    if (source && source.$type !== 'bpmn:ExclusiveGateway' && source.$type !== 'bpmn:InclusiveGateway') {
      scope.add(flow, `${label(flow)}设置了条件，但只有排他网关和包容网关的出口顺序流可以有条件（来源是${label(source)}）`);
      return;
    }
    if (!languageIsFeel(flow, '条件', condition, scope)) return;
    const body = nonEmpty(condition.body);
    if (!body) {
      scope.add(flow, `${label(flow)}的条件为空`);
    } else if (/^[$#]\{/.test(body)) {
      scope.add(flow, `${label(flow)}的条件 "${body}" 是 JUEL 表达式：需要 FEEL 表达式（以 = 开头，如 =amount > 1000）`);
    } else if (!isFeel(body)) {
      scope.add(flow, `${label(flow)}的条件 "${body}" 不是 FEEL 表达式：需要 FEEL 表达式（以 = 开头）`);
    } else {
      scope.feel(flow, '条件', body);
    }
  },
};
