import type { Transaction } from 'sequelize';
import { SettingModel } from '../models/organisation.model';
import { isUniqueViolation } from '../transaction';

/** Small key/value settings shared by every app process (generated secret, manual clock, …). */
export class SettingsRepository {
  async get(key: string, transaction?: Transaction): Promise<string | null> {
    return (await SettingModel.findByPk(key, { transaction }))?.value ?? null;
  }

  /** Sets the value only when absent; returns the stored value (first writer wins across processes). */
  async getOrCreate(key: string, make: () => string): Promise<string> {
    const existing = await this.get(key);
    if (existing !== null) return existing;
    try {
      await SettingModel.create({ key, value: make() });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // else another process created it first
    }
    return (await this.get(key))!;
  }

  async put(key: string, value: string, transaction?: Transaction): Promise<void> {
    await SettingModel.upsert({ key, value, updatedAt: new Date() }, { transaction });
  }
}
