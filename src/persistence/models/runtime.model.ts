import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

type Attrs<M extends Model> = InferAttributes<M>;
type Create<M extends Model> = InferCreationAttributes<M>;

export class FormDefinitionModel extends Model<Attrs<FormDefinitionModel>, Create<FormDefinitionModel>> {
  declare id: CreationOptional<number>;
  declare formId: string;
  declare version: number;
  declare schema: Record<string, unknown>;
  declare checksum: string;
  declare deployedAt: Date;
  declare deployedBy: string | null;
}

export class ProcessDefinitionModel extends Model<Attrs<ProcessDefinitionModel>, Create<ProcessDefinitionModel>> {
  declare id: CreationOptional<number>;
  declare key: string;
  declare version: number;
  declare name: string;
  declare xml: string;
  declare checksum: string;
  declare forms: Record<string, number>;
  declare deployedAt: Date;
  declare deployedBy: string | null;
  /** the change note written at deploy (migration 012) */
  declare note: CreationOptional<string | null>;
}

export class ProcessInstanceModel extends Model<Attrs<ProcessInstanceModel>, Create<ProcessInstanceModel>> {
  declare id: string;
  declare definitionId: number;
  declare definitionKey: string;
  declare definitionVersion: number;
  declare businessKey: string | null;
  declare projectId: number | null;
  declare parentInstanceId: string | null;
  declare parentExecutionId: string | null;
  /** 0 for a root instance; +1 per call activity or handler start (migration 008) */
  declare callDepth: CreationOptional<number>;
  declare state: string;
  declare engineState: string | null;
  declare engineVersion: string | null;
  declare variables: Record<string, unknown>;
  declare activeActivityIds: string[];
  declare revision: number;
  declare startedBy: string | null;
  declare startedAt: Date;
  declare endedAt: Date | null;
  declare updatedAt: Date;
}

export class TaskModel extends Model<Attrs<TaskModel>, Create<TaskModel>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare executionId: string;
  declare activityId: string;
  declare name: string | null;
  declare definitionKey: string;
  declare businessKey: string | null;
  declare projectId: number | null;
  declare assignee: string | null;
  declare owner: string | null;
  declare candidateGroups: string[];
  declare candidateUsers: string[];
  declare formId: string | null;
  declare formDefinitionId: number | null;
  declare input: Record<string, unknown>;
  declare properties: Record<string, string>;
  declare state: string;
  declare createdAt: Date;
  declare dueAt: Date | null;
  declare followUpAt: Date | null;
  declare provisional: CreationOptional<boolean>;
  declare provisionalBasis: CreationOptional<Record<string, unknown> | null>;
  declare completedAt: Date | null;
  declare completedBy: string | null;
  declare result: Record<string, unknown> | null;
  declare revision: number;
  /** 委派 (migration 014): 'pending' while the delegate works on it for its owner, 'resolved' once handed back */
  declare delegationState: CreationOptional<'pending' | 'resolved' | null>;
  /** when a holder first opened it (migration 014): an opened step is no longer untouched (撤回) */
  declare openedAt: CreationOptional<Date | null>;
}

/** 加签 (migration 014): a user asked to sign an open task before it can be completed. */
export class TaskSignerModel extends Model<Attrs<TaskSignerModel>, Create<TaskSignerModel>> {
  declare id: CreationOptional<number>;
  declare taskId: number;
  declare username: string;
  declare addedBy: string;
  declare addedAt: Date;
  declare request: string | null;
  declare opinion: string | null;
  declare signedAt: Date | null;
}

export class TaskCandidateModel extends Model<Attrs<TaskCandidateModel>, Create<TaskCandidateModel>> {
  declare taskId: number;
  declare kind: 'group' | 'user';
  declare value: string;
}

export class JobModel extends Model<Attrs<JobModel>, Create<JobModel>> {
  declare id: CreationOptional<number>;
  declare type: 'timer' | 'retry' | 'call-start' | 'call-complete' | 'start-process' | 'publish-message';
  declare instanceId: string;
  declare executionId: string | null;
  declare activityId: string | null;
  declare dueAt: Date;
  declare payload: Record<string, unknown> | null;
  declare provisional: CreationOptional<boolean>;
  declare attempts: CreationOptional<number>;
  declare lockedBy: string | null;
  declare lockedUntil: Date | null;
  declare lastError: string | null;
  declare createdAt: Date;
}

export class MessageSubscriptionModel extends Model<Attrs<MessageSubscriptionModel>, Create<MessageSubscriptionModel>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare executionId: string;
  declare activityId: string;
  declare messageName: string;
  declare correlationKey: string | null;
  declare businessKey: string | null;
  declare createdAt: Date;
}

export class ActivityHistoryModel extends Model<Attrs<ActivityHistoryModel>, Create<ActivityHistoryModel>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare executionId: string;
  declare activityId: string;
  declare activityName: string | null;
  declare activityType: string;
  declare startedAt: Date;
  declare endedAt: Date | null;
  declare actor: string | null;
  declare outcome: string | null;
  /** a closing row: the start row it ends (history is append-only — an end is a row of its own) */
  declare closesId: number | null;
  /** the hash chain (src/persistence/audit-chain.ts) */
  declare prevHash: string | null;
  declare hash: string | null;
}

/** The head of a hash chain: its last row's id and hash (locked by every append). */
export class AuditChainModel extends Model<Attrs<AuditChainModel>, Create<AuditChainModel>> {
  declare name: string;
  declare lastId: number | null;
  declare lastHash: string;
}

export class OperationLogModel extends Model<Attrs<OperationLogModel>, Create<OperationLogModel>> {
  declare id: CreationOptional<number>;
  declare instanceId: string | null;
  declare taskId: number | null;
  declare operation: string;
  declare actor: string | null;
  declare at: Date;
  declare data: Record<string, unknown> | null;
  /** the hash chain (src/persistence/audit-chain.ts) */
  declare prevHash: string | null;
  declare hash: string | null;
}

export class IncidentModel extends Model<Attrs<IncidentModel>, Create<IncidentModel>> {
  declare id: CreationOptional<number>;
  declare instanceId: string;
  declare activityId: string | null;
  declare executionId: string | null;
  declare kind: 'job' | 'engine';
  declare message: string;
  /** tries of the step so far (migration 017) */
  declare attempts: CreationOptional<number>;
  declare pendingAction: Record<string, unknown> | null;
  declare createdAt: Date;
  declare resolvedAt: Date | null;
  declare resolvedBy: string | null;
}

export class EffectModel extends Model<Attrs<EffectModel>, Create<EffectModel>> {
  declare instanceId: string;
  declare executionId: string;
  declare key: string;
  declare result: unknown;
  declare createdAt: Date;
}

export class OutboxModel extends Model<Attrs<OutboxModel>, Create<OutboxModel>> {
  declare id: CreationOptional<number>;
  declare dedupeKey: string;
  declare channel: 'inbox' | 'email';
  declare payload: Record<string, unknown>;
  declare createdAt: Date;
  declare sentAt: Date | null;
  declare attempts: CreationOptional<number>;
  declare lockedUntil: Date | null;
  declare lastError: string | null;
}

export class NotificationModel extends Model<Attrs<NotificationModel>, Create<NotificationModel>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare kind: string;
  declare title: string;
  declare body: string;
  declare instanceId: string | null;
  declare taskId: number | null;
  declare dedupeKey: string;
  declare createdAt: Date;
  declare readAt: Date | null;
}

const D = DataTypes;
const date = D.DATE(3);
const pk = { type: D.INTEGER, primaryKey: true, autoIncrement: true };

export function initRuntimeModels(sequelize: Sequelize): void {
  const opts = (tableName: string) => ({ sequelize, tableName, timestamps: false });
  FormDefinitionModel.init(
    { id: pk, formId: D.STRING, version: D.INTEGER, schema: D.JSON, checksum: D.STRING, deployedAt: date, deployedBy: D.STRING },
    opts('form_definitions'),
  );
  ProcessDefinitionModel.init(
    { id: pk, key: D.STRING, version: D.INTEGER, name: D.STRING, xml: D.TEXT, checksum: D.STRING, forms: D.JSON, deployedAt: date, deployedBy: D.STRING, note: D.TEXT },
    opts('process_definitions'),
  );
  ProcessInstanceModel.init(
    {
      id: { type: D.STRING(36), primaryKey: true },
      definitionId: D.INTEGER,
      definitionKey: D.STRING,
      definitionVersion: D.INTEGER,
      businessKey: D.STRING,
      projectId: D.INTEGER,
      parentInstanceId: D.STRING,
      parentExecutionId: D.STRING,
      callDepth: { type: D.INTEGER, allowNull: false, defaultValue: 0 },
      state: D.STRING,
      engineState: D.TEXT,
      engineVersion: D.STRING,
      variables: D.JSON,
      activeActivityIds: D.JSON,
      revision: D.INTEGER,
      startedBy: D.STRING,
      startedAt: date,
      endedAt: date,
      updatedAt: date,
    },
    opts('process_instances'),
  );
  TaskModel.init(
    {
      id: pk,
      instanceId: D.STRING,
      executionId: D.STRING,
      activityId: D.STRING,
      name: D.STRING,
      definitionKey: D.STRING,
      businessKey: D.STRING,
      projectId: D.INTEGER,
      assignee: D.STRING,
      owner: D.STRING,
      candidateGroups: D.JSON,
      candidateUsers: D.JSON,
      formId: D.STRING,
      formDefinitionId: D.INTEGER,
      input: D.JSON,
      properties: D.JSON,
      state: D.STRING,
      createdAt: date,
      dueAt: date,
      followUpAt: date,
      provisional: { type: D.BOOLEAN, defaultValue: false },
      provisionalBasis: D.JSON,
      completedAt: date,
      completedBy: D.STRING,
      result: D.JSON,
      revision: D.INTEGER,
      delegationState: D.STRING(16),
      openedAt: date,
    },
    opts('tasks'),
  );
  TaskSignerModel.init(
    { id: pk, taskId: D.INTEGER, username: D.STRING, addedBy: D.STRING, addedAt: date, request: D.TEXT, opinion: D.TEXT, signedAt: date },
    opts('task_signers'),
  );
  TaskCandidateModel.init(
    { taskId: { type: D.INTEGER, primaryKey: true }, kind: { type: D.STRING, primaryKey: true }, value: { type: D.STRING, primaryKey: true } },
    opts('task_candidates'),
  );
  JobModel.init(
    {
      id: pk,
      type: D.STRING,
      instanceId: D.STRING,
      executionId: D.STRING,
      activityId: D.STRING,
      dueAt: date,
      payload: D.JSON,
      provisional: { type: D.BOOLEAN, defaultValue: false },
      attempts: { type: D.INTEGER, defaultValue: 0 },
      lockedBy: D.STRING,
      lockedUntil: date,
      lastError: D.TEXT,
      createdAt: date,
    },
    opts('jobs'),
  );
  MessageSubscriptionModel.init(
    { id: pk, instanceId: D.STRING, executionId: D.STRING, activityId: D.STRING, messageName: D.STRING, correlationKey: D.STRING, businessKey: D.STRING, createdAt: date },
    opts('message_subscriptions'),
  );
  ActivityHistoryModel.init(
    { id: pk, instanceId: D.STRING, executionId: D.STRING, activityId: D.STRING, activityName: D.STRING, activityType: D.STRING, startedAt: date, endedAt: date, actor: D.STRING, outcome: D.STRING(1000), closesId: D.INTEGER, prevHash: D.STRING(64), hash: D.STRING(64) },
    opts('activity_history'),
  );
  AuditChainModel.init({ name: { type: D.STRING, primaryKey: true }, lastId: D.INTEGER, lastHash: D.STRING(64) }, opts('audit_chain'));
  OperationLogModel.init(
    { id: pk, instanceId: D.STRING, taskId: D.INTEGER, operation: D.STRING, actor: D.STRING, at: date, data: D.JSON, prevHash: D.STRING(64), hash: D.STRING(64) },
    opts('operation_log'),
  );
  IncidentModel.init(
    { id: pk, instanceId: D.STRING, activityId: D.STRING, executionId: D.STRING, kind: D.STRING, message: D.TEXT, attempts: { type: D.INTEGER, defaultValue: 1 }, pendingAction: D.JSON, createdAt: date, resolvedAt: date, resolvedBy: D.STRING },
    opts('incidents'),
  );
  EffectModel.init(
    {
      instanceId: { type: D.STRING, primaryKey: true },
      executionId: { type: D.STRING, primaryKey: true },
      key: { type: D.STRING, primaryKey: true },
      result: D.JSON,
      createdAt: date,
    },
    opts('effects'),
  );
  OutboxModel.init(
    { id: pk, dedupeKey: D.STRING, channel: D.STRING, payload: D.JSON, createdAt: date, sentAt: date, attempts: { type: D.INTEGER, defaultValue: 0 }, lockedUntil: date, lastError: D.TEXT },
    opts('outbox'),
  );
  NotificationModel.init(
    { id: pk, username: D.STRING, kind: D.STRING, title: D.STRING(500), body: D.TEXT, instanceId: D.STRING, taskId: D.INTEGER, dedupeKey: D.STRING, createdAt: date, readAt: date },
    opts('notifications'),
  );
}
