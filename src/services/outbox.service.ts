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

/** who a round's inbox rows reach: `recipients` of an address list, and whether a recipient may see an instance */
interface Audience {
  recipients(to: string[]): User[];
  sees(user: User, instanceId: string): boolean;
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
      const rows = await this.d.repo.unsent(channel, new Date(), limit);
      // who each inbox row reaches, read once for the round's rows: a group's members once, each recipient's
      // visibility once over the instances of every row addressed to them (per row it was a dozen reads)
      const audience = channel === 'inbox' ? await this.audienceOf(rows.map((r) => r.payload as unknown as InboxPayload)) : null;
      for (const row of rows) {
        // an inbox row is delivered in one transaction (nothing outside the database to wait for); an e-mail is
        // leased first, sent, then marked — the SMTP conversation happens outside any transaction
        if (channel === 'email' && !(await this.d.repo.claim(row.id, new Date(), 60_000))) continue;
        try {
          if (channel === 'inbox') {
            if (await this.deliverInbox(row.id, row.dedupeKey, row.payload as unknown as InboxPayload, audience!)) delivered++;
            continue;
          }
          await this.sendEmail(row.payload as unknown as EmailPayload);
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

  /** One inbox entry per recipient who may see the instance (and an e-mail row per mailbox with SMTP), with the row marked sent. */
  private async deliverInbox(id: number, key: string, p: InboxPayload, audience: Audience): Promise<boolean> {
    const now = this.d.clock.now();
    const entries: Parameters<NotificationRepository['deliverInbox']>[2] = [];
    const emails: Parameters<NotificationRepository['deliverInbox']>[3] = [];
    const withheld: string[] = [];
    for (const u of audience.recipients(p.to ?? [])) {
      // nobody is told about a project they may not see (第5条), however a diagram addresses it
      if (p.instanceId && !audience.sees(u, p.instanceId)) {
        withheld.push(u.username);
        continue;
      }
      entries.push({ username: u.username, kind: p.kind, title: p.title, body: p.body, instanceId: p.instanceId ?? null, taskId: p.taskId ?? null, dedupeKey: `${key}:${u.username}`, createdAt: now });
      if (this.d.mailer && u.email) {
        emails.push({ dedupeKey: `${key}:mail:${u.username}`, channel: 'email', payload: { to: u.email, subject: `[GovFlow] ${p.title}`, text: p.body }, createdAt: now });
      }
    }
    if (!(await this.d.repo.deliverInbox(id, new Date(), entries, emails))) return false;
    for (const username of withheld) this.d.log.info({ event: 'notification.withheld', instanceId: p.instanceId, username });
    return true;
  }

  /** The recipients of the given payloads (active users, each once) and what each may see of the instances they name. */
  private async audienceOf(payloads: InboxPayload[]): Promise<Audience> {
    const addresses = [...new Set(payloads.flatMap((p) => p.to ?? []))];
    const groups = addresses.filter((x) => x.startsWith('group:')).map((x) => x.slice(6));
    const names = addresses.filter((x) => !x.startsWith('group:'));
    const [members, named] = await Promise.all([
      groups.length ? this.d.org.usersInGroups(groups) : Promise.resolve([] as User[]),
      names.length ? this.d.org.findUsersByUsername(names) : Promise.resolve([] as User[]),
    ]);
    const byName = new Map(named.filter((u) => u.active).map((u) => [u.username, u]));
    const byGroup = new Map<string, User[]>();
    for (const u of members.filter((m) => m.active)) for (const g of u.groups) if (groups.includes(g)) byGroup.set(g, [...(byGroup.get(g) ?? []), u]);
    const recipients = (to: string[]) => {
      const users = to.flatMap((x) => (x.startsWith('group:') ? (byGroup.get(x.slice(6)) ?? []) : byName.has(x) ? [byName.get(x)!] : []));
      return [...new Map(users.map((u) => [u.username, u])).values()];
    };
    // each recipient's visibility over the instances of the rows that reach them
    const instancesOf = new Map<string, { user: User; ids: Set<string> }>();
    for (const p of payloads) {
      if (!p.instanceId) continue;
      for (const u of recipients(p.to ?? [])) {
        const entry = instancesOf.get(u.username) ?? { user: u, ids: new Set<string>() };
        entry.ids.add(p.instanceId);
        instancesOf.set(u.username, entry);
      }
    }
    const filters = new Map<string, (instanceId: string | null) => boolean>();
    for (const { user, ids } of instancesOf.values()) filters.set(user.username, await this.d.visibility.notificationFilter(user, [...ids]));
    return { recipients, sees: (u, instanceId) => filters.get(u.username)?.(instanceId) ?? false };
  }

  private async sendEmail(p: EmailPayload) {
    if (!this.d.mailer) throw new Error('SMTP is not configured');
    await this.d.mailer.send({ to: p.to, subject: p.subject, text: p.text });
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
