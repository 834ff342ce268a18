import { Umzug, SequelizeStorage } from 'umzug';
import type { Sequelize } from 'sequelize';
import * as m001 from './migrations/001-organisation-and-auth';
import * as m002 from './migrations/002-runtime';
import * as m003 from './migrations/003-projects';
import * as m004 from './migrations/004-calendar';
import * as m005 from './migrations/005-code-sequences';
import * as m008 from './migrations/008-call-depth';
import * as m011 from './migrations/011-audit-trail';
import * as m013 from './migrations/013-statistics-indexes';
import * as m011ops from './migrations/011-operation-chain';
import * as m012 from './migrations/012-definition-note';
import * as m014 from './migrations/014-approval-operations';
import * as m015 from './migrations/015-loss-reports';
import * as m016 from './migrations/016-application-batches';
import * as m017 from './migrations/017-incident-attempts';
import * as m018 from './migrations/018-signal-subscriptions';
import * as m019 from './migrations/019-task-list-index';
import * as m020 from './migrations/020-instance-list-index';

/** Migrations in order — an explicit list, never a folder scan; schema is never `sync()`ed. */
const MIGRATIONS = [
  { name: '001-organisation-and-auth', ...m001 },
  { name: '002-runtime', ...m002 },
  { name: '003-projects', ...m003 },
  { name: '004-calendar', ...m004 },
  { name: '005-code-sequences', ...m005 },
  { name: '008-call-depth', ...m008 },
  { name: '011-audit-trail', ...m011 },
  { name: '013-statistics-indexes', ...m013 },
  // after 013: databases that ran 011-audit-trail before the operation log was chained get it now
  { name: '011-operation-chain', ...m011ops },
  { name: '012-definition-note', ...m012 },
  { name: '014-approval-operations', ...m014 },
  { name: '015-loss-reports', ...m015 },
  { name: '016-application-batches', ...m016 },
  { name: '017-incident-attempts', ...m017 },
  { name: '018-signal-subscriptions', ...m018 },
  { name: '019-task-list-index', ...m019 },
  { name: '020-instance-list-index', ...m020 },
];

export function migrator(sequelize: Sequelize) {
  return new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

export async function migrate(sequelize: Sequelize): Promise<string[]> {
  const done = await migrator(sequelize).up();
  return done.map((m) => m.name);
}

/** Several app processes may start at once on one database: one migrates at a time. */
export async function migrateWithLock(sequelize: Sequelize, dialect: 'sqlite' | 'mysql'): Promise<string[]> {
  // SQLite: one IMMEDIATE transaction around all of them (every query in its callback runs in it): a second
  // process starting on the same file waits for the write lock, then finds them applied
  if (dialect !== 'mysql') return sequelize.transaction(() => migrate(sequelize));
  return sequelize.transaction(async (transaction) => {
    await sequelize.query("SELECT GET_LOCK('govflow.migrate', 120)", { transaction });
    try {
      return await migrate(sequelize);
    } finally {
      await sequelize.query("SELECT RELEASE_LOCK('govflow.migrate')", { transaction });
    }
  });
}
