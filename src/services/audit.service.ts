import { forbidden } from '../domain/errors';
import { isAdmin, type User } from '../domain/organisation';
import type { TrailReport } from '../persistence/audit-chain';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';

/** Who may check the trail: the audit bureau (第23条) and administrators. */
export const mayVerifyTrail = (u: Pick<User, 'groups'>) => isAdmin(u) || u.groups.includes('audit');

/**
 * The tamper-evident trail (src/persistence/audit-chain.ts): the history is append-only and
 * hash-chained; verifying walks the chain and names the first broken link.
 */
export class AuditService {
  constructor(private readonly repo: Pick<RuntimeRepository, 'verifyTrail'>) {}

  async verify(user: User): Promise<TrailReport> {
    if (!mayVerifyTrail(user)) throw forbidden('仅区审计局和系统管理员可以核验流转记录的完整性');
    return this.repo.verifyTrail();
  }
}
