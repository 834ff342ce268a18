import type { Sequelize, Transaction } from 'sequelize';
import {
  BATCH_STATUS_LABELS,
  batchInputProblems,
  batchStatus,
  batchVariable,
  chineseDay,
  isOpenOn,
  type ApplicationBatch,
  type ApplicationBatchVariable,
} from '../domain/application-batch';
import { toShanghaiDate } from '../domain/calendar';
import { conflict, forbidden, malformed, notFound, unprocessable } from '../domain/errors';
import { isAdmin, type User } from '../domain/organisation';
import { logBatchOperation, type ApplicationBatchRepository } from '../persistence/repositories/application-batch.repository';
import { inTransaction, isUniqueViolation, retryOnUniqueKey } from '../persistence/transaction';
import type { Clock } from './clock.service';

/** Who opens and closes 申报批次: the Data Bureau (第5条第（一）项) and the administrators. */
export const mayManageBatches = (u: Pick<User, 'groups'>) => isAdmin(u) || u.groups.includes('data-bureau');

/**
 * 第5条第（一）项 申报批次: the windows the Data Bureau opens for a plan year's in-plan applications
 * (and may close early). A submission passes the batch open at its time for its plan year to the
 * application process (`applicationBatch`), whose rule R5.1 (in the diagram) decides.
 */
export class ApplicationBatchService {
  constructor(private readonly d: { sequelize: Sequelize; repo: ApplicationBatchRepository; clock: Pick<Clock, 'now'> }) {}

  async list() {
    const today = toShanghaiDate(this.d.clock.now());
    return (await this.d.repo.list()).map((b) => this.view(b, today));
  }

  /** The batch of `planYear` accepting submissions at `at` (Asia/Shanghai day), if any. */
  async openFor(planYear: number, at: Date, t?: Transaction): Promise<ApplicationBatchVariable | null> {
    const today = toShanghaiDate(at);
    const open = (await this.d.repo.overlapping(planYear, today, today, t)).find((b) => isOpenOn(b, today));
    return open ? batchVariable(open) : null;
  }

  async open(user: User, input: unknown) {
    if (!mayManageBatches(user)) throw forbidden('只有区数据局可以开启申报批次（第五条第（一）项）');
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw malformed('请求体须为 JSON 对象');
    const b = input as Record<string, unknown>;
    const problems = batchInputProblems(b);
    if (problems.length) throw unprocessable('申报批次填写不完整或有误', problems, 'invalid-fields');
    const fields = { name: (b.name as string).trim(), planYear: b.planYear as number, opensOn: b.opensOn as string, closesOn: b.closesOn as string };
    const now = this.d.clock.now();
    try {
      return await inTransaction(this.d.sequelize, async (t) => {
        // the operation log's append locks its chain heads first: two batches opened at once are checked one after the other
        await logBatchOperation({ operation: 'application-batch-open', actor: user.username, at: now, data: fields }, t);
        const clash = await this.d.repo.overlapping(fields.planYear, fields.opensOn, fields.closesOn, t);
        if (clash.length) {
          const c = clash[0];
          const message = `${fields.planYear}年度已有申报批次「${c.name}」（${chineseDay(c.opensOn)}至${chineseDay(c.closesOn)}）与所填日期重叠；同一计划年度的申报批次不能重叠`;
          throw unprocessable(message, [{ field: 'opensOn', rule: 'R5.1', article: '第5条', message }], 'batch-overlap');
        }
        if (await this.d.repo.byName(fields.name, t)) throw unprocessable('已有同名的申报批次', [{ field: 'name', message: `已有名为「${fields.name}」的申报批次，请换一个名称` }], 'duplicate-name');
        const created = await this.d.repo.create({ ...fields, createdBy: user.username, createdAt: now }, t);
        return this.view(created, toShanghaiDate(now));
      });
    } catch (err) {
      // a batch of the same name committed meanwhile
      if (isUniqueViolation(err)) throw unprocessable('已有同名的申报批次', [{ field: 'name', message: `已有名为「${fields.name}」的申报批次，请换一个名称` }], 'duplicate-name');
      throw err;
    }
  }

  /** Closes a batch early: from now on no submission falls in it. 409 if it is already closed or over. */
  async close(user: User, id: number) {
    if (!mayManageBatches(user)) throw forbidden('只有区数据局可以关闭申报批次（第五条第（一）项）');
    const now = this.d.clock.now();
    const today = toShanghaiDate(now);
    return inTransaction(this.d.sequelize, async (t) => {
      const b = await this.d.repo.byId(id, t, true);
      if (!b) throw notFound(`申报批次 ${id} 不存在`);
      const status = batchStatus(b, today);
      if (status === 'closed') throw conflict(`申报批次「${b.name}」已关闭`, 'already-closed');
      if (status === 'ended') throw conflict(`申报批次「${b.name}」已于${chineseDay(b.closesOn)}结束，无需关闭`, 'already-ended');
      await logBatchOperation({ operation: 'application-batch-close', actor: user.username, at: now, data: { id: b.id, name: b.name, planYear: b.planYear } }, t);
      await this.d.repo.close(id, now, t);
      return this.view({ ...b, closedAt: now }, today);
    });
  }

  /**
   * The demo (never production): for each plan year a batch 「YYYY年度项目集中申报」 from July 1 to
   * December 31 of the year before — what the measures' old months-7-to-12 rule meant. Idempotent, and
   * nodes seeding at once meet on the unique name and find the other's row.
   */
  async seedDemo(years: number[]): Promise<number> {
    let created = 0;
    for (const y of years) {
      const name = `${y}年度项目集中申报`;
      await retryOnUniqueKey(async () => {
        if (await this.d.repo.byName(name)) return;
        await this.d.repo.create({ name, planYear: y, opensOn: `${y - 1}-07-01`, closesOn: `${y - 1}-12-31`, createdBy: 'sjj', createdAt: this.d.clock.now() });
        created += 1;
      }, 8);
    }
    return created;
  }

  private view(b: ApplicationBatch, today: string) {
    const status = batchStatus(b, today);
    return {
      id: b.id,
      name: b.name,
      planYear: b.planYear,
      opensOn: b.opensOn,
      closesOn: b.closesOn,
      closedAt: b.closedAt ? b.closedAt.toISOString() : null,
      status,
      statusLabel: BATCH_STATUS_LABELS[status],
      createdBy: b.createdBy,
      createdAt: b.createdAt.toISOString(),
    };
  }
}
