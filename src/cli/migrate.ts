import { loadConfig } from '../config';
import { openDatabase } from '../persistence/db';
import { migrateWithLock } from '../persistence/migrator';

(async () => {
  const config = loadConfig();
  const db = await openDatabase(config.databaseUrl);
  const applied = await migrateWithLock(db.sequelize, db.dialect);
  process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
  await db.close();
})().catch((err) => {
  process.stderr.write(`migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
