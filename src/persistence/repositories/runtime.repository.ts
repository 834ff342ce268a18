import { Op, QueryTypes, type CreationAttributes, type FindOptions, type Model, type ModelStatic, type Order, type Sequelize, type Transaction } from 'sequelize';
import { appendHistory, appendOperation, pendingHistoryOf, verifyTrail, type ChainedHistoryContent } from '../audit-chain';
import { columnsOf, executeBound, insertModels, modelsOf, runStatement, selectRows, updateModel } from '../direct';
import { projectScopeSql, type ProjectScope } from '../project-scope';
import { dateParam, isoOf } from '../sql';
import { retryConflicts } from '../transaction';
import {
  ActivityHistoryModel,
  EffectModel,
  IncidentModel,
  JobModel,
  MessageSubscriptionModel,
  OperationLogModel,
  SignalSubscriptionModel,
  OutboxModel,
  ProcessDefinitionModel,
  ProcessInstanceModel,
  TaskCandidateModel,
  TaskModel,
  TaskSignerModel,
} from '../models/runtime.model';

export type { JobModel, ProcessInstanceModel, TaskModel, IncidentModel, TaskSignerModel };

/** One activity execution of an instance's history (a start row with its closing row merged in). */
export interface HistoryEntry {
  id: number;
  instanceId: string;
  executionId: string;
  activityId: string;
  activityName: string | null;
  activityType: string;
  startedAt: Date;
  endedAt: Date | null;
  actor: string | null;
  outcome: string | null;
}

/** Queries of the workflow runtime. Every write takes the caller's transaction. */
/** the task list's page: the first this many open tasks, oldest first */
const TASK_PAGE = 1000;
/** RuntimeRepository.tasksFor: up to this many candidate rows, the caller's offered tasks are read by id */
const FEW = 2000;

/** the columns of a task list row (TaskService's taskView reads these; not a task's input, properties or result) */
export const TASK_LIST_COLUMNS = ['id', 'name', 'activityId', 'instanceId', 'definitionKey', 'businessKey', 'projectId', 'assignee', 'candidateGroups', 'candidateUsers', 'createdAt', 'dueAt', 'followUpAt', 'provisional', 'formId', 'state', 'owner', 'delegationState', 'completedBy'] as const;

/** a task list row: the listed columns of a task, as a plain object */
export type TaskListRow = Pick<TaskModel, (typeof TASK_LIST_COLUMNS)[number]>;

type RawRow = Record<(typeof TASK_LIST_COLUMNS)[number], unknown>;

/** a date as the driver returns it in a raw row: a Date (mysql2) or sequelize's SQLite text `YYYY-MM-DD HH:mm:ss.SSS +00:00` */
const rawDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(isoOf(String(v))!));
/** a JSON column as the driver returns it: parsed (mysql2) or text (SQLite) */
const rawJson = <T>(v: unknown, empty: T): T => (v === null || v === undefined ? empty : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

function taskListRow(r: RawRow): TaskListRow {
  return {
    id: Number(r.id),
    name: r.name as string | null,
    activityId: r.activityId as string,
    instanceId: r.instanceId as string,
    definitionKey: r.definitionKey as string,
    businessKey: r.businessKey as string | null,
    projectId: r.projectId === null ? null : Number(r.projectId),
    assignee: r.assignee as string | null,
    candidateGroups: rawJson<string[]>(r.candidateGroups, []),
    candidateUsers: rawJson<string[]>(r.candidateUsers, []),
    createdAt: rawDate(r.createdAt)!,
    dueAt: rawDate(r.dueAt),
    followUpAt: rawDate(r.followUpAt),
    provisional: !!r.provisional,
    formId: r.formId as string | null,
    state: r.state as string,
    owner: r.owner as string | null,
    delegationState: r.delegationState as TaskModel['delegationState'],
    completedBy: r.completedBy as string | null,
  };
}

/** the chained content of a history row (the columns the hash covers, closesId left to the caller) */
function historyContent(v: Omit<ChainedHistoryContent, 'closesId'>): ChainedHistoryContent {
  return {
    instanceId: v.instanceId,
    executionId: v.executionId,
    activityId: v.activityId,
    activityName: v.activityName ?? null,
    activityType: v.activityType,
    startedAt: v.startedAt,
    endedAt: v.endedAt ?? null,
    actor: v.actor ?? null,
    outcome: v.outcome ?? null,
    closesId: null,
  };
}

/** a history row of one execution as endActivity reads it (ids may come as text, dates as SQLite's text) */
interface ExecutionHistoryRow {
  id: number | string;
  activityId: string;
  activityName: string | null;
  activityType: string;
  startedAt: Date | string;
  endedAt: Date | string | null;
  actor: string | null;
  outcome: string | null;
  closesId: number | string | null;
}

type Created = { id: number; createdAt: Date };
const byCreation = (x: Created, y: Created) => x.createdAt.getTime() - y.createdAt.getTime() || x.id - y.id;

/** two lists each ordered by (createdAt, id), merged into one in that order */
function mergeByCreation<R extends Created>(a: R[], b: R[]): R[] {
  const out: R[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) out.push(byCreation(a[i], b[j]) < 0 ? a[i++] : b[j++]);
  return out.concat(a.slice(i), b.slice(j));
}

/** which kinds of wait rows an instance has (RuntimeRepository.waitKinds) */
export interface WaitKinds {
  tasks: boolean;
  jobs: boolean;
  waits: boolean;
}

/** waitKinds' three EXISTS expressions for an instance id written as SQL (a bind marker), leaving out one job row (its bind marker) */
function waitKindsSql(id: string, exceptJob: string | null) {
  return {
    tasks: `EXISTS (SELECT 1 FROM tasks WHERE tasks.instanceId = ${id} AND tasks.state = 'open')`,
    jobs: `EXISTS (SELECT 1 FROM jobs WHERE jobs.instanceId = ${id} AND jobs.type IN ('timer', 'retry', 'call-start')${exceptJob === null ? '' : ` AND jobs.id <> ${exceptJob}`})`,
    waits:
      `(EXISTS (SELECT 1 FROM message_subscriptions WHERE message_subscriptions.instanceId = ${id}) OR EXISTS (SELECT 1 FROM signal_subscriptions WHERE signal_subscriptions.instanceId = ${id}) ` +
      `OR EXISTS (SELECT 1 FROM process_instances AS children WHERE children.parentInstanceId = ${id} AND children.state NOT IN ('completed', 'terminated')))`,
  };
}

/** a locking read's suffix: FOR UPDATE on MySQL; SQLite's transactions are IMMEDIATE (the writer's lock held from BEGIN) */
const forUpdate = (sequelize: Sequelize) => (sequelize.getDialect() === 'sqlite' ? '' : ' FOR UPDATE');

/** one row of a model's table by primary key, on the driver connection (../direct.ts), locked with `lock` (in t) */
/** A row by its id (`also`: more columns of the SELECT list, read with `get(name)`). */
async function byId<M extends Model>(model: ModelStatic<M>, id: string | number, t: Transaction | undefined, lock: boolean, also = ''): Promise<M | null> {
  const sequelize = model.sequelize!;
  const rows = await selectRows(sequelize, `SELECT ${columnsOf(model as unknown as ModelStatic<Model>)}${also && `, ${also}`} FROM ${model.getTableName() as string} WHERE id = $1${lock ? forUpdate(sequelize) : ''}`, [id], t);
  return modelsOf(model, rows)[0] ?? null;
}

/** the instance's columns in RuntimeRepository.taskAndInstance's row are named with this prefix */
const JOINED_INSTANCE = 'instance__';
let taskAndInstanceText: string | null = null;
function taskAndInstanceSql(): string {
  if (!taskAndInstanceText) {
    const task = columnsOf(TaskModel as unknown as ModelStatic<Model>, { table: 'tasks' });
    const instance = columnsOf(ProcessInstanceModel as unknown as ModelStatic<Model>, { table: 'process_instances', prefix: JOINED_INSTANCE });
    taskAndInstanceText = `SELECT ${task}, ${instance} FROM tasks LEFT JOIN process_instances ON process_instances.id = tasks.instanceId WHERE tasks.id = $1`;
  }
  return taskAndInstanceText;
}

/** due jobs one claim takes per lane that runs them side by side (RuntimeRepository.claimDueJobs: × JOB_CONCURRENCY) */
export const CLAIM_PER_LANE = 10;

export class RuntimeRepository {
  // ---- instances
  async createInstance(values: CreationAttributes<ProcessInstanceModel>, t: Transaction) {
    const [inst] = await insertModels(ProcessInstanceModel, [values as Record<string, unknown>], t);
    return inst;
  }

  /** Locks the instance row for the rest of the transaction (FOR UPDATE on MySQL; SQLite transactions are IMMEDIATE). */
  lockInstance(id: string, t: Transaction) {
    return ProcessInstanceModel.findByPk(id, { transaction: t, lock: t.LOCK.UPDATE });
  }

  /**
   * Locks the instance row (as lockInstance) and reads its open incidents — the incidents only when the row's
   * read found one (an EXISTS in the same statement): most runs have none, and skip the second read. The same
   * statement answers waitKinds as the rows stand at the lock, leaving out the job row the unit consumes
   * (`consumes`): a save may use them while nothing else wrote wait rows of the instance.
   */
  async lockForRun(id: string, t: Transaction, consumes?: number): Promise<{ inst: ProcessInstanceModel | null; incidents: IncidentModel[]; kinds: WaitKinds }> {
    const sequelize = ProcessInstanceModel.sequelize!;
    // one text per dialect (the job it consumes bound as $2): on the driver connection (../direct.ts)
    const kinds = waitKindsSql('$1', consumes === undefined ? null : '$2');
    const [inst] = modelsOf(
      ProcessInstanceModel,
      await selectRows(
        sequelize,
        `SELECT ${columnsOf(ProcessInstanceModel)}, EXISTS (SELECT 1 FROM incidents WHERE incidents.instanceId = $1 AND incidents.resolvedAt IS NULL) AS hasOpenIncident, ` +
          `${kinds.tasks} AS hasTasks, ${kinds.jobs} AS hasJobs, ${kinds.waits} AS hasWaits FROM process_instances WHERE id = $1${forUpdate(sequelize)}`,
        consumes === undefined ? [id] : [id, Number(consumes)],
        t,
      ),
    );
    if (!inst) return { inst: null, incidents: [], kinds: { tasks: false, jobs: false, waits: false } };
    const has = Number(inst.get('hasOpenIncident'));
    const found = { tasks: Number(inst.get('hasTasks')) === 1, jobs: Number(inst.get('hasJobs')) === 1, waits: Number(inst.get('hasWaits')) === 1 };
    return { inst, incidents: has ? await this.openIncidents(id, t) : [], kinds: found };
  }

  /**
   * Which of the rows a save compares with the run's waits an instance has, in one statement: open tasks; timer,
   * retry and call-start jobs; message and signal subscriptions and unended called instances. A save reads
   * only the kinds that are there.
   */
  async waitKinds(instanceId: string, t: Transaction): Promise<WaitKinds> {
    const kinds = waitKindsSql('$1', null);
    const [row] = await selectRows<{ tasks: number | string; jobs: number | string; waits: number | string }>(
      ProcessInstanceModel.sequelize!,
      `SELECT ${kinds.tasks} AS tasks, ${kinds.jobs} AS jobs, ${kinds.waits} AS waits`,
      [instanceId],
      t,
    );
    return { tasks: Number(row.tasks) === 1, jobs: Number(row.jobs) === 1, waits: Number(row.waits) === 1 };
  }

  /**
   * Writes what a run changed on its (locked) instance row in one bound UPDATE whose text never changes — no
   * model save (change tracking, validation, a statement built per call) — and sets the same values on the model.
   */
  async saveRun(
    inst: ProcessInstanceModel,
    values: { engineState: string | null; engineVersion: string; variables: Record<string, unknown>; activeActivityIds: string[]; state: ProcessInstanceModel['state']; revision: number; updatedAt: Date; endedAt: Date | null },
    t: Transaction,
  ): Promise<void> {
    const sequelize = ProcessInstanceModel.sequelize!;
    const v = values;
    await executeBound(
      sequelize,
      'UPDATE process_instances SET engineState = $1, engineVersion = $2, variables = $3, activeActivityIds = $4, state = $5, revision = $6, updatedAt = $7, endedAt = $8 WHERE id = $9',
      [v.engineState, v.engineVersion, JSON.stringify(v.variables), JSON.stringify(v.activeActivityIds), v.state, v.revision, dateParam(sequelize, v.updatedAt), v.endedAt && dateParam(sequelize, v.endedAt), inst.id],
      t,
    );
    for (const [key, value] of Object.entries(values) as [keyof typeof values, unknown][]) {
      inst.setDataValue(key, value as never);
      inst.changed(key, false);
    }
  }

  findInstance(id: string) {
    return byId(ProcessInstanceModel, id, undefined, false);
  }

  /**
   * The newest instances (at most `limit`) of a filter; with a reader, only those the reader may see (issue 13 item 6:
   * the rule is a condition of the query, so a unit's instances are found however many newer ones there are): an
   * instance of a project by the project's scope, one without a project by the admins, whoever started it and
   * whoever holds or held a task in it (VisibilityService.instanceFilter, the rule these conditions follow).
   */
  async listInstances(where: { definitionKey?: string; state?: string; businessKey?: string }, limit = 500, reader?: { scope: ProjectScope; username: string; groups: string[]; admin: boolean }) {
    const w: Record<string, string> = {};
    for (const [k, v] of Object.entries(where)) if (v) w[k] = v;
    const found = { order: [['startedAt', 'DESC']] as Order, attributes: { exclude: ['engineState'] } };
    if (!reader) return ProcessInstanceModel.findAll({ where: w, limit, ...found });
    // every bound name appears in the text (SQLite refuses a value it has no place for)
    const bind: Record<string, unknown> = {};
    const terms = Object.entries(w).map(([k, v]) => ((bind[`f_${k}`] = v), `i.${k} = $f_${k}`));
    const groups = () => (reader.groups.length ? reader.groups : ['\u0000']).map((g, n) => ((bind[`g${n}`] = g), `$g${n}`)).join(', ');
    if (!reader.admin) bind.me = reader.username;
    const loose = reader.admin
      ? '1 = 1'
      : `(i.startedBy = $me
          OR EXISTS (SELECT 1 FROM tasks t WHERE t.instanceId = i.id AND (t.assignee = $me OR t.completedBy = $me OR t.owner = $me))
          OR EXISTS (SELECT 1 FROM tasks t JOIN task_candidates c ON c.taskId = t.id WHERE t.instanceId = i.id AND t.state = 'open' AND t.assignee IS NULL
                     AND ((c.kind = 'group' AND c.value IN (${groups()})) OR (c.kind = 'user' AND c.value = $me))))`;
    const ofProject = `(p.id IS NOT NULL AND ${projectScopeSql(reader.scope, bind)})${reader.admin ? ' OR p.id IS NULL' : ''}`;
    terms.push(`((i.projectId IS NULL AND ${loose}) OR (i.projectId IS NOT NULL AND (${ofProject})))`);
    const ids = await ProcessInstanceModel.sequelize!.query<{ id: string }>(
      `SELECT i.id FROM process_instances i LEFT JOIN projects p ON p.id = i.projectId WHERE ${terms.join(' AND ')} ORDER BY i.startedAt DESC LIMIT ${Math.floor(limit)}`,
      { type: QueryTypes.SELECT, bind },
    );
    if (!ids.length) return [];
    return ProcessInstanceModel.findAll({ where: { id: { [Op.in]: ids.map((r) => r.id) } }, ...found });
  }

  /** The instances a call activity (or a handler) of this one started. */
  childInstances(parentInstanceId: string) {
    return ProcessInstanceModel.findAll({ where: { parentInstanceId }, order: [['startedAt', 'ASC']], attributes: { exclude: ['engineState'] } });
  }

  /** Every task of an instance, in the order they were created (the tracking view's records and overdue marks). */
  tasksOfInstance(instanceId: string) {
    return TaskModel.findAll({ where: { instanceId }, order: [['id', 'ASC']] });
  }

  instancesByIds(ids: string[]) {
    return ids.length ? ProcessInstanceModel.findAll({ where: { id: { [Op.in]: ids } }, attributes: ['id', 'projectId', 'startedBy', 'definitionKey', 'state', 'startedAt'] }) : Promise.resolve([]);
  }

  childOf(parentInstanceId: string, parentExecutionId: string, t: Transaction) {
    return ProcessInstanceModel.findOne({ where: { parentInstanceId, parentExecutionId }, transaction: t });
  }

  /** Called instances of a parent that have not ended (running or held by an incident). */
  unendedChildren(parentInstanceId: string, t: Transaction) {
    return ProcessInstanceModel.findAll({
      where: { parentInstanceId, state: { [Op.notIn]: ['completed', 'terminated'] } },
      attributes: ['id', 'parentExecutionId'],
      transaction: t,
    });
  }

  // ---- tasks
  async openTasks(instanceId: string, t: Transaction) {
    return modelsOf(TaskModel, await selectRows(TaskModel.sequelize!, `SELECT ${columnsOf(TaskModel)} FROM tasks WHERE instanceId = $1 AND state = 'open'`, [instanceId], t));
  }

  async createTask(values: CreationAttributes<TaskModel>, t: Transaction) {
    const [task] = await insertModels(TaskModel, [values as Record<string, unknown>], t);
    const candidates = [
      ...(task.candidateGroups ?? []).map((value) => ({ taskId: task.id, kind: 'group' as const, value })),
      ...(task.candidateUsers ?? []).map((value) => ({ taskId: task.id, kind: 'user' as const, value })),
    ];
    await insertModels(TaskCandidateModel, candidates, t, { ignore: true });
    return task;
  }

  /**
   * Ends tasks (completed, canceled): each row takes the values and its next revision, and their candidate rows
   * go, so task_candidates holds open tasks only — what the task list, the 监控 figures and the visibility of
   * candidates read (the task keeps its candidate lists).
   */
  async endTasks(tasks: TaskModel[], values: Partial<CreationAttributes<TaskModel>> & { state: 'completed' | 'canceled'; completedAt: Date }, t: Transaction) {
    for (const task of tasks) await updateModel(task, { ...values, revision: task.revision + 1 }, t);
    if (tasks.length) await runStatement(TaskModel.sequelize!, `DELETE FROM task_candidates WHERE taskId IN (${tasks.map((_, i) => `$${i + 1}`).join(', ')})`, tasks.map((x) => x.id), t);
  }

  findTask(id: number, t?: Transaction) {
    return Number.isSafeInteger(Number(id)) ? byId(TaskModel, Number(id), t, !!t) : Promise.resolve(null);
  }

  /**
   * A task and its instance in one statement, outside a unit of work (a completion's checks read the task, its run
   * ahead the instance: one statement fewer than two reads). The instance is null when it is gone.
   */
  async taskAndInstance(id: number): Promise<{ task: TaskModel; instance: ProcessInstanceModel | null } | null> {
    if (!Number.isSafeInteger(Number(id))) return null;
    const [row] = await selectRows(TaskModel.sequelize!, taskAndInstanceSql(), [Number(id)]);
    if (!row) return null;
    const task: Record<string, unknown> = {};
    const instance: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) {
      if (k.startsWith(JOINED_INSTANCE)) instance[k.slice(JOINED_INSTANCE.length)] = v;
      else task[k] = v;
    }
    return { task: modelsOf(TaskModel, [task])[0], instance: instance.id === null || instance.id === undefined ? null : modelsOf(ProcessInstanceModel, [instance])[0] };
  }

  /** The task locked in `t` with how many of its signers (加签) have not signed yet, in one statement (a completion's check). */
  async taskWithUnsigned(id: number, t: Transaction): Promise<{ task: TaskModel; unsigned: number } | null> {
    if (!Number.isSafeInteger(Number(id))) return null;
    const unsigned = '(SELECT COUNT(*) FROM task_signers WHERE task_signers.taskId = tasks.id AND task_signers.signedAt IS NULL) AS unsignedSigners';
    const task = await byId(TaskModel, Number(id), t, true, unsigned);
    return task ? { task, unsigned: Number(task.get('unsignedSigners')) } : null;
  }

  /** Open tasks without an assignee (the administrators' queue); those without any candidate first. */
  async unassignedTasks(filter: { instanceId?: string; businessKey?: string }) {
    const where: Record<string, unknown> = { state: 'open', assignee: null };
    if (filter.instanceId) where.instanceId = filter.instanceId;
    if (filter.businessKey) where.businessKey = filter.businessKey;
    return TaskModel.findAll({ where, order: [['createdAt', 'ASC'], ['id', 'ASC']], limit: 1000 });
  }

  /** Open tasks the user may act on: assigned to them, or unassigned with them or one of their groups as candidate. */
  tasksFor(username: string, groups: string[], filter: { instanceId?: string; businessKey?: string }): Promise<TaskModel[]> {
    return this.openTasksFor(username, groups, filter, (options) => TaskModel.findAll(options));
  }

  /**
   * The same tasks as plain rows of the listed columns (TASK_LIST_COLUMNS), not models: building 1,000 sequelize
   * models cost three times the statement (issue 13 P3).
   */
  async taskListFor(username: string, groups: string[], filter: { instanceId?: string; businessKey?: string }): Promise<TaskListRow[]> {
    if (filter.instanceId || filter.businessKey) {
      // narrowed to an instance or a business key (a page's list of one project, a client following its instance):
      // the same statement as openTasksFor's, bound, on the driver connection (../direct.ts)
      const bind: unknown[] = [username];
      const mark = (v: unknown) => `$${bind.push(v)}`;
      const byGroup = groups.length ? `(c.kind = 'group' AND c.\`value\` IN (${groups.map(mark).join(', ')})) OR ` : '';
      const narrow = [filter.instanceId ? ` AND instanceId = ${mark(filter.instanceId)}` : '', filter.businessKey ? ` AND businessKey = ${mark(filter.businessKey)}` : ''].join('');
      const rows = await selectRows<RawRow>(
        TaskModel.sequelize!,
        `SELECT ${TASK_LIST_COLUMNS.map((c) => `\`${c}\``).join(', ')} FROM tasks WHERE state = 'open'${narrow} ` +
          `AND (assignee = $1 OR (assignee IS NULL AND id IN (SELECT c.taskId FROM task_candidates c WHERE ${byGroup}(c.kind = 'user' AND c.\`value\` = $1)))) ` +
          `ORDER BY createdAt, id LIMIT ${TASK_PAGE}`,
        bind,
      );
      return rows.map(taskListRow);
    }
    return this.openTasksFor(username, groups, filter, async (options) => ((await TaskModel.findAll({ ...options, attributes: [...TASK_LIST_COLUMNS], raw: true })) as unknown as RawRow[]).map(taskListRow));
  }

  private async openTasksFor<R extends { id: number; state: string; assignee: string | null; createdAt: Date }>(
    username: string,
    groups: string[],
    filter: { instanceId?: string; businessKey?: string },
    find: (options: FindOptions<TaskModel>) => Promise<R[]>,
  ): Promise<R[]> {
    // two ordered, limited reads merged (issue 13 item 6): the caller's own tasks and the unassigned ones offered
    // to them, each walked in (createdAt, id) order through tasks (state, assignee, createdAt, id) — nothing
    // sorted, each read stops at the page's end; the candidate rule is a probe of task_candidates' primary key per
    // walked task (a scalar sub-select: MariaDB turns an EXISTS into a semi-join that first materialises every
    // candidate row of the caller's groups, 40 ms at 100,000). The two sets are disjoint (assignee = user / IS NULL).
    //
    // A caller offered few tasks (task_candidates holds open tasks only: FEW or fewer rows for the caller's keys,
    // counted through the (kind, value) index and no further) has those tasks read by primary key instead and
    // sorted here: walking every unassigned task for a few matches would cost as much as the open tasks are many
    // (1 s on MariaDB at 100,000); given the state and assignee too, SQLite would walk them anyway. A list narrowed
    // to an instance or a business key is one statement through that index.
    const sequelize = TaskModel.sequelize!;
    const byGroup = groups.length ? `(c.kind = 'group' AND c.\`value\` IN (${groups.map((g) => sequelize.escape(g)).join(', ')})) OR ` : '';
    const keys = `(${byGroup}(c.kind = 'user' AND c.\`value\` = ${sequelize.escape(username)}))`;
    const narrow: Record<string, unknown> = {};
    if (filter.instanceId) narrow.instanceId = filter.instanceId;
    if (filter.businessKey) narrow.businessKey = filter.businessKey;
    const order: Order = [['createdAt', 'ASC'], ['id', 'ASC']];
    const offeredIds = sequelize.literal(`(SELECT c.taskId FROM task_candidates c WHERE ${keys})`);
    if (filter.instanceId || filter.businessKey) {
      // narrowed to an instance or a business key: their few tasks through that index, in one statement
      return find({ where: { state: 'open', ...narrow, [Op.or]: [{ assignee: username }, { assignee: null, id: { [Op.in]: offeredIds } }] }, order, limit: TASK_PAGE });
    }
    const own = await find({ where: { state: 'open', assignee: username }, order, limit: TASK_PAGE });
    const [{ n }] = await sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM task_candidates c WHERE ${keys} LIMIT ${FEW + 1}) x`, { type: QueryTypes.SELECT });
    let offered: R[];
    if (Number(n) > FEW) {
      const probe = sequelize.literal(`(SELECT 1 FROM task_candidates c WHERE c.taskId = \`TaskModel\`.\`id\` AND ${keys} LIMIT 1) = 1`);
      offered = await find({ where: { state: 'open', assignee: null, [Op.and]: [probe] }, order, limit: TASK_PAGE });
    } else {
      offered = Number(n) ? await find({ where: { id: { [Op.in]: offeredIds } } }) : [];
      offered = offered.filter((r) => r.state === 'open' && r.assignee === null).sort(byCreation);
    }
    return mergeByCreation(own, offered).slice(0, TASK_PAGE);
  }

  /**
   * Where the user holds or held a task (第5条: reviewers see what they review): assignee, owner or
   * completer of any task, or a candidate of an open unassigned one. One query, bound parameters.
   */
  async heldTaskScopes(username: string, groups: string[], only?: { projectIds?: number[]; instanceIds?: string[] }): Promise<{ projectIds: Set<number>; instanceIds: Set<string> }> {
    const bind: Record<string, unknown> = { u: username };
    // narrowed to some projects and instances (a single read, a page of a list): an indexed read of their tasks,
    // not every task the caller may take (100,000 rows for a bureau offered every task)
    let narrow = '';
    if (only) {
      const projectIds = [...new Set(only.projectIds ?? [])].map(Number).filter(Number.isSafeInteger);
      const instanceIds = [...new Set(only.instanceIds ?? [])];
      if (!projectIds.length && !instanceIds.length) return { projectIds: new Set(), instanceIds: new Set() };
      const terms: string[] = [];
      if (projectIds.length) terms.push(`t.projectId IN (${projectIds.join(', ')})`);
      if (instanceIds.length) terms.push(`t.instanceId IN (${instanceIds.map((id, n) => ((bind[`i${n}`] = id), `$i${n}`)).join(', ')})`);
      narrow = ` AND (${terms.join(' OR ')})`;
    }
    const list = (groups.length ? groups : ['\u0000']).map((g, n) => ((bind[`g${n}`] = g), `$g${n}`)).join(', ');
    const rows = await TaskModel.sequelize!.query<{ projectId: number | null; instanceId: string }>(
      `SELECT DISTINCT t.projectId, t.instanceId FROM tasks t WHERE (t.assignee = $u OR t.completedBy = $u OR t.owner = $u)${narrow}
       UNION
       SELECT DISTINCT t.projectId, t.instanceId FROM tasks t JOIN task_candidates c ON c.taskId = t.id
       WHERE t.state = 'open' AND t.assignee IS NULL AND ((c.kind = 'group' AND c.value IN (${list})) OR (c.kind = 'user' AND c.value = $u))${narrow}`,
      { type: QueryTypes.SELECT, bind },
    );
    return {
      projectIds: new Set(rows.filter((r) => r.projectId !== null).map((r) => Number(r.projectId))),
      instanceIds: new Set(rows.map((r) => r.instanceId)),
    };
  }

  /** The completed tasks of a project, in the order they were completed: who decided what, and when. */
  completedTasksOfProject(projectId: number) {
    return TaskModel.findAll({ where: { projectId, state: 'completed' }, order: [['completedAt', 'ASC'], ['id', 'ASC']] });
  }

  /** The tasks a user completed (已办), newest first. */
  tasksCompletedBy(username: string, limit = 1000) {
    return TaskModel.findAll({ where: { completedBy: username, state: 'completed' }, order: [['completedAt', 'DESC'], ['id', 'DESC']], limit });
  }

  /** The root instances a user started (我发起的), newest first. */
  instancesStartedBy(username: string, limit = 1000) {
    return ProcessInstanceModel.findAll({ where: { startedBy: username, parentInstanceId: null }, order: [['startedAt', 'DESC']], limit });
  }

  /** The open tasks of some instances, oldest first. */
  openTasksOfInstances(instanceIds: string[]) {
    if (!instanceIds.length) return Promise.resolve([] as TaskModel[]);
    return TaskModel.findAll({ where: { instanceId: { [Op.in]: instanceIds }, state: 'open' }, order: [['createdAt', 'ASC'], ['id', 'ASC']] });
  }

  /** Open tasks with a due date, of every instance with that business key. */
  openTasksWithDue(businessKey: string) {
    return TaskModel.findAll({ where: { businessKey, state: 'open', dueAt: { [Op.ne]: null } }, order: [['dueAt', 'ASC']] });
  }

  // ---- jobs (timers, retries, call activities)
  jobsOf(instanceId: string, type: JobModel['type'], t?: Transaction) {
    return JobModel.findAll({ where: { instanceId, type }, order: [['dueAt', 'ASC'], ['id', 'ASC']], transaction: t });
  }

  /** every job of an instance (timers, retries, call starts, …) in one read: a unit of work's save sorts them */
  allJobsOf(instanceId: string, t: Transaction) {
    return JobModel.findAll({ where: { instanceId }, order: [['dueAt', 'ASC'], ['id', 'ASC']], transaction: t });
  }

  createJob(values: CreationAttributes<JobModel>, t: Transaction) {
    return JobModel.create(values, { transaction: t });
  }

  findJob(id: number, t?: Transaction) {
    return JobModel.findByPk(id, { transaction: t });
  }

  retryJobFor(instanceId: string, executionId: string, t: Transaction) {
    return JobModel.findOne({ where: { instanceId, executionId, type: 'retry' }, transaction: t });
  }

  async deleteJobs(where: { instanceId: string; type?: JobModel['type'][]; executionId?: string }, t: Transaction) {
    const w: Record<string, unknown> = { instanceId: where.instanceId };
    if (where.type) w.type = { [Op.in]: where.type };
    if (where.executionId) w.executionId = where.executionId;
    await JobModel.destroy({ where: w, transaction: t });
  }

  /**
   * Claims up to `limit` due, unleased jobs in one statement (issue 13 item 7) under the claim's own token
   * (`lockedBy`), and reads them back by it: of several app processes each gets its own share of a burst, none
   * the same job. The statement's text never changes (one prepared statement on MySQL, every value bound).
   */
  async claimDueJobs(token: string, clockNow: Date, wallNow: Date, leaseMs: number, limit = CLAIM_PER_LANE): Promise<JobModel[]> {
    const batch = Math.max(1, Math.floor(limit));
    const sequelize = JobModel.sequelize!;
    const due = 'dueAt <= $3 AND (lockedUntil IS NULL OR lockedUntil < $4)';
    const sql =
      sequelize.getDialect() === 'sqlite'
        ? `UPDATE jobs SET lockedBy = $1, lockedUntil = $2 WHERE id IN (SELECT id FROM jobs WHERE ${due} ORDER BY dueAt, id LIMIT ${batch})`
        : `UPDATE jobs SET lockedBy = $1, lockedUntil = $2 WHERE ${due} ORDER BY dueAt, id LIMIT ${batch}`;
    const n = await retryConflicts(() => executeBound(sequelize, sql, [token, dateParam(sequelize, new Date(wallNow.getTime() + leaseMs)), dateParam(sequelize, clockNow), dateParam(sequelize, wallNow)]));
    if (!n) return [];
    return JobModel.findAll({ where: { lockedBy: token }, order: [['dueAt', 'ASC'], ['id', 'ASC']] });
  }

  /** Deletes a job this claim still holds (one conditional statement): false when its lease went to another claim or it is gone. */
  async consumeJob(id: number, lockedBy: string, t: Transaction): Promise<boolean> {
    return (await executeBound(JobModel.sequelize!, 'DELETE FROM jobs WHERE id = $1 AND lockedBy = $2', [id, lockedBy], t)) === 1;
  }

  /**
   * A batch of claimed timers consumed at once (RuntimeService.fireTimers): their instances locked in id order
   * (MySQL; a SQLite transaction holds the whole database) — the order a unit of work takes, instance before its
   * jobs — then their job rows deleted by one statement while this claim still holds every one of them. false
   * when one went to another claim or is gone: the caller rolls the transaction back.
   */
  async consumeClaimedJobs(instanceIds: string[], jobIds: number[], lockedBy: string, t: Transaction): Promise<boolean> {
    const sequelize = JobModel.sequelize!;
    const marks = (count: number, from: number) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
    if (sequelize.getDialect() !== 'sqlite') {
      const ids = [...new Set(instanceIds)].sort();
      await sequelize.query(`SELECT id FROM process_instances WHERE id IN (${marks(ids.length, 1)}) ORDER BY id FOR UPDATE`, { type: QueryTypes.SELECT, bind: ids, transaction: t });
    }
    const deleted = await executeBound(sequelize, `DELETE FROM jobs WHERE lockedBy = $1 AND id IN (${marks(jobIds.length, 2)})`, [lockedBy, ...jobIds], t);
    return deleted === jobIds.length;
  }

  /** Claims a job with a lease: an atomic conditional update, so of several app processes exactly one wins. */
  async claimJob(id: number, owner: string, clockNow: Date, wallNow: Date, leaseMs: number): Promise<boolean> {
    // one statement text, every value bound (issue 11: a text per call exhausted MariaDB's prepared statements)
    const sequelize = JobModel.sequelize!;
    const n = await retryConflicts(() =>
      executeBound(
        sequelize,
        'UPDATE jobs SET lockedBy = $1, lockedUntil = $2 WHERE id = $3 AND dueAt <= $4 AND (lockedUntil IS NULL OR lockedUntil < $5)',
        [owner, dateParam(sequelize, new Date(wallNow.getTime() + leaseMs)), id, dateParam(sequelize, clockNow), dateParam(sequelize, wallNow)],
      ),
    );
    return n === 1;
  }

  /**
   * Releases a job (after a failure, with back-off). Given the claim that held it (`owner`), only while that claim
   * still does: a lease that ran out and went to another claim (another process) keeps the other claim's lease.
   * Answers whether the job was released.
   */
  async releaseJob(id: number, values: { lockedUntil: Date | null; lastError?: string; attempts?: number; dueAt?: Date }, owner?: string | null): Promise<boolean> {
    const where = owner === undefined ? { id } : { id, lockedBy: owner };
    const [n] = await retryConflicts(() => JobModel.update({ lockedBy: null, ...values }, { where }));
    return n === 1;
  }

  /** The execution ids of the user tasks of an instance that are no longer open (completed, canceled). */
  async closedTaskExecutions(instanceId: string, t: Transaction): Promise<Set<string>> {
    const rows = await TaskModel.findAll({ attributes: ['executionId'], where: { instanceId, state: { [Op.ne]: 'open' } }, transaction: t });
    return new Set(rows.map((r) => r.executionId));
  }

  /** The newest deployed version of a process key (null when none). */
  async latestVersionOf(key: string): Promise<number | null> {
    const v = (await ProcessDefinitionModel.max('version', { where: { key } })) as number | null;
    return v ?? null;
  }

  /** The unended instances (running or with an incident) of one definition version, oldest first. */
  instancesOfDefinition(definitionId: number) {
    return ProcessInstanceModel.findAll({ where: { definitionId, state: { [Op.in]: ['running', 'incident'] } }, order: [['startedAt', 'ASC'], ['id', 'ASC']] });
  }

  /**
   * After an instance migration renamed elements: the open tasks, jobs and subscriptions of the listed
   * executions take their new element id (and a task its new name, form and properties).
   */
  async relabelExecutions(
    instanceId: string,
    moves: { executionId: string; activityId: string; task?: { name: string | null; formId: string | null; formDefinitionId: number | null; properties: Record<string, string> } }[],
    t: Transaction,
  ) {
    for (const m of moves) {
      const where = { instanceId, executionId: m.executionId };
      await JobModel.update({ activityId: m.activityId }, { where, transaction: t });
      await MessageSubscriptionModel.update({ activityId: m.activityId }, { where, transaction: t });
      await TaskModel.update({ activityId: m.activityId, ...(m.task ?? {}) }, { where: { ...where, state: 'open' }, transaction: t });
    }
  }

  // ---- message subscriptions
  /**
   * What an instance's save compares with the run's waits, in one statement: its message and signal
   * subscriptions and its called instances that have not ended (ids and keys only).
   */
  async waitRowsOf(instanceId: string, t: Transaction) {
    const rows = await selectRows<{ kind: 'm' | 's' | 'c'; id: string | number; executionId: string | null; name: string | null }>(
      ProcessInstanceModel.sequelize!,
      "SELECT 'm' AS kind, id, executionId, messageName AS name FROM message_subscriptions WHERE instanceId = $1 " +
        "UNION ALL SELECT 's' AS kind, id, executionId, signalName AS name FROM signal_subscriptions WHERE instanceId = $1 " +
        "UNION ALL SELECT 'c' AS kind, id, parentExecutionId AS executionId, NULL AS name FROM process_instances WHERE parentInstanceId = $1 AND state NOT IN ('completed', 'terminated')",
      [instanceId],
      t,
    );
    const of = (kind: 'm' | 's') => rows.filter((r) => r.kind === kind).map((r) => ({ id: Number(r.id), executionId: r.executionId ?? '', name: r.name ?? '' }));
    return {
      messages: of('m'),
      signals: of('s'),
      children: rows.filter((r) => r.kind === 'c').map((r) => ({ id: String(r.id), parentExecutionId: r.executionId })),
    };
  }

  subscriptionsOf(instanceId: string, t: Transaction) {
    return MessageSubscriptionModel.findAll({ where: { instanceId }, transaction: t });
  }

  createSubscription(values: CreationAttributes<MessageSubscriptionModel>, t: Transaction) {
    return MessageSubscriptionModel.create(values, { transaction: t });
  }

  async deleteSubscriptions(ids: number[], t: Transaction) {
    if (ids.length) await MessageSubscriptionModel.destroy({ where: { id: { [Op.in]: ids } }, transaction: t });
  }

  // ---- signal subscriptions (migration 018)
  signalSubscriptionsOf(instanceId: string, t: Transaction) {
    return SignalSubscriptionModel.findAll({ where: { instanceId }, transaction: t });
  }

  createSignalSubscription(values: CreationAttributes<SignalSubscriptionModel>, t: Transaction) {
    return SignalSubscriptionModel.create(values, { transaction: t });
  }

  async deleteSignalSubscriptions(ids: number[], t: Transaction) {
    if (ids.length) await SignalSubscriptionModel.destroy({ where: { id: { [Op.in]: ids } }, transaction: t });
  }

  /** Every subscription to a signal at this moment (a broadcast's snapshot), oldest first. */
  findSignalSubscriptions(signalName: string) {
    return SignalSubscriptionModel.findAll({ where: { signalName }, order: [['id', 'ASC']] });
  }

  /**
   * Consumes the given subscription rows of one instance (the caller holds the instance's row lock):
   * the rows still there are deleted and returned — a row another node consumed first is not.
   */
  async consumeSignalSubscriptions(instanceId: string, ids: number[], t: Transaction) {
    if (!ids.length) return [];
    const rows = await SignalSubscriptionModel.findAll({ where: { instanceId, id: { [Op.in]: ids } }, transaction: t });
    await this.deleteSignalSubscriptions(rows.map((r) => r.id), t);
    return rows;
  }

  /** Subscriptions of the instances with this business key at this activity (e.g. AwaitAnnualPlan). */
  waitingAt(businessKey: string, activityId: string) {
    return MessageSubscriptionModel.findAll({ where: { businessKey, activityId } });
  }

  findSubscriptions(messageName: string, businessKey?: string | null) {
    const where: Record<string, unknown> = { messageName };
    if (businessKey) where.businessKey = businessKey;
    return MessageSubscriptionModel.findAll({ where, order: [['id', 'ASC']] });
  }

  // ---- history: append-only and hash-chained (src/persistence/audit-chain.ts), appended at the commit
  startActivity(values: Omit<ChainedHistoryContent, 'closesId'>, t: Transaction) {
    appendHistory(historyContent(values), t);
  }

  /**
   * Ends the open execution of an activity: a closing row naming its start row (the start row is never updated).
   * The start row may be one this transaction appends at its commit.
   */
  async endActivity(instanceId: string, executionId: string, values: { endedAt: Date; outcome: string | null; actor: string | null }, t: Transaction): Promise<boolean> {
    const pending = pendingHistoryOf(t, instanceId, executionId);
    const closedPending = new Set(pending.map((p) => p.closes).filter((p) => p !== null));
    const closedIds = new Set(pending.map((p) => p.content.closesId).filter((id) => id !== null));
    const openPending = pending.filter((p) => !p.closes && p.content.closesId === null && p.content.endedAt === null && !closedPending.has(p)).pop();
    let open: Omit<ChainedHistoryContent, 'closesId'> & { id: number | null } | null = openPending ? { ...openPending.content, id: null } : null;
    if (!open) {
      // one bound statement with a fixed text, plain rows (no model instances): a fired timer's hot path
      const rows = await selectRows<ExecutionHistoryRow>(
        ActivityHistoryModel.sequelize!,
        'SELECT id, activityId, activityName, activityType, startedAt, endedAt, actor, outcome, closesId FROM activity_history WHERE instanceId = $1 AND executionId = $2 ORDER BY id',
        [instanceId, executionId],
        t,
      );
      const closed = new Set([...rows.filter((r) => r.closesId !== null).map((r) => Number(r.closesId)), ...closedIds]);
      const row = rows.filter((r) => r.closesId === null && r.endedAt === null && !closed.has(Number(r.id))).pop();
      open = row
        ? { ...historyContent({ instanceId, executionId, activityId: row.activityId, activityName: row.activityName, activityType: row.activityType, startedAt: new Date(isoOf(row.startedAt)!), endedAt: null, actor: row.actor, outcome: row.outcome }), id: Number(row.id) }
        : null;
    }
    if (!open) return false;
    const closing = historyContent({ ...open, endedAt: values.endedAt, actor: values.actor ?? open.actor, outcome: values.outcome });
    appendHistory({ ...closing, closesId: open.id }, t, openPending ?? null);
    return true;
  }

  /** An instance's history, one entry per activity execution: each start row with its closing row merged in. */
  async activityHistory(instanceId: string): Promise<HistoryEntry[]> {
    const rows = await ActivityHistoryModel.findAll({ where: { instanceId }, order: [['id', 'ASC']] });
    const ends = new Map(rows.filter((r) => r.closesId !== null).map((r) => [Number(r.closesId), r]));
    return rows
      .filter((r) => r.closesId === null)
      .map((r) => {
        const end = ends.get(r.id);
        return {
          id: r.id,
          instanceId: r.instanceId,
          executionId: r.executionId,
          activityId: r.activityId,
          activityName: r.activityName,
          activityType: r.activityType,
          startedAt: r.startedAt,
          endedAt: end ? end.endedAt : r.endedAt,
          actor: end ? end.actor : r.actor,
          outcome: end ? end.outcome : r.outcome,
        };
      })
      .sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime() || a.id - b.id);
  }

  /** Walks both chains (GET /api/audit/verify). */
  verifyTrail() {
    return verifyTrail(ActivityHistoryModel.sequelize!);
  }

  /** Appends to the operation log (append-only, hash-chained: src/persistence/audit-chain.ts). */
  log(values: { instanceId: string | null; taskId?: number | null; operation: string; actor: string | null; at: Date; data?: Record<string, unknown> | null }, t: Transaction) {
    return appendOperation(values, t);
  }

  operations(instanceId: string) {
    return OperationLogModel.findAll({ where: { instanceId }, order: [['id', 'ASC']] });
  }

  /** The operation log rows of some kinds on one instance, oldest first (the approval operations' trail). */
  operationsOf(instanceId: string, operations: string[]) {
    return OperationLogModel.findAll({ where: { instanceId, operation: { [Op.in]: operations } }, order: [['id', 'ASC']] });
  }

  /** The newest operation of a kind on a task (催办: at most once an hour). */
  lastOperation(taskId: number, operation: string, t?: Transaction) {
    return OperationLogModel.findOne({ where: { taskId, operation }, order: [['id', 'DESC']], transaction: t });
  }

  // ---- 加签 (migration 014)
  async signersOf(taskId: number, t?: Transaction) {
    return modelsOf(TaskSignerModel, await selectRows(TaskSignerModel.sequelize!, `SELECT ${columnsOf(TaskSignerModel)} FROM task_signers WHERE taskId = $1 ORDER BY id`, [taskId], t));
  }

  signersOfTasks(taskIds: number[]) {
    if (!taskIds.length) return Promise.resolve([] as TaskSignerModel[]);
    return TaskSignerModel.findAll({ where: { taskId: { [Op.in]: taskIds } }, order: [['id', 'ASC']] });
  }

  addSigner(values: CreationAttributes<TaskSignerModel>, t: Transaction) {
    return TaskSignerModel.create(values, { transaction: t });
  }

  /** The signatures a user still owes (their 待办 besides their tasks). */
  unsignedFor(username: string) {
    return TaskSignerModel.findAll({ where: { username, signedAt: null }, order: [['id', 'ASC']] });
  }

  tasksByIds(ids: number[]) {
    if (!ids.length) return Promise.resolve([] as TaskModel[]);
    return TaskModel.findAll({ where: { id: { [Op.in]: ids } } });
  }

  // ---- incidents
  createIncident(values: CreationAttributes<IncidentModel>, t: Transaction) {
    return IncidentModel.create(values, { transaction: t });
  }

  openIncidents(instanceId: string, t?: Transaction) {
    return IncidentModel.findAll({ where: { instanceId, resolvedAt: null }, order: [['id', 'ASC']], transaction: t });
  }

  allOpenIncidents() {
    return IncidentModel.findAll({ where: { resolvedAt: null }, order: [['id', 'ASC']], limit: 1000 });
  }

  findIncident(id: number, t?: Transaction) {
    return IncidentModel.findByPk(id, { transaction: t });
  }

  // ---- handler side effects, outbox
  findEffect(instanceId: string, executionId: string, key: string, t: Transaction) {
    return EffectModel.findOne({ where: { instanceId, executionId, key }, transaction: t });
  }

  createEffect(values: { instanceId: string; executionId: string; key: string; result: unknown; createdAt: Date }, t: Transaction) {
    return EffectModel.create(values, { transaction: t });
  }

  /** Queues a message once: a second call with the same key changes nothing. */
  async enqueue(values: { dedupeKey: string; channel: 'inbox' | 'email'; payload: Record<string, unknown>; createdAt: Date }, t: Transaction) {
    // INSERT OR IGNORE / INSERT IGNORE on the unique dedupeKey: one statement, no read before it
    await insertModels(OutboxModel, [{ ...values, sentAt: null, lockedUntil: null, lastError: null }], t, { ignore: true });
  }
}
