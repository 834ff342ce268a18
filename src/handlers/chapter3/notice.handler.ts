import { defineHandler, type HandlerDescriptor, type NotificationRequest } from '../handler';

const KINDS = ['task', 'return', 'reminder', 'escalation', 'info'] as const;

/**
 * A deadline reminder, an escalation or a return notice of the implementation stage: like `notify`
 * but with its kind (the inbox shows reminders and escalations as such). Text and recipients are data
 * of the diagram (input mappings citing the article); sent once per step.
 */
export const implementationNoticeHandler = defineHandler<{ to: string | string[]; kind?: string; title: string; body?: string }, { noticeSentAt: string }>({
  name: 'implementation-notice',
  title: '实施阶段提醒与督办通知',
  description: '向项目单位或各局（group:组标识）发送到期提醒、逾期督办、退回或告知通知（站内信，配置邮件时同时发邮件），同一步骤只发送一次；正文在流程图中配置并引用条款。',
  category: '实施与验收',
  inputs: [
    { name: 'to', type: 'array', title: '接收人（用户名或 group:组标识）', required: true },
    { name: 'kind', type: 'string', title: '类型：reminder 提醒 | escalation 督办 | return 退回 | info 告知' },
    { name: 'title', type: 'string', title: '标题', required: true },
    { name: 'body', type: 'string', title: '正文' },
  ],
  outputs: [{ name: 'noticeSentAt', type: 'string', title: '发送时间' }],
  async run(input, ctx) {
    const to = (Array.isArray(input.to) ? input.to : String(input.to ?? '').split(',')).map((s) => String(s).trim()).filter(Boolean);
    if (!to.length || !input.title) throw new Error('implementation-notice needs "to" and "title"');
    const kind = (KINDS as readonly string[]).includes(String(input.kind)) ? (input.kind as NotificationRequest['kind']) : 'info';
    ctx.notify({ to, kind, title: String(input.title), body: String(input.body ?? ''), key: `implementation-notice:${ctx.executionId}` });
    return { noticeSentAt: ctx.now.toISOString() };
  },
}) as unknown as HandlerDescriptor;
