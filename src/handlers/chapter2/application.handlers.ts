/**
 * Chapter 2 of the measures (第5–9条, 第24条): the automatic checks of an application. Every list,
 * threshold and message text that is policy comes from the diagram (input mappings); these handlers
 * only compare and phrase the result citing the article.
 */
import { RULES, ruleDetail, type RuleId } from '../../domain/rules';
import { defineHandler, type HandlerContext } from '../handler';

export type Detail = ReturnType<typeof ruleDetail>;

const isRule = (r: unknown): r is RuleId => typeof r === 'string' && r in RULES;
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === null || v === undefined ? [] : [v]);
const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

async function projectOf(ctx: HandlerContext) {
  if (!ctx.businessKey) throw new Error(`${ctx.activityId}: 流程实例没有业务键（项目编号）`);
  const p = await ctx.projects.get(ctx.businessKey);
  if (!p) throw new Error(`${ctx.activityId}: 项目 ${ctx.businessKey} 不存在`);
  return p;
}

/** R24.1: a scope category listed in `outOfScope` (category → 第24条 description, data in the diagram) ends the application. */
export const checkScopeHandler = defineHandler<{ scopeCategory?: string; outOfScope?: Record<string, string> }, { inScope: boolean; outOfScopeReason: string | null; scopeProblems: Detail[] }>({
  name: 'application-check-scope',
  title: '审查是否属于管理范围（第24条）',
  description: '项目类别（scopeCategory）在“范围外类别”表（类别 → 第24条所列情形，流程图输入映射中的数据）中时，不属于本办法管理范围，给出引用第24条的理由。',
  category: '申报与审批',
  inputs: [
    { name: 'scopeCategory', type: 'string', title: '项目类别', required: true },
    { name: 'outOfScope', type: 'object', title: '范围外类别 → 第24条情形', required: true },
  ],
  outputs: [
    { name: 'inScope', type: 'boolean', title: '属于管理范围' },
    { name: 'outOfScopeReason', type: 'string', title: '不属于管理范围的理由（引用第24条）' },
    { name: 'scopeProblems', type: 'array', title: '问题（规则、条款、说明）' },
  ],
  async run(input) {
    const table = input.outOfScope && typeof input.outOfScope === 'object' ? input.outOfScope : null;
    if (!table) throw new Error('application-check-scope needs the outOfScope table (input mapping)');
    const category = text(input.scopeCategory);
    const description = Object.prototype.hasOwnProperty.call(table, category) ? table[category] : undefined;
    if (description === undefined) return { inScope: true, outOfScopeReason: null, scopeProblems: [] };
    const detail = ruleDetail('R24.1', `${description}，不属于本办法管理范围`);
    return { inScope: false, outOfScopeReason: detail.message, scopeProblems: [detail] };
  },
});

interface Check {
  rule?: string;
  ok?: unknown;
  message?: string;
}

/** Rules written as FEEL in the diagram ([{rule, ok, message}]): every one whose `ok` is not true becomes a detail citing its article. */
export const checkRulesHandler = defineHandler<{ checks?: Check[] }, { problems: Detail[] }>({
  name: 'application-check-rules',
  title: '按条款核查申报（规则在流程图中）',
  description: '输入映射给出规则列表 [{rule, ok, message}]，ok 由流程图中的 FEEL 计算；ok 不为 true 的每条规则给出引用其条款的说明（如第5条申报批次、第8条计划外情形）。',
  category: '申报与审批',
  inputs: [{ name: 'checks', type: 'array', title: '规则 [{rule, ok, message}]', required: true }],
  outputs: [{ name: 'problems', type: 'array', title: '未满足的规则（规则、条款、说明）' }],
  async run(input) {
    const checks = asList(input.checks) as Check[];
    for (const c of checks) if (!c || !isRule(c.rule)) throw new Error(`application-check-rules: unknown rule ${JSON.stringify(c?.rule)}`);
    return { problems: checks.filter((c) => c.ok !== true).map((c) => ruleDetail(c.rule as RuleId, text(c.message) || RULES[c.rule as RuleId].title)) };
  },
});

/** R6.1 / R6.2: a standalone mobile app is flagged and needs a justification; the existing systems must be listed. */
export const checkMobileAppHandler = defineHandler<
  { standaloneMobileApp?: boolean; justification?: string | null; existingSystems?: string[] },
  { mobileAppFlagged: boolean; mobileProblems: Detail[] }
>({
  name: 'application-check-mobile-app',
  title: '核查移动端应用与存量系统（第6条）',
  description: '单独开发移动端APP或小程序的申报被标记，须说明理由并由区数据局明确同意；申报须列明衔接或替代的存量系统（一部门一系统）。',
  category: '申报与审批',
  inputs: [
    { name: 'standaloneMobileApp', type: 'boolean', title: '单独开发移动端应用' },
    { name: 'justification', type: 'string', title: '单独开发的理由' },
    { name: 'existingSystems', type: 'array', title: '衔接或替代的存量系统' },
  ],
  outputs: [
    { name: 'mobileAppFlagged', type: 'boolean', title: '已标记：单独开发移动端应用' },
    { name: 'mobileProblems', type: 'array', title: '问题（规则、条款、说明）' },
  ],
  async run(input) {
    const flagged = input.standaloneMobileApp === true;
    const problems: Detail[] = [];
    if (flagged && !text(input.justification)) {
      problems.push(ruleDetail('R6.1', '原则上不得单独开发移动端APP、微信和支付宝小程序，相关功能应集成至全市基础移动门户；确需单独开发的须在申报中填写单独开发的理由'));
    }
    if (!asList(input.existingSystems).some((s) => text(s))) {
      problems.push(ruleDetail('R6.2', '按照“一部门一系统”原则，须在申报中列明本单位衔接或替代的存量系统'));
    }
    return { mobileAppFlagged: flagged, mobileProblems: problems };
  },
});

interface Opinion {
  step?: string;
  rule?: string;
  decision?: string | null;
  opinion?: string | null;
}

const DECISIONS: Record<string, string> = { approve: '同意', return: '退回修改', reject: '不同意' };

/** R7.4: returns the application to the unit with every reason — the rule problems, else the returning opinions — and every opinion given so far. */
export const prepareRevisionHandler = defineHandler<
  { problems?: Detail[]; opinions?: Opinion[]; stage?: string; unitGroup?: string; projectName?: string },
  { returnReasons: Detail[]; reviewOpinions: { step: string; decision: string; opinion: string }[] }
>({
  name: 'application-prepare-revision',
  title: '退回项目单位修改（第7条）',
  description: '汇总退回理由：自动核查发现的问题；没有问题时为各审核环节的退回意见（引用各自条款）。同时列出已有的全部审核意见，把项目置为“退回修改”并通知项目单位。',
  category: '申报与审批',
  inputs: [
    { name: 'problems', type: 'array', title: '核查问题' },
    { name: 'opinions', type: 'array', title: '审核意见 [{step, rule, decision, opinion}]' },
    { name: 'stage', type: 'string', title: '项目阶段（如 revising）' },
    { name: 'unitGroup', type: 'string', title: '项目单位组' },
    { name: 'projectName', type: 'string', title: '项目名称' },
  ],
  outputs: [
    { name: 'returnReasons', type: 'array', title: '退回理由（规则、条款、说明）' },
    { name: 'reviewOpinions', type: 'array', title: '全部审核意见' },
  ],
  async run(input, ctx) {
    const problems = (asList(input.problems) as Detail[]).filter((p) => p && typeof p.message === 'string');
    const given = (asList(input.opinions) as Opinion[]).filter((o) => o && typeof o.decision === 'string' && o.decision);
    const reviewOpinions = given.map((o) => ({ step: text(o.step), decision: DECISIONS[o.decision!] ?? String(o.decision), opinion: text(o.opinion) }));
    const returnReasons = problems.length
      ? problems
      : given.filter((o) => o.decision === 'return').map((o) => ruleDetail(isRule(o.rule) ? o.rule : 'R7.4', `${text(o.step)}退回修改：${text(o.opinion)}`));
    if (!returnReasons.length) returnReasons.push(ruleDetail('R7.4', '请根据审核意见修改完善后报送区数据局'));
    if (ctx.businessKey && text(input.stage)) await ctx.projects.setStage(ctx.businessKey, text(input.stage));
    if (text(input.unitGroup)) {
      ctx.notify({
        to: [`group:${text(input.unitGroup).replace(/^group:/, '')}`],
        kind: 'return',
        title: `申报退回修改：${text(input.projectName) || ctx.businessKey || ''}`,
        body: returnReasons.map((r) => r.message).join('\n'),
        key: `revision:${ctx.executionId}`,
      });
    }
    return { returnReasons, reviewOpinions };
  },
});

const APPLICATION_FIELDS = [
  'name', 'type', 'investment', 'planYear', 'classified', 'crossDepartment', 'participants', 'standaloneMobileApp', 'justification',
  'scopeCategory', 'inAnnualPlan', 'outOfPlanCategory', 'existingSystems', 'description',
] as const;

/**
 * After the unit revised its application (PATCH while `revising`): the process continues with the project as it is now.
 * 第5条第（一）项: `applicationBatch` becomes the 申报批次 open now for the (possibly changed) plan year; when none is
 * open, the batch the application was first submitted in stays, if it is of the same plan year (an application
 * submitted in time is not refused for being corrected after its batch ended).
 */
export const reloadApplicationHandler = defineHandler<{ stage?: string; submittedBatch?: { planYear?: unknown } | null }, Record<string, unknown>>({
  name: 'application-reload',
  title: '读取修改后的申报',
  description: '重新读取项目（项目单位在“退回修改”阶段修改的字段和材料）作为流程变量，并把项目阶段改回（如 submitted）；申报批次（applicationBatch）为现在进行中的该计划年度批次，没有时保留首次提交时所在的同一计划年度批次（第5条第（一）项）。',
  category: '申报与审批',
  inputs: [
    { name: 'stage', type: 'string', title: '读取后的项目阶段' },
    { name: 'submittedBatch', type: 'object', title: '首次提交时所在的申报批次' },
  ],
  outputs: [
    ...APPLICATION_FIELDS.map((name) => ({ name, type: 'string' as const, title: name })),
    { name: 'materials', type: 'array', title: '已上传的材料类型' },
    { name: 'applicationBatch', type: 'object', title: '申报批次（第5条第（一）项）' },
  ],
  async run(input, ctx) {
    const p = await projectOf(ctx);
    if (text(input.stage)) await ctx.projects.setStage(p.code, text(input.stage));
    const out: Record<string, unknown> = { materials: p.materials };
    for (const k of APPLICATION_FIELDS) out[k] = p[k] ?? null;
    if (p.applicationBatch !== undefined) {
      const kept = input.submittedBatch && typeof input.submittedBatch === 'object' && input.submittedBatch.planYear === p.planYear ? input.submittedBatch : null;
      out.applicationBatch = p.applicationBatch ?? kept;
    }
    return out;
  },
});

/**
 * 第7条第（二）项: the experts the Data Bureau may pick for an application's review — the active users of
 * a group (the diagram names it, `experts` in the shipped one), as the options of a form field
 * (form-js `valuesKey`: [{label, value}], label the expert's name, value the username).
 */
export const groupMembersHandler = defineHandler<{ group?: string }, { members: { label: string; value: string }[] }>({
  name: 'group-members',
  title: '读取组内人员（如专家库）',
  description: '列出某个组的在岗人员（如专家组 experts），作为任务表单中可选的人员（值为用户名，显示姓名），例如区数据局选定评审专家（第7条第（二）项）。',
  category: '申报与审批',
  inputs: [{ name: 'group', type: 'string', title: '组', required: true }],
  outputs: [{ name: 'members', type: 'array', title: '组内人员（label 姓名、value 用户名）' }],
  async run(input, ctx) {
    const group = text(input.group);
    if (!group) throw new Error(`${ctx.activityId}: group-members 需要输入 group（组）`);
    const members = await ctx.organisation.members(group);
    return { members: members.map((m) => ({ label: m.displayName, value: m.username })) };
  },
});
