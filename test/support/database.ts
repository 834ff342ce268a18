import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Sequelize } from 'sequelize';

let counter = 0;

export const onMysql = () => Boolean(process.env.TEST_DATABASE_URL);

/**
 * A fresh, empty database for one suite: a new SQLite file, or — with TEST_DATABASE_URL — the MySQL
 * database of that URL dropped and created again.
 */
export async function freshDatabaseUrl(): Promise<string> {
  const mysqlUrl = process.env.TEST_DATABASE_URL;
  if (mysqlUrl) {
    const u = new URL(mysqlUrl);
    const name = u.pathname.replace(/^\//, '');
    if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`TEST_DATABASE_URL needs a plain database name, got "${name}"`);
    const admin = new Sequelize({
      dialect: 'mysql',
      host: u.hostname,
      port: Number(u.port || 3306),
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      logging: false,
    });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await admin.close();
    return mysqlUrl;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'govflow-test-'));
  return `sqlite:${path.join(dir, `t${process.pid}-${counter++}.db`)}`;
}
