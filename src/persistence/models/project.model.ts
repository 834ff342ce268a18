import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class ProjectModel extends Model<InferAttributes<ProjectModel>, InferCreationAttributes<ProjectModel>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  declare unitCode: string;
  declare type: string;
  declare investment: string | number;
  declare planYear: number;
  declare classified: boolean;
  declare crossDepartment: boolean;
  declare participants: string[];
  declare standaloneMobileApp: boolean;
  declare justification: string | null;
  declare scopeCategory: string;
  declare inAnnualPlan: boolean;
  declare outOfPlanCategory: string | null;
  declare existingSystems: string[];
  declare description: string;
  declare stage: string;
  declare budgeted: boolean;
  declare approvedAmount: string | number | null;
  declare createdBy: string;
  declare createdAt: Date;
  declare updatedAt: Date;
  declare submittedAt: Date | null;
}

export class ProjectDocumentModel extends Model<InferAttributes<ProjectDocumentModel>, InferCreationAttributes<ProjectDocumentModel>> {
  declare id: CreationOptional<number>;
  declare projectId: number;
  declare materialType: string;
  declare filename: string;
  declare mimeType: string;
  declare size: number;
  declare sha256: string;
  declare content: Buffer;
  declare uploadedBy: string;
  declare uploadedAt: Date;
}

export class PaymentModel extends Model<InferAttributes<PaymentModel>, InferCreationAttributes<PaymentModel>> {
  declare id: CreationOptional<number>;
  declare projectId: number;
  declare instanceId: string | null;
  declare amount: string | number;
  declare state: string;
  declare requestedBy: string | null;
  declare requestedAt: Date;
  declare decidedAt: Date | null;
}

/** 第16条 重大投资损失: a report of a major investment loss during implementation (migration 015). */
export class LossReportModel extends Model<InferAttributes<LossReportModel>, InferCreationAttributes<LossReportModel>> {
  declare id: CreationOptional<number>;
  declare projectId: number;
  declare instanceId: string;
  declare description: string;
  declare amount: string | number;
  declare reportedBy: string;
  declare reportedAt: Date;
}

/** 第5条第（一）项 申报批次 (migration 016): opensOn/closesOn are Asia/Shanghai days (YYYY-MM-DD). */
export class ApplicationBatchModel extends Model<InferAttributes<ApplicationBatchModel>, InferCreationAttributes<ApplicationBatchModel>> {
  declare id: CreationOptional<number>;
  declare name: string;
  declare planYear: number;
  declare opensOn: string;
  declare closesOn: string;
  declare closedAt: Date | null;
  declare createdBy: string;
  declare createdAt: Date;
}

export class AnnualPlanModel extends Model<InferAttributes<AnnualPlanModel>, InferCreationAttributes<AnnualPlanModel>> {
  declare id: CreationOptional<number>;
  declare year: number;
  declare state: string;
  declare instanceId: string | null;
  declare createdBy: string;
  declare createdAt: Date;
  declare approvedAt: Date | null;
}

export class AnnualPlanItemModel extends Model<InferAttributes<AnnualPlanItemModel>, InferCreationAttributes<AnnualPlanItemModel>> {
  declare planId: number;
  declare projectId: number;
  declare priority: number;
}

const D = DataTypes;
const pk = { type: D.INTEGER, primaryKey: true, autoIncrement: true };

export function initProjectModels(sequelize: Sequelize): void {
  const opts = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  ProjectModel.init(
    {
      id: pk, code: D.STRING, name: D.STRING, unitCode: D.STRING, type: D.STRING, investment: D.DECIMAL(16, 2), planYear: D.INTEGER,
      classified: D.BOOLEAN, crossDepartment: D.BOOLEAN, participants: D.JSON, standaloneMobileApp: D.BOOLEAN, justification: D.TEXT,
      scopeCategory: D.STRING, inAnnualPlan: D.BOOLEAN, outOfPlanCategory: D.STRING, existingSystems: D.JSON, description: D.TEXT,
      stage: D.STRING, budgeted: D.BOOLEAN, approvedAmount: D.DECIMAL(16, 2), createdBy: D.STRING, createdAt: D.DATE(3), updatedAt: D.DATE(3), submittedAt: D.DATE(3),
    },
    opts('projects'),
  );
  ProjectDocumentModel.init(
    { id: pk, projectId: D.INTEGER, materialType: D.STRING, filename: D.STRING, mimeType: D.STRING, size: D.INTEGER, sha256: D.STRING, content: D.BLOB, uploadedBy: D.STRING, uploadedAt: D.DATE(3) },
    opts('project_documents'),
  );
  PaymentModel.init(
    { id: pk, projectId: D.INTEGER, instanceId: D.STRING, amount: D.DECIMAL(16, 2), state: D.STRING, requestedBy: D.STRING, requestedAt: D.DATE(3), decidedAt: D.DATE(3) },
    opts('payments'),
  );
  LossReportModel.init(
    { id: pk, projectId: D.INTEGER, instanceId: D.STRING, description: D.TEXT, amount: D.DECIMAL(16, 2), reportedBy: D.STRING, reportedAt: D.DATE(3) },
    opts('loss_reports'),
  );
  ApplicationBatchModel.init(
    { id: pk, name: D.STRING, planYear: D.INTEGER, opensOn: D.STRING, closesOn: D.STRING, closedAt: D.DATE(3), createdBy: D.STRING, createdAt: D.DATE(3) },
    opts('application_batches'),
  );
  AnnualPlanModel.init({ id: pk, year: D.INTEGER, state: D.STRING, instanceId: D.STRING, createdBy: D.STRING, createdAt: D.DATE(3), approvedAt: D.DATE(3) }, opts('annual_plans'));
  AnnualPlanItemModel.init({ planId: { type: D.INTEGER, primaryKey: true }, projectId: { type: D.INTEGER, primaryKey: true }, priority: D.INTEGER }, opts('annual_plan_items'));
}
