import { Op } from 'sequelize';
import { NotificationModel, OutboxModel } from '../models/runtime.model';
import { executeBound } from '../direct';
import { dateParam } from '../sql';
import { isUniqueViolation, retryConflicts } from '../transaction';

export class NotificationRepository {
  // Every statement here runs outside a unit of work and is retried on a deadlock or lock-wait timeout
  // (retryConflicts): the dispatcher never fails, and never drops a message, because of another writer.
  unsent(channel: 'inbox' | 'email', wallNow: Date, limit: number) {
    return retryConflicts(() => OutboxModel.findAll({
      where: { channel, sentAt: null, [Op.or]: [{ lockedUntil: null }, { lockedUntil: { [Op.lt]: wallNow } }] },
      order: [['id', 'ASC']],
      limit,
    }));
  }

  async claim(id: number, wallNow: Date, leaseMs: number): Promise<boolean> {
    // one statement text, every value bound (see RuntimeRepository.claimJob)
    const sequelize = OutboxModel.sequelize!;
    const n = await retryConflicts(() =>
      executeBound(
        sequelize,
        'UPDATE outbox SET lockedUntil = $1 WHERE id = $2 AND sentAt IS NULL AND (lockedUntil IS NULL OR lockedUntil < $3)',
        [dateParam(sequelize, new Date(wallNow.getTime() + leaseMs)), id, dateParam(sequelize, wallNow)],
      ),
    );
    return n === 1;
  }

  /** Queues a message once (outside a unit of work): a second call with the same key changes nothing. */
  async enqueue(values: { dedupeKey: string; channel: 'inbox' | 'email'; payload: Record<string, unknown>; createdAt: Date }) {
    if (await retryConflicts(() => OutboxModel.findOne({ where: { dedupeKey: values.dedupeKey } }))) return;
    try {
      await retryConflicts(() => OutboxModel.create({ ...values, sentAt: null, lockedUntil: null, lastError: null }));
    } catch (err) {
      if (!isUniqueViolation(err)) throw err; // else queued concurrently by another process
    }
  }

  async markSent(id: number, at: Date) {
    await retryConflicts(() => OutboxModel.update({ sentAt: at, lockedUntil: null }, { where: { id } }));
  }

  async markFailed(id: number, error: string, retryAt: Date) {
    await retryConflicts(async () => {
      const row = await OutboxModel.findByPk(id);
      await row?.update({ lastError: error.slice(0, 2000), lockedUntil: retryAt, attempts: row.attempts + 1 });
    });
  }

  /** One inbox entry per user and key, however often it is delivered. */
  async deliver(n: { username: string; kind: string; title: string; body: string; instanceId: string | null; taskId: number | null; dedupeKey: string; createdAt: Date }) {
    const exists = await retryConflicts(() => NotificationModel.findOne({ where: { dedupeKey: n.dedupeKey } }));
    if (exists) return false;
    try {
      await retryConflicts(() => NotificationModel.create({ ...n, readAt: null }));
      return true;
    } catch (err) {
      // delivered concurrently by another process; anything else is not a delivery and must not pass for one
      if (isUniqueViolation(err)) return false;
      throw err;
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
