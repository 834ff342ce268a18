import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../domain/errors';

export const CSRF_COOKIE = 'gf_csrf';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF for every form: a random nonce in an httpOnly SameSite=Lax cookie, and in the form its HMAC
 * under the server secret (`_csrf` field or `X-CSRF-Token` header). Stateless, so any app process
 * can check it. API calls with a bearer token carry no ambient credential and need none.
 */
export function csrf(secret: string, secureCookies: boolean) {
  const sign = (nonce: string) => crypto.createHmac('sha256', secret).update(nonce).digest('base64url');
  return (req: Request, res: Response, next: NextFunction) => {
    // an API call with a bearer token: no ambient credential to protect, no form to sign — no nonce cookie set
    // and no HMAC computed for it (a cookie per answer the client never needs)
    if (req.authVia === 'bearer' && req.path.startsWith('/api/')) return next();
    let nonce = req.cookies?.[CSRF_COOKIE];
    if (typeof nonce !== 'string' || !/^[A-Za-z0-9_-]{20,}$/.test(nonce)) {
      nonce = crypto.randomBytes(24).toString('base64url');
      res.cookie(CSRF_COOKIE, nonce, { httpOnly: true, sameSite: 'lax', secure: secureCookies, path: '/' });
      req.cookies[CSRF_COOKIE] = undefined; // a fresh nonce: nothing posted can match it
    }
    const expected = sign(nonce);
    req.csrfToken = expected;
    res.locals.csrfToken = expected;
    const needsCheck = !SAFE.has(req.method) && (req.authVia === 'session' || !req.path.startsWith('/api/'));
    if (!needsCheck) return next();
    const given = (req.body && typeof req.body === 'object' ? req.body._csrf : undefined) ?? req.get('x-csrf-token');
    const ok =
      typeof given === 'string' &&
      req.cookies[CSRF_COOKIE] === nonce &&
      given.length === expected.length &&
      crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok) throw new AppError('forbidden', req.t('csrfFailed'), 'csrf');
    next();
  };
}
