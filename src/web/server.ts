import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { User } from '../domain/organisation';
import './context';
import { labelTranslator, pickLang, translator } from './i18n';
import { authenticate } from './middleware/authenticate';
import type { ClientAssets } from './client-build';
import { csrf } from './middleware/csrf';
import { errorHandler, notFoundHandler } from './middleware/error-handler';
import { securityHeaders } from './middleware/security-headers';
import { routes, type WebServices } from './routes';

export interface WebOptions {
  sessionSecret: string;
  secureCookies: boolean;
  manualClock: boolean;
  log: Logger;
  /** the browser bundles (src/client → public/build, content-hashed) */
  assets: ClientAssets;
}

export function createWebApp(services: WebServices & { auth: { authenticate(token: string): Promise<User | null> } }, opts: WebOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('view engine', 'ejs');
  app.set('views', path.resolve(__dirname, '../../views'));

  app.use(securityHeaders({ production: opts.secureCookies }));
  app.use('/assets', express.static(path.resolve(__dirname, '../../views/assets'), { maxAge: '1h' }));
  // content-hashed bundles: a changed file has a new name, so they are cached for good
  app.use('/build', express.static(opts.assets.dir, { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  app.use(cookieParser());
  app.use((req, res, next) => {
    req.lang = pickLang(req.query.lang, req.cookies?.lang);
    if (req.query.lang === 'en' || req.query.lang === 'zh') res.cookie('lang', req.lang, { sameSite: 'lax', path: '/' });
    req.t = translator(req.lang);
    res.locals.t = req.t;
    res.locals.lang = req.lang;
    res.locals.tr = labelTranslator(req.lang);
    res.locals.path = req.path;
    res.locals.assets = opts.assets;
    res.locals.islands = [];
    next();
  });
  app.use(express.json({ limit: '2mb' }));
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(authenticate(services.auth));
  app.use((req, res, next) => {
    res.locals.user = req.user ?? null;
    next();
  });
  app.use(csrf(opts.sessionSecret, opts.secureCookies));
  app.use(routes(services, { secureCookies: opts.secureCookies, manualClock: opts.manualClock }));
  app.use(notFoundHandler);
  app.use(errorHandler(opts.log));
  return app;
}
