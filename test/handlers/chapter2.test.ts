import { expect } from 'chai';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import type { HandlerContext, NotificationRequest } from '../../src/handlers/handler';
import type { Project } from '../../src/domain/project';

/** A real handler context over an in-memory project store (the port handlers see). */
function context(projects: Record<string, Partial<Project> & { materials: string[] }>) {
  const notifications: NotificationRequest[] = [];
  const published: { messageName: string; businessKey: string; variables?: Record<string, unknown> }[] = [];
  const ctx: HandlerContext = {
    instanceId: 'i1',
    activityId: 'A',
    executionId: 'e1',
    definitionKey: 'application-approval',
    businessKey: 'GF-2027-0001',
    headers: {},
    now: new Date('2026-09-15T02:00:00Z'),
    once: (_k, fn) => fn(),
    notify: (n) => notifications.push(n),
    projects: {
      get: async (code) => (projects[code] ? ({ code, ...projects[code] } as Project & { materials: string[] }) : null),
      setStage: async (code, stage) => {
        projects[code].stage = stage;
      },
      update: async (code, changes) => {
        Object.assign(projects[code], changes);
      },
      recordPayment: async () => undefined,
    },
    organisation: { members: async () => [] },
    startProcess: () => undefined,
    publishMessage: (messageName, businessKey, variables) => published.push({ messageName, businessKey, variables }),
  };
  return { ctx, notifications, published, projects };
}

const handler = (name: string) => {
  const h = BUILTIN_HANDLERS.find((x) => x.name === name);
  if (!h) throw new Error(`no handler ${name}`);
  return h;
};

describe('chapter 2 handlers', () => {
  it('are registered with Chinese titles, categories and described inputs/outputs', () => {
    for (const name of ['application-check-scope', 'application-check-rules', 'application-check-mobile-app', 'application-prepare-revision', 'application-reload', 'release-annual-plan']) {
      const h = handler(name);
      expect(h.title, name).to.match(/[\u4e00-\u9fa5]/);
      expect(h.inputs.length + h.outputs.length, name).to.be.greaterThan(0);
    }
  });

  it('application-check-scope (R24.1): out of scope only for the categories the diagram lists, citing 第24条', async () => {
    const { ctx } = context({});
    const outOfScope = { 'office-equipment': '单独购置通用办公设备' };
    expect(await handler('application-check-scope').run({ scopeCategory: 'informatization', outOfScope }, ctx)).to.deep.equal({ inScope: true, outOfScopeReason: null, scopeProblems: [] });
    const out = await handler('application-check-scope').run({ scopeCategory: 'office-equipment', outOfScope }, ctx);
    expect(out).to.include({ inScope: false, outOfScopeReason: '不符合第24条：单独购置通用办公设备，不属于本办法管理范围' });
    // the list is data: a category the diagram does not list is in scope
    expect((await handler('application-check-scope').run({ scopeCategory: 'other', outOfScope }, ctx)).inScope).to.equal(true);
  });

  it('application-check-rules: each rule whose FEEL result is not true becomes a detail citing its article; unknown rules are a technical error', async () => {
    const { ctx } = context({});
    const out = await handler('application-check-rules').run({ checks: [{ rule: 'R5.1', ok: false, message: '计划年度须为2027年' }, { rule: 'R8.1', ok: true, message: 'x' }, { rule: 'R8.1', ok: null, message: '未列入年度计划' }] }, ctx);
    expect(out.problems).to.deep.equal([
      { rule: 'R5.1', article: '第5条', message: '不符合第5条：计划年度须为2027年' },
      { rule: 'R8.1', article: '第8条', message: '不符合第8条：未列入年度计划' },
    ]);
    let err: unknown;
    await handler('application-check-rules').run({ checks: [{ rule: 'R99', ok: true }] }, ctx).catch((e) => (err = e));
    expect(err).to.be.instanceOf(Error);
  });

  it('application-check-mobile-app (R6.1, R6.2): flags a standalone app; needs a justification and the existing systems', async () => {
    const { ctx } = context({});
    const run = (input: Record<string, unknown>) => handler('application-check-mobile-app').run(input, ctx);
    expect(await run({ standaloneMobileApp: false, existingSystems: ['HIS'] })).to.deep.equal({ mobileAppFlagged: false, mobileProblems: [] });
    expect(await run({ standaloneMobileApp: true, justification: '离线采集', existingSystems: ['HIS'] })).to.deep.equal({ mobileAppFlagged: true, mobileProblems: [] });
    const bare = await run({ standaloneMobileApp: true, justification: ' ', existingSystems: [] });
    expect(bare.mobileAppFlagged).to.equal(true);
    expect((bare.mobileProblems as { rule: string; article: string }[]).map((p) => [p.rule, p.article])).to.deep.equal([['R6.1', '第6条'], ['R6.2', '第6条']]);
  });

  it('application-prepare-revision (R7.4): rule problems first, else the returning opinions; every opinion listed; stage and notification', async () => {
    const { ctx, projects, notifications } = context({ 'GF-2027-0001': { materials: [], stage: 'submitted' } });
    const opinions = [
      { step: '专家评审', rule: 'R7.2', decision: 'approve', opinion: '可行' },
      { step: '区委网信办网络和数据安全审核', rule: 'R7.3', decision: 'return', opinion: '补充等保设计' },
      { step: '区保密局审核', rule: 'R7.3', decision: null, opinion: null },
    ];
    const out = await handler('application-prepare-revision').run({ problems: [], opinions, stage: 'revising', unitGroup: 'unit:rmyy', projectName: '平台' }, ctx);
    expect(out.returnReasons).to.deep.equal([{ rule: 'R7.3', article: '第7条', message: '不符合第7条：区委网信办网络和数据安全审核退回修改：补充等保设计' }]);
    expect(out.reviewOpinions).to.deep.equal([
      { step: '专家评审', decision: '同意', opinion: '可行' },
      { step: '区委网信办网络和数据安全审核', decision: '退回修改', opinion: '补充等保设计' },
    ]);
    expect(projects['GF-2027-0001'].stage).to.equal('revising');
    expect(notifications).to.have.length(1);
    expect(notifications[0]).to.include({ kind: 'return', title: '申报退回修改：平台' });
    expect(notifications[0].to).to.deep.equal(['group:unit:rmyy']);
    // rule problems take precedence over earlier opinions
    const problem = { rule: 'R7.1', article: '第7条', message: '不符合第7条：缺少建设方案' };
    expect((await handler('application-prepare-revision').run({ problems: [problem], opinions }, ctx)).returnReasons).to.deep.equal([problem]);
  });

  it('application-reload: the process continues with the project as the unit revised it', async () => {
    const { ctx, projects } = context({ 'GF-2027-0001': { materials: ['application-form'], stage: 'revising', planYear: 2027, existingSystems: ['HIS'], justification: null } });
    const out = await handler('application-reload').run({ stage: 'submitted' }, ctx);
    expect(out).to.deep.include({ planYear: 2027, existingSystems: ['HIS'], justification: null, materials: ['application-form'] });
    expect(projects['GF-2027-0001'].stage).to.equal('submitted');
  });

  it('application-reload (第5条第（一）项): the batch open now for the plan year; else the batch it was submitted in, if of the same plan year', async () => {
    const spring = { id: 7, name: '2027年度春季补充申报', planYear: 2027, opensOn: '2026-03-01', closesOn: '2026-03-31' };
    const autumn = { id: 8, name: '2027年度项目集中申报', planYear: 2027, opensOn: '2026-07-01', closesOn: '2026-12-31' };
    const run = async (applicationBatch: unknown, submittedBatch: unknown, planYear = 2027) => {
      const { ctx } = context({ 'GF-2027-0001': { materials: [], stage: 'revising', planYear, applicationBatch } as never });
      return (await handler('application-reload').run({ stage: 'submitted', submittedBatch } as never, ctx)).applicationBatch;
    };
    expect(await run(autumn, spring)).to.deep.equal(autumn);
    expect(await run(null, spring)).to.deep.equal(spring);
    expect(await run(null, spring, 2028)).to.equal(null);
    expect(await run(null, null)).to.equal(null);
  });

  it('release-annual-plan (R7.5): every listed project budgeted and released by the named message', async () => {
    const { ctx, projects, published } = context({ 'GF-2027-0001': { materials: [], budgeted: false }, 'GF-2027-0002': { materials: [], budgeted: false } });
    const out = await handler('release-annual-plan').run({ projectCodes: ['GF-2027-0001', 'GF-2027-0002'], year: 2027, messageName: 'annual-plan-approved' }, ctx);
    expect(out).to.deep.equal({ releasedProjects: ['GF-2027-0001', 'GF-2027-0002'], releasedAt: '2026-09-15T02:00:00.000Z' });
    expect(projects['GF-2027-0001'].budgeted).to.equal(true);
    expect(projects['GF-2027-0002'].budgeted).to.equal(true);
    expect(published).to.deep.equal([
      { messageName: 'annual-plan-approved', businessKey: 'GF-2027-0001', variables: { budgeted: true, annualPlanYear: 2027 } },
      { messageName: 'annual-plan-approved', businessKey: 'GF-2027-0002', variables: { budgeted: true, annualPlanYear: 2027 } },
    ]);
  });
});
