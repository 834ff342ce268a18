import { conflict, notFound, unprocessable } from '../domain/errors';
import { variableProblems } from '../domain/variables';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import type { RuntimeService } from './runtime.service';

/**
 * Message correlation by name: to the one instance with that businessKey, or (all) to every
 * instance waiting for it. Each instance is one unit of work: it gets the message atomically or not
 * at all (the annual plan releases many projects at once).
 */
export class MessageService {
  constructor(private readonly d: { repo: RuntimeRepository; runtime: Pick<RuntimeService, 'act'> }) {}

  async correlate(
    input: { messageName: string; businessKey?: string | null; variables?: Record<string, unknown>; all?: boolean },
    actor: string | null,
  ): Promise<{ correlated: { processInstanceId: string; state: string; activeActivityIds: string[] }[] }> {
    if (!input.messageName || typeof input.messageName !== 'string') {
      throw unprocessable('缺少消息名称', [{ field: 'messageName', message: 'messageName 为必填项' }]);
    }
    const problems = variableProblems(input.variables);
    if (problems.length) throw unprocessable('消息变量不合法', problems);
    const subs = await this.d.repo.findSubscriptions(input.messageName, input.businessKey);
    const byInstance = new Map<string, string[]>();
    for (const s of subs) byInstance.set(s.instanceId, [...(byInstance.get(s.instanceId) ?? []), s.executionId]);
    if (!byInstance.size) throw notFound(`没有流程实例在等待消息「${input.messageName}」${input.businessKey ? `（业务键 ${input.businessKey}）` : ''}`);
    if (!input.all && byInstance.size > 1) {
      throw conflict(`有 ${byInstance.size} 个流程实例在等待消息「${input.messageName}」：请给出 businessKey，或用 all 发送给全部`, 'ambiguous-message');
    }
    const correlated = [];
    for (const [instanceId, executionIds] of byInstance) {
      const state = await this.d.runtime.act(
        instanceId,
        { kind: 'correlate-message', messageName: input.messageName, executionIds, variables: input.variables ?? {} },
        { actor, operation: 'message', data: { messageName: input.messageName } },
      );
      if (state) correlated.push({ processInstanceId: state.id, state: state.state, activeActivityIds: state.activeActivityIds });
    }
    return { correlated };
  }
}
