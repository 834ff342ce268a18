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
  designApprovedAt: '初步设计方案（实施方案）批复日期',
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
  applicationBatch: '申报批次',
  stage: '项目阶段',
  budgeted: '是否纳入预算',
  materials: '已提交材料',
  investment: '申报投资金额',
  disbursedTotal: '累计拨付金额',
  approvedAmount: '批准金额',
  recommendedInvestment: '专家建议投资金额（各专家建议的平均值）',
  experts: '评审专家',
  designApprovedAt: '初步设计方案（实施方案）批复日期',
  expertReviews: '各专家评审意见和评分',
  expertDecision: '专家评审结论（汇总）',
  expertOpinion: '专家评审意见（汇总）',
  contractAmount: '合同金额',
  financeOpinion: '区财政局审核意见',
  fundingSource: '资金来源',
};

export const groupName = (key: string) => GROUP_NAMES[key] ?? (key.startsWith('unit:') ? `项目单位（${key.slice(5)}）` : key);
export const variableLabel = (name: string) => VARIABLE_LABELS[name] ?? name;

export const DECISION_LABELS: Readonly<Record<string, string>> = { approve: '同意', return: '退回修改', reject: '不同意' };
/** 第7条(二): the expert review's scores, in the measures' order */
export const EXPERT_SCORE_LABELS: Readonly<Record<string, string>> = { necessity: '必要性', urgency: '紧迫性', feasibility: '可行性', security: '安全性', intensiveness: '集约性' };
export const EXPERT_DECISION_LABELS: Readonly<Record<string, string>> = { approve: '通过', return: '修改完善', reject: '不通过' };

/**
 * Each expert's review of 第7条(二) as a reader reads it: the expert's name (from the candidates the
 * Data Bureau picked from), the conclusion, the five scores and the recommended investment.
 */
export function expertReviewRows(variables: Record<string, unknown>) {
  const reviews = Array.isArray(variables.expertReviews) ? variables.expertReviews : [];
  const candidates = Array.isArray(variables.expertCandidates) ? (variables.expertCandidates as { label?: unknown; value?: unknown }[]) : [];
  const nameOf = (u: unknown) => String(candidates.find((c) => c && c.value === u)?.label ?? u ?? '');
  return reviews
    .filter((r): r is Record<string, unknown> => !!r && typeof r === 'object')
    .map((r) => {
      const scores = (r.scores && typeof r.scores === 'object' ? r.scores : {}) as Record<string, unknown>;
      return {
        expert: nameOf(r.expert),
        decision: typeof r.decision === 'string' ? (EXPERT_DECISION_LABELS[r.decision] ?? r.decision) : '',
        scores: Object.entries(EXPERT_SCORE_LABELS).map(([k, label]) => ({ label, value: typeof scores[k] === 'number' ? (scores[k] as number) : null })),
        recommendedInvestment: typeof r.recommendedInvestment === 'number' ? r.recommendedInvestment : null,
        opinion: typeof r.opinion === 'string' ? r.opinion : '',
      };
    });
}

export const decisionLabel = (d: unknown) => (typeof d === 'string' ? (DECISION_LABELS[d] ?? d) : '');

/** An amount in 元 as 万元, the unit district lists use: 1,200,000 → 120; 1,234,567 → 123.46. */
export const wanYuan = (yuan: number) => (yuan / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 2 });

/** 2026年9月28日 10:05 — an instant as a Chinese reader writes it, in Asia/Shanghai (UTC+8, no DST). */
export function chineseDateTime(at: Date | string | null | undefined): string {
  if (!at) return '';
  const d = new Date(new Date(at).getTime() + 8 * 3_600_000);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** 建设类型 (第3条). */
export const PROJECT_TYPE_LABELS: Readonly<Record<string, string>> = {
  new: '新建',
  expansion: '扩建',
  renovation: '改建',
  continuation: '续建',
  operation: '运维',
  service: '服务',
};
export const projectTypeLabel = (t: unknown) => (typeof t === 'string' ? (PROJECT_TYPE_LABELS[t] ?? t) : '');

/** Where a project stands (the stages the processes set). */
export const STAGE_LABELS: Readonly<Record<string, string>> = {
  draft: '草稿',
  submitted: '已申报',
  revising: '退回修改中',
  rejected: '未通过',
  'out-of-scope': '不属于管理范围',
  approved: '已审核通过',
  'awaiting-plan': '待列入年度计划',
  budgeted: '已纳入年度计划',
  implementing: '实施中',
  suspended: '已暂停',
  accepting: '验收中',
  'acceptance-failed': '验收不合格（整改中，不得投入使用）',
  accepted: '已验收',
  archived: '已归档',
  'performance-evaluated': '已完成绩效评价',
};
export const stageLabel = (s: unknown) => (typeof s === 'string' ? (STAGE_LABELS[s] ?? s) : '');

/** 材料类型 (第7、11、13、17条 and the forms). */
export const MATERIAL_LABELS: Readonly<Record<string, string>> = {
  'application-form': '项目计划申报表',
  'construction-plan': '建设方案',
  'previous-contract': '上一期合同',
  'service-needs-report': '服务需求报告',
  'interface-and-catalog': '统一系统接口与数据资源目录',
  'security-plan': '网络和数据安全方案',
  'crypto-plan': '密码应用方案',
  'tender-docs': '招标文件',
  'winning-bid': '中标文件',
  contract: '合同',
  'payment-plan': '付款计划',
  'om-system': '运维制度',
  'emergency-plan': '应急预案',
  'acceptance-application': '验收申请',
  'construction-summary': '建设总结报告',
  'trial-operation-report': '试运行报告',
  'data-catalog-sharing': '数据资源目录及共享情况',
  'fund-usage': '资金使用情况',
  'classified-protection-report': '等级保护测评报告',
  'security-risk-report': '安全风险评估报告',
  'crypto-assessment-report': '密码应用安全性评估报告',
  'digital-om-report': '数字化运维报告',
  'service-summary': '运维（服务）工作总结',
  'om-self-evaluation': '运维自评报告',
  'payment-evidence': '资金支付佐证材料',
  'acceptance-report': '验收报告',
  'performance-report': '绩效评价报告',
  other: '其他材料',
};
export const materialLabel = (m: unknown) => (typeof m === 'string' ? (MATERIAL_LABELS[m] ?? m) : '');

/** The staff workspace's lists. */
export const WORK_LIST_LABELS: Readonly<Record<'todo' | 'done' | 'started' | 'cc', string>> = {
  todo: '待办',
  done: '已办',
  started: '我发起的',
  cc: '抄送我的',
};

/**
 * 消息: a notification's kind as the inbox names it. One row per kind — a new kind (转办, 委派, 加签…)
 * is one more row here; an unknown kind shows as 通知, never as its code.
 */
export const NOTIFICATION_KIND_LABELS: Readonly<Record<string, string>> = {
  task: '新待办',
  return: '退回修改',
  reminder: '到期提醒',
  escalation: '超期督办',
  copy: '抄送',
  urge: '催办',
  info: '通知',
};
export const notificationKindLabel = (k: unknown) => (typeof k === 'string' ? (NOTIFICATION_KIND_LABELS[k] ?? '通知') : '通知');

/** Instance states as a reader says them. */
export const INSTANCE_STATE_LABELS: Readonly<Record<string, string>> = { running: '办理中', completed: '已办结', terminated: '已终止', incident: '异常' };
export const instanceStateLabel = (s: unknown) => (typeof s === 'string' ? (INSTANCE_STATE_LABELS[s] ?? s) : '');

/** 审批意见 common phrases a reviewer picks (and may edit). */
export const COMMON_OPINIONS: readonly string[] = [
  '同意。',
  '经审核，材料齐全，符合要求，同意。',
  '原则同意，请按审核意见完善后实施。',
  '材料不全，请补充后重新提交。',
  '建设内容与申报材料不一致，请修改完善。',
  '投资估算依据不足，请补充说明。',
  '不符合《建设管理办法》相关规定，不同意。',
];

/** 项目类别 (第2条 and the 第24条 exclusions). */
export const SCOPE_CATEGORY_LABELS: Readonly<Record<string, string>> = {
  informatization: '政务信息化项目',
  'office-equipment': '单独购置通用办公设备及维护（第24条第一项）',
  'professional-equipment': '单独购置专业设施设备及配套软件、维护（第24条第二项）',
  'terminal-software': '单独购置终端成品软件及升级服务（第24条第三项）',
  'building-intelligence': '楼宇智能化、办公终端、通用软件等（第24条第四项）',
  other: '其他非政务信息化项目（第24条第五项）',
};

/** 计划外项目情形 (第8条). */
export const OUT_OF_PLAN_LABELS: Readonly<Record<string, string>> = {
  'mandated-urgent': '上级明确要求且建设任务迫切',
  emergency: '突发事件紧急建设',
  'superior-funded': '全额获得上级资金',
};

/** 申报向导 help texts, one per field. */
export const APPLICATION_FIELD_HELP: Readonly<Record<string, string>> = {
  name: '与申报书一致的项目全称。',
  type: '新建、扩建、改建、续建为建设类项目，须附建设方案；运维、服务类须附上一期合同和服务需求报告（第7条）。',
  investment: '申报投资金额，单位：元。建设类项目 50 万元及以上须经区发展改革委立项审批（第9条）。',
  planYear: '列入年度计划的申报须在区数据局开启的该计划年度申报批次内提交（第5条第（一）项）。',
  scopeCategory: '第24条所列项目不属于政务信息化项目管理范围。',
  inAnnualPlan: '未列入年度计划的，只能按第8条申请计划外项目。',
  outOfPlanCategory: '计划外项目须属于第8条所列情形之一，报区管委会（区政府）批准。',
  classified: '涉密项目仅限项目单位、区机要保密局、区数据局、区审计局查看（第5条）。',
  crossDepartment: '跨部门项目须提交统一系统接口与数据资源目录（第5条）。',
  participants: '跨部门项目的参与单位。',
  standaloneMobileApp: '原则上不单独开发移动端应用；确需开发的须说明理由，由区数据局审核（第6条）。',
  justification: '单独开发移动端应用的理由（第6条）。',
  existingSystems: '本单位已建的信息系统，每行一个（第6条核查整合）。',
  description: '建设内容、目标和主要功能。',
};

/** The chapters' processes as a reader names them. */
export const DEFINITION_LABELS: Readonly<Record<string, string>> = {
  'application-approval': '申报审批',
  'annual-plan': '年度计划',
  'implementation-acceptance': '实施验收',
  'performance-supervision': '绩效监督',
  audit: '审计监督',
};
export const definitionLabel = (key: string) => DEFINITION_LABELS[key] ?? key;

/** Steps whose deadline an article of 《办法》 sets: shown beside the deadline. */
export const DEADLINE_ARTICLES: Readonly<Record<string, string>> = {
  FileContract: '第13条',
  PerformanceEvaluation: '第21条',
  FileAcceptanceReport: '第19条',
  DelayReport: '第16条',
};

/** What the page says after an approval operation went through (issue 8 item 3). */
export const OPERATION_NOTICES: Readonly<Record<string, string>> = {
  transfer: '已转办。',
  delegate: '已委派，被委派人办理完毕后任务将交回您确认。',
  'add-signer': '已加签，待加签人签署后方可办理完成。',
  sign: '已签署。',
  return: '已退回。',
  withdraw: '已撤回，任务已回到您的待办。',
  cc: '已抄送。',
  urge: '已催办。',
};
