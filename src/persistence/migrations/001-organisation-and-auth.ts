import { DataTypes, type QueryInterface } from 'sequelize';

const now = { type: DataTypes.DATE(3), allowNull: false };

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('settings', {
    key: { type: DataTypes.STRING(100), primaryKey: true },
    value: { type: DataTypes.TEXT, allowNull: false },
    updatedAt: now,
  });
  await qi.createTable('departments', {
    code: { type: DataTypes.STRING(64), primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    kind: { type: DataTypes.STRING(20), allowNull: false }, // bureau | unit | pool
    supervisorCode: { type: DataTypes.STRING(64), allowNull: true },
    createdAt: now,
    updatedAt: now,
  });
  await qi.createTable('groups', {
    key: { type: DataTypes.STRING(100), primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    departmentCode: { type: DataTypes.STRING(64), allowNull: true },
    createdAt: now,
    updatedAt: now,
  });
  await qi.createTable('users', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    username: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    displayName: { type: DataTypes.STRING(200), allowNull: false },
    departmentCode: { type: DataTypes.STRING(64), allowNull: true },
    email: { type: DataTypes.STRING(200), allowNull: true },
    passwordHash: { type: DataTypes.STRING(200), allowNull: false },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    createdAt: now,
    updatedAt: now,
  });
  await qi.createTable('user_groups', {
    userId: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    groupKey: { type: DataTypes.STRING(100), primaryKey: true, references: { model: 'groups', key: 'key' }, onDelete: 'CASCADE' },
  });
  await qi.createTable('auth_tokens', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    userId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'users', key: 'id' }, onDelete: 'CASCADE' },
    kind: { type: DataTypes.STRING(10), allowNull: false }, // api | web
    expiresAt: now,
    revokedAt: { type: DataTypes.DATE(3), allowNull: true },
    createdAt: now,
  });
  await qi.createTable('login_failures', {
    id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
    username: { type: DataTypes.STRING(64), allowNull: false },
    address: { type: DataTypes.STRING(64), allowNull: false },
    createdAt: now,
  });
  await qi.addIndex('login_failures', ['username', 'createdAt']);
  await qi.addIndex('login_failures', ['address', 'createdAt']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ['login_failures', 'auth_tokens', 'user_groups', 'users', 'groups', 'departments', 'settings']) {
    await qi.dropTable(t);
  }
}
