import type { Sequelize, Transaction } from 'sequelize';
import { conflict, forbidden, notFound, throttled, unprocessable } from '../domain/errors';
import { chineseDateTime } from '../domain/labels';
import { isAdmin, type User } from '../domain/organisation';
import { topLevelUserTasks } from '../engine/task-completion';
import type { ProcessInstanceModel, RuntimeRepository, TaskModel } from '../persistence/repositories/runtime.repository';
import { inTransaction } from '../persistence/transaction';
import type { Clock } from './clock.service';
import type { DefinitionService } from './definition.service';
import type { InstanceState, RuntimeService } from './runtime.service';
import { mayAct, taskView, type TaskView } from './task.service';
import type { VisibilityService } from './visibility.service';

/** 催办: at most once an hour per task */
export const URGE_INTERVAL_MS = 60 * 60 * 1000;
const MAX_OPINION = 2000;
const MAX_CC = 20;

/** An earlier step a task may be returned to (退回). */
export interface ReturnableStep {
  activityId: string;
  name: string;
}

const isCandidate = (t: TaskModel, u: User) => (t.candidateUsers ?? []).includes(u.username) || (t.candidateGroups ?? []).some((g) => u.groups.includes(g));

/**
 * The Chinese approval operations on a task (issue 8 item 3; ../shared/spec/api.md): 转办 transfer,
 * 委派 delegate, 加签 add a signer (and the signer's 签署), 退回 return to an earlier step, 撤回
 * withdraw one's own completion, 抄送 copy, 催办 urge. Each is permission-checked, written to the
 * hash-chained operation log with its actor and opinion, and notified through the outbox — all in one
 * transaction with the change it makes, so a refusal changes nothing. Returns and withdrawals move the
 * instance's token in the engine (action `move`), in the instance's own unit of work.
 */
export class TaskOperationsService {
  constructor(
    private readonly d: {
      sequelize: Sequelize;
      repo: RuntimeRepository;
      runtime: Pick<RuntimeService, 'act'>;
      definitions: Pick<DefinitionService, 'compiled'>;
      clock: Pick<Clock, 'now'>;
      visibility: Pick<VisibilityService, 'assertInstance'>;
      users: { findUsersByUsername(usernames: string[]): Promise<User[]> };
    },
  ) {}

  // ------------------------------------------------------------------ 转办 / 委派 / 加签

  /** 转办: the task now belongs to `to` (Camunda's setAssignee); the holder (or an administrator) does it. */
  async transfer(id: number, user: User, input: { to: unknown; opinion: unknown }): Promise<TaskView> {
    return this.handOver(id, user, input, async (fresh, target, opinion, t) => {
      if (fresh.delegationState === 'pending') throw conflict('任务正在委派办理中，待被委派人办理完毕后再转办', 'delegation-pending');
      if (fresh.assignee === target.username) throw unprocessable(`任务已由 ${target.displayName} 办理`, [{ field: 'to', message: '不能转办给当前办理人' }], 'same-user');
      const previous = fresh.assignee;
      const now = this.d.clock.now();
      await fresh.update({ assignee: target.username, revision: fresh.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: fresh.id, operation: 'transfer', actor: user.username, at: now, data: { from: previous, to: target.username, opinion } }, t);
      await this.notify(t, fresh, `transfer:${fresh.revision}`, [target.username], 'task', `转办：${stepName(fresh)}`, `${user.displayName} 将「${stepName(fresh)}」转交您办理${opinion ? `：${opinion}` : ''}`);
      return taskView(fresh);
    });
  }

  /**
   * 委派 (Flowable's delegateTask): `to` works on the task for its owner — owner = the delegating holder,
   * assignee = `to`, delegationState pending. The delegate's completion hands it back (TaskService.complete:
   * resolved, assignee = owner), and the owner completes it.
   */
  async delegate(id: number, user: User, input: { to: unknown; opinion: unknown }): Promise<TaskView> {
    return this.handOver(id, user, input, async (fresh, target, opinion, t) => {
      if (fresh.delegationState === 'pending') throw conflict('任务正在委派办理中，不能再委派', 'delegation-pending');
      const owner = fresh.assignee ?? user.username;
      if (target.username === owner) throw unprocessable('不能委派给任务的所有人', [{ field: 'to', message: '不能委派给自己' }], 'same-user');
      const now = this.d.clock.now();
      await fresh.update({ owner, assignee: target.username, delegationState: 'pending', revision: fresh.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: fresh.id, operation: 'delegate', actor: user.username, at: now, data: { owner, to: target.username, opinion } }, t);
      await this.notify(t, fresh, `delegate:${fresh.revision}`, [target.username], 'task', `委派：${stepName(fresh)}`, `${user.displayName} 委派您办理「${stepName(fresh)}」，办理完毕后交回其确认${opinion ? `：${opinion}` : ''}`);
      return taskView(fresh);
    });
  }

  /** 加签: `to` must sign (签署, with an opinion) before the task can be completed. */
  async addSigner(id: number, user: User, input: { to: unknown; opinion: unknown }): Promise<{ task: TaskView; signers: SignerView[] }> {
    const check = async (task: TaskModel, inst: ProcessInstanceModel, target: User) => {
      if (target.username === user.username || target.username === task.assignee) {
        throw unprocessable('不能给当前办理人自己加签', [{ field: 'to', message: '请选择其他人员' }], 'same-user');
      }
      // a signer reads the project: only someone who may see it (第5条)
      if (!(await this.d.visibility.assertInstance(target, inst).then(() => true, () => false))) {
        throw unprocessable(`${target.displayName} 无权查看此项目（第5条），不能加签`, [{ field: 'to', message: `${target.displayName} 无权查看此项目（第5条）` }], 'bad-recipient');
      }
    };
    return this.handOver(id, user, input, async (fresh, target, opinion, t) => {
      const signers = await this.d.repo.signersOf(id, t);
      if (signers.some((s) => s.username === target.username && !s.signedAt)) {
        throw unprocessable(`${target.displayName} 已是此任务的加签人`, [{ field: 'to', message: '已加签此人，等待其签署' }], 'already-signer');
      }
      const now = this.d.clock.now();
      if (signers.some((s) => s.username === target.username)) {
        // signed before and asked again: a new signature is owed
        const row = signers.find((s) => s.username === target.username)!;
        await row.update({ addedBy: user.username, addedAt: now, request: opinion, opinion: null, signedAt: null }, { transaction: t });
      } else {
        await this.d.repo.addSigner({ taskId: id, username: target.username, addedBy: user.username, addedAt: now, request: opinion, opinion: null, signedAt: null }, t);
      }
      await fresh.update({ revision: fresh.revision + 1 }, { transaction: t });
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: fresh.id, operation: 'add-signer', actor: user.username, at: now, data: { to: target.username, opinion } }, t);
      await this.notify(t, fresh, `add-signer:${fresh.revision}`, [target.username], 'task', `加签：${stepName(fresh)}`, `${user.displayName} 请您对「${stepName(fresh)}」签署意见${opinion ? `：${opinion}` : ''}`);
      return { task: taskView(fresh), signers: await this.signerViews(id, t) };
    }, check);
  }

  /** 签署: a signer asked by 加签 gives their opinion (required); the holder is told. */
  async sign(id: number, user: User, input: { opinion: unknown }): Promise<{ task: TaskView; signers: SignerView[] }> {
    return inTransaction(this.d.sequelize, async (t) => {
      const task = await this.d.repo.findTask(id, t);
      if (!task) throw notFound(`任务 ${id} 不存在`);
      const row = (await this.d.repo.signersOf(id, t)).find((s) => s.username === user.username);
      if (!row) throw forbidden('您不是此任务的加签人');
      if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
      if (row.signedAt) throw conflict('您已签署过此任务', 'already-signed');
      const opinion = requiredOpinion(input.opinion, '签署意见');
      const now = this.d.clock.now();
      await row.update({ opinion, signedAt: now }, { transaction: t });
      await this.d.repo.log({ instanceId: task.instanceId, taskId: task.id, operation: 'sign', actor: user.username, at: now, data: { opinion } }, t);
      const holders = task.assignee ? [task.assignee] : holdersOf(task);
      await this.notify(t, task, `sign:${row.id}:${now.getTime()}`, [...new Set([row.addedBy, ...holders])], 'info', `加签已签署：${stepName(task)}`, `${user.displayName} 已签署：${opinion}`);
      return { task: taskView(task), signers: await this.signerViews(id, t) };
    });
  }

  async signers(taskId: number): Promise<SignerView[]> {
    return this.signerViews(taskId);
  }

  // ------------------------------------------------------------------ 退回 / 撤回

  /**
   * The steps a task may be returned to: the user tasks directly in the process that this instance has
   * already passed (a completed task of theirs), other than the task's own step, in the order first passed.
   */
  async returnableSteps(task: TaskModel): Promise<ReturnableStep[]> {
    const inst = await this.d.repo.findInstance(task.instanceId);
    if (!inst) return [];
    const steps = await topLevelUserTasks(await this.d.definitions.compiled(inst.definitionId));
    const byId = new Map(steps.map((s) => [s.id, s]));
    const passed = (await this.d.repo.tasksOfInstance(task.instanceId))
      .filter((x) => x.state === 'completed' && byId.has(x.activityId) && x.activityId !== task.activityId)
      .sort((a, b) => (a.completedAt?.getTime() ?? 0) - (b.completedAt?.getTime() ?? 0) || a.id - b.id);
    const out = new Map<string, ReturnableStep>();
    for (const x of passed) if (!out.has(x.activityId)) out.set(x.activityId, { activityId: x.activityId, name: byId.get(x.activityId)!.name ?? x.name ?? x.activityId });
    return [...out.values()];
  }

  /**
   * 退回: the instance's tokens move back to an earlier step (returnableSteps) — every open task of the
   * instance is cancelled and the step opens again, for whoever completed it last (or its candidates).
   */
  async returnTo(id: number, user: User, input: { toActivityId: unknown; opinion: unknown }): Promise<{ processInstance: InstanceState; task: TaskView | null }> {
    const { task, inst } = await this.load(id);
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    await this.mayOperate(task, inst, user);
    if (typeof input.toActivityId !== 'string' || !input.toActivityId) {
      throw unprocessable('请选择退回到的环节', [{ field: 'toActivityId', message: '必填' }], 'to-activity-required');
    }
    const toActivityId = input.toActivityId;
    const opinion = requiredOpinion(input.opinion, '退回意见');
    const steps = await this.returnableSteps(task);
    const step = steps.find((s) => s.activityId === toActivityId);
    if (!step) {
      throw unprocessable(`「${toActivityId}」不是此流程已经办理过的环节，不能退回`, [{ field: 'toActivityId', message: `可退回的环节：${steps.map((s) => s.name).join('、') || '无'}` }], 'not-returnable');
    }
    const previous = (await this.d.repo.tasksOfInstance(task.instanceId)).filter((x) => x.activityId === toActivityId && x.state === 'completed').sort((a, b) => b.id - a.id)[0];
    const again = previous?.completedBy ? (await this.d.users.findUsersByUsername([previous.completedBy]))[0] : undefined;
    const multi = (await topLevelUserTasks(await this.d.definitions.compiled(inst.definitionId))).find((s) => s.id === toActivityId)?.multiInstance;
    let reopened: TaskModel | null = null;
    const state = await this.d.runtime.act(
      task.instanceId,
      { kind: 'move', toActivityId },
      {
        actor: user.username,
        operation: 'return',
        data: { taskId: id, from: task.activityId, to: toActivityId, opinion },
        before: async (_locked, t) => {
          const fresh = await this.openTask(id, t);
          await this.mayOperate(fresh, inst, user);
        },
        after: async (_locked, t) => {
          reopened = await this.reopened(task.instanceId, toActivityId, t);
          // the step goes back to whoever did it (a 会签 step to its signers again, as the diagram names them)
          if (reopened && !multi && again?.active && !reopened.assignee) await reopened.update({ assignee: again.username }, { transaction: t });
          const now = this.d.clock.now();
          await this.d.repo.log({ instanceId: task.instanceId, taskId: id, operation: 'task-returned', actor: user.username, at: now, data: { from: task.activityId, to: toActivityId, toName: step.name, opinion, reopenedTaskId: reopened?.id ?? null } }, t);
          const to = reopened ? (reopened.assignee ? [reopened.assignee] : holdersOf(reopened)) : [];
          if (reopened) await this.notify(t, reopened, `return:${id}`, to, 'return', `退回：${step.name}`, `${user.displayName} 将「${stepName(task)}」退回到「${step.name}」：${opinion}`);
        },
      },
    );
    const r = reopened as TaskModel | null;
    return { processInstance: state!, task: r ? taskView(r) : null };
  }

  /**
   * Whether the user may withdraw (撤回) their completion of task `id` now, and why not. "Untouched"
   * (README): every open task of the instance was opened by that completion (created at or after it),
   * nobody has claimed, been assigned, transferred, delegated or signed it (revision 0, no signer), and
   * none of its holders has opened it (openedAt); and no other task of the instance was completed since.
   */
  async withdrawable(id: number, user: User, t?: Transaction): Promise<{ ok: true; next: TaskModel[] } | { ok: false; status: 403 | 409; message: string }> {
    const task = await this.d.repo.findTask(id, t);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    if (task.state !== 'completed' || task.completedBy !== user.username) return { ok: false, status: 403, message: '只有办理此任务的人可以撤回' };
    const inst = await this.d.repo.findInstance(task.instanceId);
    if (!inst || inst.state !== 'running') return { ok: false, status: 409, message: '流程已结束，不能撤回' };
    const step = (await topLevelUserTasks(await this.d.definitions.compiled(inst.definitionId))).find((s) => s.id === task.activityId);
    if (!step || step.multiInstance) return { ok: false, status: 409, message: '会签、或签环节及子流程中的环节不能撤回' };
    // the order of events is the operation log's (times may be equal on a manual clock): the completion's
    // row, and the rows its unit of work wrote before it (the tasks it opened)
    const log = await this.d.repo.operationsOf(task.instanceId, ['complete', ...UNIT_BOUNDARIES, 'task-created']);
    const completion = [...log].reverse().find((o) => o.operation === 'complete' && (o.data as { taskId?: number } | null)?.taskId === id);
    if (!completion) return { ok: false, status: 409, message: '找不到此任务的办理记录，不能撤回' };
    if (log.some((o) => o.id > completion.id && o.operation === 'complete')) return { ok: false, status: 409, message: '下一环节已办理，不能撤回' };
    const unitStart = [...log].reverse().find((o) => o.id < completion.id && o.operation !== 'task-created')?.id ?? 0;
    const openedByIt = new Set(log.filter((o) => o.operation === 'task-created' && o.id > unitStart && o.id < completion.id).map((o) => o.taskId));
    let next = (await this.d.repo.tasksOfInstance(task.instanceId)).filter((x) => x.state === 'open');
    // under the instance lock (withdraw's own check): lock and read them again, so that a claim waits for us or we see it
    if (t) next = (await Promise.all(next.map((x) => this.d.repo.findTask(x.id, t)))).filter((x): x is TaskModel => !!x && x.state === 'open');
    if (!next.length) return { ok: false, status: 409, message: '下一环节不是待办任务，不能撤回' };
    if (next.some((x) => !openedByIt.has(x.id))) return { ok: false, status: 409, message: '流程已流转到其他环节，不能撤回' };
    const signed = await this.d.repo.signersOfTasks(next.map((x) => x.id));
    if (next.some((x) => x.revision > 0 || x.openedAt || x.delegationState) || signed.length) return { ok: false, status: 409, message: '下一环节已被签收、查看或处理，不能撤回' };
    return { ok: true, next };
  }

  /** 撤回: the completer takes their completion back while the next step is untouched; the step reopens for them. */
  async withdraw(id: number, user: User, input: { opinion: unknown }): Promise<{ processInstance: InstanceState; task: TaskView | null }> {
    const check = await this.withdrawable(id, user);
    if (!check.ok) throw check.status === 403 ? forbidden(check.message) : conflict(check.message, 'not-withdrawable');
    const opinion = optionalOpinion(input.opinion);
    const task = (await this.d.repo.findTask(id))!;
    let reopened: TaskModel | null = null;
    const cancelled = check.next.map((x) => ({ id: x.id, holders: x.assignee ? [x.assignee] : holdersOf(x), name: stepName(x) }));
    const state = await this.d.runtime.act(
      task.instanceId,
      { kind: 'move', toActivityId: task.activityId },
      {
        actor: user.username,
        operation: 'withdraw',
        data: { taskId: id, activityId: task.activityId, opinion },
        before: async (_locked, t) => {
          // again under the instance lock: nobody touched the next step meanwhile
          const again = await this.withdrawable(id, user, t);
          if (!again.ok) throw again.status === 403 ? forbidden(again.message) : conflict(again.message, 'not-withdrawable');
        },
        after: async (_locked, t) => {
          reopened = await this.reopened(task.instanceId, task.activityId, t);
          if (reopened) await reopened.update({ assignee: user.username }, { transaction: t });
          const now = this.d.clock.now();
          await this.d.repo.log({ instanceId: task.instanceId, taskId: id, operation: 'task-withdrawn', actor: user.username, at: now, data: { activityId: task.activityId, opinion, reopenedTaskId: reopened?.id ?? null, cancelled: cancelled.map((c) => c.id) } }, t);
          for (const c of cancelled) {
            await this.d.repo.enqueue(
              { dedupeKey: `task:${c.id}:withdrawn`, channel: 'inbox', payload: { to: c.holders, kind: 'info', title: `已撤回：${c.name}`, body: `${user.displayName} 撤回了「${stepName(task)}」的办理，「${c.name}」无需再办理${opinion ? `：${opinion}` : ''}`, instanceId: task.instanceId, taskId: c.id }, createdAt: now },
              t,
            );
          }
        },
      },
    );
    const r = reopened as TaskModel | null;
    return { processInstance: state!, task: r ? taskView(r) : null };
  }

  // ------------------------------------------------------------------ 抄送 / 催办

  /** 抄送: read-only copies in the recipients' 抄送我的 (each must be allowed to see the project, 第5条). */
  async cc(id: number, user: User, input: { to: unknown; opinion: unknown }): Promise<{ to: string[] }> {
    const { task, inst } = await this.load(id);
    const held = mayAct(task, user) || isCandidate(task, user) || task.completedBy === user.username || task.owner === user.username;
    if (!held && !isAdmin(user)) throw forbidden('只有此任务的办理人可以抄送');
    await this.d.visibility.assertInstance(user, inst);
    if (!Array.isArray(input.to) || !input.to.length || input.to.length > MAX_CC || input.to.some((x) => typeof x !== 'string' || !x)) {
      throw unprocessable(`请选择抄送人（1 至 ${MAX_CC} 人）`, [{ field: 'to', message: `须为 1 至 ${MAX_CC} 个用户名` }], 'to-required');
    }
    const names = [...new Set(input.to as string[])];
    const opinion = optionalOpinion(input.opinion);
    const users = await this.d.users.findUsersByUsername(names);
    const problems = [];
    for (const name of names) {
      const u = users.find((x) => x.username === name);
      if (!u || !u.active) problems.push({ field: 'to', message: `用户 ${name} 不存在或已停用` });
      else if (u.username === user.username) problems.push({ field: 'to', message: '不能抄送给自己' });
      else if (!(await this.d.visibility.assertInstance(u, inst).then(() => true, () => false))) problems.push({ field: 'to', message: `${u.displayName} 无权查看此项目（第5条），不能抄送` });
    }
    if (problems.length) throw unprocessable(problems.map((p) => p.message).join('；'), problems, 'bad-recipient');
    await inTransaction(this.d.sequelize, async (t) => {
      const now = this.d.clock.now();
      await this.d.repo.log({ instanceId: task.instanceId, taskId: id, operation: 'cc', actor: user.username, at: now, data: { to: names, opinion } }, t);
      await this.notify(t, task, `cc:${now.getTime()}:${user.username}`, names, 'copy', `抄送：${stepName(task)}`, `${user.displayName} 抄送${opinion ? `：${opinion}` : ''}`);
    });
    return { to: names };
  }

  /**
   * 催办: tells the current holders to get on with it — by someone waiting on the task (the instance's
   * starter, whoever completed a step of it, the delegating owner) or an administrator; at most once an
   * hour per task (429).
   */
  async urge(id: number, user: User, input: { opinion: unknown }): Promise<{ urgedAt: string; to: string[] }> {
    const { task, inst } = await this.load(id);
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    await this.mayUrge(task, inst, user);
    const opinion = optionalOpinion(input.opinion);
    return inTransaction(this.d.sequelize, async (t) => {
      const fresh = await this.openTask(id, t); // locked: two urges at once, one wins
      const now = this.d.clock.now();
      const last = await this.d.repo.lastOperation(id, 'urge', t);
      if (last && now.getTime() - last.at.getTime() < URGE_INTERVAL_MS) {
        throw throttled(`此任务已于 ${chineseDateTime(last.at)} 催办过，每个任务每小时最多催办一次，请于 ${chineseDateTime(new Date(last.at.getTime() + URGE_INTERVAL_MS))} 后再催办`);
      }
      const to = fresh.assignee ? [fresh.assignee] : holdersOf(fresh);
      await this.d.repo.log({ instanceId: fresh.instanceId, taskId: id, operation: 'urge', actor: user.username, at: now, data: { to, opinion } }, t);
      await this.notify(t, fresh, `urge:${now.getTime()}`, to, 'urge', `催办：${stepName(fresh)}`, `${user.displayName} 催办「${stepName(fresh)}」${opinion ? `：${opinion}` : '，请尽快办理'}`);
      return { urgedAt: now.toISOString(), to };
    });
  }

  /** Whether the user may urge the task (the page shows the action only then). */
  async mayUrge(task: TaskModel, inst: ProcessInstanceModel, user: User): Promise<void> {
    if (mayAct(task, user) || (!task.assignee && isCandidate(task, user))) throw forbidden('您就是此任务的办理人，无需催办');
    if (isAdmin(user) || inst.startedBy === user.username || task.owner === user.username) return;
    const all = await this.d.repo.tasksOfInstance(task.instanceId);
    if (all.some((x) => x.completedBy === user.username)) return;
    throw forbidden('只有流程发起人、已办理过此流程的人员或管理员可以催办');
  }

  /** The approval operations recorded on an instance, in order (the task page and the tracking view). */
  async trail(instanceId: string) {
    const rows = await this.d.repo.operationsOf(instanceId, OPERATIONS);
    const users = await this.d.users.findUsersByUsername([...new Set(rows.flatMap((r) => [r.actor, ...(r.operation === 'task-returned' ? [] : targetsOf(r.data))]).filter((x): x is string => !!x))]);
    const name = (u: string | null) => (u ? (users.find((x) => x.username === u)?.displayName ?? u) : '');
    return rows.map((r) => {
      const data = (r.data ?? {}) as Record<string, unknown>;
      return {
        taskId: r.taskId,
        operation: r.operation,
        label: OPERATION_LABELS[r.operation] ?? r.operation,
        actor: name(r.actor),
        // a return names the step it went back to; the others the people concerned
        to: r.operation === 'task-returned' ? String(data.toName ?? data.to ?? '') : targetsOf(data).map(name).join('、'),
        opinion: typeof data.opinion === 'string' ? data.opinion : '',
        at: r.at.toISOString(),
        time: chineseDateTime(r.at),
      };
    });
  }

  // ------------------------------------------------------------------ helpers

  /**
   * 转办 / 委派 / 加签: the holder (or an administrator) hands the task to `to`. Permission first (403), then
   * the input (422: `to` an active user, the opinion text, then `check`), then — in one unit of work, on the
   * task read afresh and its permission checked again — `body` (whose refusals are 409/422 on its state).
   */
  private async handOver<R>(
    id: number,
    user: User,
    input: { to: unknown; opinion: unknown },
    body: (fresh: TaskModel, target: User, opinion: string | null, t: Transaction) => Promise<R>,
    check?: (task: TaskModel, inst: ProcessInstanceModel, target: User) => Promise<void>,
  ): Promise<R> {
    const { task, inst } = await this.load(id);
    await this.mayOperate(task, inst, user);
    const opinion = optionalOpinion(input.opinion);
    const target = await this.targetUser(input.to);
    await check?.(task, inst, target);
    return inTransaction(this.d.sequelize, async (t) => {
      const fresh = await this.openTask(id, t);
      await this.mayOperate(fresh, inst, user);
      return body(fresh, target, opinion, t);
    });
  }

  private async load(id: number) {
    const task = await this.d.repo.findTask(id);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    const inst = await this.d.repo.findInstance(task.instanceId);
    if (!inst) throw notFound(`任务 ${id} 不存在`);
    return { task, inst };
  }

  private async openTask(id: number, t: Transaction) {
    const task = await this.d.repo.findTask(id, t);
    if (!task) throw notFound(`任务 ${id} 不存在`);
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    return task;
  }

  /** The holder of an open task (its assignee; a candidate while unassigned) — or an administrator who may see it. */
  private async mayOperate(task: TaskModel, inst: ProcessInstanceModel, user: User) {
    if (task.state !== 'open') throw conflict('任务已办理或已取消', 'task-not-open');
    if (mayAct(task, user)) return;
    if (isAdmin(user)) return this.d.visibility.assertInstance(user, inst);
    throw forbidden('此任务不由您办理');
  }

  private async targetUser(to: unknown): Promise<User> {
    if (typeof to !== 'string' || !to.trim()) throw unprocessable('请选择人员', [{ field: 'to', message: '必填' }], 'to-required');
    const [u] = await this.d.users.findUsersByUsername([to.trim()]);
    if (!u || !u.active) throw unprocessable(`用户 ${to} 不存在或已停用`, [{ field: 'to', message: `用户 ${to} 不存在或已停用` }], 'unknown-user');
    return u;
  }

  /** The open task the move just opened at `activityId` (the newest one). */
  private async reopened(instanceId: string, activityId: string, t: Transaction) {
    const open = (await this.d.repo.openTasks(instanceId, t)).filter((x) => x.activityId === activityId).sort((a, b) => b.id - a.id);
    return open[0] ?? null;
  }

  private async signerViews(taskId: number, t?: Transaction): Promise<SignerView[]> {
    const rows = await this.d.repo.signersOf(taskId, t);
    const users = await this.d.users.findUsersByUsername([...new Set(rows.flatMap((r) => [r.username, r.addedBy]))]);
    const name = (u: string) => users.find((x) => x.username === u)?.displayName ?? u;
    return rows.map((r) => ({
      username: r.username,
      name: name(r.username),
      addedBy: name(r.addedBy),
      request: r.request ?? '',
      opinion: r.opinion ?? '',
      signed: !!r.signedAt,
      signedAt: r.signedAt ? r.signedAt.toISOString() : null,
      time: chineseDateTime(r.signedAt ?? r.addedAt),
    }));
  }

  private notify(t: Transaction, task: TaskModel, key: string, to: string[], kind: string, title: string, body: string) {
    if (!to.length) return Promise.resolve();
    return this.d.repo.enqueue(
      { dedupeKey: `task:${task.id}:${key}`, channel: 'inbox', payload: { to, kind, title, body: `${task.businessKey ? `项目 ${task.businessKey}：` : ''}${body}`, instanceId: task.instanceId, taskId: task.id }, createdAt: this.d.clock.now() },
      t,
    );
  }
}

export interface SignerView {
  username: string;
  name: string;
  addedBy: string;
  request: string;
  opinion: string;
  signed: boolean;
  signedAt: string | null;
  time: string;
}

/** Operation log rows that end a unit of work on an instance (besides 'complete'): what came before them is not the completion's. */
const UNIT_BOUNDARIES = ['start', 'timer', 'retry', 'message', 'correlate', 'call-complete', 'return', 'withdraw', 'terminate', 'reschedule', 'incident-retry', 'claim', 'unclaim', 'assign', 'transfer', 'delegate'];

/** The operation log entries that make the approval operations' trail. */
export const OPERATIONS = ['transfer', 'delegate', 'resolve', 'add-signer', 'sign', 'task-returned', 'task-withdrawn', 'cc', 'urge'];
export const OPERATION_LABELS: Record<string, string> = {
  transfer: '转办',
  delegate: '委派',
  resolve: '委派办理完毕',
  'add-signer': '加签',
  sign: '加签签署',
  'task-returned': '退回',
  'task-withdrawn': '撤回',
  cc: '抄送',
  urge: '催办',
};

const targetsOf = (data: unknown): string[] => {
  const d = (data ?? {}) as Record<string, unknown>;
  const to = d.to;
  if (typeof to === 'string') return [to];
  if (Array.isArray(to)) return to.filter((x): x is string => typeof x === 'string');
  if (typeof d.owner === 'string' && d.owner) return [d.owner];
  return [];
};

const stepName = (t: TaskModel) => t.name ?? t.activityId;
const holdersOf = (t: TaskModel) => [...(t.candidateUsers ?? []), ...(t.candidateGroups ?? []).map((g) => `group:${g}`)];

function optionalOpinion(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw unprocessable('意见须为文字', [{ field: 'opinion', message: '意见须为文字' }], 'opinion-invalid');
  if (v.length > MAX_OPINION) throw unprocessable(`意见不能超过 ${MAX_OPINION} 字`, [{ field: 'opinion', message: `不能超过 ${MAX_OPINION} 字` }], 'opinion-invalid');
  return v.trim() || null;
}

function requiredOpinion(v: unknown, what: string): string {
  const o = optionalOpinion(v);
  if (!o) throw unprocessable(`请填写${what}`, [{ field: 'opinion', message: `请填写${what}` }], 'opinion-required');
  return o;
}
