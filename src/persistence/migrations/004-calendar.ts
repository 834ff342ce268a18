import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * The statutory working-day calendar the platform owns: per year its source (`chinese-days` — seeded
 * from the package's data file — or `entered` by an administrator), per day the public holidays and
 * the adjusted working weekends (调休上班日). A year without a row has no data: working days in it
 * are counted on weekends only and marked provisional; tasks and timers computed that way carry
 * `provisional` (and how to compute them again) until the year is entered.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('calendar_years', {
    year: { type: DataTypes.INTEGER, primaryKey: true },
    source: { type: DataTypes.STRING(20), allowNull: false }, // chinese-days | entered
    enteredBy: { type: DataTypes.STRING(64), allowNull: true },
    enteredAt: { type: DataTypes.DATE(3), allowNull: true },
  });
  await qi.createTable('calendar_days', {
    // a day is one kind only: a holiday and a working day at once cannot be stored
    day: { type: DataTypes.STRING(10), primaryKey: true }, // YYYY-MM-DD (Asia/Shanghai)
    year: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'calendar_years', key: 'year' }, onDelete: 'CASCADE' },
    kind: { type: DataTypes.STRING(10), allowNull: false }, // holiday | workday
  });
  await qi.addIndex('calendar_days', ['year']);

  await qi.addColumn('tasks', 'provisional', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  /** {dueDate?, followUpDate?}: each the expression, the variables and the clock it was computed with */
  await qi.addColumn('tasks', 'provisionalBasis', { type: DataTypes.JSON, allowNull: true });
  await qi.addIndex('tasks', ['provisional', 'state']);
  // a timer's basis is in its payload
  await qi.addColumn('jobs', 'provisional', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addIndex('jobs', ['provisional', 'type']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('jobs', ['provisional', 'type']);
  await qi.removeColumn('jobs', 'provisional');
  await qi.removeIndex('tasks', ['provisional', 'state']);
  await qi.removeColumn('tasks', 'provisionalBasis');
  await qi.removeColumn('tasks', 'provisional');
  await qi.dropTable('calendar_days');
  await qi.dropTable('calendar_years');
}
