import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class CalendarYearModel extends Model<InferAttributes<CalendarYearModel>, InferCreationAttributes<CalendarYearModel>> {
  declare year: number;
  declare source: 'chinese-days' | 'entered';
  declare enteredBy: string | null;
  declare enteredAt: Date | null;
}

export class CalendarDayModel extends Model<InferAttributes<CalendarDayModel>, InferCreationAttributes<CalendarDayModel>> {
  declare day: string;
  declare year: number;
  declare kind: 'holiday' | 'workday';
}

export function initCalendarModels(sequelize: Sequelize): void {
  CalendarYearModel.init(
    { year: { type: DataTypes.INTEGER, primaryKey: true }, source: DataTypes.STRING(20), enteredBy: DataTypes.STRING(64), enteredAt: DataTypes.DATE(3) },
    { sequelize, tableName: 'calendar_years', timestamps: false },
  );
  CalendarDayModel.init(
    { day: { type: DataTypes.STRING(10), primaryKey: true }, year: DataTypes.INTEGER, kind: DataTypes.STRING(10) },
    { sequelize, tableName: 'calendar_days', timestamps: false },
  );
}
