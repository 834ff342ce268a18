import type { ApplicationBatchVariable } from './application-batch';
import type { RuleDetail } from './errors';

export const PROJECT_TYPES = ['new', 'expansion', 'renovation', 'continuation', 'operation', 'service'] as const;
export const SCOPE_CATEGORIES = ['informatization', 'office-equipment', 'professional-equipment', 'terminal-software', 'building-intelligence', 'other'] as const;
export const OUT_OF_PLAN_CATEGORIES = ['mandated-urgent', 'emergency', 'superior-funded'] as const;
export const MATERIAL_TYPES = [
  'application-form', 'construction-plan', 'previous-contract', 'service-needs-report', 'interface-and-catalog', 'security-plan',
  'crypto-plan', 'tender-docs', 'winning-bid', 'contract', 'payment-plan', 'om-system', 'emergency-plan', 'acceptance-application',
  'construction-summary', 'trial-operation-report', 'data-catalog-sharing', 'fund-usage', 'classified-protection-report',
  'security-risk-report', 'crypto-assessment-report', 'digital-om-report', 'service-summary', 'om-self-evaluation', 'payment-evidence', 'acceptance-report', 'performance-report', 'other',
] as const;

export type ProjectType = (typeof PROJECT_TYPES)[number];
export type ScopeCategory = (typeof SCOPE_CATEGORIES)[number];
export type OutOfPlanCategory = (typeof OUT_OF_PLAN_CATEGORIES)[number];
export type MaterialType = (typeof MATERIAL_TYPES)[number];

/** Where a project stands; set by the processes (handler `project-stage`) — data in the diagrams. */
export type ProjectStage = string;

export interface ProjectFields {
  name: string;
  unitCode: string;
  type: ProjectType;
  investment: number;
  planYear: number;
  classified: boolean;
  crossDepartment: boolean;
  participants: string[];
  standaloneMobileApp: boolean;
  justification: string | null;
  scopeCategory: ScopeCategory;
  inAnnualPlan: boolean;
  outOfPlanCategory: OutOfPlanCategory | null;
  existingSystems: string[];
  description: string;
}

export interface Project extends ProjectFields {
  id: number;
  code: string;
  stage: ProjectStage;
  budgeted: boolean;
  approvedAmount: number | null;
  createdBy: string;
  createdAt: Date;
  submittedAt: Date | null;
}

/** What the processes' handlers may read of a project, and change. Implemented by the services layer. */
export interface ProjectPort {
  /** `applicationBatch`: the 申报批次 open now for the project's plan year (第5条第（一）项), undefined where no batches are kept */
  get(code: string): Promise<(Project & { materials: string[]; applicationBatch?: ApplicationBatchVariable | null }) | null>;
  setStage(code: string, stage: string): Promise<void>;
  update(code: string, changes: Partial<Pick<Project, 'budgeted' | 'approvedAmount'>>): Promise<void>;
  /** records a payment decision of the project (R14.1), shown in GET /api/projects/:id `payments` */
  recordPayment(code: string, payment: { amount: number; state: 'disbursed' | 'refused'; instanceId: string; decidedAt: Date }): Promise<void>;
}

const MONEY = /^\d+(\.\d{1,2})?$/;

/**
 * Checks the fields of a draft (POST /api/projects, PATCH): shape only (400/422 for malformed
 * fields). The rules of the measures run in the application process, not here.
 */
export function draftProblems(input: Record<string, unknown>, partial = false): RuleDetail[] {
  const p: RuleDetail[] = [];
  const has = (k: string) => input[k] !== undefined;
  const need = (k: string) => !partial || has(k);
  const str = (k: string, max: number, required = true) => {
    if (!need(k) || (!required && (input[k] === null || input[k] === undefined))) return;
    const v = input[k];
    if (typeof v !== 'string' || (required && !v.trim()) || v.length > max) p.push({ field: k, message: `${k} 须为${required ? '非空' : ''}字符串（不超过 ${max} 字）` });
  };
  const bool = (k: string) => {
    if (need(k) && typeof input[k] !== 'boolean') p.push({ field: k, message: `${k} 须为 true 或 false` });
  };
  const oneOf = (k: string, values: readonly string[], required = true) => {
    if (!need(k) || (!required && (input[k] === null || input[k] === undefined))) return;
    if (!values.includes(input[k] as string)) p.push({ field: k, message: `${k} 须为 ${values.join(' | ')} 之一` });
  };
  const list = (k: string) => {
    if (!need(k)) return;
    const v = input[k];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || !x || x.length > 200) || v.length > 100) p.push({ field: k, message: `${k} 须为字符串数组` });
  };
  str('name', 200);
  str('unitCode', 64);
  oneOf('type', PROJECT_TYPES);
  if (need('investment')) {
    const v = input.investment;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e12 || !MONEY.test(String(v))) p.push({ field: 'investment', message: 'investment 须为非负金额（元，至多两位小数）' });
  }
  if (need('planYear')) {
    const v = input.planYear;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 2000 || v > 2100) p.push({ field: 'planYear', message: 'planYear 须为年份' });
  }
  bool('classified');
  bool('crossDepartment');
  list('participants');
  bool('standaloneMobileApp');
  str('justification', 5000, false);
  oneOf('scopeCategory', SCOPE_CATEGORIES);
  bool('inAnnualPlan');
  oneOf('outOfPlanCategory', OUT_OF_PLAN_CATEGORIES, false);
  list('existingSystems');
  str('description', 20000);
  const known = new Set(['name', 'unitCode', 'type', 'investment', 'planYear', 'classified', 'crossDepartment', 'participants', 'standaloneMobileApp', 'justification', 'scopeCategory', 'inAnnualPlan', 'outOfPlanCategory', 'existingSystems', 'description']);
  for (const k of Object.keys(input)) if (!known.has(k)) p.push({ field: k, message: `未知字段 ${k}` });
  return p;
}

/** The bureau groups of 第4条 that see every non-classified project, with the experts who review them. */
/** The chapters' processes in the order a project passes them (timelines, the archive). */
export const CHAPTER_ORDER: readonly string[] = ['application-approval', 'annual-plan', 'implementation-acceptance', 'performance-supervision', 'audit'];
/** a project's instances are read 申报审批 → 年度计划 → 实施验收 → 绩效监督 → 审计; other processes after them */
export const chapterRank = (key: string) => CHAPTER_ORDER.indexOf(key) + 1 || CHAPTER_ORDER.length + 1;

export const PROJECT_VIEWER_GROUPS = ['data-bureau', 'confidentiality', 'cryptography', 'cyberspace', 'drc', 'finance', 'audit', 'district-government', 'experts'] as const;
/** Besides the unit, who sees a classified (涉密) project: 第5条, and the audit bureau (第23条). */
export const CLASSIFIED_VIEWER_GROUPS = ['confidentiality', 'data-bureau', 'audit'] as const;

/**
 * The one visibility rule of every read path (第5条; ../shared/spec/api.md "Who may see what"):
 * a project — and its instances, tasks, history, documents, notifications, exports — is visible to its
 * unit, its supervising department, the participating units, the bureau groups and the experts; a
 * classified project only to its unit, `confidentiality`, `data-bureau`, `audit`. Whoever holds or held
 * a task on the project (`holdsTask`) sees it too, classified or not, for as long as they hold or held it.
 */
export function mayViewProject(
  p: Pick<Project, 'classified' | 'unitCode' | 'participants'>,
  viewer: { groups: string[]; holdsTask: boolean },
  supervisorCode: string | null,
): boolean {
  if (viewer.holdsTask) return true;
  const allowed: string[] = [`unit:${p.unitCode}`];
  if (p.classified) allowed.push(...CLASSIFIED_VIEWER_GROUPS);
  else {
    allowed.push(...p.participants.map((c) => `unit:${c}`), ...PROJECT_VIEWER_GROUPS);
    if (supervisorCode) allowed.push(`unit:${supervisorCode}`);
  }
  return viewer.groups.some((g) => allowed.includes(g));
}
