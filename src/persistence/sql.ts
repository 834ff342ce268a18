import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * A date as a bound parameter: MySQL takes the Date (mysql2 writes it in the connection's time zone,
 * UTC); SQLite stores dates as sequelize writes them, `YYYY-MM-DD HH:mm:ss.SSS +00:00`, and compares
 * them as text.
 */
export function dateParam(sequelize: Sequelize, d: Date): Date | string {
  return sequelize.getDialect() === 'sqlite' ? d.toISOString().replace('T', ' ').replace('Z', ' +00:00') : d;
}

/**
 * Runs an UPDATE or DELETE whose text never changes, every value bound (`$1`, `$2`, …): on MySQL it is
 * one prepared statement however often it runs (sequelize writes dates of a WHERE into the text, and
 * every new text is one more server-side statement). Returns the number of rows it matched.
 */
export async function executeBound(sequelize: Sequelize, sql: string, bind: unknown[], t?: Transaction): Promise<number> {
  const [, affected] = (await sequelize.query(sql, { bind, type: QueryTypes.UPDATE, transaction: t })) as unknown as [unknown, number];
  return Number(affected);
}
