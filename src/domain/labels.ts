/**
 * Codes become words in one place: the Chinese names pages, exports and messages use, so no English
 * code reaches a Chinese reader. (Group names match the seed's, ../shared/spec/seed.md.)
 */
export const GROUP_NAMES: Readonly<Record<string, string>> = {
  admin: '系统管理员',
  'data-bureau': '区数据局',
  confidentiality: '区机要保密局',
  cryptography: '区国家密码管理局',
  cyberspace: '区委网信办',
  drc: '区发展改革委',
  finance: '区财政局',
  audit: '区审计局',
  'district-government': '区管委会（区政府）',
  experts: '评审专家',
};

/** Process variables that messages name. */
export const VARIABLE_LABELS: Readonly<Record<string, string>> = {
  projectId: '项目标识',
  projectCode: '项目编号',
  projectName: '项目名称',
  unitCode: '项目单位',
  unitGroup: '项目单位',
  supervisorGroup: '主管部门',
  classified: '是否涉密',
  crossDepartment: '是否跨部门',
  participants: '参与单位',
  planYear: '计划年度',
  stage: '项目阶段',
  budgeted: '是否纳入预算',
  materials: '已提交材料',
  investment: '申报投资金额',
  disbursedTotal: '累计拨付金额',
  approvedAmount: '批准金额',
  recommendedInvestment: '专家建议投资金额',
  contractAmount: '合同金额',
};

export const groupName = (key: string) => GROUP_NAMES[key] ?? (key.startsWith('unit:') ? `项目单位（${key.slice(5)}）` : key);
export const variableLabel = (name: string) => VARIABLE_LABELS[name] ?? name;

export const DECISION_LABELS: Readonly<Record<string, string>> = { approve: '同意', return: '退回修改', reject: '不同意' };
export const decisionLabel = (d: unknown) => (typeof d === 'string' ? (DECISION_LABELS[d] ?? d) : '');

/** 2026年9月28日 10:05 — an instant as a Chinese reader writes it, in Asia/Shanghai (UTC+8, no DST). */
export function chineseDateTime(at: Date | string | null | undefined): string {
  if (!at) return '';
  const d = new Date(new Date(at).getTime() + 8 * 3_600_000);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 建设类型 (the project's `type`). */
export const PROJECT_TYPE_LABELS: Readonly<Record<string, string>> = { new: '新建', expansion: '扩建', renovation: '改建', continuation: '续建', operation: '运维', service: '购买服务' };
/** 项目阶段 (the project's `stage`, set by the processes' `update-project` steps). */
export const PROJECT_STAGE_LABELS: Readonly<Record<string, string>> = {
  draft: '草稿',
  submitted: '已申报',
  revising: '退回修改',
  'out-of-scope': '不属于管理范围',
  rejected: '未通过',
  'awaiting-plan': '待纳入年度计划',
  budgeted: '已纳入年度计划',
  approved: '已立项',
  implementing: '实施中',
  suspended: '已暂停',
  accepting: '验收中',
  accepted: '已验收',
  archived: '已归档',
  'performance-evaluated': '已完成绩效评价',
};
export const projectTypeLabel = (t: string) => PROJECT_TYPE_LABELS[t] ?? t;
export const projectStageLabel = (s: string | null | undefined) => (s ? (PROJECT_STAGE_LABELS[s] ?? s) : '');
