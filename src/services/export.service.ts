import ExcelJS from 'exceljs';
import { malformed } from '../domain/errors';
import { WORK_LIST_LABELS, chineseDateTime, projectTypeLabel, stageLabel } from '../domain/labels';
import type { User } from '../domain/organisation';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectListFilter } from '../persistence/repositories/project.repository';
import type { ProjectService } from './project.service';
import { WORK_LISTS, type WorkFilter, type WorkList, type WorkspaceService } from './workspace.service';

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

/** the projects one export holds at most: every project of a district's years (a page of the list holds 1,000) */
export const EXPORT_PROJECTS = 50_000;

/**
 * Any list as Excel or CSV: the project list and the four work lists (待办 / 已办 / 我发起的 / 抄送我的), each
 * exactly what the caller sees (the visibility rule of 第5条, the same filters as the list).
 */
export class ExportService {
  constructor(
    private readonly d: {
      projects: Pick<ProjectService, 'list'>;
      workspace: Pick<WorkspaceService, 'list'>;
      org: Pick<OrganisationRepository, 'listDepartments'>;
      clock: { now(): Date };
    },
  ) {}

  async projectsTable(user: User, filter: ProjectListFilter): Promise<ExportTable> {
    // every project of the filter the caller may see, not the list's page of 1,000 (as the work lists export every row)
    const [projects, departments] = await Promise.all([this.d.projects.list(user, filter, EXPORT_PROJECTS), this.d.org.listDepartments()]);
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
        stageLabel(p.stage),
        p.classified ? '是' : '否',
        chineseDateTime(p.submittedAt),
      ]),
    };
  }

  /** A work list of the staff workspace (待办 / 已办 / 我发起的 / 抄送我的): every row, with the page's filters; rows pass 第5条. */
  async workListTable(user: User, list: WorkList, filter: WorkFilter): Promise<ExportTable> {
    const { rows } = await this.d.workspace.list(user, list, filter, { all: true });
    const last: Record<WorkList, string> = { todo: '说明', done: '办理结论', started: '流程状态', cc: '抄送内容' };
    return {
      title: WORK_LIST_LABELS[list],
      columns: [
        { header: '序号', width: 6 },
        { header: '项目编号', width: 16 },
        { header: '项目名称', width: 32 },
        { header: '项目单位', width: 20 },
        { header: '流程', width: 20 },
        { header: '环节', width: 20 },
        { header: '收到时间', width: 20 },
        { header: '截止时间', width: 22 },
        { header: '剩余工作日', width: 10 },
        { header: '是否逾期', width: 10 },
        { header: '办结时间', width: 20 },
        { header: last[list], width: 30 },
      ],
      rows: rows.map((r, n) => [
        n + 1,
        r.projectCode ?? '',
        r.projectName ?? '',
        r.unitName ?? '',
        r.processName ?? '',
        r.stepName ?? '',
        r.received,
        r.due + (r.provisional && r.due ? '（暂定）' : ''),
        r.workingDaysLeft ?? '',
        r.overdue ? '是' : '否',
        r.doneAt,
        r.note,
      ]),
    };
  }

  async export(list: 'projects' | 'tasks', format: ExportFormat, user: User, query: Record<string, unknown>): Promise<{ filename: string; buffer: Buffer; type: string }> {
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    let table: ExportTable;
    if (list === 'projects') {
      const planYear = query.planYear === undefined || query.planYear === '' ? undefined : Number(query.planYear);
      if (planYear !== undefined && !Number.isInteger(planYear)) throw malformed('planYear 须为年份');
      table = await this.projectsTable(user, { stage: str(query.stage), unitCode: str(query.unitCode), planYear, type: str(query.type), q: str(query.q) });
    } else {
      const list = WORK_LISTS.find((l) => l === (query.list ?? 'todo'));
      if (!list) throw malformed(`list 须为 ${WORK_LISTS.join(' | ')} 之一`);
      const project = query.project === undefined || query.project === '' ? undefined : Number(query.project);
      if (project !== undefined && !(Number.isInteger(project) && project > 0)) throw malformed('project 须为项目标识');
      const due = query.due === 'soon' || query.due === 'overdue' ? query.due : undefined;
      table = await this.workListTable(user, list, { process: str(query.process), project, due, sort: query.sort === 'due' ? 'due' : 'received' });
    }
    const day = chineseDateTime(this.d.clock.now()).replace(/ .*/, '');
    const filename = `${table.title}（${day}）.${format}`;
    return format === 'csv'
      ? { filename, buffer: toCsv(table), type: 'text/csv; charset=utf-8' }
      : { filename, buffer: await toXlsx(table), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  }
}
