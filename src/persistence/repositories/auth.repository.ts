import { Op } from 'sequelize';
import { AuthTokenModel, LoginFailureModel } from '../models/auth.model';
import { SettingModel } from '../models/organisation.model';

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

  async countFailures(by: { username: string } | { address: string }, since: Date): Promise<number> {
    return LoginFailureModel.count({ where: { ...by, createdAt: { [Op.gt]: since } } });
  }

  async clearFailures(username: string): Promise<void> {
    await LoginFailureModel.destroy({ where: { username } });
  }

  async getSetting(key: string): Promise<string | null> {
    return (await SettingModel.findByPk(key))?.value ?? null;
  }

  /** Sets the value only when absent; returns the value that is stored (first writer wins across processes). */
  async getOrCreateSetting(key: string, make: () => string): Promise<string> {
    const existing = await this.getSetting(key);
    if (existing !== null) return existing;
    try {
      await SettingModel.create({ key, value: make() });
    } catch {
      // another process created it first
    }
    return (await this.getSetting(key))!;
  }

  async putSetting(key: string, value: string): Promise<void> {
    await SettingModel.upsert({ key, value });
  }
}
