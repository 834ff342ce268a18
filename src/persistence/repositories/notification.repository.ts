import { Op } from 'sequelize';
import { NotificationModel, OutboxModel } from '../models/runtime.model';
import { dateParam, executeBound } from '../sql';

export class NotificationRepository {
  unsent(channel: 'inbox' | 'email', wallNow: Date, limit: number) {
    return OutboxModel.findAll({
      where: { channel, sentAt: null, [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lt]: wallNow } }] },
      order: [['id', 'ASC']],
      limit,
    });
  }

  async claim(id: number, wallNow: Date, leaseMs: number): Promise<boolean> {
    // one statement text, every value bound (see RuntimeRepository.claimJob)
    const sequelize = OutboxModel.sequelize!;
    const n = await executeBound(
      sequelize,
      'UPDATE outbox SET lockedUntil = $1 WHERE id = $2 AND sentAt IS NULL AND (lockedUntil IS NULL OR lockedUntil < $3)',
      [dateParam(sequelize, new Date(wallNow.getTime() + leaseMs)), id, dateParam(sequelize, wallNow)],
    );
    return n === 1;
  }

  /** Queues a message once (outside a unit of work): a second call with the same key changes nothing. */
  async enqueue(values: { dedupeKey: string; channel: 'inbox' | 'email'; payload: Record<string, unknown>; createdAt: Date }) {
    if (await OutboxModel.findOne({ where: { dedupeKey: values.dedupeKey } })) return;
    try {
      await OutboxModel.create({ ...values, sentAt: null, lockedUntil: null, lastError: null });
    } catch {
      // queued concurrently by another process
    }
  }

  async markSent(id: number, at: Date) {
    await OutboxModel.update({ sentAt: at, lockedUntil: null }, { where: { id } });
  }

  async markFailed(id: number, error: string, retryAt: Date) {
    const row = await OutboxModel.findByPk(id);
    await row?.update({ lastError: error.slice(0, 2000), lockedUntil: retryAt, attempts: row.attempts + 1 });
  }

  /** One inbox entry per user and key, however often it is delivered. */
  async deliver(n: { username: string; kind: string; title: string; body: string; instanceId: string | null; taskId: number | null; dedupeKey: string; createdAt: Date }) {
    const exists = await NotificationModel.findOne({ where: { dedupeKey: n.dedupeKey } });
    if (exists) return false;
    try {
      await NotificationModel.create({ ...n, readAt: null });
      return true;
    } catch {
      return false; // delivered concurrently by another process
    }
  }

  inbox(username: string, limit = 200) {
    return NotificationModel.findAll({ where: { username }, order: [['id', 'DESC']], limit });
  }

  async markRead(id: number, username: string, at: Date) {
    const [n] = await NotificationModel.update({ readAt: at }, { where: { id, username, readAt: null } });
    return n;
  }

  /** 全部已读: every unread entry of the user; how many changed */
  async markAllRead(username: string, at: Date) {
    const [n] = await NotificationModel.update({ readAt: at }, { where: { username, readAt: null } });
    return n;
  }

  find(id: number) {
    return NotificationModel.findByPk(id);
  }
}
