import crypto from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { Logger } from 'pino';
import type { User } from '../domain/organisation';
import { throttled, unauthenticated } from '../domain/errors';
import type { AuthRepository } from '../persistence/repositories/auth.repository';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';

/**
 * Failed sign-ins within the window, counted per (username, address) and per address: a stranger
 * guessing from elsewhere never locks the owner out — the right password from an address with no
 * recent failures signs in — while one address is stopped after a few guesses at one account or
 * many guesses across accounts.
 */
export interface ThrottlePolicy {
  windowMinutes: number;
  maxPerUsernameAndAddress: number;
  maxPerAddress: number;
}

export const DEFAULT_THROTTLE: ThrottlePolicy = { windowMinutes: 15, maxPerUsernameAndAddress: 5, maxPerAddress: 20 };

export const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Sign-in and tokens. Tokens are random, stored only as sha256, expire, and can be revoked; the same
 * table holds web sessions (kind 'web'), so any app process can check any token. Auth times use the
 * wall clock, not the process clock that tests move (a token must not expire because a timer test
 * jumps 13 months).
 */
export class AuthService {
  constructor(
    private readonly org: Pick<OrganisationRepository, 'findUserWithSecret' | 'findUserById'> & { revision?: number },
    private readonly repo: AuthRepository,
    private readonly opts: { tokenTtlHours: number; sessionTtlHours: number; throttle?: ThrottlePolicy; log?: Pick<Logger, 'warn'>; cacheMs?: number },
  ) {}

  /**
   * token hash → its user, for a few seconds (AUTH_CACHE_MS, default 5000; 0 turns it off): every request
   * would otherwise read the token, the user and the user's groups (issue 13 item 3). A revocation and
   * every change to the organisation made through this process are seen at once (the entry is dropped,
   * or its organisation revision no longer matches); made by another process, within AUTH_CACHE_MS.
   */
  private readonly cache = new Map<string, { user: User; until: number; revision: number }>();
  private static readonly CACHE_MAX = 10_000;

  static hashPassword(password: string): Promise<string> {
    return bcrypt.hash(password, 10);
  }

  async signIn(
    username: string,
    password: string,
    address: string,
    kind: 'api' | 'web',
  ): Promise<{ token: string; expiresAt: Date; user: User }> {
    const policy = this.opts.throttle ?? DEFAULT_THROTTLE;
    const now = new Date();
    const since = new Date(now.getTime() - policy.windowMinutes * 60_000);
    const [byUserHere, byAddress] = await Promise.all([
      this.repo.countFailures({ username, address }, since),
      this.repo.countFailures({ address }, since),
    ]);
    if (byUserHere >= policy.maxPerUsernameAndAddress || byAddress >= policy.maxPerAddress) {
      this.opts.log?.warn({ event: 'auth.throttled', username, address });
      throw throttled(`登录失败次数过多，请 ${policy.windowMinutes} 分钟后再试`);
    }
    const found = await this.org.findUserWithSecret(username);
    // compare against a dummy hash when the user is unknown, so timing does not tell which usernames exist
    const ok = await bcrypt.compare(password, found?.passwordHash ?? DUMMY_HASH);
    if (!found || !ok || !found.active) {
      await this.repo.recordFailure(username, address, now);
      this.opts.log?.warn({ event: 'auth.failed', username, address, reason: !found ? 'unknown-user' : !found.active ? 'inactive' : 'password' });
      throw unauthenticated('用户名或密码错误');
    }
    await this.repo.clearFailures(username);
    const { passwordHash: _secret, ...user } = found;
    const token = crypto.randomBytes(32).toString('base64url');
    const ttl = kind === 'api' ? this.opts.tokenTtlHours : this.opts.sessionTtlHours;
    const expiresAt = new Date(now.getTime() + ttl * 3_600_000);
    await this.repo.createToken({ tokenHash: sha256(token), userId: user.id, kind, expiresAt, createdAt: now });
    return { token, expiresAt, user };
  }

  /** The user behind a live token, or null (unknown, expired, revoked, or user deactivated). */
  async authenticate(token: string): Promise<User | null> {
    const hash = sha256(token);
    const now = Date.now();
    const cacheMs = this.opts.cacheMs ?? 5000;
    const revision = this.org.revision ?? 0;
    const hit = this.cache.get(hash);
    if (hit && hit.until > now && hit.revision === revision) return hit.user;
    if (hit) this.cache.delete(hash);
    const t = await this.repo.findLiveToken(hash, new Date(now));
    if (!t) return null;
    const user = await this.org.findUserById(t.userId);
    if (!user || !user.active) return null;
    if (cacheMs > 0) {
      if (this.cache.size >= AuthService.CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, { user, until: Math.min(now + cacheMs, t.expiresAt.getTime()), revision });
    }
    return user;
  }

  async revoke(token: string): Promise<void> {
    this.cache.delete(sha256(token));
    await this.repo.revokeToken(sha256(token), new Date());
  }
}

const DUMMY_HASH = bcrypt.hashSync('not-a-password', 10);
