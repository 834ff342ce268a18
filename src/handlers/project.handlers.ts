import { defineHandler, type HandlerDescriptor } from './handler';

/** Records where the project of this instance (businessKey = project code) stands, and what the process decided. */
export const updateProjectHandler = defineHandler<{ stage?: string; budgeted?: boolean; approvedAmount?: number }, Record<string, never>>({
  name: 'update-project',
  title: '更新项目状态',
  description: '更新本流程所属项目（业务键 = 项目编号）的阶段、是否纳入预算、批准金额。',
  category: '项目',
  inputs: [
    { name: 'stage', type: 'string', title: '项目阶段' },
    { name: 'budgeted', type: 'boolean', title: '已纳入预算' },
    { name: 'approvedAmount', type: 'number', title: '批准金额（元）' },
  ],
  outputs: [],
  async run(input, ctx) {
    if (!ctx.businessKey) throw new Error('update-project needs an instance with a businessKey (the project code)');
    if (typeof input.stage === 'string' && input.stage) await ctx.projects.setStage(ctx.businessKey, input.stage);
    const changes: { budgeted?: boolean; approvedAmount?: number } = {};
    if (typeof input.budgeted === 'boolean') changes.budgeted = input.budgeted;
    if (typeof input.approvedAmount === 'number') changes.approvedAmount = input.approvedAmount;
    if (Object.keys(changes).length) await ctx.projects.update(ctx.businessKey, changes);
    return {};
  },
}) as unknown as HandlerDescriptor;

/** Starts the next process of the same project (e.g. implementation after approval) once this step has committed. */
export const startProcessHandler = defineHandler<{ processId: string; variables?: Record<string, unknown> }, Record<string, never>>({
  name: 'start-process',
  title: '启动后续流程',
  description: '以相同业务键（项目编号）启动另一个流程的最新版本，例如立项批准后启动“实施与验收”。',
  category: '流程',
  inputs: [
    { name: 'processId', type: 'string', title: '流程标识（process id）', required: true },
    { name: 'variables', type: 'object', title: '传入变量' },
  ],
  outputs: [],
  async run(input, ctx) {
    if (typeof input.processId !== 'string' || !input.processId) throw new Error('start-process needs processId');
    ctx.startProcess(input.processId, input.variables && typeof input.variables === 'object' ? input.variables : {});
    return {};
  },
}) as unknown as HandlerDescriptor;
