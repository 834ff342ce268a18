import ExcelJS from 'exceljs';
import type { Sequelize } from 'sequelize';
import { forbidden, malformed, notFound, unprocessable } from '../domain/errors';
import { unitsOf, type User } from '../domain/organisation';
import type { Project } from '../domain/project';
import { ruleDetail } from '../domain/rules';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
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
      runtimeRepo: Pick<RuntimeRepository, 'waitingAt' | 'listInstances'>;
      org: Pick<OrganisationRepository, 'listDepartments'>;
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
    const projects: Project[] = [];
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
    // the plan row, its process and the link between them commit together (or none of them does)
    let planId = 0;
    const started = await this.d.runtime.start(
      ANNUAL_PLAN_PROCESS,
      async (t, instanceId) => {
        const plan = await this.d.projects.createPlan({ year, createdBy: user.username, createdAt: this.d.clock.now(), projectIds: ids }, t);
        planId = plan.id;
        await this.d.projects.setPlanInstance(plan.id, instanceId, t);
        return {
          businessKey: `PLAN-${year}-${plan.id}`,
          variables: {
            planId: plan.id,
            year,
            projectCodes: projects.map((p) => p.code),
            // a classified project's name stays out of the plan's variables (第5条): its code identifies it
            projects: projects.map((p, i) => ({ priority: i + 1, code: p.code, name: p.classified ? CLASSIFIED_NAME : p.name, classified: p.classified, unitCode: p.unitCode, type: p.type, investment: p.investment })),
            totalInvestment: projects.reduce((n, p) => n + p.investment, 0),
          },
        };
      },
      user.username,
    );
    return { id: planId, processInstanceId: started.id };
  }

  /**
   * One plan, as the caller may see it: the compiling and approving bureaus and the audit bureau read
   * every row, a project unit only its own rows, everyone else nothing (403). A classified row the
   * caller may not see (第5条) keeps its place, code and amount — so the totals add up — without its
   * name, unit or content.
   */
  /** The plans a reader may open: all of them for the plan's readers, those listing its projects for a unit. */
  async list(user: User) {
    const plans = await this.d.projects.plans();
    if (PLAN_READER_GROUPS.some((g) => user.groups.includes(g))) return plans;
    const ownUnits = unitsOf(user);
    if (!ownUnits.length) return [];
    const projects = await this.d.projects.byIds([...new Set(plans.flatMap((p) => p.projectIds))]);
    const mine = new Set(projects.filter((p) => ownUnits.includes(p.unitCode)).map((p) => p.id));
    return plans.filter((p) => p.projectIds.some((id) => mine.has(id)));
  }

  async get(id: number, user: User) {
    const plan = await this.d.projects.plan(id);
    if (!plan) throw notFound(`年度计划 ${id} 不存在`);
    const reader = PLAN_READER_GROUPS.some((g) => user.groups.includes(g));
    const ownUnits = unitsOf(user);
    if (!reader && !ownUnits.length) throw forbidden('年度实施计划仅限区数据局、区发展改革委、区财政局、区管委会、区审计局及计划内项目的单位查看（第7条）');
    const [projects, visible] = await Promise.all([this.d.projects.byIds(plan.items.map((i) => i.projectId)), this.d.visibility.projectFilter(user)]);
    const byId = new Map(projects.map((p) => [p.id, p]));
    const units = new Map((await this.d.org.listDepartments()).map((d) => [d.code, d.name]));
    const listed = plan.items
      .map((item) => ({ item, p: byId.get(item.projectId) }))
      .filter((r): r is { item: (typeof plan.items)[number]; p: Project } => Boolean(r.p) && (reader || ownUnits.includes(r.p!.unitCode)));
    const rows = [];
    for (const { item, p } of listed) {
      const shown = visible(p);
      rows.push({
        projectId: p.id,
        priority: item.priority,
        code: p.code,
        name: shown ? p.name : CLASSIFIED_NAME,
        unitCode: shown ? p.unitCode : null,
        unitName: shown ? (units.get(p.unitCode) ?? p.unitCode) : null,
        type: shown ? p.type : null,
        typeName: shown ? (TYPE_NAMES[p.type] ?? p.type) : null,
        investment: p.investment,
        fundingSource: await this.fundingSource(p),
        classified: p.classified,
        budgeted: p.budgeted,
        stage: shown ? p.stage : null,
        description: shown ? p.description : null,
      });
    }
    if (!reader && !rows.length) throw forbidden('年度实施计划仅限区数据局、区发展改革委、区财政局、区管委会、区审计局及计划内项目的单位查看（第7条）');
    return { ...plan, items: rows };
  }

  /**
   * 资金来源: what 区财政局's review recorded on the application (variable `fundingSource`), else what the
   * measures give: a plan project is funded from the district budget (第7条(五) 纳入预算), a fully
   * superior-funded one (第8条(三)) from above.
   */
  private async fundingSource(p: Project): Promise<string> {
    const [application] = await this.d.runtimeRepo.listInstances({ businessKey: p.code, definitionKey: 'application-approval' }, 1);
    const recorded = application?.variables?.fundingSource;
    if (typeof recorded === 'string' && recorded.trim()) return recorded.trim();
    return p.outOfPlanCategory === 'superior-funded' ? '上级资金' : '区级财政预算资金';
  }

  /**
   * The plan as an Excel workbook in the layout a district office prints: a title, the columns
   * 序号 · 项目名称 · 项目单位 · 建设类型 · 投资金额（万元）· 资金来源 · 建设内容 · 优先级, Chinese names, a total
   * row, A4 landscape fitted to the page width with the header repeated on every page.
   */
  async export(id: number, user: User): Promise<{ filename: string; buffer: Buffer }> {
    const plan = await this.get(id, user);
    const wb = new ExcelJS.Workbook();
    wb.creator = 'GovFlow';
    const ws = wb.addWorksheet(`${plan.year}年度实施计划`, {
      pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, horizontalCentered: true, margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 } },
      headerFooter: { oddFooter: '第 &P 页，共 &N 页' },
      views: [{ state: 'frozen', ySplit: 3 }],
    });
    const widths = [6, 34, 18, 10, 14, 16, 48, 8];
    widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
    ws.mergeCells(1, 1, 1, widths.length);
    const title = ws.getCell(1, 1);
    title.value = `${plan.year}年度区级政务信息化项目实施计划`;
    title.font = { bold: true, size: 16 };
    title.alignment = { horizontal: 'center', vertical: 'middle' };
    ws.getRow(1).height = 30;
    ws.mergeCells(2, 1, 2, widths.length);
    const sub = ws.getCell(2, 1);
    sub.value = '编制：区数据局会同区发展改革委、区财政局　　　　金额单位：万元';
    sub.alignment = { horizontal: 'right' };
    const border = { top: { style: 'thin' as const }, left: { style: 'thin' as const }, bottom: { style: 'thin' as const }, right: { style: 'thin' as const } };
    const header = ws.getRow(3);
    header.values = ['序号', '项目名称', '项目单位', '建设类型', '投资金额（万元）', '资金来源', '建设内容', '优先级'];
    header.eachCell((c) => {
      c.font = { bold: true };
      c.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      c.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE7EEF7' } };
      c.border = border;
    });
    plan.items.forEach((p, n) => {
      const row = ws.addRow([n + 1, p.name, p.unitName ?? '', p.typeName ?? '', Math.round(p.investment) / 10000, p.fundingSource, p.description ?? '', p.priority]);
      row.eachCell({ includeEmpty: true }, (c, col) => {
        c.border = border;
        c.alignment = { vertical: 'top', wrapText: true, horizontal: col === 1 || col === 4 || col === 8 ? 'center' : col === 5 ? 'right' : 'left' };
      });
      row.getCell(5).numFmt = '#,##0.00';
    });
    const first = 4;
    const last = 3 + plan.items.length;
    const total = ws.addRow(['合计', '', '', '', { formula: `SUM(E${first}:E${last})`, result: plan.items.reduce((n, p) => n + Math.round(p.investment), 0) / 10000 }, '', `共 ${plan.items.length} 个项目`, '']);
    ws.mergeCells(total.number, 1, total.number, 4);
    total.eachCell({ includeEmpty: true }, (c) => {
      c.border = border;
      c.font = { bold: true };
    });
    total.getCell(1).alignment = { horizontal: 'center' };
    total.getCell(5).numFmt = '#,##0.00';
    ws.pageSetup.printTitlesRow = '3:3';
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());
    return { filename: `${plan.year}年度区级政务信息化项目实施计划.xlsx`, buffer };
  }
}
