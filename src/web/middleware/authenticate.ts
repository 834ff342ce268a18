import type { NextFunction, Request, Response } from 'express';
import { unauthenticated } from '../../domain/errors';
import type { User } from '../../domain/organisation';

export const SESSION_COOKIE = 'gf_session';

/** Bearer token (API) or session cookie (web pages); sets req.user. An invalid bearer token is a 401. */
export function authenticate(auth: { authenticate(token: string): Promise<User | null> }) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      const user = m ? await auth.authenticate(m[1]) : null;
      if (!user) throw unauthenticated('令牌无效或已过期');
      req.user = user;
      req.authToken = m![1];
      req.authVia = 'bearer';
      return next();
    }
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (typeof cookie === 'string' && cookie) {
      const user = await auth.authenticate(cookie);
      if (user) {
        req.user = user;
        req.authToken = cookie;
        req.authVia = 'session';
      }
    }
    next();
  };
}

/** API: 401 without a user. */
export function requireApiUser(req: Request, _res: Response, next: NextFunction) {
  if (!req.user) throw unauthenticated();
  next();
}

/** Pages: redirect to the login page without a user. */
export function requirePageUser(req: Request, res: Response, next: NextFunction) {
  if (!req.user) return res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
  next();
}
