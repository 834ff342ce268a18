import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class DepartmentModel extends Model<InferAttributes<DepartmentModel>, InferCreationAttributes<DepartmentModel>> {
  declare code: string;
  declare name: string;
  declare kind: string;
  declare supervisorCode: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class GroupModel extends Model<InferAttributes<GroupModel>, InferCreationAttributes<GroupModel>> {
  declare key: string;
  declare name: string;
  declare departmentCode: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class UserModel extends Model<InferAttributes<UserModel>, InferCreationAttributes<UserModel>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare displayName: string;
  declare departmentCode: string | null;
  declare email: string | null;
  declare passwordHash: string;
  declare active: boolean;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export class UserGroupModel extends Model<InferAttributes<UserGroupModel>, InferCreationAttributes<UserGroupModel>> {
  declare userId: number;
  declare groupKey: string;
}

export class SettingModel extends Model<InferAttributes<SettingModel>, InferCreationAttributes<SettingModel>> {
  declare key: string;
  declare value: string;
  declare updatedAt: CreationOptional<Date>;
}

export function initOrganisationModels(sequelize: Sequelize): void {
  DepartmentModel.init(
    {
      code: { type: DataTypes.STRING(64), primaryKey: true },
      name: DataTypes.STRING(200),
      kind: DataTypes.STRING(20),
      supervisorCode: DataTypes.STRING(64),
      createdAt: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'departments' },
  );
  GroupModel.init(
    {
      key: { type: DataTypes.STRING(100), primaryKey: true },
      name: DataTypes.STRING(200),
      departmentCode: DataTypes.STRING(64),
      createdAt: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'groups' },
  );
  UserModel.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      username: DataTypes.STRING(64),
      displayName: DataTypes.STRING(200),
      departmentCode: DataTypes.STRING(64),
      email: DataTypes.STRING(200),
      passwordHash: DataTypes.STRING(200),
      active: DataTypes.BOOLEAN,
      createdAt: DataTypes.DATE(3),
      updatedAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'users' },
  );
  UserGroupModel.init(
    {
      userId: { type: DataTypes.INTEGER, primaryKey: true },
      groupKey: { type: DataTypes.STRING(100), primaryKey: true },
    },
    { sequelize, tableName: 'user_groups', timestamps: false },
  );
  SettingModel.init(
    {
      key: { type: DataTypes.STRING(100), primaryKey: true },
      value: DataTypes.TEXT,
      updatedAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'settings', createdAt: false },
  );
}
