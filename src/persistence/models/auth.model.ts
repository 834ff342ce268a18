import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class AuthTokenModel extends Model<InferAttributes<AuthTokenModel>, InferCreationAttributes<AuthTokenModel>> {
  declare id: CreationOptional<number>;
  declare tokenHash: string;
  declare userId: number;
  declare kind: 'api' | 'web';
  declare expiresAt: Date;
  declare revokedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
}

export class LoginFailureModel extends Model<InferAttributes<LoginFailureModel>, InferCreationAttributes<LoginFailureModel>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare address: string;
  declare createdAt: Date;
}

export function initAuthModels(sequelize: Sequelize): void {
  AuthTokenModel.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      tokenHash: DataTypes.STRING(64),
      userId: DataTypes.INTEGER,
      kind: DataTypes.STRING(10),
      expiresAt: DataTypes.DATE(3),
      revokedAt: DataTypes.DATE(3),
      createdAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'auth_tokens', updatedAt: false },
  );
  LoginFailureModel.init(
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      username: DataTypes.STRING(64),
      address: DataTypes.STRING(64),
      createdAt: DataTypes.DATE(3),
    },
    { sequelize, tableName: 'login_failures', timestamps: false },
  );
}
