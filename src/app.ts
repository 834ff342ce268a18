/**
 * The composition root: the one place that builds every collaborator and wires them together.
 */
import crypto from 'node:crypto';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import type { Config } from './config';
import { openDatabase, type Database } from './persistence/db';
import { migrateWithLock } from './persistence/migrator';
import { initModels } from './persistence/models';
import { AuthRepository } from './persistence/repositories/auth.repository';
import { OrganisationRepository } from './persistence/repositories/organisation.repository';
import { AuthService } from './services/auth.service';
import { HealthService } from './services/health.service';
import { seedOrganisation } from './services/seed.service';
import { createWebApp } from './web/server';
import { DEPARTMENTS, GROUPS, USERS } from '../seed/organisation';

export interface GovFlow {
  config: Config;
  log: Logger;
  db: Database;
  app: Express;
  org: OrganisationRepository;
  auth: AuthService;
  /** seeds the demo organisation (idempotent) */
  seed(): Promise<{ created: number }>;
  close(): Promise<void>;
}

export async function createGovFlow(config: Config, opts: { log?: Logger } = {}): Promise<GovFlow> {
  const log = opts.log ?? pino({ level: config.logLevel, base: { app: 'govflow' } });
  const db = await openDatabase(config.databaseUrl);
  const applied = await migrateWithLock(db.sequelize, db.dialect);
  if (applied.length) log.info({ event: 'db.migrated', migrations: applied }, 'migrations applied');
  initModels(db.sequelize);

  const org = new OrganisationRepository(db.sequelize);
  const authRepo = new AuthRepository();
  // without SESSION_SECRET, one random secret is generated once and shared through the database
  const sessionSecret =
    config.sessionSecret ?? (await authRepo.getOrCreateSetting('session.secret', () => crypto.randomBytes(32).toString('base64url')));
  const auth = new AuthService(org, authRepo, { tokenTtlHours: config.tokenTtlHours, sessionTtlHours: config.sessionTtlHours });
  const health = new HealthService(db);

  const app = createWebApp({ auth, health }, { sessionSecret, secureCookies: config.production, log });

  return {
    config,
    log,
    db,
    app,
    org,
    auth,
    seed: () => seedOrganisation(org, { departments: DEPARTMENTS, groups: GROUPS, users: USERS }, config.seedPassword),
    close: () => db.close(),
  };
}
