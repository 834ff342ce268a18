import ExcelJS from 'exceljs';
import type { Sequelize } from 'sequelize';
import { forbidden, malformed, notFound, unprocessable } from '../domain/errors';
import type { User } from '../domain/organisation';
import type { Project } from '../domain/project';
import { ruleDetail } from '../domain/rules';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import { inTransaction } from '../persistence/transaction';
import type { Clock } from './clock.service';
import type { RuntimeService } from './runtime.service';
import type { VisibilityService } from './visibility.service';

export const ANNUAL_PLAN_PROCESS = 'annual-plan';
/** The element where an application waits for the annual plan (R7.5); its id is part of the contract. */
export const AWAIT_PLAN_ACTIVITY = 'AwaitAnnualPlan';

/** Who reads a whole annual plan (第7条: compiled by the Data Bureau with DRC and Finance, approved by the district government; 第23条: audit). */
const PLAN_READER_GROUPS = ['data-bureau', 'drc', 'finance', 'district-government', 'audit'];
const CLASSIFIED_NAME = '（涉密项目）';
const TYPE_NAMES: Record<string, string> = { new: '新建', expansion: '扩建', renovation: '改建', continuation: '续建', operation: '运维', service: '购买服务' };

/**
 * The annual plan (年度实施计划, R7.5): the Data Bureau compiles it from applications waiting at
 * AwaitAnnualPlan, ordered by priority; its `annual-plan` process takes it to district-government,
 * whose approval releases every listed project at once.
 */
export class AnnualPlanService {
  constructor(
    private readonly d: {
      sequelize: Sequelize;
      projects: ProjectRepository;
      runtimeRepo: Pick<RuntimeRepository, 'waitingAt'>;
      runtime: Pick<RuntimeService, 'start'>;
      clock: Pick<Clock, 'now'>;
      visibility: Pick<VisibilityService, 'projectFilter'>;
    },
  ) {}

  async create(user: User, input: unknown): Promise<{ id: number; processInstanceId: string }> {
    if (!user.groups.includes('data-bureau')) throw forbidden('年度实施计划由区数据局编制（第7条）');
    const b = (input ?? {}) as { year?: unknown; projectIds?: unknown };
    if (typeof b.year !== 'number' || !Number.isInteger(b.year) || b.year < 2000 || b.year > 2100) {
      throw malformed('year 须为年份', [{ field: 'year', message: 'year 须为年份' }]);
    }
    if (!Array.isArray(b.projectIds) || !b.projectIds.length || b.projectIds.some((x) => !Number.isInteger(x)) || new Set(b.projectIds).size !== b.projectIds.length) {
      throw malformed('projectIds 须为不重复的项目 id 数组（按优先级排序）', [{ field: 'projectIds', message: 'projectIds 须为不重复的项目 id 数组' }]);
    }
    const year = b.year;
    const ids = b.projectIds as number[];
    const problems = [];
    const projects = [];
    for (const id of ids) {
      const p = await this.d.projects.byId(id);
      if (!p) {
        problems.push({ ...ruleDetail('R7.5', `项目 ${id} 不存在`), field: 'projectIds' });
        continue;
      }
      if (p.planYear !== year) problems.push({ ...ruleDetail('R7.5', `项目 ${p.code} 的计划年度是 ${p.planYear}，不是 ${year}`), field: 'projectIds' });
      if (!(await this.d.runtimeRepo.waitingAt(p.code, AWAIT_PLAN_ACTIVITY)).length) {
        problems.push({ ...ruleDetail('R7.5', `项目 ${p.code}「${p.name}」未完成审核、不在等待年度计划，不能编入计划`), field: 'projectIds' });
      }
      projects.push(p);
    }
    if (problems.length) throw unprocessable('部分项目不能编入年度实施计划', problems, 'rule-violation');
    const plan = await inTransaction(this.d.sequelize, (t) => this.d.projects.createPlan({ year, createdBy: user.username, createdAt: this.d.clock.now(), projectIds: ids }, t));
    const started = await this.d.runtime.start(
      ANNUAL_PLAN_PROCESS,
      {
        businessKey: `PLAN-${year}-${plan.id}`,
        variables: {
          planId: plan.id,
          year,
          projectCodes: projects.map((p) => p.code),
          // a classified project's name stays out of the plan's variables (第5条): its code identifies it
          projects: projects.map((p, i) => ({ priority: i + 1, code: p.code, name: p.classified ? CLASSIFIED_NAME : p.name, classified: p.classified, unitCode: p.unitCode, type: p.type, investment: p.investment })),
          totalInvestment: projects.reduce((n, p) => n + p.investment, 0),
        },
      },
      user.username,
    );
    await this.d.projects.setPlanInstance(plan.id, started.id);
    return { id: plan.id, processInstanceId: started.id };
  }

  /**
   * One plan, as the caller may see it: the compiling and approving bureaus and the audit bureau read
   * every row, a project unit only its own rows, everyone else nothing (403). A classified row the
   * caller may not see (第5条) keeps its place, code and amount — so the totals add up — without its
   * name, unit or content.
   */
  async get(id: number, user: User) {
    const plan = await this.d.projects.plan(id);
    if (!plan) throw notFound(`年度计划 ${id} 不存在`);
    const reader = PLAN_READER_GROUPS.some((g) => user.groups.includes(g));
    const units = user.groups.filter((g) => g.startsWith('unit:')).map((g) => g.slice(5));
    if (!reader && !units.length) throw forbidden('年度实施计划仅限区数据局、区发展改革委、区财政局、区管委会、区审计局及计划内项目的单位查看（第7条）');
    const [projects, visible] = await Promise.all([this.d.projects.byIds(plan.items.map((i) => i.projectId)), this.d.visibility.projectFilter(user)]);
    const byId = new Map(projects.map((p) => [p.id, p]));
    const rows = plan.items
      .map((item) => ({ item, p: byId.get(item.projectId) }))
      .filter((r): r is { item: (typeof plan.items)[number]; p: Project } => Boolean(r.p) && (reader || units.includes(r.p!.unitCode)))
      .map(({ item, p }) => {
        const shown = visible(p);
        return {
          projectId: p.id,
          priority: item.priority,
          code: p.code,
          name: shown ? p.name : CLASSIFIED_NAME,
          unitCode: shown ? p.unitCode : null,
          type: shown ? p.type : null,
          investment: p.investment,
          classified: p.classified,
          budgeted: p.budgeted,
          stage: shown ? p.stage : null,
          description: shown ? p.description : null,
        };
      });
    if (!reader && !rows.length) throw forbidden('年度实施计划仅限区数据局、区发展改革委、区财政局、区管委会、区审计局及计划内项目的单位查看（第7条）');
    return { ...plan, items: rows };
  }

  /** The plan as an Excel workbook (.xlsx), in priority order. */
  async export(id: number, user: User): Promise<{ filename: string; buffer: Buffer }> {
    const plan = await this.get(id, user);
    const wb = new ExcelJS.Workbook();
    wb.creator = 'GovFlow';
    const ws = wb.addWorksheet(`${plan.year}年度实施计划`);
    ws.columns = [
      { header: '序号', key: 'priority', width: 6 },
      { header: '项目编号', key: 'code', width: 16 },
      { header: '项目名称', key: 'name', width: 36 },
      { header: '项目单位', key: 'unitCode', width: 12 },
      { header: '类型', key: 'type', width: 10 },
      { header: '投资金额（元）', key: 'investment', width: 16, style: { numFmt: '#,##0.00' } },
      { header: '已纳入预算', key: 'budgeted', width: 12 },
      { header: '阶段', key: 'stage', width: 14 },
    ];
    ws.getRow(1).font = { bold: true };
    for (const p of plan.items) {
      ws.addRow({ priority: p.priority, code: p.code, name: p.name, unitCode: p.unitCode ?? '', type: p.type ? (TYPE_NAMES[p.type] ?? p.type) : '', investment: p.investment, budgeted: p.budgeted ? '是' : '否', stage: p.stage ?? '' });
    }
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    return { filename: `annual-plan-${plan.year}-${plan.id}.xlsx`, buffer };
  }
}
