import { defineHandler } from './handler';

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
});

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
});

/** Sends a message to the instances of the given business keys (e.g. the annual plan releasing its projects, R7.5). */
export const publishMessageHandler = defineHandler<{ messageName: string; businessKeys: string[] | string; variables?: Record<string, unknown> }, { published: number }>({
  name: 'publish-message',
  title: '发送流程消息',
  description: '向业务键（项目编号）列表中每个等待该消息的流程实例发送消息；每个实例各自原子地收到一次。',
  category: '流程',
  inputs: [
    { name: 'messageName', type: 'string', title: '消息名称', required: true },
    { name: 'businessKeys', type: 'array', title: '业务键（项目编号）列表', required: true },
    { name: 'variables', type: 'object', title: '消息变量' },
  ],
  outputs: [{ name: 'published', type: 'number', title: '发送数量' }],
  async run(input, ctx) {
    const keys = Array.isArray(input.businessKeys) ? input.businessKeys : [input.businessKeys];
    if (typeof input.messageName !== 'string' || !input.messageName) throw new Error('publish-message needs messageName');
    const vars = input.variables && typeof input.variables === 'object' ? input.variables : {};
    for (const key of keys.filter((k): k is string => typeof k === 'string' && k !== '')) ctx.publishMessage(input.messageName, key, vars);
    return { published: keys.length };
  },
});

/**
 * Reads where the project of this instance (businessKey = project code) stands and whether that is one of
 * the stages a step allows — e.g. 第18条: only an accepted project goes into operation. The allowed stages
 * are the diagram's data (an input mapping); the stage is read from the project, not from a variable.
 */
export const checkProjectStageHandler = defineHandler<{ allowed: string[] }, { ok: boolean; stage: string | null }>({
  name: 'check-project-stage',
  title: '核对项目阶段',
  description: '读取本流程所属项目（业务键 = 项目编号）当前所处阶段，判断是否在流程图列出的允许阶段之内（如第18条：验收合格的项目方可投入使用）。输出 ok、stage，供网关判断。',
  category: '项目',
  inputs: [{ name: 'allowed', type: 'array', title: '允许的项目阶段', required: true }],
  outputs: [
    { name: 'ok', type: 'boolean', title: '处于允许的阶段' },
    { name: 'stage', type: 'string', title: '项目当前阶段' },
  ],
  async run(input, ctx) {
    if (!Array.isArray(input.allowed) || input.allowed.some((s) => typeof s !== 'string')) throw new Error('check-project-stage needs "allowed": a list of stages');
    if (!ctx.businessKey) return { ok: false, stage: null };
    const project = await ctx.projects.get(ctx.businessKey);
    if (!project) return { ok: false, stage: null };
    return { ok: input.allowed.includes(project.stage), stage: project.stage };
  },
});
