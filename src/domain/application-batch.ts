import type { RuleDetail } from './errors';

/** 第5条第（一）项 申报批次: a window the Data Bureau opens for a plan year (days in Asia/Shanghai, both included). */
export interface ApplicationBatch {
  id: number;
  name: string;
  planYear: number;
  opensOn: string;
  closesOn: string;
  closedAt: Date | null;
  createdBy: string;
  createdAt: Date;
}

/** What the application process sees of the batch a submission fell in (variable `applicationBatch`). */
export interface ApplicationBatchVariable {
  id: number;
  name: string;
  planYear: number;
  opensOn: string;
  closesOn: string;
}

export type BatchStatus = 'upcoming' | 'open' | 'ended' | 'closed';

export const BATCH_STATUS_LABELS: Readonly<Record<BatchStatus, string>> = { upcoming: '未开始', open: '进行中', ended: '已结束', closed: '已关闭' };

/** The status on an Asia/Shanghai day: an early close wins, then the dates. */
export function batchStatus(b: Pick<ApplicationBatch, 'opensOn' | 'closesOn' | 'closedAt'>, today: string): BatchStatus {
  if (b.closedAt) return 'closed';
  if (today < b.opensOn) return 'upcoming';
  if (today > b.closesOn) return 'ended';
  return 'open';
}

/** Accepting submissions on `today` (not closed early, within its days). */
export const isOpenOn = (b: Pick<ApplicationBatch, 'opensOn' | 'closesOn' | 'closedAt'>, today: string) => batchStatus(b, today) === 'open';

export const batchVariable = (b: ApplicationBatch): ApplicationBatchVariable => ({ id: b.id, name: b.name, planYear: b.planYear, opensOn: b.opensOn, closesOn: b.closesOn });

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar day written YYYY-MM-DD. */
export function isCalendarDay(v: unknown): v is string {
  const m = typeof v === 'string' ? ISO_DAY.exec(v) : null;
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** 2027-07-01 → 2027年7月1日 */
export const chineseDay = (iso: string) => `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;

export interface BatchInput {
  name: string;
  planYear: number;
  opensOn: string;
  closesOn: string;
}

/** The shape of POST /api/application-batches: each problem in Chinese, by field. */
export function batchInputProblems(input: Record<string, unknown>): RuleDetail[] {
  const p: RuleDetail[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (!name || name.length > 100) p.push({ field: 'name', message: '请填写批次名称（不超过100字）' });
  const y = input.planYear;
  if (typeof y !== 'number' || !Number.isInteger(y) || y < 2000 || y > 2100) p.push({ field: 'planYear', message: '计划年度须为 2000–2100 之间的年份' });
  const opens = isCalendarDay(input.opensOn);
  const closes = isCalendarDay(input.closesOn);
  if (!opens) p.push({ field: 'opensOn', message: '开始日期须为有效日期（如 2027-07-01）' });
  if (!closes) p.push({ field: 'closesOn', message: '截止日期须为有效日期（如 2027-12-31）' });
  if (opens && closes && (input.closesOn as string) < (input.opensOn as string)) p.push({ field: 'closesOn', message: '截止日期不能早于开始日期' });
  return p;
}
