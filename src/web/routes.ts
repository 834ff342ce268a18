import express, { type Router } from 'express';
import type { AuthService } from '../services/auth.service';
import type { HealthService } from '../services/health.service';
import { authController } from './controllers/auth.controller';
import { healthController } from './controllers/health.controller';
import { pagesController } from './controllers/pages.controller';
import { requireApiUser, requirePageUser } from './middleware/authenticate';

export interface WebServices {
  auth: Pick<AuthService, 'signIn' | 'revoke'>;
  health: Pick<HealthService, 'check'>;
}

/** The routes — this file reads like an index of the HTTP surface (../shared/spec/api.md). */
export function routes(s: WebServices, opts: { secureCookies: boolean }): Router {
  const r = express.Router();
  const auth = authController(s.auth, opts);
  const health = healthController(s.health);
  const pages = pagesController();

  r.get('/healthz', health.check);

  r.post('/api/auth/token', auth.issueToken);
  r.delete('/api/auth/token', requireApiUser, auth.revokeToken);
  r.get('/api/me', requireApiUser, auth.me);

  r.get('/login', auth.loginPage);
  r.post('/login', auth.login);
  r.post('/logout', auth.logout);
  r.get('/', requirePageUser, pages.home);
  r.get('/tasks', requirePageUser, pages.tasks);
  r.get('/projects', requirePageUser, pages.projects);
  r.get('/processes', requirePageUser, pages.processes);
  r.get('/monitor', requirePageUser, pages.monitor);
  return r;
}
