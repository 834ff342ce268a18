import crypto from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Sequelize, Transaction } from 'sequelize';
import { BpmnError, conflict, notFound, unprocessable } from '../domain/errors';
import { changedVariables, variableProblems } from '../domain/variables';
import { ENGINE_VERSION, type LiveEngine, runEngine, runInstance } from '../engine/engine-runner';
import { runWithoutHandlers, type EngineWorkers } from '../engine/engine-workers';
import { planMigration, type ElementMove } from '../engine/migrate-state';
import type { WorkingCalendar } from '../domain/calendar';
import type { EngineAction, EngineHost, RunResult, ServiceInvocation, ServiceOutcome, TimerReschedule } from '../engine/types';
import type { ProjectPort } from '../domain/project';
import type { NotificationRequest, OrganisationPort } from '../handlers/handler';
import type { HandlerRegistry } from '../handlers/registry';
import { CLAIM_PER_LANE, type JobModel, type WaitKinds, type ProcessInstanceModel, type RuntimeRepository } from '../persistence/repositories/runtime.repository';
import { inTransaction, isConflict } from '../persistence/transaction';
import type { Clock } from './clock.service';
import type { DefinitionService } from './definition.service';
import { LiveEngines } from './live-engines';

/** Thrown inside a unit of work to leave without changing anything (e.g. a job that another process already ran). */
class Skip extends Error {}
/** a batch of timers that cannot run as one plain unit (fireTimersTogether): it runs again, each timer apart */
class RunApart extends Error {}

/** One database transaction around one engine run, plus what it queued for after the commit. */
interface UnitOfWork {
  t: Transaction;
  /** jobs due now that this unit created: run right after the commit */
  dueJobIds: number[];
  /** this unit read the instance's open incidents and found none, and has created none since (save() need not read them again) */
  noIncidents?: boolean;
  /**
   * the kinds of wait rows of this instance as the lock read them (RuntimeRepository.lockForRun): save() uses
   * them instead of reading them again, unless a service invocation ran (it may write a retry job)
   */
  kinds?: { instanceId: string } & WaitKinds;
  /** a service invocation ran in this unit */
  invoked?: boolean;
  /** engines its runs left fit to be kept live, with the revision its commit gives their instance (LiveEngines) */
  live?: Map<string, { revision: number; definitionId: number; live: LiveEngine }>;
}

export interface ActOptions {
  actor: string | null;
  operation: string;
  data?: Record<string, unknown>;
  /** runs in the transaction after the instance is locked, before the engine: may refuse by throwing */
  before?: (inst: ProcessInstanceModel, t: Transaction) => Promise<void>;
  /** runs in the transaction after the engine run was saved (its new tasks exist): may refuse by throwing */
  after?: (inst: ProcessInstanceModel, t: Transaction) => Promise<void>;
  /** consumes what triggered a job's action (its row), also when the instance has ended meanwhile */
  claim?: (t: Transaction) => Promise<void>;
  /** the open engine incident this action retries (otherwise such an incident blocks every action) */
  retriesIncidentId?: number;
  /** the job row `claim` deletes: the wait kinds read with the lock leave it out */
  consumes?: number;
  /**
   * The engine may run before the writer's turn (a task completion: `before` only checks and ends the task, the
   * action is final): the user task's activity, the key under which a run that reached a service is remembered;
   * the instance as the caller read it (outside the unit: the unit checks its revision), else it is read here.
   */
  runsAhead?: { activityId: string; instance?: ProcessInstanceModel | null };
}

/** A run made before the unit of work, on the instance as read then; used only if the locked row is that one. */
interface RunAhead {
  revision: number;
  definitionId: number;
  calendar: unknown;
  result: RunResult;
  used: boolean;
  /** the live engine the run was made on, as the run left it (kept when the unit saves this run) */
  live: LiveEngine | null;
}
/** act()'s options inside the service: with the run made ahead, if any */
type Acting = ActOptions & { ahead?: RunAhead };

export interface MigrationResult {
  instanceId: string;
  definitionKey: string;
  /** the version the instance ran on, and the target */
  from: number;
  to: number;
  moves: ElementMove[];
  problems: { elementId: string; message: string }[];
  migrated: boolean;
}

export interface InstanceState {
  id: string;
  state: string;
  activeActivityIds: string[];
}

/**
 * The working-day calendar as the runtime needs it: the one held in memory, brought up to date at the
 * start of every unit of work (see CalendarService.sync).
 */
export interface CalendarSource {
  current(): WorkingCalendar;
  sync(t: Transaction): Promise<void>;
}

export interface RuntimeOptions {
  maxActivitiesPerRun?: number;
  /** back-off of a failed service task: base × 2^(attempt-1), capped */
  retryBaseMs?: number;
  retryMaxMs?: number;
  jobLeaseMs?: number;
  /** call activities / handler starts nested at most this deep; deeper is an incident (default 10) */
  maxCallDepth?: number;
  /** due jobs of one claimed batch run side by side, this many instances at a time (default 4; 1 = one after the other) */
  jobConcurrency?: number;
  /** engines kept live after a run, at most (LiveEngines; default 32; 0: none) */
  liveEngines?: number;
}

const TERMINAL = new Set(['completed', 'terminated']);

export interface StartInput {
  businessKey?: string | null;
  variables?: Record<string, unknown>;
  projectId?: number | null;
}

function checkStartInput(input: StartInput) {
  const problems = variableProblems(input.variables);
  if (problems.length) throw unprocessable('流程变量不合法', problems);
  if (input.businessKey != null && (typeof input.businessKey !== 'string' || input.businessKey.length > 255)) {
    throw unprocessable('businessKey 不合法', [{ field: 'businessKey', message: 'businessKey 须为不超过 255 个字符的字符串' }]);
  }
}

/**
 * The durable runtime: every change to an instance is one unit of work — lock the instance row,
 * recover its engine from the saved state, apply one action, run until every token waits, and save
 * the new state together with the tasks, timers, subscriptions, history and outbox rows it produced,
 * in the same transaction. Between requests the database is the truth.
 */
export class RuntimeService {
  readonly workerId = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;

  constructor(
    private readonly d: {
      sequelize: Sequelize;
      repo: RuntimeRepository;
      definitions: Pick<DefinitionService, 'compiled' | 'get' | 'byId'>;
      handlers: Pick<HandlerRegistry, 'get'>;
      clock: Clock;
      calendar: CalendarSource;
      log: Logger;
      options?: RuntimeOptions;
      /** what handlers may use of the domain, bound to the unit of work's transaction */
      ports: (t: Transaction) => { projects: ProjectPort; organisation: OrganisationPort };
      /** the keys of the groups that exist (a FEEL candidate group naming none is an incident); `fresh`: not from a cache */
      groupKeys?: (fresh?: boolean) => Promise<string[]>;
      /** worker threads for the runs made ahead of a unit of work (none: they run on this thread) */
      engineWorkers?: EngineWorkers;
    },
  ) {}

  private get opts(): Required<RuntimeOptions> {
    return { maxActivitiesPerRun: 1000, retryBaseMs: 10_000, retryMaxMs: 3_600_000, jobLeaseMs: 60_000, maxCallDepth: 10, jobConcurrency: 4, liveEngines: 32, ...this.d.options };
  }

  private live?: LiveEngines;
  /** the engines of the instances this process ran last (issue 13 item 1) */
  get liveEngines(): LiveEngines {
    return (this.live ??= new LiveEngines(this.opts.liveEngines));
  }

  /** after a commit: the engines its unit's runs left live stand for what it committed */
  private keepLive(uow: UnitOfWork): void {
    for (const [instanceId, e] of uow.live ?? []) this.liveEngines.put(instanceId, e.revision, e.definitionId, e.live);
  }

  // ------------------------------------------------------------------ public use cases

  /**
   * Starts an instance of the newest version of `key`. `input` may be a function of the unit of work's
   * transaction: it runs first in that transaction, so a domain row it writes (a project marked
   * submitted, an annual plan) commits together with the instance, or neither does (it may throw to
   * refuse). It receives the new instance's id. The transaction is retried from the start on a
   * deadlock, so the function must only write through `t`.
   */
  async start(key: string, input: StartInput | ((t: Transaction, instanceId: string) => Promise<StartInput>), actor: string | null): Promise<InstanceState> {
    if (typeof input !== 'function') checkStartInput(input);
    const def = await this.d.definitions.get(key);
    await this.d.clock.refresh();
    const id = crypto.randomUUID();
    const { value, uow } = await this.unit(async (uow) => {
      const given = typeof input === 'function' ? await input(uow.t, id) : input;
      if (typeof input === 'function') checkStartInput(given);
      // an instance whose business key is a project's code belongs to that project (its visibility, 第5条)
      const projectId = given.projectId !== undefined ? given.projectId : given.businessKey ? ((await this.d.ports(uow.t).projects.get(given.businessKey))?.id ?? null) : null;
      const inst = await this.createInstance(uow, {
        id,
        definitionId: def.id,
        definitionKey: def.key,
        definitionVersion: def.version,
        businessKey: given.businessKey ?? null,
        projectId,
        parentInstanceId: null,
        parentExecutionId: null,
        callDepth: 0,
        startedBy: actor,
      });
      await this.run(uow, inst, { kind: 'start', variables: given.variables ?? {}, businessKey: given.businessKey ?? null }, actor);
      await this.d.repo.log({ instanceId: id, operation: 'start', actor, at: this.d.clock.now(), data: { definitionKey: def.key, version: def.version } }, uow.t);
      return this.stateOf(inst);
    });
    this.keepLive(uow);
    if (!uow.dueJobIds.length) return value;
    await this.drain(uow.dueJobIds);
    return (await this.current(value.id)) ?? value;
  }

  /** Applies one action to one instance in one unit of work; then runs the jobs it made due. */
  async act(instanceId: string, action: EngineAction, o: ActOptions): Promise<InstanceState | null> {
    await this.d.clock.refresh();
    const ahead = o.runsAhead ? await this.runAhead(instanceId, action, o.runsAhead) : null;
    const applied = await this.applyOnce(instanceId, action, ahead ? { ...o, ahead } : o, 'request');
    if (!applied) return null;
    if (!applied.dueJobIds.length) return applied.state;
    await this.drain(applied.dueJobIds);
    return (await this.current(instanceId)) ?? applied.state;
  }

  /**
   * The engine run of an action, made before the unit of work takes the writer's turn (SQLite's one writer, MySQL's
   * instance row lock): on SQLite the run's CPU no longer holds every other writer back, on MySQL the lock is held
   * for the saves only. The unit uses it only when the locked instance is the one it ran on — same revision, same
   * version, the calendar unchanged — and only once (a unit run again runs the engine again), as Camunda's optimistic
   * locking does with its revisions. A run that reaches a service task is dropped (a handler acts in the unit's
   * transaction): the unit runs the engine itself, and completions of that task no longer run ahead.
   */
  private async runAhead(instanceId: string, action: EngineAction, { activityId, instance }: NonNullable<ActOptions['runsAhead']>): Promise<RunAhead | null> {
    try {
      const inst = instance?.id === instanceId ? instance : await this.d.repo.findInstance(instanceId);
      if (!inst || inst.state !== 'running' || !inst.engineState) return null;
      const key = `${inst.definitionId}:${activityId}`;
      if (this.reachesServices.has(key)) return null;
      const definition = await this.d.definitions.compiled(inst.definitionId);
      const calendar = this.d.calendar.current();
      const request = { definition, state: inst.engineState, action, instanceId, calendar, maxActivitiesPerRun: this.opts.maxActivitiesPerRun };
      // on the instance's live engine when this process holds it at this revision (here: the engine is on this
      // thread), else in a worker thread when there are workers (this thread stays free for the requests meanwhile)
      const live = this.liveEngines.take(instanceId, inst.revision, inst.definitionId);
      const inWorker = live ? null : await this.d.engineWorkers?.run({ ...request, now: this.d.clock.now().getTime() });
      if (inWorker) this.runsAhead.inWorker++;
      const ran = inWorker ? { ...inWorker, live: null } : await runWithoutHandlers({ ...request, clock: this.d.clock, live, keepLive: true });
      const result = await this.withKnownGroups(ran.result);
      if (ran.invoked) this.reachesServices.add(key);
      if (ran.invoked || result.state === 'incident') {
        this.runsAhead.dropped++;
        return null;
      }
      this.runsAhead.made++;
      return { revision: inst.revision, definitionId: inst.definitionId, calendar, result, used: false, live: ran.live };
    } catch {
      return null; // the unit runs the engine and answers the error itself
    }
  }

  /** `definitionId:activityId` of user tasks whose completion reached a service task (see runAhead) */
  private readonly reachesServices = new Set<string>();

  /** runs made ahead in this process: kept, dropped (a service reached, an incident), saved by their unit, run again by it; made in a worker thread */
  readonly runsAhead = { made: 0, dropped: 0, saved: 0, ranAgain: 0, inWorker: 0 };

  /**
   * The unit of work of act(): lock, check, claim, run, log. For a request an ended instance is 404/409
   * and an open engine incident 409; for a job the trigger is consumed silently on an ended instance,
   * and an engine incident fails the job so that it is tried again with back-off. null: skipped.
   */
  private async applyOnce(instanceId: string, action: EngineAction, o: Acting, caller: 'request' | 'job') {
    try {
      const { value, uow } = await this.unit((uow) => this.applyIn(uow, instanceId, action, o, caller));
      this.keepLive(uow);
      return { state: value, dueJobIds: uow.dueJobIds };
    } catch (err) {
      if (err instanceof Skip) return null;
      throw err;
    }
  }

  /** applyOnce's work inside a given unit of work (its own transaction, or a savepoint of a batch of timers). */
  private async applyIn(uow: UnitOfWork, instanceId: string, action: EngineAction, o: Acting, caller: 'request' | 'job'): Promise<InstanceState | null> {
    const { inst, incidents: open, kinds } = await this.d.repo.lockForRun(instanceId, uow.t, o.consumes);
    if (!inst || TERMINAL.has(inst.state)) {
      if (caller === 'job') {
        await o.claim?.(uow.t);
        return null;
      }
      if (!inst) throw notFound(`流程实例 ${instanceId} 不存在`);
      throw conflict(`流程实例已${inst.state === 'completed' ? '结束' : '终止'}`, 'instance-ended');
    }
    uow.noIncidents = open.length === 0;
    uow.kinds = { instanceId, ...kinds };
    const blocking = open.find((i) => i.kind === 'engine' && i.id !== o.retriesIncidentId);
    if (blocking && caller === 'job') throw new Error('instance has an open engine incident'); // released with back-off, tried again later
    if (blocking) throw conflict(`流程实例存在未解决的异常（${blocking.message}），请先处理异常`, 'instance-incident');
    await o.claim?.(uow.t);
    if (o.before) await o.before(inst, uow.t);
    await this.run(uow, inst, action, o.actor, o.retriesIncidentId, o.ahead);
    if (o.after) await o.after(inst, uow.t);
    await this.d.repo.log({ instanceId, operation: o.operation, actor: o.actor, at: this.d.clock.now(), data: o.data ?? null }, uow.t);
    return this.stateOf(inst);
  }

  async terminate(instanceId: string, actor: string): Promise<InstanceState | null> {
    return this.act(instanceId, { kind: 'terminate' }, { actor, operation: 'terminate' });
  }

  /**
   * Gives timers of one instance new due dates, inside the caller's transaction (a calendar change
   * computed them again): a quiet engine run — no timer fires, no service is invoked — in which the
   * recovered timers take the new dates into the saved engine state, and save() moves their job rows
   * along, so that the engine and the job rows agree. Returns the ids of timer jobs now due.
   */
  async reschedule(t: Transaction, instanceId: string, timers: TimerReschedule[], actor: string | null): Promise<number[]> {
    const uow: UnitOfWork = { t, dueJobIds: [] };
    const inst = await this.d.repo.lockInstance(instanceId, t);
    if (!inst || TERMINAL.has(inst.state) || !inst.engineState || !timers.length) return [];
    await this.run(uow, inst, { kind: 'reschedule', timers }, actor);
    await this.d.repo.log({ instanceId, operation: 'reschedule', actor, at: this.d.clock.now(), data: { timers: timers.map((x) => ({ executionId: x.executionId, dueAt: x.dueAt, provisional: !!x.provisional })) } }, t);
    return uow.dueJobIds;
  }

  /**
   * Migrates one instance to another version of its process (issue 9 item 7), in one unit of work:
   * the saved state is rewritten (planMigration), checked by a quiet run on the target version (no
   * timer fires, no service is invoked), then saved like any run — user tasks, timers and
   * subscriptions keep their rows by execution id, new or changed waits follow the target — and the
   * instance row points at the target version. With dryRun, or when anything is refused, nothing is
   * written. The operation log records who migrated it from which version to which.
   */
  async migrate(
    instanceId: string,
    targetDefinitionId: number,
    mapping: Record<string, string>,
    o: { dryRun: boolean; actor: string },
  ): Promise<MigrationResult> {
    await this.d.clock.refresh();
    const { value } = await this.unit(async (uow) => {
      const inst = await this.d.repo.lockInstance(instanceId, uow.t);
      if (!inst) throw notFound(`流程实例 ${instanceId} 不存在`);
      if (TERMINAL.has(inst.state)) throw conflict(`流程实例已${inst.state === 'completed' ? '结束' : '终止'}，不能迁移`, 'instance-ended');
      const target = await this.d.definitions.byId(targetDefinitionId, uow.t);
      const base = { instanceId, definitionKey: inst.definitionKey, from: inst.definitionVersion, to: target.version };
      if (target.key !== inst.definitionKey) throw unprocessable('只能迁移到同一流程的其他版本', [{ field: 'targetVersion', message: '目标版本须属于同一流程' }]);
      if (target.id === inst.definitionId) throw unprocessable(`流程实例已在版本 ${target.version}`, [{ field: 'targetVersion', message: `流程实例已在版本 ${target.version}，无需迁移` }]);
      if (!inst.engineState) throw conflict('流程实例没有可恢复的状态', 'no-state');
      const source = await this.d.definitions.compiled(inst.definitionId, uow.t);
      const targetRef = await this.d.definitions.compiled(target.id, uow.t);
      const plan = await planMigration(source, targetRef, JSON.parse(inst.engineState), mapping);
      const problems = [...plan.problems];
      let result: RunResult | null = null;
      if (plan.state) {
        const host: EngineHost = { clock: this.d.clock, calendar: this.d.calendar.current(), maxActivitiesPerRun: this.opts.maxActivitiesPerRun, invokeService: async () => ({ kind: 'wait' }) };
        try {
          result = await runInstance({ definition: targetRef, state: plan.state, action: { kind: 'reschedule', timers: [] }, host, instanceId });
        } catch (err) {
          result = null;
          problems.push({ elementId: '', message: `迁移后的状态无法在目标版本上恢复：${(err as Error).message}` });
        }
        if (result?.state === 'incident') problems.push({ elementId: result.incident?.activityId ?? '', message: `迁移后流程无法在目标版本上继续：${result.incident?.message ?? ''}` });
        else if (result) {
          const expected = new Set(plan.moves.filter((m) => m.type !== 'bpmn:BoundaryEvent').map((m) => m.to!));
          const lost = [...expected].filter((id) => !result!.activeActivityIds.includes(id));
          if (lost.length) problems.push({ elementId: lost[0], message: `迁移后环节 ${lost.join('、')} 不再处于活动状态，已拒绝迁移` });
        }
      }
      const answer = { ...base, moves: plan.moves, problems, migrated: false };
      if (o.dryRun) return answer;
      if (problems.length || !result) throw unprocessable(`流程实例不能迁移到版本 ${target.version}：${problems.map((p) => p.message).join('；')}`, problems, 'migration-refused');

      await inst.update({ definitionId: target.id, definitionVersion: target.version }, { transaction: uow.t });
      // a user task whose completion failed as an engine incident still waits in the state, its row is no
      // longer open: the incident's retry (after the migration) replays that completion — no second row
      const closed = await this.d.repo.closedTaskExecutions(inst.id, uow.t);
      result = { ...result, userTasks: result.userTasks.filter((w) => !closed.has(w.executionId)) };
      await this.save(uow, inst, result, o.actor);
      // every wait takes the target's element id; a user task also its name, form (the target's pinned version) and properties
      const waits = [...result.userTasks, ...result.timers, ...result.messages, ...result.calls, ...result.services];
      await this.d.repo.relabelExecutions(
        inst.id,
        waits.map((w) => {
          const task = result!.userTasks.find((u) => u.executionId === w.executionId);
          return {
            executionId: w.executionId,
            activityId: w.activityId,
            ...(task && { task: { name: task.name, formId: task.formId, formDefinitionId: task.formId ? (target.forms[task.formId] ?? null) : null, properties: task.properties ?? {} } }),
          };
        }),
        uow.t,
      );
      await this.d.repo.log(
        { instanceId: inst.id, operation: 'migrate', actor: o.actor, at: this.d.clock.now(), data: { fromVersion: base.from, toVersion: base.to, moves: plan.moves.map((m) => ({ from: m.from, to: m.to, fate: m.fate })) } },
        uow.t,
      );
      this.d.log.info({ event: 'instance.migrated', instanceId, definitionKey: inst.definitionKey, from: base.from, to: base.to, actor: o.actor });
      return { ...answer, migrated: true };
    });
    return value;
  }

  /** Runs jobs made due outside a unit of work of ours (e.g. by reschedule()), once committed. */
  async runJobs(jobIds: number[]): Promise<void> {
    await this.drain(jobIds);
  }

  // ------------------------------------------------------------------ jobs

  /** Runs every due job (timers, retries, call activities), oldest first, until none is left or the bound is hit. */
  async runDueJobs(max = 500): Promise<number> {
    await this.d.clock.refresh();
    let ran = 0;
    while (ran < max) {
      // a batch at a time, each claim under its own token: another process claims the next batch meanwhile
      // ten jobs per lane: each lane runs its share one after the other within the lease, as one lane of ten did
      const claimed = await this.d.repo.claimDueJobs(`${this.workerId}#${++this.claims}`, this.d.clock.now(), new Date(), this.opts.jobLeaseMs, CLAIM_PER_LANE * this.opts.jobConcurrency);
      if (!claimed.length) break;
      // the jobs of different instances side by side (each its own unit of work, so one process's share of a
      // burst keeps its connections busy instead of waiting on each commit in turn); one instance's jobs in order
      const byInstance = new Map<string, JobModel[]>();
      for (const job of claimed) byInstance.set(job.instanceId, [...(byInstance.get(job.instanceId) ?? []), job]);
      const lanes = [...byInstance.values()];
      const width = Math.max(1, Math.min(this.opts.jobConcurrency, lanes.length));
      if (claimed.every((job) => job.type === 'timer')) {
        // timers only: the lanes dealt into JOB_CONCURRENCY groups, each group one transaction (runTimers)
        const groups: JobModel[][] = Array.from({ length: width }, () => []);
        lanes.forEach((lane, i) => groups[i % groups.length].push(...lane));
        await Promise.all(groups.map((group) => this.runTimers(group)));
        ran += claimed.length;
        continue;
      }
      const worker = async () => {
        for (let lane = lanes.shift(); lane; lane = lanes.shift()) {
          for (const job of lane) {
            await this.runClaimed(job);
            ran++;
          }
        }
      };
      await Promise.all(Array.from({ length: width }, worker));
    }
    return ran;
  }

  /**
   * Fires claimed timers in one transaction (group commit). First as one plain unit: the instances locked and the
   * job rows consumed by one statement each, then the timers one after the other — no savepoint each (a round trip
   * per timer on MySQL). Should a timer fail (or a job be no longer this claim's), that transaction rolls back and
   * the batch runs again with each timer in a savepoint of its own (fireTimersApart), so that a failing timer rolls
   * back its own work only and is released with back-off after the commit, as a job run alone is. The transaction's
   * start, the calendar's version read, the audit heads' read and write and the commit are shared. A deadlock or
   * lock timeout aborts the batch (MySQL may have rolled the whole transaction back), which then runs again from the
   * start like any unit of work.
   */
  private async runTimers(jobs: JobModel[]): Promise<void> {
    // a batch that rolled back as a whole (conflicts beyond the retries, a lost connection): every timer of it is
    // released with back-off, as a job that failed alone is — never a rejection beside the other lanes
    const failed = await this.fireTimers(jobs).catch((err: unknown) => jobs.map((job) => ({ job, err })));
    for (const { job, err } of failed) await this.jobFailed(job, err).catch((e) => this.d.log.error({ event: 'job.release-failed', jobId: job.id, err: String(e) }));
  }

  /** The timers' transaction(s); answers the timers that failed alone. */
  private async fireTimers(jobs: JobModel[]): Promise<{ job: JobModel; err: unknown }[]> {
    return (await this.fireTimersTogether(jobs)) ? [] : this.fireTimersApart(jobs);
  }

  /** The batch as one plain unit; false (nothing written) when a timer failed or a job is no longer this claim's. */
  private async fireTimersTogether(jobs: JobModel[]): Promise<boolean> {
    const token = jobs[0]?.lockedBy;
    if (!token || jobs.some((job) => job.lockedBy !== token)) return false;
    // two timers of one instance: the first one's run fires the other too (it is due) and its save drops that job
    // row, which a unit of its own would then find gone (skipped) — here the row is gone already, so they run apart
    if (new Set(jobs.map((job) => job.instanceId)).size !== jobs.length) return false;
    try {
      await inTransaction(this.d.sequelize, async (t) => {
        await this.d.calendar.sync(t);
        const consumed = await this.d.repo.consumeClaimedJobs(jobs.map((job) => job.instanceId), jobs.map((job) => job.id), token, t);
        if (!consumed) throw new RunApart();
        for (const job of jobs) {
          try {
            await this.applyIn({ t, dueJobIds: [] }, job.instanceId, { kind: 'resume' }, { ...this.jobOptions(job), claim: undefined }, 'job');
          } catch (err) {
            if (isConflict(err)) throw err;
            throw new RunApart();
          }
        }
      });
      return true;
    } catch (err) {
      if (err instanceof RunApart) return false;
      throw err;
    }
  }

  /** The batch with each timer in a savepoint of its own, consuming its job row; answers the timers that failed. */
  private fireTimersApart(jobs: JobModel[]): Promise<{ job: JobModel; err: unknown }[]> {
    return inTransaction(this.d.sequelize, async (t) => {
      const failed: { job: JobModel; err: unknown }[] = [];
      await this.d.calendar.sync(t);
      for (const job of jobs) {
        try {
          await this.d.sequelize.transaction({ transaction: t }, (sp) => this.applyIn({ t: sp, dueJobIds: [] }, job.instanceId, { kind: 'resume' }, this.jobOptions(job), 'job'));
        } catch (err) {
          if (isConflict(err)) throw err;
          if (!(err instanceof Skip)) failed.push({ job, err });
        }
      }
      return failed;
    });
  }

  /** How a job acts on its instance: the job is ours only while our lease holds (`claim`, see execute). */
  private jobOptions(job: JobModel): ActOptions {
    // the job is consumed in the same transaction as the engine run — except a retry job, whose attempts
    // the service invocation itself counts and clears
    const claim = async (t: Transaction) => {
      if (job.type !== 'retry') {
        if (!job.lockedBy || !(await this.d.repo.consumeJob(job.id, job.lockedBy, t))) throw new Skip();
        return;
      }
      const fresh = await this.d.repo.findJob(job.id, t);
      if (!fresh || fresh.lockedBy !== job.lockedBy) throw new Skip();
    };
    return { actor: null, operation: job.type, data: { activityId: job.activityId }, claim, ...(job.type === 'retry' ? {} : { consumes: job.id }) };
  }

  private claims = 0;

  /** Runs the given jobs now (those a unit of work made due), and any due jobs they make in turn. */
  private async drain(jobIds: number[]): Promise<void> {
    const queue = [...jobIds];
    for (let i = 0; i < queue.length && i < 200; i++) {
      const made = await this.runJob(queue[i], true);
      if (Array.isArray(made)) queue.push(...made);
    }
  }

  /** Claims one job with a lease and runs it; false when another process has it or it is gone. */
  async runJob(jobId: number, collect = false): Promise<boolean | number[]> {
    const clockNow = this.d.clock.now();
    if (!(await this.d.repo.claimJob(jobId, this.workerId, clockNow, new Date(), this.opts.jobLeaseMs))) return false;
    const job = await this.d.repo.findJob(jobId);
    if (!job) return false;
    return this.runClaimed(job, collect);
  }

  /** Runs a job this process holds the lease of (its `lockedBy`); a failure releases it with back-off. */
  private async runClaimed(job: JobModel, collect = false): Promise<boolean | number[]> {
    try {
      const made = await this.execute(job);
      return collect ? made : true;
    } catch (err) {
      await this.jobFailed(job, err);
      return false;
    }
  }

  /** A job that failed: released with back-off (the lease, on the wall clock, keeps it from spinning). */
  private async jobFailed(job: JobModel, err: unknown): Promise<void> {
    const attempts = job.attempts + 1;
    const message = err instanceof Error ? err.message : String(err);
    this.d.log.warn({ event: 'job.failed', jobId: job.id, type: job.type, instanceId: job.instanceId, attempts, err: message });
    const backoff = Math.min(this.opts.retryBaseMs * 2 ** (attempts - 1), this.opts.retryMaxMs);
    const released = await this.d.repo.releaseJob(job.id, { lockedUntil: new Date(Date.now() + backoff), attempts, lastError: message.slice(0, 2000) }, job.lockedBy);
    if (!released) this.d.log.warn({ event: 'job.release-skipped', jobId: job.id, reason: 'the lease went to another claim' });
  }

  private async execute(job: JobModel): Promise<number[]> {
    const options = this.jobOptions(job);
    const owned = options.claim!;
    switch (job.type) {
      case 'timer':
      case 'retry': {
        const made: number[] = [];
        await this.actCollecting(job.instanceId, { kind: 'resume' }, options, made);
        return made;
      }
      case 'call-start': {
        const { value, uow } = await this.unit(async (uow) => {
          const parent = await this.d.repo.lockInstance(job.instanceId, uow.t);
          await owned(uow.t);
          if (!parent || parent.state !== 'running' || (await this.d.repo.childOf(parent.id, job.executionId!, uow.t))) return null;
          const payload = job.payload as { processId: string; variables: Record<string, unknown> };
          if (parent.callDepth + 1 > this.opts.maxCallDepth) {
            // a process that calls itself (or a cycle of calls) would pile up instances without end
            await this.d.repo.createIncident(
              { instanceId: parent.id, activityId: job.activityId, executionId: job.executionId, kind: 'job', message: `调用层级超过 ${this.opts.maxCallDepth} 层，未启动被调用的流程「${payload.processId}」（流程是否在调用自己？）`, pendingAction: { kind: 'call-start', ...payload }, createdAt: this.d.clock.now(), resolvedAt: null, resolvedBy: null },
              uow.t,
            );
            await parent.update({ state: 'incident' }, { transaction: uow.t });
            this.d.log.warn({ event: 'call.depth-exceeded', instanceId: parent.id, processId: payload.processId, depth: parent.callDepth + 1 });
            return null;
          }
          const def = await this.d.definitions.get(payload.processId).catch(() => null);
          if (!def) {
            await this.d.repo.createIncident(
              { instanceId: parent.id, activityId: job.activityId, executionId: job.executionId, kind: 'job', message: `被调用的流程「${payload.processId}」未部署`, pendingAction: { kind: 'call-start', ...payload }, createdAt: this.d.clock.now(), resolvedAt: null, resolvedBy: null },
              uow.t,
            );
            await parent.update({ state: 'incident' }, { transaction: uow.t });
            return null;
          }
          const child = await this.createInstance(uow, {
            id: crypto.randomUUID(),
            definitionId: def.id,
            definitionKey: def.key,
            definitionVersion: def.version,
            businessKey: parent.businessKey,
            projectId: parent.projectId,
            parentInstanceId: parent.id,
            parentExecutionId: job.executionId,
            callDepth: parent.callDepth + 1,
            startedBy: parent.startedBy,
          });
          await this.run(uow, child, { kind: 'start', variables: payload.variables ?? {}, businessKey: parent.businessKey }, null);
          await this.d.repo.log({ instanceId: child.id, operation: 'start', actor: null, at: this.d.clock.now(), data: { calledBy: parent.id, activityId: job.activityId } }, uow.t);
          return child.id;
        });
        return value ? uow.dueJobIds : [];
      }
      case 'start-process': {
        // a process started by a handler (e.g. the next chapter of a project): its own instance, same business key
        const payload = job.payload as { processId: string; variables: Record<string, unknown>; businessKey: string | null; projectId: number | null };
        const def = await this.d.definitions.get(payload.processId); // not deployed: throws, the job is retried with back-off
        const { value, uow } = await this.unit(async (uow) => {
          await owned(uow.t);
          // a chain of processes each started by a handler of the one before is bounded like calls
          const starter = await this.d.repo.findInstance(job.instanceId);
          const callDepth = (starter?.callDepth ?? 0) + 1;
          if (callDepth > this.opts.maxCallDepth) {
            await this.d.repo.createIncident(
              { instanceId: job.instanceId, activityId: job.activityId, executionId: job.executionId, kind: 'job', message: `由处理器连续启动的流程超过 ${this.opts.maxCallDepth} 层，未启动流程「${payload.processId}」（流程是否在启动自己？）`, pendingAction: null, createdAt: this.d.clock.now(), resolvedAt: null, resolvedBy: null },
              uow.t,
            );
            if (starter && !TERMINAL.has(starter.state)) await starter.update({ state: 'incident' }, { transaction: uow.t });
            this.d.log.warn({ event: 'start.depth-exceeded', instanceId: job.instanceId, processId: payload.processId, depth: callDepth });
            return null;
          }
          const started = await this.createInstance(uow, {
            id: crypto.randomUUID(),
            definitionId: def.id,
            definitionKey: def.key,
            definitionVersion: def.version,
            businessKey: payload.businessKey,
            projectId: payload.projectId,
            parentInstanceId: null,
            parentExecutionId: null,
            callDepth,
            startedBy: null,
          });
          await this.run(uow, started, { kind: 'start', variables: payload.variables ?? {}, businessKey: payload.businessKey }, null);
          await this.d.repo.log({ instanceId: started.id, operation: 'start', actor: null, at: this.d.clock.now(), data: { startedBy: job.instanceId, activityId: job.activityId } }, uow.t);
          return started.id;
        });
        return value ? uow.dueJobIds : [];
      }
      case 'publish-message': {
        const payload = job.payload as { messageName: string; businessKey: string; variables: Record<string, unknown> };
        const subs = await this.d.repo.findSubscriptions(payload.messageName, payload.businessKey);
        const target = subs[0]?.instanceId;
        const made: number[] = [];
        if (!target) {
          // nobody waits (any more): the message is dropped, as Zeebe does once its time to live is over
          this.d.log.warn({ event: 'message.unmatched', messageName: payload.messageName, businessKey: payload.businessKey, from: job.instanceId });
          await this.unit(async (uow) => {
            await owned(uow.t);
            await this.d.repo.log({ instanceId: job.instanceId, operation: 'message-unmatched', actor: null, at: this.d.clock.now(), data: { messageName: payload.messageName, businessKey: payload.businessKey } }, uow.t);
          }).catch((err) => {
            if (!(err instanceof Skip)) throw err;
          });
          return made;
        }
        await this.actCollecting(
          target,
          { kind: 'correlate-message', messageName: payload.messageName, executionIds: subs.filter((x) => x.instanceId === target).map((x) => x.executionId), variables: payload.variables ?? {} },
          { actor: null, operation: 'message', data: { messageName: payload.messageName, from: job.instanceId }, claim: owned },
          made,
        );
        return made;
      }
      case 'broadcast-signal': {
        // a signal throw event: every subscription of that name, each instance in its own unit of work;
        // the job is consumed only after the fan-out (a retry finds the delivered rows gone)
        const payload = job.payload as { signalName: string; variables: Record<string, unknown> };
        const { made } = await this.broadcastSignal(payload.signalName, payload.variables ?? {}, { actor: null, from: job.instanceId });
        await this.unit(async (uow) => owned(uow.t)).catch((err) => {
          if (!(err instanceof Skip)) throw err;
        });
        return made;
      }
      case 'call-complete': {
        const made: number[] = [];
        const payload = job.payload as { variables: Record<string, unknown> };
        await this.actCollecting(
          job.instanceId,
          { kind: 'complete-call', executionId: job.executionId!, variables: payload.variables ?? {} },
          { actor: null, operation: 'call-complete', data: { activityId: job.activityId }, claim: owned },
          made,
        );
        return made;
      }
    }
  }

  /**
   * Broadcasts a signal (Zeebe): every subscription to it that exists now is delivered once. Each
   * instance is one unit of work that consumes its rows under the instance's row lock; rows another
   * node consumed first are not delivered again (two nodes may broadcast at once). An ended instance's
   * rows are consumed without a run; an instance with an open engine incident is passed by (its rows
   * stay). Returns the instances reached and the due jobs the deliveries made (run by the caller).
   */
  async broadcastSignal(signalName: string, variables: Record<string, unknown>, o: { actor: string | null; from?: string | null }): Promise<{ reached: InstanceState[]; made: number[] }> {
    const subs = await this.d.repo.findSignalSubscriptions(signalName);
    const byInstance = new Map<string, number[]>();
    for (const s of subs) byInstance.set(s.instanceId, [...(byInstance.get(s.instanceId) ?? []), s.id]);
    const reached: InstanceState[] = [];
    const made: number[] = [];
    for (const [instanceId, ids] of byInstance) {
      const action = { kind: 'broadcast-signal' as const, signalName, executionIds: [] as string[], variables };
      try {
        const applied = await this.applyOnce(
          instanceId,
          action,
          {
            actor: o.actor,
            operation: 'signal',
            data: { signalName, ...(o.from && { from: o.from }) },
            claim: async (t) => {
              const rows = await this.d.repo.consumeSignalSubscriptions(instanceId, ids, t);
              if (!rows.length) throw new Skip(); // another node delivered it first
              action.executionIds.push(...rows.map((r) => r.executionId));
            },
          },
          'job',
        );
        if (applied) {
          made.push(...applied.dueJobIds);
          if (applied.state) reached.push(applied.state);
        }
      } catch (err) {
        this.d.log.warn({ event: 'signal.skipped', signalName, instanceId, err: err instanceof Error ? err.message : String(err) });
      }
    }
    return { reached, made };
  }

  /** A signal broadcast by a request (POST /api/signals): delivered, then the jobs it made run. */
  async signal(signalName: string, variables: Record<string, unknown>, actor: string | null): Promise<InstanceState[]> {
    await this.d.clock.refresh();
    const { reached, made } = await this.broadcastSignal(signalName, variables, { actor });
    await this.drain(made);
    const out: InstanceState[] = [];
    for (const r of reached) out.push((await this.current(r.id)) ?? r);
    return out;
  }

  /** act() for jobs: the due jobs it makes are handed back to the caller's drain loop instead of run recursively. */
  private async actCollecting(instanceId: string, action: EngineAction, o: ActOptions, made: number[]) {
    const applied = await this.applyOnce(instanceId, action, o, 'job');
    if (applied) made.push(...applied.dueJobIds);
  }

  // ------------------------------------------------------------------ the unit of work

  private async unit<T>(fn: (uow: UnitOfWork) => Promise<T>): Promise<{ value: T; uow: UnitOfWork }> {
    let last: UnitOfWork | null = null;
    const value = await inTransaction(this.d.sequelize, async (t) => {
      last = { t, dueJobIds: [] };
      // before any instance lock: the calendar this unit computes with cannot change until it commits
      await this.d.calendar.sync(t);
      return fn(last);
    });
    return { value, uow: last! };
  }

  private async createInstance(
    uow: UnitOfWork,
    v: { id: string; definitionId: number; definitionKey: string; definitionVersion: number; businessKey: string | null; projectId: number | null; parentInstanceId: string | null; parentExecutionId: string | null; callDepth: number; startedBy: string | null },
  ) {
    const now = this.d.clock.now();
    uow.noIncidents = true;
    // a new instance has no tasks, jobs or wait rows: its save need not ask (a handler its run invokes sets uow.invoked)
    uow.kinds = { instanceId: v.id, tasks: false, jobs: false, waits: false };
    return this.d.repo.createInstance(
      { ...v, state: 'running', engineState: null, engineVersion: ENGINE_VERSION, variables: {}, activeActivityIds: [], revision: 0, startedAt: now, endedAt: null, updatedAt: now },
      uow.t,
    );
  }

  private stateOf(inst: ProcessInstanceModel): InstanceState {
    return { id: inst.id, state: inst.state, activeActivityIds: inst.activeActivityIds ?? [] };
  }

  private async current(id: string): Promise<InstanceState | null> {
    const inst = await this.d.repo.findInstance(id);
    return inst ? this.stateOf(inst) : null;
  }

  /** Runs the engine for one action and saves everything it produced, in uow's transaction. */
  private async run(uow: UnitOfWork, inst: ProcessInstanceModel, action: EngineAction, actor: string | null, retriesIncidentId?: number, ahead?: RunAhead) {
    // an engine an earlier run of this unit left live no longer stands for the instance
    uow.live?.delete(inst.id);
    if (ahead && !ahead.used && !retriesIncidentId && ahead.revision === inst.revision && ahead.definitionId === inst.definitionId && ahead.calendar === this.d.calendar.current()) {
      ahead.used = true;
      this.runsAhead.saved++;
      if (ahead.live && ahead.result.state === 'running') (uow.live ??= new Map()).set(inst.id, { revision: inst.revision + 1, definitionId: inst.definitionId, live: ahead.live });
      return this.save(uow, inst, ahead.result, actor);
    }
    if (ahead && !ahead.used) this.runsAhead.ranAgain++;
    if (ahead) ahead.used = true;
    const definition = await this.d.definitions.compiled(inst.definitionId, uow.t);
    const host: EngineHost = {
      clock: this.d.clock,
      calendar: this.d.calendar.current(),
      maxActivitiesPerRun: this.opts.maxActivitiesPerRun,
      invokeService: (inv) => this.invokeService(uow, inst, inv),
    };
    const state = inst.engineState || null; // the saved JSON text: the engine layer parses it once
    if (!state && action.kind !== 'start') throw conflict('流程实例没有可恢复的状态', 'no-state');
    // a completion on the instance's live engine when this process holds it at the locked revision
    const live = action.kind === 'complete-task' ? this.liveEngines.take(inst.id, inst.revision, inst.definitionId) : null;
    const ran = await runEngine({ definition, state, action, host, instanceId: inst.id, live, keepLive: true });
    const result = await this.withKnownGroups(ran.result);
    if (result.state === 'incident') return this.saveIncident(uow, inst, action, result, retriesIncidentId);
    if (ran.live && result.state === 'running') (uow.live ??= new Map()).set(inst.id, { revision: inst.revision + 1, definitionId: inst.definitionId, live: ran.live });
    if (retriesIncidentId) {
      const inc = await this.d.repo.findIncident(retriesIncidentId, uow.t);
      await inc?.update({ resolvedAt: this.d.clock.now(), resolvedBy: actor }, { transaction: uow.t });
    }
    await this.save(uow, inst, result, actor);
  }

  /**
   * A new user task whose candidate groups (written as FEEL, or deleted since the deploy) name a
   * group that does not exist would be seen by nobody: the run becomes an incident of that task.
   */
  private async withKnownGroups(result: RunResult): Promise<RunResult> {
    const fresh = result.userTasks.filter((w) => w.isNew && w.candidateGroups.length);
    if (result.state === 'incident' || !fresh.length || !this.d.groupKeys) return result;
    let known = new Set(await this.d.groupKeys());
    if (fresh.some((w) => w.candidateGroups.some((g) => !known.has(g)))) known = new Set(await this.d.groupKeys(true));
    for (const w of fresh) {
      const unknown = w.candidateGroups.filter((g) => !known.has(g));
      if (!unknown.length) continue;
      const message =
        `用户任务「${w.name ?? w.activityId}」的候选组 ${unknown.map((g) => `"${g}"`).join('、')} 不存在，没有人能看到这个任务 ` +
        `(candidate group ${unknown.join(', ')} does not exist)`;
      return { ...result, state: 'incident', engineState: null, engineStateText: undefined, incident: { activityId: w.activityId, message } };
    }
    return result;
  }

  private async saveIncident(uow: UnitOfWork, inst: ProcessInstanceModel, action: EngineAction, result: RunResult, retriesIncidentId?: number) {
    const now = this.d.clock.now();
    const message = result.incident?.message ?? '流程执行出错';
    if (retriesIncidentId) {
      const inc = await this.d.repo.findIncident(retriesIncidentId, uow.t);
      await inc?.update({ message: message.slice(0, 5000), attempts: (inc.attempts ?? 1) + 1, createdAt: now }, { transaction: uow.t });
    } else {
      await this.d.repo.createIncident(
        { instanceId: inst.id, activityId: result.incident?.activityId ?? null, executionId: null, kind: 'engine', message: message.slice(0, 5000), pendingAction: action as unknown as Record<string, unknown>, createdAt: now, resolvedAt: null, resolvedBy: null },
        uow.t,
      );
    }
    // the engine state stays the last good one; retrying the incident replays the action on it
    await inst.update({ state: 'incident', updatedAt: now, revision: inst.revision + 1 }, { transaction: uow.t });
    this.d.log.warn({ event: 'instance.incident', instanceId: inst.id, activityId: result.incident?.activityId, message });
  }

  private async save(uow: UnitOfWork, inst: ProcessInstanceModel, r: RunResult, actor: string | null) {
    const { repo } = this.d;
    const t = uow.t;
    const now = this.d.clock.now();
    const changed = changedVariables(inst.variables ?? {}, r.variables);
    const openIncidents = uow.noIncidents ? [] : await repo.openIncidents(inst.id, t);
    const state = openIncidents.length && !TERMINAL.has(r.state) ? 'incident' : r.state;
    await repo.saveRun(
      inst,
      {
        engineState: r.engineStateText ?? (r.engineState === null ? null : JSON.stringify(r.engineState)),
        engineVersion: r.engineVersion,
        variables: r.variables,
        activeActivityIds: r.activeActivityIds,
        state,
        revision: inst.revision + 1,
        updatedAt: now,
        endedAt: TERMINAL.has(r.state) ? now : null,
      },
      t,
    );
    if (Object.keys(changed).length) await repo.log({ instanceId: inst.id, operation: 'variables', actor, at: now, data: { changed } }, t);

    // history: one row per activity execution. An execution that starts and ends in this run is one row with
    // both times (nothing to close later, nothing read back); one that started in an earlier run gets a closing
    // row naming its start row. Rows are written in the order of the events that open them.
    type HistoryEvent = (typeof r.history)[number];
    const plan: ({ start: HistoryEvent; end?: HistoryEvent } | { start?: undefined; end: HistoryEvent })[] = [];
    const startedAt = new Map<string, { start: HistoryEvent; end?: HistoryEvent }>();
    for (const ev of r.history) {
      if (!ev.executionId) continue; // not an activity execution (the engine layer filters these too)
      if (ev.event === 'start') {
        const entry = { start: ev };
        plan.push(entry);
        startedAt.set(ev.executionId, entry);
        continue;
      }
      const entry = startedAt.get(ev.executionId);
      if (entry && !entry.end) entry.end = ev;
      else plan.push({ end: ev });
    }
    const endValues = (ev: HistoryEvent) => ({
      endedAt: ev.at,
      outcome: ev.event === 'end' ? (ev.outcome ?? null) : `${ev.event}${ev.outcome ? `: ${ev.outcome}` : ''}`,
      actor: ev.type === 'bpmn:UserTask' ? actor : null,
    });
    for (const step of plan) {
      if (step.start) {
        const ev = step.start;
        const ended = step.end ? endValues(step.end) : { endedAt: null, outcome: null, actor: null };
        await repo.startActivity({ instanceId: inst.id, executionId: ev.executionId, activityId: ev.activityId, activityName: ev.activityName, activityType: ev.type, startedAt: ev.at, ...ended }, t);
        continue;
      }
      const ev = step.end;
      const values = endValues(ev);
      const ended = await repo.endActivity(inst.id, ev.executionId, values, t);
      // a discard without a start is a path not taken (the other branch of a gateway): not history
      if (!ended && ev.event !== 'discard') {
        await repo.startActivity({ instanceId: inst.id, executionId: ev.executionId, activityId: ev.activityId, activityName: ev.activityName, activityType: ev.type, startedAt: ev.at, endedAt: ev.at, actor: null, outcome: values.outcome }, t);
      }
    }

    // the kinds of wait rows the instance has, in one read (or as the lock read them, when nothing wrote wait
    // rows since): the rows of a kind it has none of are not read
    const atLock = uow.kinds?.instanceId === inst.id && !uow.invoked ? uow.kinds : null;
    uow.kinds = undefined;
    const has = atLock ?? (await repo.waitKinds(inst.id, t));

    // user tasks: create the new waits, cancel the tasks whose wait is gone (a boundary event interrupted them)
    const open = has.tasks ? await repo.openTasks(inst.id, t) : [];
    const waiting = new Set(r.userTasks.map((w) => w.executionId));
    for (const task of open) {
      if (!waiting.has(task.executionId)) {
        await repo.endTasks([task], { state: 'canceled', completedAt: now }, t);
        await repo.log({ instanceId: inst.id, taskId: task.id, operation: 'task-canceled', actor: null, at: now, data: { activityId: task.activityId } }, t);
      }
    }
    const known = new Set(open.map((x) => x.executionId));
    const formRefs = (await this.d.definitions.byId(inst.definitionId, t)).forms;
    for (const w of r.userTasks) {
      if (known.has(w.executionId)) continue;
      const task = await repo.createTask(
        {
          instanceId: inst.id,
          executionId: w.executionId,
          activityId: w.activityId,
          name: w.name,
          definitionKey: inst.definitionKey,
          businessKey: inst.businessKey,
          projectId: inst.projectId,
          assignee: w.assignee,
          owner: null,
          candidateGroups: w.candidateGroups,
          candidateUsers: w.candidateUsers,
          formId: w.formId,
          formDefinitionId: w.formId ? (formRefs[w.formId] ?? null) : null,
          input: w.input,
          properties: w.properties ?? {},
          state: 'open',
          createdAt: now,
          dueAt: w.dueAt,
          followUpAt: w.followUpAt,
          provisional: !!w.provisional,
          provisionalBasis: w.provisional,
          completedAt: null,
          completedBy: null,
          result: null,
          revision: 0,
        },
        t,
      );
      await repo.log({ instanceId: inst.id, taskId: task.id, operation: 'task-created', actor: null, at: now, data: { activityId: w.activityId } }, t);
      const holders = w.assignee ? [w.assignee] : [...w.candidateUsers, ...w.candidateGroups.map((g) => `group:${g}`)];
      // nobody named (allowed, as in Zeebe): the administrators are told, it waits in their unassigned queue
      const to = holders.length ? holders : ['group:admin'];
      await repo.enqueue(
        {
          dedupeKey: `task:${task.id}`,
          channel: 'inbox',
          payload: { to, kind: 'task', title: `新待办：${w.name ?? w.activityId}`, body: `${inst.businessKey ? `项目 ${inst.businessKey}：` : ''}${w.name ?? w.activityId}${w.dueAt ? `，办理期限 ${w.dueAt.toISOString()}` : ''}`, instanceId: inst.id, taskId: task.id },
          createdAt: now,
        },
        t,
      );
    }

    // the instance's jobs and wait rows, each read once for what follows
    const jobs = has.jobs ? await repo.allJobsOf(inst.id, t) : [];
    const rows = has.waits ? await repo.waitRowsOf(inst.id, t) : { messages: [], signals: [], children: [] };

    // timers: the rows follow the engine's set of armed timers (a due date never changes once computed)
    const timers = jobs.filter((j) => j.type === 'timer');
    const wanted = new Map(r.timers.map((x) => [`${x.executionId}|${x.dueAt.getTime()}`, x]));
    for (const job of timers) {
      const k = `${job.executionId}|${job.dueAt.getTime()}`;
      if (wanted.has(k)) wanted.delete(k);
      else await job.destroy({ transaction: t });
    }
    for (const x of wanted.values()) {
      const job = await repo.createJob(
        { type: 'timer', instanceId: inst.id, executionId: x.executionId, activityId: x.activityId, dueAt: x.dueAt, payload: { timerType: x.timerType, expression: x.expression, ...(x.provisional && { provisional: x.provisional }) }, provisional: !!x.provisional, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
        t,
      );
      if (x.dueAt.getTime() <= now.getTime()) uow.dueJobIds.push(job.id);
    }

    // message subscriptions follow the engine's waiting message events
    const wantedSubs = new Map(r.messages.map((m) => [`${m.executionId}|${m.messageName}`, m]));
    const stale: number[] = [];
    for (const s of rows.messages) {
      const k = `${s.executionId}|${s.name}`;
      if (wantedSubs.has(k)) wantedSubs.delete(k);
      else stale.push(s.id);
    }
    await repo.deleteSubscriptions(stale, t);
    for (const m of wantedSubs.values()) {
      await repo.createSubscription({ instanceId: inst.id, executionId: m.executionId, activityId: m.activityId, messageName: m.messageName, correlationKey: m.correlationKey, businessKey: inst.businessKey, createdAt: now }, t);
    }

    // signal subscriptions follow the engine's waiting signal catches (issue 12 item 13)
    const wantedSignals = new Map(r.signals.map((x) => [`${x.executionId}|${x.signalName}`, x]));
    const staleSignals: number[] = [];
    for (const s of rows.signals) {
      const k = `${s.executionId}|${s.name}`;
      if (wantedSignals.has(k)) wantedSignals.delete(k);
      else staleSignals.push(s.id);
    }
    await repo.deleteSignalSubscriptions(staleSignals, t);
    for (const x of wantedSignals.values()) {
      await repo.createSignalSubscription({ instanceId: inst.id, executionId: x.executionId, activityId: x.activityId, signalName: x.signalName, createdAt: now }, t);
    }
    // thrown signals: one broadcast job each, run right after the commit (it reaches every subscription, this instance's too)
    for (const x of r.thrownSignals) {
      const job = await repo.createJob(
        { type: 'broadcast-signal', instanceId: inst.id, executionId: null, activityId: x.activityId, dueAt: now, payload: { signalName: x.signalName, variables: x.variables }, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
        t,
      );
      uow.dueJobIds.push(job.id);
    }

    // call activities: start each child once, through a job run right after the commit
    const callJobs = jobs.filter((j) => j.type === 'call-start');
    for (const c of r.calls) {
      if (callJobs.some((j) => j.executionId === c.executionId) || (await repo.childOf(inst.id, c.executionId, t))) continue;
      const job = await repo.createJob(
        { type: 'call-start', instanceId: inst.id, executionId: c.executionId, activityId: c.activityId, dueAt: now, payload: { processId: c.processId, variables: c.variables }, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
        t,
      );
      uow.dueJobIds.push(job.id);
    }

    // called instances whose call activity no longer waits (the instance ended or was terminated, a
    // boundary event interrupted the call) are terminated with it, in this unit of work (recursively:
    // their own children follow in their save)
    const calling = new Set(r.calls.map((c) => c.executionId));
    for (const child of rows.children) {
      if (child.parentExecutionId && calling.has(child.parentExecutionId)) continue;
      await this.terminateCalled(uow, child.id, inst.id);
    }

    // retry jobs of service tasks that no longer wait are stale
    const waitingServices = new Set(r.services.map((s) => s.executionId));
    for (const job of jobs.filter((j) => j.type === 'retry')) {
      if (!waitingServices.has(job.executionId ?? '')) await job.destroy({ transaction: t });
    }

    if (TERMINAL.has(r.state)) {
      if (jobs.some((j) => j.type === 'timer' || j.type === 'retry' || j.type === 'call-start')) await repo.deleteJobs({ instanceId: inst.id, type: ['timer', 'retry', 'call-start'] }, t);
      if (inst.parentInstanceId && inst.parentExecutionId && r.state === 'completed') {
        const job = await repo.createJob(
          { type: 'call-complete', instanceId: inst.parentInstanceId, executionId: inst.parentExecutionId, activityId: null, dueAt: now, payload: { variables: r.variables, childInstanceId: inst.id }, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
          t,
        );
        uow.dueJobIds.push(job.id);
      }
    }
  }

  /**
   * Terminates a called instance inside the caller's unit of work: the engine winds it down and its
   * save cancels its tasks, drops its timers and subscriptions and terminates its own called
   * instances. If the engine cannot (its state is missing or the run fails), it is ended by hand.
   */
  private async terminateCalled(uow: UnitOfWork, childId: string, parentId: string): Promise<void> {
    const { repo } = this.d;
    const t = uow.t;
    const child = await repo.lockInstance(childId, t);
    if (!child || TERMINAL.has(child.state)) return;
    uow.noIncidents = false; // what the unit knew of incidents was its own instance's, not the child's
    if (child.engineState) await this.run(uow, child, { kind: 'terminate' }, null);
    const now = this.d.clock.now();
    if (child.state !== 'terminated') {
      const canceled = await repo.openTasks(child.id, t);
      await repo.endTasks(canceled, { state: 'canceled', completedAt: now }, t);
      await repo.deleteJobs({ instanceId: child.id, type: ['timer', 'retry', 'call-start'] }, t);
      await repo.deleteSubscriptions((await repo.subscriptionsOf(child.id, t)).map((x) => x.id), t);
      await repo.deleteSignalSubscriptions((await repo.signalSubscriptionsOf(child.id, t)).map((x) => x.id), t);
      for (const grandchild of await repo.unendedChildren(child.id, t)) await this.terminateCalled(uow, grandchild.id, child.id);
      await child.update({ state: 'terminated', endedAt: now, updatedAt: now, revision: child.revision + 1 }, { transaction: t });
    }
    await repo.log({ instanceId: child.id, operation: 'terminate', actor: null, at: now, data: { calledBy: parentId } }, t);
  }

  // ------------------------------------------------------------------ service tasks

  /**
   * Calls a service task's handler inside the unit of work. Technical failures are retried with
   * back-off through a `retry` job, up to the task's retries; then an incident. A waiting service
   * task whose back-off is not over, or that has an open incident, is left waiting.
   */
  private async invokeService(uow: UnitOfWork, inst: ProcessInstanceModel, inv: ServiceInvocation): Promise<ServiceOutcome> {
    uow.invoked = true;
    const { repo } = this.d;
    const t = uow.t;
    const now = this.d.clock.now();
    const job = await repo.retryJobFor(inst.id, inv.executionId, t);
    if (job && job.dueAt.getTime() > now.getTime()) return { kind: 'wait' };
    const incidents = await repo.openIncidents(inst.id, t);
    if (incidents.some((i) => i.executionId === inv.executionId)) return { kind: 'wait' };
    const handler = this.d.handlers.get(inv.handler);
    const outbox: NotificationRequest[] = [];
    const starts: { processId: string; variables: Record<string, unknown> }[] = [];
    const messages: { messageName: string; businessKey: string; variables: Record<string, unknown> }[] = [];
    try {
      if (!handler) throw new Error(`处理器「${inv.handler}」未注册`);
      const output = await handler.run(inv.input, {
        instanceId: inst.id,
        activityId: inv.activityId,
        executionId: inv.executionId,
        definitionKey: inst.definitionKey,
        businessKey: inst.businessKey,
        headers: inv.headers,
        now,
        once: async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
          const done = await repo.findEffect(inst.id, inv.executionId, key, t);
          if (done) return done.result as T;
          const value = await fn();
          await repo.createEffect({ instanceId: inst.id, executionId: inv.executionId, key, result: value ?? null, createdAt: now }, t);
          return value;
        },
        notify: (n) => outbox.push(n),
        projects: this.d.ports(t).projects,
        organisation: this.d.ports(t).organisation,
        startProcess: (processId, variables = {}) => starts.push({ processId, variables }),
        publishMessage: (messageName, businessKey, variables = {}) => messages.push({ messageName, businessKey, variables }),
      });
      for (const n of outbox) {
        await repo.enqueue({ dedupeKey: `${inst.id}:${inv.executionId}:${n.key}`, channel: 'inbox', payload: { ...n, instanceId: inst.id }, createdAt: now }, t);
      }
      for (const s of starts) {
        const started = await repo.createJob(
          { type: 'start-process', instanceId: inst.id, executionId: inv.executionId, activityId: inv.activityId, dueAt: now, payload: { ...s, businessKey: inst.businessKey, projectId: inst.projectId }, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
          t,
        );
        uow.dueJobIds.push(started.id);
      }
      // one job per message and business key: each waiting instance gets it once, in its own transaction
      for (const m of messages) {
        const published = await repo.createJob(
          { type: 'publish-message', instanceId: inst.id, executionId: inv.executionId, activityId: inv.activityId, dueAt: now, payload: m, lockedBy: null, lockedUntil: null, lastError: null, createdAt: now },
          t,
        );
        uow.dueJobIds.push(published.id);
      }
      if (job) await job.destroy({ transaction: t });
      return { kind: 'completed', output: output && typeof output === 'object' ? (output as Record<string, unknown>) : {} };
    } catch (err) {
      if (err instanceof BpmnError) {
        if (job) await job.destroy({ transaction: t });
        return { kind: 'bpmn-error', code: err.code, message: err.message };
      }
      const message = err instanceof Error ? err.message : String(err);
      const attempts = (job?.attempts ?? 0) + 1;
      this.d.log.warn({ event: 'service.failed', instanceId: inst.id, activityId: inv.activityId, handler: inv.handler, attempts, err: message });
      if (attempts >= Math.max(1, inv.retries)) {
        if (job) await job.destroy({ transaction: t });
        uow.noIncidents = false;
        await repo.createIncident(
          { instanceId: inst.id, activityId: inv.activityId, executionId: inv.executionId, kind: 'job', message: `服务任务「${inv.activityName ?? inv.activityId}」（${inv.handler}）重试 ${attempts} 次后仍失败：${message}`.slice(0, 5000), attempts, pendingAction: null, createdAt: now, resolvedAt: null, resolvedBy: null },
          t,
        );
        return { kind: 'wait' };
      }
      const dueAt = new Date(now.getTime() + Math.min(this.opts.retryBaseMs * 2 ** (attempts - 1), this.opts.retryMaxMs));
      if (job) await job.update({ attempts, dueAt, lastError: message.slice(0, 2000), lockedBy: null, lockedUntil: null }, { transaction: t });
      else await repo.createJob({ type: 'retry', instanceId: inst.id, executionId: inv.executionId, activityId: inv.activityId, dueAt, payload: { handler: inv.handler }, attempts, lockedBy: null, lockedUntil: null, lastError: message.slice(0, 2000), createdAt: now }, t);
      return { kind: 'wait' };
    }
  }
}
