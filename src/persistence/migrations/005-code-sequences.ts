import { DataTypes, QueryTypes, type QueryInterface } from 'sequelize';

/**
 * 005: per-year sequences of project codes (GF-<year>-<n>). The next number was the highest code of
 * the year plus one, read under a row lock — which locks nothing when the year has no project yet, or
 * (READ COMMITTED) not the gap after the last: on MySQL concurrent drafts took the same code. A
 * counter row incremented with an atomic upsert is safe on both databases. Filled here from the codes
 * that exist.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('code_sequences', {
    name: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
    value: { type: DataTypes.INTEGER, allowNull: false },
  });
  const codes = await qi.sequelize.query<{ code: string }>('SELECT code FROM projects', { type: QueryTypes.SELECT });
  const last = new Map<string, number>();
  for (const { code } of codes) {
    const m = /^GF-(\d+)-(\d+)$/.exec(code);
    if (!m) continue;
    const name = `project:${m[1]}`;
    last.set(name, Math.max(last.get(name) ?? 0, Number(m[2])));
  }
  if (last.size) await qi.bulkInsert('code_sequences', [...last].map(([name, value]) => ({ name, value })));
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('code_sequences');
}
