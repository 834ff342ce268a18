import { Op } from 'sequelize';
import { AuthTokenModel, LoginFailureModel } from '../models/auth.model';

export class AuthRepository {
  async createToken(t: { tokenHash: string; userId: number; kind: 'api' | 'web'; expiresAt: Date; createdAt: Date }): Promise<void> {
    await AuthTokenModel.create({ ...t, revokedAt: null });
  }

  async findLiveToken(tokenHash: string, now: Date): Promise<{ userId: number; kind: 'api' | 'web'; expiresAt: Date } | null> {
    const t = await AuthTokenModel.findOne({ where: { tokenHash, revokedAt: null, expiresAt: { [Op.gt]: now } } });
    return t ? { userId: t.userId, kind: t.kind, expiresAt: t.expiresAt } : null;
  }

  async revokeToken(tokenHash: string, now: Date): Promise<void> {
    await AuthTokenModel.update({ revokedAt: now }, { where: { tokenHash, revokedAt: null } });
  }

  async recordFailure(username: string, address: string, at: Date): Promise<void> {
    await LoginFailureModel.create({ username, address, createdAt: at });
  }

  async countFailures(by: { username: string; address: string } | { address: string }, since: Date): Promise<number> {
    return LoginFailureModel.count({ where: { ...by, createdAt: { [Op.gt]: since } } });
  }

  async clearFailures(username: string): Promise<void> {
    await LoginFailureModel.destroy({ where: { username } });
  }
}
