import { RULES, type RuleId } from '../../domain/rules';
import { defineHandler, type NotificationRequest } from '../handler';

const KINDS: NotificationRequest['kind'][] = ['task', 'return', 'reminder', 'escalation', 'copy', 'urge', 'info'];

const recipients = (to: unknown): string[] =>
  (Array.isArray(to) ? to : String(to ?? '').split(','))
    .map((s) => String(s).trim())
    .filter(Boolean);

/**
 * A notification that cites the article of the measures it enforces (第21条 reminders and escalations,
 * 第22条 rectification notices, 第23条 audit notices). Who, what and which rule are the diagram's data
 * (input mappings); the kind is a task header. Sent once per step (the key is the execution).
 */
export const articleNoticeHandler = defineHandler<{ to: string[] | string; rule: string; title: string; body?: string }, { noticeSentAt: string }>({
  name: 'article-notice',
  title: '依规通知（注明条款）',
  description: '向用户或组（group:组标识）发送提醒、督办或告知，标题和正文注明所依据的《办法》条款；同一步骤只发送一次。任务头 kind：reminder | escalation | info 等。',
  category: '通知',
  inputs: [
    { name: 'to', type: 'array', title: '接收人（用户名或 group:组标识）', required: true },
    { name: 'rule', type: 'string', title: '规则编号（如 R21.1）', required: true },
    { name: 'title', type: 'string', title: '标题', required: true },
    { name: 'body', type: 'string', title: '正文' },
  ],
  outputs: [{ name: 'noticeSentAt', type: 'string', title: '通知时间' }],
  async run(input, ctx) {
    const to = recipients(input.to);
    if (!to.length || !input.title) throw new Error('article-notice needs "to" and "title"');
    const rule = RULES[input.rule as RuleId];
    if (!rule) throw new Error(`article-notice: unknown rule "${input.rule}"`);
    const kind = (ctx.headers.kind ?? 'info') as NotificationRequest['kind'];
    if (!KINDS.includes(kind)) throw new Error(`article-notice: unknown kind "${ctx.headers.kind}"`);
    const title = `${String(input.title)}（${rule.article}）`;
    const body = `依据《办法》${rule.article}（${rule.title}）：${String(input.body ?? input.title)}${ctx.businessKey ? `【项目 ${ctx.businessKey}】` : ''}`;
    ctx.notify({ to, kind, title, body, key: `article-notice:${ctx.executionId}` });
    return { noticeSentAt: ctx.now.toISOString() };
  },
});
