import type { Sequelize, Transaction } from 'sequelize';
import type { WorkingCalendar } from '../domain/calendar';
import { conflict, forbidden, notFound, unprocessable, type RuleDetail } from '../domain/errors';
import { RULES, ruleDetail, type RuleId } from '../domain/rules';
import { evaluateFeelCondition } from '../engine/feel';
import { formFieldPaths, formProblems, unknownFieldProblems } from '../domain/form-validation';
import { protectedVariableProblems } from '../domain/protected-variables';
import { namesReadBy, storedVariables, userTaskMappings } from '../engine/task-completion';
import { isAdmin, type User } from '../domain/organisation';
import { variableProblems } from '../domain/variables';
import type { RuntimeRepository, TaskListRow, TaskModel } from '../persistence/repositories/runtime.repository';
import { inTransaction } from '../persistence/transaction';
import type { Clock } from './clock.service';
import type { DefinitionService } from './definition.service';
import type { CalendarSource, InstanceState, RuntimeService } from './runtime.service';
import type { VisibilityService } from './visibility.service';

export interface TaskView {
  id: number;
  name: string | null;
  activityId: string;
  processInstanceId: string;
  definitionKey: string;
  businessKey: string | null;
  projectId: number | null;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  createdAt: string;
  dueAt: string | null;
  followUpAt: string | null;
  /** the due date was counted on weekends only for a year without calendar data; it is recomputed when the year is entered */
  provisional: boolean;
  formId: string | null;
  state: string;
  /** 委派: the task's owner while (or after) a delegate works on it */
  owner: string | null;
  delegationState: 'pending' | 'resolved' | null;
  /** who completed it (撤回 is theirs) */
  completedBy: string | null;
}

/** a task as the API shows it (a model, or a task list row: the columns it reads are TASK_LIST_COLUMNS) */
export const taskView = (t: TaskListRow): TaskView => ({
  id: t.id,
  name: t.name,
  activityId: t.activityId,
  processInstanceId: t.instanceId,
  definitionKey: t.definitionKey,
  businessKey: t.businessKey,
  projectId: t.projectId,
  assignee: t.assignee,
  candidateGroups: t.candidateGroups ?? [],
  candidateUsers: t.candidateUsers ?? [],
  createdAt: t.createdAt.toISOString(),
  dueAt: t.dueAt ? t.dueAt.toISOString() : null,
  followUpAt: t.followUpAt ? t.followUpAt.toISOString() : null,
  provisional: !!t.provisional,
  formId: t.formId,
  state: t.state,
  owner: t.owner ?? null,
  delegationState: t.delegationState ?? null,
  completedBy: t.completedBy ?? null,
});

/**
 * Completion rules a diagram puts on a user task as zeebe:properties — `rule:<R-id>` = FEEL that must
 * be true over the process variables with the submitted ones, `message:<R-id>` = what the user is
 * told. Data in the diagram, not code: an administrator changes the threshold by deploying.
 */
export function completionRuleProblems(properties: Record<string, string>, context: Record<string, unknown>, now: Date, calendar: WorkingCalendar): RuleDetail[] {
  const problems: RuleDetail[] = [];
  for (const [name, expression] of Object.entries(properties)) {
    if (!name.startsWith('rule:')) continue;
    const rule = name.slice(5);
    const text = properties[`message:${rule}`] ?? `规则 ${rule} 未满足`;
    let ok: boolean;
    try {
      ok = evaluateFeelCondition(expression, context, { now, calendar });
    } catch (err) {
      ok = false;
      problems.push({ rule, message: `规则 ${rule} 无法判断：${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    if (!ok) problems.push(rule in RULES ? ruleDetail(rule as RuleId, text) : { rule, message: text });
  }
  return problems;
}

const isCandidate = (t: TaskModel, u: User) => (t.candidateUsers ?? []).includes(u.username) || (t.candidateGroups ?? []).some((g) => u.groups.includes(g));

/** Who may act on an open task: its assignee; when unassigned, any candidate user or member of a candidate group. */
export function mayAct(t: TaskModel, u: User): boolean {
  return t.assignee ? t.assignee === u.username : isCandidate(t, u);
}

/** The task list, claim/unclaim, and completion (checked against the task's form, then merged through its output mapping). */
export class TaskService {
  constructor(
    private readonly d: {
      sequelize: Sequelize;
      repo: RuntimeRepository;
      runtime: Pick<RuntimeService, 'act'>;
      definitions: Pick<DefinitionService, 'form' | 'compiled'>;
      clock: Pick<Clock, 'now'>;
      calendar: Pick<CalendarSource, 'current'>;
      visibility: Pick<VisibilityService, 'assertInstance' | 'instanceFilter'>;
      users: { findUsersByUsername(usernames: string[]): Promise<User[]> };
      /** the approval operations: the steps a task may be returned to, its 加签 signers */
      operations?: {
        returnableSteps(task: TaskModel): Promise<{ activityId: string; name: string }[]>;
        signers(taskId: number): Promise<{ username: string; name: string; opinion: string; signed: boolean }[]>;
      };
      /** the project's uploaded documents, for completion rules that read `projectDocuments` (第14条 payment evidence) */
      documents?: { documents(projectId: number, t?: Transaction): Promise<{ id: number; materialType: string; uploadedAt: Date }[]> };
    },
  ) {}

  /**
   * The administrators' queue (issue 12 item 14): open tasks without an assignee — those nobody is a
   * candidate for first (a diagram may leave a task to be assigned, as Zeebe allows) — of instances
   * the administrator may see (第5条).
   */
  async listUnassigned(user: User, filter: { processInstanceId?: string; businessKey?: string }): Promise<TaskView[]> {
    if (!isAdmin(user)) throw forbidden('仅系统管理员可查看未分配任务');
    const rows = await this.d.repo.unassignedTasks({ instanceId: filter.processInstanceId, businessKey: filter.businessKey });
    const instances = await this.d.repo.instancesByIds([...new Set(rows.map((r) => r.instanceId))]);
    const visible = await this.d.visibility.instanceFilter(user, instances);
    const seen = new Set(instances.filter(visible).map((i) => i.id));
    const nobody = (t: TaskModel) => !(t.candidateGroups ?? []).length && !(t.candidateUsers ?? []).length;
    return rows
      .filter((r) => seen.has(r.instanceId))
      .sort((a, b) => Number(nobody(b)) - Number(nobody(a)))
      .map(taskView);
  }

  /** An administrator assigns an open task to an active user (who is notified); 409 when it is not open. */
  async assign(id: number, admin: User, assignee: string): Promise<TaskView> {
    if (!isAdmin(admin)) throw forbidden('仅系统管理员可分配任务');
    const [target] = await this.d.users.findUsersByUsername([assignee]);
    if (!target || !target.active) {
      throw unprocessable(`用户 ${assignee} 不存在或已停用`, [{ field: 'assignee', message: `用户 ${assignee} 不存在或已停用` }], 'unknown-user');
    }
    const task = await this.d.repo.findTask(id);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    const inst = await this.d.repo.findInstance(task.instanceId);
    if (!inst) throw notFound(`任务 ${id} 不存在`);
    await this.d.visibility.assertInstance(admin, inst);
    return inTransaction(this.d.sequelize, async (t) => {
      const fresh = await this.openTask(id, t);
      if (fresh.assignee === assignee) return taskView(fresh);
      const previous = fresh.assignee;
      const now = this.d.clock.now();
      await fresh.update({ assignee, revision: fresh.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: fresh.id, operation: 'assign', actor: admin.username, at: now, data: { assignee, previous } }, t);
      await this.d.repo.enqueue(
        {
          dedupeKey: `task:${fresh.id}:assign:${fresh.revision}`,
          channel: 'inbox',
          payload: { to: [assignee], kind: 'task', title: `新待办：${fresh.name ?? fresh.activityId}`, body: `${fresh.businessKey ? `项目 ${fresh.businessKey}：` : ''}${fresh.name ?? fresh.activityId}（由 ${admin.displayName} 分配）`, instanceId: fresh.instanceId, taskId: fresh.id },
          createdAt: now,
        },
        t,
      );
      return taskView(fresh);
    });
  }

  async list(user: User, filter: { processInstanceId?: string; businessKey?: string }): Promise<TaskView[]> {
    const rows = await this.d.repo.taskListFor(user.username, user.groups, { instanceId: filter.processInstanceId, businessKey: filter.businessKey });
    return rows.map(taskView);
  }

  async openDeadlines(businessKey: string) {
    // the rule a deadline enforces is the task's zeebe:property `deadline` (e.g. R13.1): data in the diagram
    return (await this.d.repo.openTasksWithDue(businessKey)).map((t) => ({ activityId: t.activityId, name: t.name, dueAt: t.dueAt!, rule: t.properties?.deadline ?? null, provisional: !!t.provisional }));
  }

  async get(id: number, user: User) {
    const task = await this.d.repo.findTask(id);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    // its holders (and its 加签 signers) see a task; anyone else only when they may see its instance (第5条)
    const signers = this.d.operations ? await this.d.operations.signers(id) : [];
    const holds = mayAct(task, user) || isCandidate(task, user) || task.completedBy === user.username || task.owner === user.username || signers.some((s) => s.username === user.username);
    if (!holds) {
      const inst = await this.d.repo.findInstance(task.instanceId);
      if (!inst) throw notFound(`任务 ${id} 不存在`);
      await this.d.visibility.assertInstance(user, inst);
    }
    // a holder opened it: the step is no longer untouched, the step before can no longer be withdrawn (撤回)
    if (task.state === 'open' && !task.openedAt && mayAct(task, user)) {
      // in a transaction of ours: SQLite's writers take their turn through the in-process queue
      await inTransaction(this.d.sequelize, (t) => task.update({ openedAt: this.d.clock.now() }, { transaction: t }));
    }
    const form = await this.d.definitions.form(task.formDefinitionId);
    const returnableSteps = task.state === 'open' && this.d.operations ? await this.d.operations.returnableSteps(task) : [];
    return { ...taskView(task), form: form?.schema ?? null, variables: task.input ?? {}, returnableSteps, signers };
  }

  async claim(id: number, user: User): Promise<TaskView> {
    return inTransaction(this.d.sequelize, async (t) => {
      const task = await this.openTask(id, t);
      if (task.assignee && task.assignee !== user.username) throw conflict(`任务已由 ${task.assignee} 签收`, 'task-claimed');
      if (!task.assignee && !isCandidate(task, user)) throw forbidden('您不是此任务的候选办理人');
      if (task.assignee === user.username) return taskView(task);
      await task.update({ assignee: user.username, revision: task.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: task.instanceId, taskId: task.id, operation: 'claim', actor: user.username, at: this.d.clock.now() }, t);
      return taskView(task);
    });
  }

  async unclaim(id: number, user: User): Promise<TaskView> {
    return inTransaction(this.d.sequelize, async (t) => {
      const task = await this.openTask(id, t);
      if (task.assignee !== user.username) throw forbidden('只有签收人可以退签');
      await task.update({ assignee: null, revision: task.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: task.instanceId, taskId: task.id, operation: 'unclaim', actor: user.username, at: this.d.clock.now() }, t);
      return taskView(task);
    });
  }

  /**
   * Completes a task. A completion sets only what the task declares: the fields of its form (without a
   * form: the names its output mappings and, multi-instance, its outputElement read) — anything else is 422 naming the field. The values are
   * checked against the form (422 per field), then, with the instance locked, what will be stored
   * (through the task's output mappings) is computed: protected variables (ids, stage, flags, amounts
   * decided by another role) are refused, and the completion rules judge exactly what will be stored.
   * Two completions at once: the instance row lock serialises them, the second gets 409.
   */
  async complete(id: number, user: User, variables: unknown): Promise<{ processInstance: InstanceState } | { delegation: 'resolved'; task: TaskView }> {
    // the task with its instance in one read: the checks need the task, the run made ahead the instance
    const found = await this.d.repo.taskAndInstance(id);
    const task = found?.task;
    if (!task) throw notFound(`任务 ${id} 不存在`);
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    if (!mayAct(task, user)) throw forbidden('此任务不由您办理');
    const vars = (variables ?? {}) as Record<string, unknown>;
    const problems = variableProblems(vars);
    if (problems.length) throw unprocessable('提交的变量不合法', problems);
    const inst = found.instance;
    if (!inst) throw notFound(`任务 ${id} 不存在`);
    const ref = await this.d.definitions.compiled(inst.definitionId);
    const mappings = await userTaskMappings(ref, task.activityId);
    const form = await this.d.definitions.form(task.formDefinitionId);
    const allowed = form
      ? formFieldPaths(form.schema as never)
      : [...new Set([...namesReadBy(mappings.outputs), ...mappings.loopReads])].map((n) => [n]);
    const unknown = unknownFieldProblems(allowed, vars);
    if (unknown.length) throw unprocessable(`提交了此任务不能填写的字段：${unknown.map((u) => u.field).join('、')}`, unknown, 'field-not-allowed');
    const formIssues = formProblems(form?.schema as never, vars);
    if (formIssues.length) throw unprocessable('表单填写不完整或有误', formIssues, 'form-invalid');
    if (task.delegationState === 'pending') return this.resolve(id, user, vars);

    const state = await this.d.runtime.act(
      task.instanceId,
      { kind: 'complete-task', executionId: task.executionId, variables: vars },
      {
        actor: user.username,
        operation: 'complete',
        data: { taskId: task.id, activityId: task.activityId },
        runsAhead: { activityId: task.activityId, instance: inst },
        before: async (locked, t) => {
          const found = await this.d.repo.taskWithUnsigned(id, t);
          const fresh = found?.task;
          if (!fresh || fresh.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
          if (!mayAct(fresh, user)) throw forbidden('此任务不由您办理');
          if (fresh.delegationState === 'pending') throw conflict('任务正在委派办理中', 'delegation-pending');
          if (found.unsigned) {
            const unsigned = (await this.d.repo.signersOf(id, t)).filter((s) => !s.signedAt);
            const names = (await this.d.users.findUsersByUsername(unsigned.map((s) => s.username))).map((u) => u.displayName);
            throw conflict(`加签人 ${names.join('、')} 尚未签署，暂不能办理完成`, 'signers-pending');
          }
          const current = locked.variables ?? {};
          let stored: Record<string, unknown>;
          try {
            stored = storedVariables(mappings.outputs, current, mappings.inputs.length ? (fresh.input ?? {}) : null, vars, { now: this.d.clock.now(), calendar: this.d.calendar.current() });
          } catch {
            stored = {}; // the engine's own output mapping makes this an incident of the task, as before
          }
          const roles = fresh.candidateGroups?.length ? fresh.candidateGroups : user.groups;
          const guarded = protectedVariableProblems(stored, roles);
          if (guarded.length) throw unprocessable(guarded.map((g) => g.message).join('；'), guarded, 'protected-variable');
          const ruleContext: Record<string, unknown> = { ...current, ...stored };
          // 第14条: a rule may read the documents uploaded to the instance's project (material types, never
          // their content) as `projectDocuments` — read only when a rule of the task names it
          const properties = fresh.properties ?? {};
          if (this.d.documents && locked.projectId && Object.entries(properties).some(([k, v]) => k.startsWith('rule:') && v.includes('projectDocuments'))) {
            ruleContext.projectDocuments = (await this.d.documents.documents(locked.projectId, t)).map((d) => ({ id: d.id, materialType: d.materialType, uploadedAt: d.uploadedAt.toISOString() }));
          }
          const broken = completionRuleProblems(properties, ruleContext, this.d.clock.now(), this.d.calendar.current());
          if (broken.length) throw unprocessable(broken.map((b) => b.message).join('；'), broken, 'rule-violation');
          await this.d.repo.endTasks(
            [fresh],
            { state: 'completed', assignee: fresh.assignee ?? user.username, completedAt: this.d.clock.now(), completedBy: user.username, result: vars },
            t,
          );
        },
      },
    );
    return { processInstance: state! };
  }

  /**
   * 委派 comes back: the delegate's completion does not complete the task — it hands it back to its
   * owner (assignee = owner, delegationState resolved), with what the delegate gave kept in the
   * operation log (their decision and opinion are shown with the task); the owner then completes it.
   */
  private async resolve(id: number, user: User, vars: Record<string, unknown>): Promise<{ delegation: 'resolved'; task: TaskView }> {
    return inTransaction(this.d.sequelize, async (t) => {
      const fresh = await this.openTask(id, t);
      if (fresh.delegationState !== 'pending' || fresh.assignee !== user.username) throw conflict('任务不在委派办理中', 'not-delegated');
      const now = this.d.clock.now();
      const owner = fresh.owner!;
      await fresh.update({ assignee: owner, delegationState: 'resolved', revision: fresh.revision + 1 }, { transaction: t });
      const opinion = typeof vars.opinion === 'string' ? vars.opinion : null;
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: fresh.id, operation: 'resolve', actor: user.username, at: now, data: { owner, opinion, decision: typeof vars.decision === 'string' ? vars.decision : null, variables: vars } }, t);
      await this.d.repo.enqueue(
        {
          dedupeKey: `task:${fresh.id}:resolve:${fresh.revision}`,
          channel: 'inbox',
          payload: { to: [owner], kind: 'task', title: `委派已办理：${fresh.name ?? fresh.activityId}`, body: `${fresh.businessKey ? `项目 ${fresh.businessKey}：` : ''}${user.displayName} 已办理完毕，请确认办理${opinion ? `（意见：${opinion}）` : ''}`, instanceId: fresh.instanceId, taskId: fresh.id },
          createdAt: now,
        },
        t,
      );
      return { delegation: 'resolved' as const, task: taskView(fresh) };
    });
  }

  private async openTask(id: number, t: Parameters<RuntimeRepository['findTask']>[1]) {
    const task = await this.d.repo.findTask(id, t);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    return task;
  }
}
