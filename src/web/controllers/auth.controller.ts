import type { Request, Response } from 'express';
import { AppError, malformed } from '../../domain/errors';
import type { User } from '../../domain/organisation';
import type { AuthService } from '../../services/auth.service';
import { SESSION_COOKIE } from '../middleware/authenticate';

const publicUser = (u: User) => ({ username: u.username, displayName: u.displayName, department: u.departmentCode, groups: u.groups });

function credentials(body: unknown): { username: string; password: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.username !== 'string' || typeof b.password !== 'string' || !b.username || b.username.length > 64 || b.password.length > 200) {
    throw malformed('需要 username 和 password', [{ field: 'username', message: '用户名和密码均为必填' }]);
  }
  return { username: b.username.trim(), password: b.password };
}

const address = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/** Only same-site relative paths: never an open redirect. */
const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/tasks');

export function authController(auth: Pick<AuthService, 'signIn' | 'revoke'>, opts: { secureCookies: boolean }) {
  return {
    async issueToken(req: Request, res: Response) {
      const { username, password } = credentials(req.body);
      const { token, expiresAt, user } = await auth.signIn(username, password, address(req), 'api');
      res.json({ token, expiresAt: expiresAt.toISOString(), user: publicUser(user) });
    },

    async revokeToken(req: Request, res: Response) {
      await auth.revoke(req.authToken!);
      res.status(204).end();
    },

    me(req: Request, res: Response) {
      res.json(publicUser(req.user!));
    },

    loginPage(req: Request, res: Response) {
      if (req.user) return res.redirect(safeNext(req.query.next));
      res.render('login', { next: safeNext(req.query.next), error: null, username: '' });
    },

    async login(req: Request, res: Response) {
      const next = safeNext(req.body?.next);
      try {
        const { username, password } = credentials(req.body);
        const { token, expiresAt } = await auth.signIn(username, password, address(req), 'web');
        res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: opts.secureCookies, expires: expiresAt, path: '/' });
        res.redirect(303, next);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const status = err.kind === 'throttled' ? 429 : err.kind === 'malformed' ? 400 : 401;
        res.status(status).render('login', {
          next,
          error: err.kind === 'throttled' ? req.t('loginThrottled') : req.t('loginFailed'),
          username: typeof req.body?.username === 'string' ? req.body.username : '',
        });
      }
    },

    async logout(req: Request, res: Response) {
      if (req.authVia === 'session' && req.authToken) await auth.revoke(req.authToken);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      res.redirect(303, '/login');
    },
  };
}
