import { unprocessable } from '../domain/errors';
import { variableProblems } from '../domain/variables';
import type { RuntimeService } from './runtime.service';

/**
 * Signal broadcast (issue 12 item 13): POST /api/signals {name, variables}. Every waiting signal catch of
 * that name, in every running instance, gets the signal once (RuntimeService.broadcastSignal); nobody
 * waiting is not an error (Zeebe: a broadcast to no one). Administrators only (like messages): a
 * broadcast reaches every department's instances; processes broadcast themselves through signal throw
 * events.
 */
export class SignalService {
  constructor(private readonly d: { runtime: Pick<RuntimeService, 'signal'> }) {}

  async broadcast(input: { name: unknown; variables?: unknown }, actor: string | null) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 255) {
      throw unprocessable('缺少信号名称', [{ field: 'name', message: 'name 为必填项（不超过 255 个字符的文本）' }]);
    }
    const problems = variableProblems(input.variables as Record<string, unknown> | undefined);
    if (problems.length) throw unprocessable('信号变量不合法', problems);
    const reached = await this.d.runtime.signal(name, (input.variables as Record<string, unknown> | undefined) ?? {}, actor);
    return { signalled: reached.map((s) => ({ processInstanceId: s.id, state: s.state, activeActivityIds: s.activeActivityIds })) };
  }
}
