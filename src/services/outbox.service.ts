import type { Logger } from 'pino';
import { notFound } from '../domain/errors';
import type { User } from '../domain/organisation';
import type { Mailer } from '../notifications/mailer';
import type { NotificationRepository } from '../persistence/repositories/notification.repository';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { Clock } from './clock.service';
import type { VisibilityService } from './visibility.service';

interface EmailPayload {
  to: string;
  subject: string;
  text: string;
}

interface InboxPayload {
  to: string[];
  kind: string;
  title: string;
  body: string;
  instanceId?: string | null;
  taskId?: number | null;
}

/**
 * Delivers the outbox after commit: the unit of work that made a notification wrote it in its own
 * transaction (so a rolled-back step notifies nobody, a resumed one notifies no one twice); here
 * each row becomes one inbox entry per recipient (and an e-mail when SMTP is set), once.
 */
export class OutboxService {
  constructor(
    private readonly d: {
      repo: NotificationRepository;
      org: Pick<OrganisationRepository, 'usersInGroups' | 'findUsersByUsername'>;
      clock: Pick<Clock, 'now'>;
      mailer: Mailer | null;
      log: Logger;
      visibility: Pick<VisibilityService, 'notificationFilter'>;
    },
  ) {}

  /**
   * One pass of at most `limit` rows per channel: every due inbox row becomes one inbox entry per
   * recipient, and — with SMTP — one e-mail row per recipient with a mailbox; then the e-mail rows are
   * sent. Each row is its own unit: an SMTP failure retries that e-mail later without touching the inbox.
   * Never throws: a message that cannot be delivered now is marked for a later
   * try, and a database that refuses even that (after the repository's retries) ends this round only —
   * the scheduler's next round goes on. So a caller that committed work before (the dev clock, a
   * request) never answers 500 because of delivery (issue 11, hole 8).
   */
  async dispatch(limit = 100): Promise<number> {
    try {
      return await this.dispatchRound(limit);
    } catch (err) {
      this.d.log.warn({ event: 'outbox.round-failed', err: err instanceof Error ? err.message : String(err) });
      return 0;
    }
  }

  private async dispatchRound(limit: number): Promise<number> {
    let delivered = 0;
    for (const channel of ['inbox', 'email'] as const) {
      for (const row of await this.d.repo.unsent(channel, new Date(), limit)) {
        if (!(await this.d.repo.claim(row.id, new Date(), 60_000))) continue;
        try {
          if (channel === 'inbox') await this.deliverInbox(row.dedupeKey, row.payload as unknown as InboxPayload);
          else await this.sendEmail(row.payload as unknown as EmailPayload);
          await this.d.repo.markSent(row.id, new Date());
          delivered++;
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          this.d.log.warn({ event: 'outbox.failed', id: row.id, channel, err: message });
          await this.d.repo.markFailed(row.id, message, new Date(Date.now() + 60_000));
        }
      }
    }
    return delivered;
  }

  private async deliverInbox(key: string, p: InboxPayload) {
    for (const u of await this.recipients(p.to ?? [])) {
      // nobody is told about a project they may not see (第5条), however a diagram addresses it
      if (p.instanceId && !(await this.d.visibility.notificationFilter(u, [p.instanceId]))(p.instanceId)) {
        this.d.log.info({ event: 'notification.withheld', instanceId: p.instanceId, username: u.username });
        continue;
      }
      await this.d.repo.deliver({
        username: u.username,
        kind: p.kind,
        title: p.title,
        body: p.body,
        instanceId: p.instanceId ?? null,
        taskId: p.taskId ?? null,
        dedupeKey: `${key}:${u.username}`,
        createdAt: this.d.clock.now(),
      });
      if (this.d.mailer && u.email) {
        await this.d.repo.enqueue({
          dedupeKey: `${key}:mail:${u.username}`,
          channel: 'email',
          payload: { to: u.email, subject: `[GovFlow] ${p.title}`, text: p.body },
          createdAt: this.d.clock.now(),
        });
      }
    }
  }

  private async sendEmail(p: EmailPayload) {
    if (!this.d.mailer) throw new Error('SMTP is not configured');
    await this.d.mailer.send({ to: p.to, subject: p.subject, text: p.text });
  }

  private async recipients(to: string[]): Promise<User[]> {
    const groups = to.filter((x) => x.startsWith('group:')).map((x) => x.slice(6));
    const names = to.filter((x) => !x.startsWith('group:'));
    const users = [...(groups.length ? await this.d.org.usersInGroups(groups) : []), ...(names.length ? await this.d.org.findUsersByUsername(names) : [])];
    return [...new Map(users.filter((u) => u.active).map((u) => [u.username, u])).values()];
  }

  async inbox(user: User) {
    const rows = await this.d.repo.inbox(user.username);
    const visible = await this.d.visibility.notificationFilter(user, rows.map((n) => n.instanceId).filter((x): x is string => Boolean(x)));
    return rows.filter((n) => visible(n.instanceId)).map((n) => ({
      id: n.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      processInstanceId: n.instanceId,
      taskId: n.taskId,
      createdAt: n.createdAt.toISOString(),
      readAt: n.readAt ? n.readAt.toISOString() : null,
    }));
  }

  async markRead(id: number, user: User) {
    const n = await this.d.repo.find(id);
    if (!n || n.username !== user.username) throw notFound(`通知 ${id} 不存在`);
    await this.d.repo.markRead(id, user.username, this.d.clock.now());
  }

  /** 全部已读: marks every unread entry of the caller read; answers how many were unread. */
  async markAllRead(user: User): Promise<{ marked: number }> {
    return { marked: await this.d.repo.markAllRead(user.username, this.d.clock.now()) };
  }
}
