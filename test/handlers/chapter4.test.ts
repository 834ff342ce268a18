import { expect } from 'chai';
import { BpmnError } from '../../src/domain/errors';
import type { Project } from '../../src/domain/project';
import type { HandlerContext, HandlerDescriptor, NotificationRequest } from '../../src/handlers/handler';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import { CHAPTER4_HANDLERS } from '../../src/handlers/chapter4';

const handler = (name: string) => {
  const h = CHAPTER4_HANDLERS.find((x) => x.name === name);
  if (!h) throw new Error(`no handler ${name}`);
  return h as HandlerDescriptor;
};

/** A handler context over an in-memory project list; notifications are collected. */
function context(over: Partial<HandlerContext> = {}, projects: (Project & { materials: string[] })[] = []) {
  const sent: NotificationRequest[] = [];
  const ctx: HandlerContext = {
    instanceId: 'i-1',
    activityId: 'Step',
    executionId: 'Step_1',
    definitionKey: 'performance-supervision',
    businessKey: 'GF-2027-0001',
    headers: {},
    now: new Date('2026-07-15T07:00:00.000Z'),
    once: async (_key, fn) => fn(),
    notify: (n) => sent.push(n),
    projects: {
      get: async (code) => projects.find((p) => p.code === code) ?? null,
      setStage: async () => undefined,
      update: async () => undefined,
      recordPayment: async () => undefined,
    },
    organisation: { members: async () => [] },
    startProcess: () => undefined,
    publishMessage: () => undefined,
    ...over,
  };
  return { ctx, sent };
}

const project = (materials: string[], over: Partial<Project> = {}): Project & { materials: string[] } => ({
  id: 1,
  code: 'GF-2027-0001',
  name: '智慧医院信息平台',
  unitCode: 'rmyy',
  type: 'new',
  investment: 800000,
  planYear: 2027,
  classified: false,
  crossDepartment: false,
  participants: [],
  standaloneMobileApp: false,
  justification: null,
  scopeCategory: 'informatization',
  inAnnualPlan: true,
  outOfPlanCategory: null,
  existingSystems: [],
  description: '',
  stage: 'accepted',
  budgeted: true,
  approvedAmount: 780000,
  createdBy: 'rmyy',
  createdAt: new Date('2026-01-05T00:00:00Z'),
  submittedAt: new Date('2026-01-06T00:00:00Z'),
  materials,
  ...over,
});

describe('chapter 4 handlers (第21–23条)', () => {
  it('are registered once each, with Chinese titles', () => {
    const names = CHAPTER4_HANDLERS.map((h) => h.name);
    expect(names).to.deep.equal(['article-notice', 'audit-load-project', 'record-accountability']);
    for (const name of names) expect(BUILTIN_HANDLERS.filter((h) => h.name === name), name).to.have.length(1);
    for (const h of CHAPTER4_HANDLERS) expect(h.title).to.match(/[\u4e00-\u9fa5]/);
  });

  describe('article-notice', () => {
    it('cites the article of the rule in title and body, with the kind from the task header, once per step', async () => {
      const { ctx, sent } = context({ headers: { kind: 'reminder' } });
      const out = await handler('article-notice').run({ to: ['group:unit:rmyy'], rule: 'R21.1', title: '绩效评价报告30日后到期', body: '截止 2027-03-02。' }, ctx);
      expect(out).to.deep.equal({ noticeSentAt: '2026-07-15T07:00:00.000Z' });
      expect(sent).to.deep.equal([
        {
          to: ['group:unit:rmyy'],
          kind: 'reminder',
          title: '绩效评价报告30日后到期（第21条）',
          body: '依据《办法》第21条（验收后12个月内绩效评价）：截止 2027-03-02。【项目 GF-2027-0001】',
          key: 'article-notice:Step_1',
        },
      ]);
    });

    it('refuses an unknown rule or kind and a missing recipient (a technical failure of the diagram, not a business outcome)', async () => {
      const { ctx } = context({ headers: { kind: 'shout' } });
      await expectFailure(handler('article-notice').run({ to: ['sjj'], rule: 'R21.1', title: 'x' }, ctx), /unknown kind/);
      await expectFailure(handler('article-notice').run({ to: ['sjj'], rule: 'R99.9', title: 'x' }, context().ctx), /unknown rule/);
      await expectFailure(handler('article-notice').run({ to: [], rule: 'R21.1', title: 'x' }, context().ctx), /needs "to"/);
    });
  });

  describe('audit-load-project', () => {
    it('reads any project into the audit (第23条), whatever its stage', async () => {
      const { ctx } = context({ businessKey: 'GF-2027-0009' }, [project(['application-form'], { code: 'GF-2027-0009', unitCode: 'jyj', name: '智慧校园平台', stage: 'draft' })]);
      const out = await handler('audit-load-project').run({}, ctx);
      expect(out).to.deep.equal({ projectName: '智慧校园平台', projectStage: 'draft', unitGroup: 'unit:jyj', projectMaterials: ['application-form'], auditOpenedAt: '2026-07-15T07:00:00.000Z' });
    });

    it('throws the BPMN error PROJECT_NOT_FOUND for an unknown project', async () => {
      const err = await rejection(handler('audit-load-project').run({}, context({ businessKey: 'GF-1999-0000' }).ctx));
      expect(err).to.be.instanceOf(BpmnError);
      expect((err as BpmnError).code).to.equal('PROJECT_NOT_FOUND');
    });
  });

  describe('record-accountability', () => {
    const labels = { 'misuse-of-funds': '截留、挪用项目资金', falsification: '虚报、瞒报、弄虚作假' };

    it('records a case against each responsible person, citing 第23条, appended to the earlier ones', async () => {
      const { ctx } = context();
      const first = await handler('record-accountability').run({ violationType: 'misuse-of-funds', responsiblePeople: '王某、李某, 张某', description: '挪用50万元', labels, cases: null }, ctx);
      expect(first.accountabilityCase).to.deep.equal({
        caseNo: 'GF-2027-0001-ZR-1',
        rule: 'R23.1',
        article: '第23条',
        message: '不符合第23条：截留、挪用项目资金：挪用50万元；责任人：王某、李某、张某',
        projectCode: 'GF-2027-0001',
        violationType: 'misuse-of-funds',
        violationLabel: '截留、挪用项目资金',
        responsiblePeople: ['王某', '李某', '张某'],
        description: '挪用50万元',
        recordedAt: '2026-07-15T07:00:00.000Z',
      });
      const second = await handler('record-accountability').run(
        { violationType: 'falsification', responsiblePeople: ['赵某'], labels, cases: first.accountabilityCases },
        ctx,
      );
      const cases = second.accountabilityCases as { caseNo: string; violationLabel: string }[];
      expect(cases.map((c) => [c.caseNo, c.violationLabel])).to.deep.equal([
        ['GF-2027-0001-ZR-1', '截留、挪用项目资金'],
        ['GF-2027-0001-ZR-2', '虚报、瞒报、弄虚作假'],
      ]);
    });

    it('refuses a case without a responsible person (BPMN error ACCOUNTABILITY_INCOMPLETE)', async () => {
      const err = await rejection(handler('record-accountability').run({ violationType: 'waste', responsiblePeople: ' 、 ' }, context().ctx));
      expect(err).to.be.instanceOf(BpmnError);
      expect((err as BpmnError).code).to.equal('ACCOUNTABILITY_INCOMPLETE');
    });
  });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

async function expectFailure(p: Promise<unknown>, message: RegExp) {
  const err = await rejection(p);
  expect(err).not.to.be.instanceOf(BpmnError);
  expect((err as Error).message).to.match(message);
}
