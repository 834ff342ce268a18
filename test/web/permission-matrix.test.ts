import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { deploy, setClock, taskOf } from '../support/runtime';
import { draft } from '../support/builders';
import { routesOf } from '../support/routes';

/**
 * The permission matrix, generated from the route table: every route × every role with the status it
 * must answer — classified projects included. A route without an entry here fails the test, so a new
 * route cannot ship without its permissions written down. Write routes are called so that a permitted
 * caller is refused for its input (400/404/409/422) and nothing changes, or are followed by their undo.
 */
const ROLES = {
  anonymous: null,
  admin: 'admin',
  dataBureau: 'sjj',
  confidentiality: 'bmj',
  cryptography: 'mmj',
  cyberspace: 'wxb',
  drc: 'fgw',
  finance: 'czj',
  audit: 'sjju',
  government: 'gwh',
  expert: 'zj1',
  unit: 'rmyy', // the fixtures' project unit
  otherUnit: 'jyj',
  supervisor: 'wjw', // rmyy's supervising department
} as const;
type Role = keyof typeof ROLES;
type Expect = Record<Role, number>;

/** every role `status`, except the ones named; anonymous is 401 unless named */
const all = (status: number, except: Partial<Expect> = {}): Expect =>
  ({ ...Object.fromEntries(Object.keys(ROLES).map((r) => [r, r === 'anonymous' ? 401 : status])), ...except }) as Expect;
/** `status` for the named roles, `others` (default 403) for every other signed-in role */
const only = (roles: Role[], status: number, others = 403): Expect => all(others, Object.fromEntries(roles.map((r) => [r, status])));

const BUREAUS: Role[] = ['admin', 'dataBureau', 'confidentiality', 'cryptography', 'cyberspace', 'drc', 'finance', 'audit', 'government', 'expert'];
/** who sees the ordinary fixture project: its unit, its supervisor, every bureau and the experts */
const SEES_OPEN: Role[] = [...BUREAUS, 'unit', 'supervisor'];
/** who sees the classified fixture project before anyone but the confidentiality pre-review holds a task on it */
const SEES_CLASSIFIED: Role[] = ['admin', 'dataBureau', 'confidentiality', 'audit', 'unit'];

interface Fixtures {
  open: { id: number; code: string; instanceId: string; taskId: number; docId: number };
  secret: { id: number; code: string; instanceId: string; taskId: number; docId: number };
  planId: number;
}

type Call = (t: TestApp, as: string | null, f: Fixtures) => Promise<{ status: number }>;
interface Entry {
  call: Call;
  expect: Expect;
}

async function request(t: TestApp, as: string | null, method: 'get' | 'post' | 'put' | 'patch' | 'delete', url: string, body?: unknown) {
  let req = t.api[method](url);
  if (as) req = req.set('Authorization', `Bearer ${await t.token(as)}`);
  return body === undefined ? req : req.send(body as object);
}
const get = (url: (f: Fixtures) => string): Call => (t, as, f) => request(t, as, 'get', url(f));
const send = (method: 'post' | 'put' | 'patch' | 'delete', url: (f: Fixtures) => string, body?: (f: Fixtures) => unknown): Call => (t, as, f) =>
  request(t, as, method, url(f), body ? body(f) : undefined);

const MATRIX: Record<string, Entry> = {
  'GET /healthz': { call: get(() => '/healthz'), expect: { ...all(200), anonymous: 200 } },
  // wrong credentials: 401 for everyone (the caller's own token plays no part)
  'POST /api/auth/token': { call: (t, as) => t.api.post('/api/auth/token').send({ username: `nobody-${as ?? 'anonymous'}`, password: 'x' }), expect: { ...all(401), anonymous: 401 } },
  // revoking is tested on a throwaway token in auth.test.ts; here: who may call it — a token is its own permission
  'DELETE /api/auth/token': { call: (t) => t.api.delete('/api/auth/token'), expect: { ...all(401), anonymous: 401 } },
  'GET /api/me': { call: get(() => '/api/me'), expect: all(200) },

  'GET /api/process-definitions': { call: get(() => '/api/process-definitions'), expect: all(200) },
  'POST /api/process-definitions': { call: send('post', () => '/api/process-definitions', () => ({ xml: '<not-bpmn/>' })), expect: only(['admin'], 422) },
  'GET /api/process-definitions/:key': { call: get(() => '/api/process-definitions/application-approval'), expect: all(200) },
  'GET /api/process-definitions/:key/xml': { call: get(() => '/api/process-definitions/application-approval/xml'), expect: all(200) },
  // figures cover only what the reader may see (statistics.test.ts)
  'GET /api/process-definitions/:key/statistics': { call: get(() => '/api/process-definitions/application-approval/statistics'), expect: all(200) },
  'POST /api/process-definitions/:key/instances': { call: send('post', () => '/api/process-definitions/no-such-process/instances', () => ({})), expect: only(['admin'], 404) },

  // lists answer 200 to everyone (leaving out what the caller may not see: visibility.test.ts)
  'GET /api/process-instances': { call: get(() => '/api/process-instances'), expect: all(200) },
  // the ordinary project's instance (the classified one: GET /api/projects/:id and visibility.test.ts)
  'GET /api/process-instances/:id': { call: get((f) => `/api/process-instances/${f.open.instanceId}`), expect: only(SEES_OPEN, 200) },
  'GET /api/process-instances/:id/tracking': { call: get((f) => `/api/process-instances/${f.open.instanceId}/tracking`), expect: only(SEES_OPEN, 200) },
  'DELETE /api/process-instances/:id': { call: send('delete', () => '/api/process-instances/00000000-0000-0000-0000-000000000000'), expect: only(['admin'], 404) },
  // instance migration (issue 9 item 7): administrators only; an unknown instance / process is 404 (migration.test.ts migrates for real)
  'POST /api/process-instances/:id/migrate': { call: send('post', () => '/api/process-instances/00000000-0000-0000-0000-000000000000/migrate', () => ({ targetVersion: 1, dryRun: true })), expect: only(['admin'], 404) },
  // the form editor's API (issue 9 item 5): administrators only (form-editor-browser.test.ts deploys a form for real)
  'GET /api/process-definitions/:key/forms': { call: get(() => '/api/process-definitions/application-approval/forms'), expect: only(['admin'], 200) },
  'GET /api/process-definitions/:key/forms/:formId': { call: get(() => '/api/process-definitions/performance-supervision/forms/performance-evaluation'), expect: only(['admin'], 200) },
  'POST /api/process-definitions/:key/forms': { call: send('post', () => '/api/process-definitions/application-approval/forms', () => ({ formId: 'no-such-form', schema: { components: [] } })), expect: only(['admin'], 422) },
  'POST /api/process-definitions/:key/versions/:version/migrate': { call: send('post', () => '/api/process-definitions/no-such-process/versions/1/migrate', () => ({ targetVersion: 2, dryRun: true })), expect: only(['admin'], 404) },

  'GET /api/tasks': { call: get(() => '/api/tasks'), expect: all(200) },
  // the classified project's open task: the confidentiality pre-review
  'GET /api/tasks/:id': { call: get((f) => `/api/tasks/${f.secret.taskId}`), expect: only(SEES_CLASSIFIED, 200) },
  // claim then release at once, so the fixture stays unassigned
  'POST /api/tasks/:id/claim': {
    call: async (t, as, f) => {
      const res = await request(t, as, 'post', `/api/tasks/${f.open.taskId}/claim`);
      if (res.status === 200) await request(t, as, 'post', `/api/tasks/${f.open.taskId}/unclaim`);
      return res;
    },
    expect: only(['supervisor'], 200),
  },
  // an administrator assigns (issue 12 item 14); a user that does not exist: 422, nothing changes. The
  // unassigned queue (GET /api/tasks?unassigned=true, admins only) is swept over every role in unassigned-tasks.test.ts
  'POST /api/tasks/:id/assign': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/assign`, () => ({ assignee: 'no-such-user' })), expect: only(['admin'], 422) },
  'POST /api/tasks/:id/unclaim': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/unclaim`), expect: all(403) },
  // a field the form does not have: the holder is refused for the input (422), everyone else for the permission
  'POST /api/tasks/:id/complete': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/complete`, () => ({ variables: { stray: 1 } })), expect: only(['supervisor'], 422) },

  // the approval operations (approval-operations.test.ts has each one's whole story): the holder (and an
  // administrator, as Camunda's admin may) is refused for the input — a user that does not exist, a step never
  // passed, no recipient, an opinion that is not text — and nothing changes; everyone else for the permission
  'POST /api/tasks/:id/transfer': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/transfer`, () => ({ to: 'no-such-user' })), expect: only(['supervisor', 'admin'], 422) },
  'POST /api/tasks/:id/delegate': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/delegate`, () => ({ to: 'no-such-user' })), expect: only(['supervisor', 'admin'], 422) },
  'POST /api/tasks/:id/add-signer': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/add-signer`, () => ({ to: 'no-such-user' })), expect: only(['supervisor', 'admin'], 422) },
  // only a signer asked by 加签 signs: nobody is one here
  'POST /api/tasks/:id/sign': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/sign`, () => ({ opinion: '同意' })), expect: all(403) },
  'POST /api/tasks/:id/return': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/return`, () => ({ toActivityId: 'Nowhere', opinion: '退回' })), expect: only(['supervisor', 'admin'], 422) },
  // only the user who completed the task withdraws it: this one is open
  'POST /api/tasks/:id/withdraw': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/withdraw`), expect: all(403) },
  'POST /api/tasks/:id/cc': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/cc`, () => ({ to: [] })), expect: only(['supervisor', 'admin'], 422) },
  // who waits on the task urges it: the unit that started the instance, an administrator; the holder need not
  'POST /api/tasks/:id/urge': { call: send('post', (f) => `/api/tasks/${f.open.taskId}/urge`, () => ({ opinion: 5 })), expect: only(['unit', 'admin'], 422) },

  'POST /api/signals': { call: send('post', () => '/api/signals', () => ({ name: 'nobody-waits' })), expect: only(['admin'], 200) },
  'POST /api/messages': { call: send('post', () => '/api/messages', () => ({ messageName: 'nobody-waits', businessKey: 'NONE' })), expect: only(['admin'], 404) },
  'GET /api/incidents': { call: get(() => '/api/incidents'), expect: only(['admin'], 200) },
  'POST /api/incidents/:id/retry': { call: send('post', () => '/api/incidents/999999/retry'), expect: only(['admin'], 404) },
  'GET /api/handlers': { call: get(() => '/api/handlers'), expect: all(200) },
  'GET /api/element-templates': { call: get(() => '/api/element-templates'), expect: all(200) },
  'GET /api/groups': { call: get(() => '/api/groups'), expect: all(200) },
  'GET /api/notifications': { call: get(() => '/api/notifications'), expect: all(200) },
  'POST /api/notifications/:id/read': { call: send('post', () => '/api/notifications/999999/read'), expect: all(404) },
  // 全部已读: each caller marks only its own inbox (messages-drafts.test.ts)
  'POST /api/notifications/read-all': { call: send('post', () => '/api/notifications/read-all'), expect: all(200) },

  'GET /api/projects': { call: get(() => '/api/projects'), expect: all(200) },
  // a draft of rmyy: only rmyy's users may write one (each call makes a new draft, which touches no fixture)
  'POST /api/projects': { call: send('post', () => '/api/projects', () => draft({ name: '矩阵测试草稿' })), expect: only(['unit'], 201) },
  'GET /api/projects/:id': { call: get((f) => `/api/projects/${f.secret.id}`), expect: only(SEES_CLASSIFIED, 200) },
  // submitted already: its unit is refused for the state (409), the others for the permission
  'PATCH /api/projects/:id': { call: send('patch', (f) => `/api/projects/${f.open.id}`, () => ({ name: '改名' })), expect: { ...only(['unit'], 409), otherUnit: 403 } },
  'POST /api/projects/:id/documents': {
    call: async (t, as, f) => {
      let req = t.api.post(`/api/projects/${f.open.id}/documents`);
      if (as) req = req.set('Authorization', `Bearer ${await t.token(as)}`);
      return req.field('materialType', 'other').attach('file', Buffer.from('%PDF-1.4 matrix'), { filename: '补充材料.pdf', contentType: 'application/pdf' });
    },
    expect: only(['unit'], 201),
  },
  'GET /api/projects/:id/documents/:docId': { call: get((f) => `/api/projects/${f.secret.id}/documents/${f.secret.docId}`), expect: only(SEES_CLASSIFIED, 200) },
  // removing a material: only its unit, only while a draft — submitted already: its unit 409, the others 403 (第5条 or not the unit)
  'DELETE /api/projects/:id/documents/:docId': { call: send('delete', (f) => `/api/projects/${f.open.id}/documents/${f.open.docId}`), expect: only(['unit'], 409) },
  'POST /api/projects/:id/submit': { call: send('post', (f) => `/api/projects/${f.open.id}/submit`), expect: only(['unit'], 409) },
  'GET /api/projects/:id/archive': { call: get((f) => `/api/projects/${f.secret.id}/archive`), expect: only(SEES_CLASSIFIED, 200) },
  // a malformed reason: the audit bureau is refused for the input, everyone else for the permission
  'POST /api/projects/:id/audits': { call: send('post', (f) => `/api/projects/${f.secret.id}/audits`, () => ({ reason: 42 })), expect: only(['audit'], 400) },
  // 第16条 重大投资损失: the project's unit or the Data Bureau (the seed's admin is of data-bureau too); a report without description or amount is refused for the input (422), everyone else for the permission
  'POST /api/projects/:id/loss-reports': { call: send('post', (f) => `/api/projects/${f.secret.id}/loss-reports`, () => ({ amount: 0 })), expect: only(['admin', 'unit', 'dataBureau'], 422) },
  'POST /api/annual-plans': { call: send('post', () => '/api/annual-plans', () => ({ year: 2027, projectIds: [] })), expect: only(['admin', 'dataBureau'], 400) },
  'GET /api/annual-plans/:id': { call: get((f) => `/api/annual-plans/${f.planId}`), expect: only(['admin', 'dataBureau', 'drc', 'finance', 'government', 'audit', 'unit'], 200) },
  'GET /api/annual-plans/:id/export': { call: get((f) => `/api/annual-plans/${f.planId}/export`), expect: only(['admin', 'dataBureau', 'drc', 'finance', 'government', 'audit', 'unit'], 200) },

  'GET /api/dashboard': { call: get(() => '/api/dashboard'), expect: all(200) },
  // 第5条第（一）项 申报批次: everyone signed in reads them; the Data Bureau and admins open and close (refused here for their input)
  'GET /api/application-batches': { call: get(() => '/api/application-batches'), expect: all(200) },
  'POST /api/application-batches': { call: send('post', () => '/api/application-batches', () => ({ name: '权限矩阵批次', planYear: 2031, opensOn: '2030-07-01', closesOn: 'not-a-date' })), expect: only(['admin', 'dataBureau'], 422) },
  'POST /api/application-batches/:id/close': { call: send('post', () => '/api/application-batches/999999/close', () => ({})), expect: only(['admin', 'dataBureau'], 404) },
  'GET /api/calendar': { call: get(() => '/api/calendar'), expect: all(200) },
  'GET /api/calendar/:year': { call: get(() => '/api/calendar/2026'), expect: all(200) },
  'PUT /api/calendar/:year': { call: send('put', () => '/api/calendar/2027', () => ({ holidays: ['not-a-date'], workdays: [] })), expect: only(['admin'], 422) },
  // the tamper-evident trail: the audit bureau and administrators
  'GET /api/audit/verify': { call: get(() => '/api/audit/verify'), expect: only(['admin', 'audit'], 200) },
  // any list as Excel/CSV: each caller gets what it sees (exports.test.ts)
  'GET /api/exports/projects': { call: get(() => '/api/exports/projects?format=csv'), expect: all(200) },
  'GET /api/exports/tasks': { call: get(() => '/api/exports/tasks'), expect: all(200) },
  'GET /api/dev/clock': { call: get(() => '/api/dev/clock'), expect: only(['admin'], 200) },
  'POST /api/dev/clock': { call: send('post', () => '/api/dev/clock', () => ({ now: '+275760-09-13T00:00:00.000Z' })), expect: only(['admin'], 400) },

  // pages: anonymous is sent to the login page; forms without their CSRF token are refused
  // a signed-in user is sent on to the start page
  'GET /login': { call: get(() => '/login'), expect: { ...all(302), anonymous: 200 } },
  'POST /login': { call: send('post', () => '/login', () => ({ username: 'admin', password: 'x' })), expect: { ...all(403), anonymous: 403 } },
  'POST /logout': { call: send('post', () => '/logout', () => ({})), expect: { ...all(403), anonymous: 403 } },
  'GET /': { call: get(() => '/'), expect: { ...all(302), anonymous: 302 } },
  'GET /tasks': { call: get(() => '/tasks'), expect: { ...all(200), anonymous: 302 } },
  'GET /tasks/done': { call: get(() => '/tasks/done'), expect: { ...all(200), anonymous: 302 } },
  'GET /tasks/started': { call: get(() => '/tasks/started'), expect: { ...all(200), anonymous: 302 } },
  'GET /tasks/cc': { call: get(() => '/tasks/cc'), expect: { ...all(200), anonymous: 302 } },
  // the task page reads like GET /api/tasks/:id: the classified project's open task (第5条)
  // 消息: everyone's own inbox
  'GET /messages': { call: get(() => '/messages'), expect: { ...all(200), anonymous: 302 } },
  'GET /tasks/:id': { call: get((f) => `/tasks/${f.secret.taskId}`), expect: { ...only(SEES_CLASSIFIED, 200), anonymous: 302 } },
  'GET /projects': { call: get(() => '/projects'), expect: { ...all(200), anonymous: 302 } },
  // 新建申报: users of a project unit only
  'GET /projects/new': { call: get(() => '/projects/new'), expect: { ...only(['unit', 'otherUnit', 'supervisor'], 200), anonymous: 302 } },
  // the project page reads like GET /api/projects/:id (第5条)
  'GET /projects/:id': { call: get((f) => `/projects/${f.secret.id}`), expect: { ...only(SEES_CLASSIFIED, 200), anonymous: 302 } },
  // 修改草稿: the project's unit while a draft (messages-drafts.test.ts); submitted already: its unit 409, the others 403
  'GET /projects/:id/edit': { call: get((f) => `/projects/${f.open.id}/edit`), expect: { ...only(['unit'], 409), anonymous: 302 } },
  // 流程跟踪 reads like GET /api/process-instances/:id (第5条)
  'GET /instances/:id': { call: get((f) => `/instances/${f.open.instanceId}`), expect: { ...only(SEES_OPEN, 200), anonymous: 302 } },
  'GET /processes': { call: get(() => '/processes'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'GET /processes/:key/edit': { call: get(() => '/processes/application-approval/edit'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'GET /processes/:key/versions/:version': { call: get(() => '/processes/application-approval/versions/1'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  // 流程运行分析: figures of what the reader may see (statistics.test.ts)
  'GET /processes/:key/statistics': { call: get(() => '/processes/application-approval/statistics'), expect: { ...all(200), anonymous: 302 } },
  'GET /annual-plans': { call: get(() => '/annual-plans'), expect: { ...all(200), anonymous: 302 } },
  // the plan page reads like GET /api/annual-plans/:id
  'GET /annual-plans/:id': { call: get((f) => `/annual-plans/${f.planId}`), expect: { ...only(['admin', 'dataBureau', 'drc', 'finance', 'government', 'audit', 'unit'], 200), anonymous: 302 } },
  'GET /monitor': { call: get(() => '/monitor'), expect: { ...all(200), anonymous: 302 } },
  'GET /processes/:key/forms': { call: get(() => '/processes/application-approval/forms'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'GET /processes/:key/forms/editor': { call: get(() => '/processes/performance-supervision/forms/editor?form=performance-evaluation'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'GET /incidents': { call: get(() => '/incidents'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'GET /application-batches': { call: get(() => '/application-batches'), expect: { ...all(200), anonymous: 302 } },
  'POST /application-batches': { call: send('post', () => '/application-batches', () => ({ name: 'x' })), expect: { ...all(403), anonymous: 403 } },
  'POST /application-batches/:id/close': { call: send('post', () => '/application-batches/1/close', () => ({})), expect: { ...all(403), anonymous: 403 } },
  'GET /calendar': { call: get(() => '/calendar'), expect: { ...only(['admin'], 200), anonymous: 302 } },
  'POST /calendar': { call: send('post', () => '/calendar', () => ({ year: '2027' })), expect: { ...all(403), anonymous: 403 } },
};

describe('permission matrix: every route × every role (generated from the route table)', () => {
  let t: TestApp;
  let f: Fixtures;

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
    const project = async (over: Record<string, unknown>) => {
      const { body: p } = await t.as('rmyy').post('/api/projects', draft(over));
      let docId = 0;
      for (const m of ['application-form', 'construction-plan']) {
        const up = await t.api
          .post(`/api/projects/${p.id}/documents`)
          .set('Authorization', `Bearer ${await t.token('rmyy')}`)
          .field('materialType', m)
          .attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
        docId = up.body.id;
      }
      const sub = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
      expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
      return { id: p.id as number, code: p.code as string, instanceId: sub.body.processInstanceId as string, docId };
    };
    const open = await project({ name: '公开项目' });
    const secret = await project({ name: '涉密项目', classified: true });
    // an annual plan with one project of rmyy, compiled from the stub application that waits at once
    await deploy(t, 'plan-stub-application.bpmn');
    const planned = await project({ name: '计划项目' });
    const plan = await t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [planned.id] });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    f = {
      open: { ...open, taskId: (await taskOf(t, 'wjw', open.instanceId, 'SupervisorEndorsement')).id },
      secret: { ...secret, taskId: (await taskOf(t, 'bmj', secret.instanceId, 'ConfidentialityPreReview')).id },
      planId: plan.body.id,
    };
  });
  after(() => t.close());

  it('has an entry for every route the app serves, and no entry for a route it does not serve', () => {
    const served = routesOf(t.gf.app).sort();
    expect(served.filter((r) => !(r in MATRIX)), 'routes without a permission entry').to.deep.equal([]);
    expect(Object.keys(MATRIX).filter((r) => !served.includes(r)), 'entries of routes that do not exist').to.deep.equal([]);
  });

  // the audit bureau reads everything and changes nothing: every write route refuses it, except its own statutory
  // action (opening an audit, 第23条) and what concerns only its own session and inbox
  it('the audit group changes nothing: every write route refuses it', () => {
    const ownAction: Record<string, string> = {
      'POST /api/projects/:id/audits': '第23条: the audit bureau opens audits',
      'POST /api/auth/token': 'its own sign-in',
      'DELETE /api/auth/token': 'its own sign-out',
      'POST /api/notifications/:id/read': 'its own inbox',
      'POST /api/notifications/read-all': 'its own inbox',
      'POST /login': 'its own sign-in',
      'POST /logout': 'its own sign-out',
    };
    const writes = Object.entries(MATRIX).filter(([route]) => !route.startsWith('GET ') && !(route in ownAction));
    expect(writes.length).to.be.greaterThan(10);
    expect(writes.filter(([, e]) => e.expect.audit !== 403).map(([route]) => route), 'write routes the audit group is not refused').to.deep.equal([]);
  });

  for (const [route, entry] of Object.entries(MATRIX)) {
    it(`${route}`, async () => {
      const got: Partial<Expect> = {};
      for (const [role, username] of Object.entries(ROLES) as [Role, string | null][]) got[role] = (await entry.call(t, username, f)).status;
      expect(got).to.deep.equal(entry.expect);
    });
  }
});
