import { expect } from 'chai';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import { checkProjectMaterialsHandler } from '../../src/handlers/materials.handler';
import { notifyHandler } from '../../src/handlers/notify.handler';
import { handlerContext as context, rejection } from '../support/handler-context';

describe('shared handlers', () => {
  it('are registered once each', () => {
    for (const n of ['notify', 'update-project', 'start-process', 'publish-message', 'check-project-materials']) {
      expect(BUILTIN_HANDLERS.filter((h) => h.name === n), n).to.have.length(1);
    }
  });

  describe('check-project-materials (R7.1, R11.1, R12.1, R13.1, R13.3, R17.1, R19.1, R21.1 lists live in the diagrams)', () => {
    const required = [
      { type: 'contract', label: '合同', rule: 'R13.1' },
      { type: 'crypto-plan', label: '密码应用方案', rule: 'R12.1' },
      { type: 'emergency-plan', label: '应急预案', rule: 'R13.3' },
    ];

    it('names each missing material with the article of its rule, in the order of the list', async () => {
      const out = await checkProjectMaterialsHandler.run({ required }, context(['contract', 'other']).ctx);
      expect(out).to.deep.equal({
        ok: false,
        missing: ['crypto-plan', 'emergency-plan'],
        problems: [
          { rule: 'R12.1', article: '第12条', field: 'crypto-plan', message: '不符合第12条：缺少密码应用方案' },
          { rule: 'R13.3', article: '第13条', field: 'emergency-plan', message: '不符合第13条：缺少应急预案' },
        ],
        materials: ['contract', 'other'],
      });
    });

    it('is satisfied when every listed material was uploaded (the list is the diagram\'s, nothing else is required)', async () => {
      const { ctx } = context(['contract', 'crypto-plan', 'emergency-plan']);
      expect(await checkProjectMaterialsHandler.run({ required }, ctx)).to.deep.include({ ok: true, problems: [], missing: [] });
      expect(await checkProjectMaterialsHandler.run({ required: [] }, ctx)).to.deep.include({ ok: true, problems: [], missing: [] });
    });

    it('fails technically (retry, then incident) without a project, a business key or a list', async () => {
      expect((await rejection(checkProjectMaterialsHandler.run({ required }, context(null).ctx))).message).to.match(/不存在/);
      expect((await rejection(checkProjectMaterialsHandler.run({ required }, context([], { businessKey: null }).ctx))).message).to.match(/businessKey/);
      expect((await rejection(checkProjectMaterialsHandler.run({ required: 'contract' } as never, context([]).ctx))).message).to.match(/required/);
      expect((await rejection(checkProjectMaterialsHandler.run({ required: [{ label: 'x' }] } as never, context([]).ctx))).message).to.match(/type/);
    });
  });

  describe('notify', () => {
    it('sends a reminder or an escalation with its kind, once per step', async () => {
      const { ctx, sent } = context([]);
      await notifyHandler.run({ to: ['group:data-bureau', 'group:unit:rmyy'], kind: 'escalation', title: '合同备案逾期（第13条）', body: '已超期3个工作日' }, ctx);
      expect(sent).to.deep.equal([{ to: ['group:data-bureau', 'group:unit:rmyy'], kind: 'escalation', title: '合同备案逾期（第13条）', body: '已超期3个工作日', key: 'notify:A_1' }]);
    });

    it('takes a comma-separated recipient list, defaults to info, refuses an unknown kind, and needs to and title', async () => {
      const { ctx, sent } = context([]);
      await notifyHandler.run({ to: 'sjj, group:finance', title: 'T' }, ctx);
      expect(sent[0]).to.include({ kind: 'info', body: '' });
      expect(sent[0].to).to.deep.equal(['sjj', 'group:finance']);
      expect((await rejection(notifyHandler.run({ to: ['sjj'], kind: 'shout', title: 'T' }, ctx))).message).to.match(/kind/);
      expect((await rejection(notifyHandler.run({ to: [], title: 'T' }, ctx))).message).to.match(/needs/);
    });
  });
});
