import type { Sequelize } from 'sequelize';

/**
 * A date as a bound parameter: MySQL takes the Date (mysql2 writes it in the connection's time zone,
 * UTC); SQLite stores dates as sequelize writes them, `YYYY-MM-DD HH:mm:ss.SSS +00:00`, and compares
 * them as text.
 */
export function dateParam(sequelize: Sequelize, d: Date): Date | string {
  return sequelize.getDialect() === 'sqlite' ? dateText(sequelize, d)! : d;
}

/**
 * A date as a replacement (escaped into the text): as each database stores it — sequelize's own escaping of a
 * Date drops the milliseconds on MySQL, so MySQL gets the UTC text `YYYY-MM-DD HH:mm:ss.SSS` (the connection's
 * time zone is UTC), SQLite its `YYYY-MM-DD HH:mm:ss.SSS +00:00`.
 */
export function dateText(sequelize: Sequelize, d: Date | null): string | null {
  if (d === null) return null;
  const iso = d.toISOString().replace('T', ' ');
  return sequelize.getDialect() === 'sqlite' ? iso.replace('Z', ' +00:00') : iso.replace('Z', '');
}

/** A date as the database gives it back (a Date, or SQLite's `YYYY-MM-DD HH:MM:SS.SSS +00:00`) → ISO 8601 UTC. */
export function isoOf(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d(?:\.\d+)?)\s*(Z|[+-]\d\d:?\d\d)?$/.exec(value.trim());
  const d = m ? new Date(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`) : new Date(value);
  if (Number.isNaN(d.getTime())) throw new Error(`unreadable date from the database: ${value}`);
  return d.toISOString();
}
