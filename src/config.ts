import os from 'node:os';

/** Configuration from the environment — the only place that reads process.env. See README "Configuration". */
export interface Config {
  port: number;
  databaseUrl: string;
  sessionSecret: string | null;
  seedPassword: string;
  /** production only: the password of the one user the seed creates there (`admin`) */
  adminPassword: string | null;
  clock: 'system' | 'manual';
  production: boolean;
  logLevel: string;
  tokenTtlHours: number;
  /** how long a token's user is kept in this process's memory (AUTH_CACHE_MS; 0: every request reads it) */
  authCacheMs: number;
  sessionTtlHours: number;
  schedulerIntervalMs: number;
  smtp: { host: string; port: number; secure: boolean; user?: string; pass?: string; from: string } | null;
  uploadDir: string;
  /** flow elements per deployed document at most (MAX_DEFINITION_ELEMENTS) */
  maxDefinitionElements: number;
  /** call activities and handler-started processes nested at most this deep (MAX_CALL_DEPTH) */
  maxCallDepth: number;
  /** due jobs of one claimed batch run side by side, this many instances at a time (JOB_CONCURRENCY) */
  jobConcurrency: number;
  /** 第25条: the measures apply from `from` to `until` (Asia/Shanghai days, 'YYYY-MM-DD'; MEASURES_EFFECTIVE_FROM / MEASURES_EFFECTIVE_UNTIL); null = no bound */
  measuresValidity: { from: string | null; until: string | null };
  /** MySQL only: seconds a statement waits for another transaction's row lock before it fails and is retried (DB_LOCK_WAIT_TIMEOUT; the server's own default when unset) */
  dbLockWaitTimeoutS: number | null;
  /** the engine's message broker with its two shortcuts (src/engine/smqp-fast-path.ts); ENGINE_FAST_PATH=off: as shipped */
  engineFastPath: boolean;
  /** worker threads that run a task completion's engine run ahead of its unit of work (ENGINE_WORKERS; 0: none; default: cores − 1, at most 4) */
  engineWorkers: number;
  /** engines kept live after a run for the next completion on the instance (LIVE_ENGINES; 0: none; default 32) */
  liveEngines: number;
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${value}"`);
  return n;
}

function isoDay(value: string | undefined, name: string): string | null {
  if (value === undefined || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== value) throw new Error(`${name} must be a date YYYY-MM-DD, got "${value}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const clock = env.CLOCK === 'manual' ? 'manual' : 'system';
  if (clock === 'manual' && production) {
    throw new Error('CLOCK=manual is refused when NODE_ENV=production');
  }
  const adminPassword = env.ADMIN_PASSWORD ?? null;
  const measuresValidity = { from: isoDay(env.MEASURES_EFFECTIVE_FROM, 'MEASURES_EFFECTIVE_FROM'), until: isoDay(env.MEASURES_EFFECTIVE_UNTIL, 'MEASURES_EFFECTIVE_UNTIL') };
  if (measuresValidity.from && measuresValidity.until && measuresValidity.from > measuresValidity.until) {
    throw new Error('MEASURES_EFFECTIVE_FROM must not be after MEASURES_EFFECTIVE_UNTIL');
  }
  // production has no demo users: the seed creates the organisation and one administrator, whose
  // password must come from the environment (no default password ever reaches production)
  if (production && (!adminPassword || adminPassword.length < 12)) {
    throw new Error('NODE_ENV=production needs ADMIN_PASSWORD (at least 12 characters) for the administrator the seed creates');
  }
  return {
    port: Number(env.PORT ?? 3000),
    databaseUrl: env.DATABASE_URL ?? 'sqlite:./data/govflow.db',
    sessionSecret: env.SESSION_SECRET ?? null,
    seedPassword: env.SEED_PASSWORD ?? 'GovFlow@2026',
    adminPassword,
    clock,
    production,
    logLevel: env.LOG_LEVEL ?? 'info',
    tokenTtlHours: Number(env.TOKEN_TTL_HOURS ?? 8),
    authCacheMs: env.AUTH_CACHE_MS === '0' ? 0 : positiveInteger(env.AUTH_CACHE_MS, 5000, 'AUTH_CACHE_MS'),
    sessionTtlHours: Number(env.SESSION_TTL_HOURS ?? 12),
    schedulerIntervalMs: Number(env.SCHEDULER_INTERVAL_MS ?? 5000),
    smtp: env.SMTP_HOST
      ? {
          host: env.SMTP_HOST,
          port: Number(env.SMTP_PORT ?? 25),
          secure: env.SMTP_SECURE === 'true',
          user: env.SMTP_USER,
          pass: env.SMTP_PASS,
          from: env.SMTP_FROM ?? 'GovFlow <govflow@localhost>',
        }
      : null,
    uploadDir: env.UPLOAD_DIR ?? './data/uploads',
    maxDefinitionElements: positiveInteger(env.MAX_DEFINITION_ELEMENTS, 2000, 'MAX_DEFINITION_ELEMENTS'),
    maxCallDepth: positiveInteger(env.MAX_CALL_DEPTH, 10, 'MAX_CALL_DEPTH'),
    jobConcurrency: positiveInteger(env.JOB_CONCURRENCY, 4, 'JOB_CONCURRENCY'),
    measuresValidity,
    dbLockWaitTimeoutS: env.DB_LOCK_WAIT_TIMEOUT ? positiveInteger(env.DB_LOCK_WAIT_TIMEOUT, 50, 'DB_LOCK_WAIT_TIMEOUT') : null,
    engineFastPath: env.ENGINE_FAST_PATH !== 'off',
    engineWorkers: env.ENGINE_WORKERS === '0' ? 0 : positiveInteger(env.ENGINE_WORKERS, Math.max(0, Math.min(4, os.availableParallelism() - 1)), 'ENGINE_WORKERS'),
    liveEngines: env.LIVE_ENGINES === '0' ? 0 : positiveInteger(env.LIVE_ENGINES, 32, 'LIVE_ENGINES'),
  };
}
