import ExcelJS from 'exceljs';
import { malformed } from '../domain/errors';
import { chineseDateTime, groupName, projectStageLabel, projectTypeLabel } from '../domain/labels';
import type { User } from '../domain/organisation';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { DefinitionService } from './definition.service';
import type { ProjectService } from './project.service';
import type { TaskService } from './task.service';
import type { VisibilityService } from './visibility.service';

export type ExportFormat = 'xlsx' | 'csv';
type Cell = string | number;

/** A list as a table: Chinese headers, Chinese labels for codes, times in Asia/Shanghai. */
export interface ExportTable {
  title: string;
  columns: { header: string; width: number }[];
  rows: Cell[][];
}

export function exportFormat(v: unknown): ExportFormat {
  if (v === undefined || v === '' || v === 'xlsx') return 'xlsx';
  if (v === 'csv') return 'csv';
  throw malformed('format 须为 xlsx 或 csv');
}

/** A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is written as text ('…). */
const safeText = (v: Cell): Cell => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/** RFC 4180 CSV with a UTF-8 byte-order mark (so Excel reads the Chinese), CRLF line ends. */
export function toCsv(table: ExportTable): Buffer {
  const cell = (v: Cell) => {
    const s = String(safeText(v));
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [table.columns.map((c) => cell(c.header)), ...table.rows.map((r) => r.map(cell))].map((r) => r.join(','));
  return Buffer.from(`\ufeff${lines.join('\r\n')}\r\n`, 'utf8');
}

export async function toXlsx(table: ExportTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'GovFlow';
  const ws = wb.addWorksheet(table.title, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
  });
  ws.columns = table.columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  for (const r of table.rows) ws.addRow(r.map(safeText));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * Any list as Excel or CSV: the project list and the task list, each exactly what the caller sees
 * (the visibility rule of 第5条, the same filters as the JSON lists).
 */
export class ExportService {
  constructor(
    private readonly d: {
      projects: Pick<ProjectService, 'list'>;
      tasks: Pick<TaskService, 'list'>;
      projectRepo: Pick<ProjectRepository, 'byIds'>;
      definitions: Pick<DefinitionService, 'list'>;
      org: Pick<OrganisationRepository, 'listDepartments'>;
      visibility: Pick<VisibilityService, 'projectFilter'>;
      clock: { now(): Date };
    },
  ) {}

  async projectsTable(user: User, filter: { stage?: string; unitCode?: string; planYear?: number }): Promise<ExportTable> {
    const [projects, departments] = await Promise.all([this.d.projects.list(user, filter), this.d.org.listDepartments()]);
    const unitName = new Map(departments.map((d) => [d.code, d.name]));
    return {
      title: '项目清单',
      columns: [
        { header: '序号', width: 6 },
        { header: '项目编号', width: 16 },
        { header: '项目名称', width: 32 },
        { header: '项目单位', width: 20 },
        { header: '建设类型', width: 10 },
        { header: '申报投资金额（元）', width: 16 },
        { header: '批准金额（元）', width: 16 },
        { header: '计划年度', width: 10 },
        { header: '项目阶段', width: 16 },
        { header: '是否涉密', width: 10 },
        { header: '提交时间', width: 20 },
      ],
      rows: projects.map((p, n) => [
        n + 1,
        p.code,
        p.name,
        unitName.get(p.unitCode) ?? p.unitCode,
        projectTypeLabel(p.type),
        Number(p.investment),
        p.approvedAmount === null ? '' : Number(p.approvedAmount),
        p.planYear,
        projectStageLabel(p.stage),
        p.classified ? '是' : '否',
        chineseDateTime(p.submittedAt),
      ]),
    };
  }

  async tasksTable(user: User, filter: { processInstanceId?: string; businessKey?: string }): Promise<ExportTable> {
    const tasks = await this.d.tasks.list(user, filter);
    const ids = [...new Set(tasks.map((t) => t.projectId).filter((x): x is number => x !== null))];
    const [projects, visible, departments, definitions] = await Promise.all([
      ids.length ? this.d.projectRepo.byIds(ids) : Promise.resolve([]),
      this.d.visibility.projectFilter(user),
      this.d.org.listDepartments(),
      this.d.definitions.list(),
    ]);
    // a task's project is named only when the caller may see the project (第5条)
    const project = new Map(projects.filter(visible).map((p) => [p.id, p]));
    const unitName = new Map(departments.map((d) => [d.code, d.name]));
    const processName = new Map(definitions.map((d) => [d.key, d.name]));
    const now = this.d.clock.now().getTime();
    return {
      title: '待办任务',
      columns: [
        { header: '序号', width: 6 },
        { header: '任务', width: 24 },
        { header: '流程', width: 20 },
        { header: '项目编号', width: 16 },
        { header: '项目名称', width: 32 },
        { header: '项目单位', width: 20 },
        { header: '办理人', width: 12 },
        { header: '候选部门', width: 24 },
        { header: '创建时间', width: 20 },
        { header: '截止时间', width: 20 },
        { header: '状态', width: 10 },
      ],
      rows: tasks.map((t, n) => {
        const p = t.projectId === null ? undefined : project.get(t.projectId);
        const overdue = t.dueAt !== null && Date.parse(t.dueAt) < now;
        return [
          n + 1,
          t.name ?? t.activityId,
          processName.get(t.definitionKey) ?? t.definitionKey,
          p?.code ?? '',
          p?.name ?? '',
          p ? (unitName.get(p.unitCode) ?? p.unitCode) : '',
          t.assignee ?? '待签收',
          t.candidateGroups.map(groupName).join('、'),
          chineseDateTime(t.createdAt),
          chineseDateTime(t.dueAt) + (t.provisional && t.dueAt ? '（暂定）' : ''),
          overdue ? '已逾期' : '办理中',
        ];
      }),
    };
  }

  async export(list: 'projects' | 'tasks', format: ExportFormat, user: User, query: Record<string, unknown>): Promise<{ filename: string; buffer: Buffer; type: string }> {
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    let table: ExportTable;
    if (list === 'projects') {
      const planYear = query.planYear === undefined || query.planYear === '' ? undefined : Number(query.planYear);
      if (planYear !== undefined && !Number.isInteger(planYear)) throw malformed('planYear 须为年份');
      table = await this.projectsTable(user, { stage: str(query.stage), unitCode: str(query.unitCode), planYear });
    } else {
      table = await this.tasksTable(user, { processInstanceId: str(query.processInstanceId), businessKey: str(query.businessKey) });
    }
    const day = chineseDateTime(this.d.clock.now()).replace(/ .*/, '');
    const filename = `${table.title}（${day}）.${format}`;
    return format === 'csv'
      ? { filename, buffer: toCsv(table), type: 'text/csv; charset=utf-8' }
      : { filename, buffer: await toXlsx(table), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  }
}
