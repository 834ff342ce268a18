import { defineHandler } from '../handler';

/**
 * R7.5: the approved annual plan, included in the budget by 区财政局 (第7条(五) 纳入预算), is released —
 * every listed project is recorded as budgeted, with 区财政局's budget note, and its application (waiting at AwaitAnnualPlan) gets the release message, each atomically,
 * after this step has committed.
 */
export const releaseAnnualPlanHandler = defineHandler<
  { projectCodes?: string[]; year?: number; messageName?: string; budgetNote?: string },
  { releasedProjects: string[]; releasedAt: string }
>({
  name: 'release-annual-plan',
  title: '发布年度实施计划（第7条）',
  description: '区管委会审定、区财政局纳入预算后：计划内每个项目记为已纳入预算，并向其等待年度计划的申报流程发送消息（消息名称由流程图给出，如 annual-plan-approved），附区财政局的预算安排说明。',
  category: '年度计划',
  inputs: [
    { name: 'projectCodes', type: 'array', title: '计划内项目编号', required: true },
    { name: 'year', type: 'number', title: '计划年度', required: true },
    { name: 'messageName', type: 'string', title: '发布消息名称', required: true },
    { name: 'budgetNote', type: 'string', title: '区财政局预算安排说明' },
  ],
  outputs: [
    { name: 'releasedProjects', type: 'array', title: '已发布的项目编号' },
    { name: 'releasedAt', type: 'string', title: '发布时间' },
  ],
  async run(input, ctx) {
    const codes = (Array.isArray(input.projectCodes) ? input.projectCodes : []).filter((c): c is string => typeof c === 'string' && c !== '');
    if (!codes.length) throw new Error('release-annual-plan needs projectCodes');
    if (typeof input.messageName !== 'string' || !input.messageName) throw new Error('release-annual-plan needs messageName');
    for (const code of codes) {
      if (!(await ctx.projects.get(code))) throw new Error(`release-annual-plan: 项目 ${code} 不存在`);
      await ctx.projects.update(code, { budgeted: true });
      ctx.publishMessage(input.messageName, code, { budgeted: true, annualPlanYear: input.year ?? null, ...(typeof input.budgetNote === 'string' && input.budgetNote ? { budgetNote: input.budgetNote } : {}) });
    }
    return { releasedProjects: codes, releasedAt: ctx.now.toISOString() };
  },
});
