import { defineHandler, type NotificationRequest } from './handler';

const KINDS: NotificationRequest['kind'][] = ['task', 'return', 'reminder', 'escalation', 'copy', 'urge', 'info'];

/**
 * Sends an in-app notification (and e-mail where configured) to users or groups, once per step: a
 * reminder, an escalation, a return or plain information. Who, what and the kind are the diagram's
 * data (input mappings citing the article).
 */
export const notifyHandler = defineHandler<{ to: string | string[]; title: string; body?: string; kind?: string }, Record<string, never>>({
  name: 'notify',
  title: '发送通知',
  description: '向指定用户或组（group:组标识）发送站内通知，配置邮件时同时发送邮件；类型可为 reminder 提醒、escalation 督办、return 退回、info 告知；同一步骤只发送一次。',
  category: '通知',
  inputs: [
    { name: 'to', type: 'array', title: '接收人（用户名或 group:组标识）', required: true },
    { name: 'title', type: 'string', title: '标题', required: true },
    { name: 'body', type: 'string', title: '正文' },
    { name: 'kind', type: 'string', title: '类型：reminder | escalation | return | info（默认 info）' },
  ],
  outputs: [],
  async run(input, ctx) {
    const to = (Array.isArray(input.to) ? input.to : String(input.to ?? '').split(',')).map((s) => String(s).trim()).filter(Boolean);
    if (!to.length || !input.title) throw new Error('notify needs "to" and "title"');
    const kind = (input.kind ?? 'info') as NotificationRequest['kind'];
    if (!KINDS.includes(kind)) throw new Error(`notify: unknown kind "${input.kind}"`);
    ctx.notify({ to, kind, title: String(input.title), body: String(input.body ?? ''), key: `notify:${ctx.executionId}` });
    return {};
  },
});
