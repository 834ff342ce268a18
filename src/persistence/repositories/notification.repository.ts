import { Op } from 'sequelize';
import { NotificationModel, OutboxModel } from '../models/runtime.model';
import { executeBound, insertModels } from '../direct';
import { dateParam } from '../sql';
import { inTransaction, retryConflicts } from '../transaction';

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

  /**
   * An inbox row delivered in one transaction: the row marked sent — only if no other dispatcher has it (sent, or
   * leased and the lease not expired) — with its inbox entries and its e-mail rows, each once by its key. So a
   * delivery is all or nothing, and one unit of work instead of a claim, a read and an insert per recipient and a
   * mark, each a transaction of its own on SQLite (they took the one writer from the requests' units, issue 13 P2).
   * false: another dispatcher has the row.
   */
  async deliverInbox(
    id: number,
    wallNow: Date,
    entries: { username: string; kind: string; title: string; body: string; instanceId: string | null; taskId: number | null; dedupeKey: string; createdAt: Date }[],
    emails: { dedupeKey: string; channel: 'email'; payload: Record<string, unknown>; createdAt: Date }[],
  ): Promise<boolean> {
    const sequelize = OutboxModel.sequelize!;
    return inTransaction(sequelize, async (t) => {
      const taken = await executeBound(
        sequelize,
        'UPDATE outbox SET sentAt = $1, lockedUntil = NULL WHERE id = $2 AND sentAt IS NULL AND (lockedUntil IS NULL OR lockedUntil < $1)',
        [dateParam(sequelize, wallNow), id],
        t,
      );
      if (taken !== 1) return false;
      await insertModels(NotificationModel, entries.map((e) => ({ ...e, readAt: null })), t, { ignore: true });
      await insertModels(OutboxModel, emails.map((e) => ({ ...e, sentAt: null, lockedUntil: null, lastError: null })), t, { ignore: true });
      return true;
    });
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
