import { DataTypes, type QueryInterface } from 'sequelize';

const at = (allowNull = false) => ({ type: DataTypes.DATE(3), allowNull });
const str = (n: number, allowNull = false) => ({ type: DataTypes.STRING(n), allowNull });
const json = (allowNull = true) => ({ type: DataTypes.JSON, allowNull });
const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true };

/** The workflow runtime: definitions and forms (versioned), instances, tasks, jobs (timers, retries, calls), messages, history, incidents, outbox. */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  // LONGTEXT on MySQL (engine states and diagrams outgrow 64 KB); SQLite has one TEXT
  const longText = qi.sequelize.getDialect() === 'mysql' ? DataTypes.TEXT('long') : DataTypes.TEXT;
  await qi.createTable('form_definitions', {
    id,
    formId: str(255),
    version: { type: DataTypes.INTEGER, allowNull: false },
    schema: json(false),
    checksum: str(64),
    deployedAt: at(),
    deployedBy: str(64, true),
  });
  await qi.addIndex('form_definitions', ['formId', 'version'], { unique: true });

  await qi.createTable('process_definitions', {
    id,
    key: str(255),
    version: { type: DataTypes.INTEGER, allowNull: false },
    name: str(255),
    xml: { type: longText, allowNull: false },
    checksum: str(64),
    /** formId → form_definitions.id, resolved at deploy time */
    forms: json(false),
    deployedAt: at(),
    deployedBy: str(64, true),
  });
  await qi.addIndex('process_definitions', ['key', 'version'], { unique: true });

  await qi.createTable('process_instances', {
    id: { type: DataTypes.STRING(36), primaryKey: true },
    definitionId: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'process_definitions', key: 'id' } },
    definitionKey: str(255),
    definitionVersion: { type: DataTypes.INTEGER, allowNull: false },
    businessKey: str(255, true),
    projectId: { type: DataTypes.INTEGER, allowNull: true },
    parentInstanceId: str(36, true),
    parentExecutionId: str(255, true),
    state: str(20),
    engineState: { type: longText, allowNull: true },
    engineVersion: str(40, true),
    variables: json(false),
    activeActivityIds: json(false),
    revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    startedBy: str(64, true),
    startedAt: at(),
    endedAt: at(true),
    updatedAt: at(),
  });
  await qi.addIndex('process_instances', ['definitionKey', 'state']);
  await qi.addIndex('process_instances', ['businessKey']);
  await qi.addIndex('process_instances', ['parentInstanceId']);

  await qi.createTable('tasks', {
    id,
    instanceId: str(36),
    executionId: str(255),
    activityId: str(255),
    name: str(255, true),
    definitionKey: str(255),
    businessKey: str(255, true),
    projectId: { type: DataTypes.INTEGER, allowNull: true },
    assignee: str(64, true),
    owner: str(64, true),
    candidateGroups: json(false),
    candidateUsers: json(false),
    formId: str(255, true),
    formDefinitionId: { type: DataTypes.INTEGER, allowNull: true },
    input: json(false),
    /** zeebe:properties of the user task: completion rules (`rule:R10.1` FEEL + `message:R10.1`) */
    properties: json(false),
    state: str(20), // open | completed | canceled
    createdAt: at(),
    dueAt: at(true),
    followUpAt: at(true),
    completedAt: at(true),
    completedBy: str(64, true),
    result: json(),
    revision: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
  });
  await qi.addIndex('tasks', ['instanceId', 'executionId'], { unique: true });
  await qi.addIndex('tasks', ['state', 'assignee']);
  await qi.addIndex('tasks', ['businessKey']);

  await qi.createTable('task_candidates', {
    taskId: { type: DataTypes.INTEGER, primaryKey: true, references: { model: 'tasks', key: 'id' }, onDelete: 'CASCADE' },
    kind: { type: DataTypes.STRING(10), primaryKey: true }, // group | user
    value: { type: DataTypes.STRING(100), primaryKey: true },
  });
  await qi.addIndex('task_candidates', ['kind', 'value']);

  await qi.createTable('jobs', {
    id,
    type: str(20), // timer | retry | call-start | call-complete
    instanceId: str(36),
    executionId: str(255, true),
    activityId: str(255, true),
    dueAt: at(),
    payload: json(),
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lockedBy: str(100, true),
    lockedUntil: at(true),
    lastError: { type: DataTypes.TEXT, allowNull: true },
    createdAt: at(),
  });
  await qi.addIndex('jobs', ['dueAt']);
  await qi.addIndex('jobs', ['instanceId', 'type']);

  await qi.createTable('message_subscriptions', {
    id,
    instanceId: str(36),
    executionId: str(255),
    activityId: str(255),
    messageName: str(255),
    correlationKey: str(255, true),
    businessKey: str(255, true),
    createdAt: at(),
  });
  await qi.addIndex('message_subscriptions', ['messageName', 'businessKey']);
  await qi.addIndex('message_subscriptions', ['instanceId']);

  await qi.createTable('activity_history', {
    id,
    instanceId: str(36),
    executionId: str(255),
    activityId: str(255),
    activityName: str(255, true),
    activityType: str(100),
    startedAt: at(),
    endedAt: at(true),
    actor: str(64, true),
    outcome: { type: DataTypes.STRING(1000), allowNull: true },
  });
  await qi.addIndex('activity_history', ['instanceId', 'executionId']);

  await qi.createTable('operation_log', {
    id,
    instanceId: str(36, true),
    taskId: { type: DataTypes.INTEGER, allowNull: true },
    operation: str(40), // start | claim | unclaim | complete | variables | message | timer | retry | terminate | deploy | incident
    actor: str(64, true),
    at: at(),
    data: json(),
  });
  await qi.addIndex('operation_log', ['instanceId']);

  await qi.createTable('incidents', {
    id,
    instanceId: str(36),
    activityId: str(255, true),
    executionId: str(255, true),
    kind: str(20), // job | engine
    message: { type: DataTypes.TEXT, allowNull: false },
    pendingAction: json(),
    createdAt: at(),
    resolvedAt: at(true),
    resolvedBy: str(64, true),
  });
  await qi.addIndex('incidents', ['instanceId']);

  await qi.createTable('effects', {
    instanceId: { type: DataTypes.STRING(36), primaryKey: true },
    executionId: { type: DataTypes.STRING(255), primaryKey: true },
    key: { type: DataTypes.STRING(191), primaryKey: true },
    result: json(),
    createdAt: at(),
  });

  await qi.createTable('outbox', {
    id,
    dedupeKey: { type: DataTypes.STRING(191), allowNull: false, unique: true },
    channel: str(20), // inbox | email
    payload: json(false),
    createdAt: at(),
    sentAt: at(true),
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lockedUntil: at(true),
    lastError: { type: DataTypes.TEXT, allowNull: true },
  });
  await qi.addIndex('outbox', ['sentAt']);

  await qi.createTable('notifications', {
    id,
    username: str(64),
    kind: str(20),
    title: str(500),
    body: { type: DataTypes.TEXT, allowNull: false },
    instanceId: str(36, true),
    taskId: { type: DataTypes.INTEGER, allowNull: true },
    dedupeKey: { type: DataTypes.STRING(191), allowNull: false, unique: true },
    createdAt: at(),
    readAt: at(true),
  });
  await qi.addIndex('notifications', ['username', 'readAt']);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of [
    'notifications', 'outbox', 'effects', 'incidents', 'operation_log', 'activity_history', 'message_subscriptions',
    'jobs', 'task_candidates', 'tasks', 'process_instances', 'process_definitions', 'form_definitions',
  ]) {
    await qi.dropTable(t);
  }
}
