/**
 * The fuzz probe (issue 11/12): mutated BPMN documents — from processes/, the test fixtures and
 * ../shared/corpus/miwg/ — are deployed and, where deployable, started (and a task completed), and
 * malformed bodies are sent to every write route. The guarantee: no request is answered 5xx, every
 * request is answered (within mocha's timeout), and the server still answers /healthz afterwards.
 *
 * Seeded: FUZZ_SEED (default: random, printed in every failure message with the case number),
 * FUZZ_N documents per database (default 450) and FUZZ_BODIES malformed bodies (default 2,000 − FUZZ_N, at
 * least half FUZZ_N) sent to every write route of the route table: 2,000 cases per database, 4,000 per
 * CI run on SQLite and MariaDB (~1.5 min each). No timing assertions.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FEEL_BUDGET } from '../../src/engine/feel-sandbox';
import { startTestApp, type TestApp } from '../support/app';
import { nestedSubProcesses, unconnectedTasks } from '../support/robust-diagrams';
import { routesOf } from '../support/routes';

const ROOT = path.resolve(__dirname, '../..');
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const N = Number(process.env.FUZZ_N ?? 450);
/** malformed bodies per database: cheap (a few ms each), so together with the documents 2,000 cases per database */
const BODIES = Number(process.env.FUZZ_BODIES ?? Math.max(2000 - N, Math.ceil(N / 2)));

/** mulberry32: a small seeded generator */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)],
    chance: (p: number) => next() < p,
  };
}
type Rng = ReturnType<typeof rng>;

function corpus(): { name: string; xml: string }[] {
  const dirs = [path.join(ROOT, 'processes'), path.join(ROOT, 'test/fixtures/robust'), path.join(ROOT, 'test/fixtures/runtime'), path.join(ROOT, 'test/fixtures/engine'), path.resolve(ROOT, '../shared/corpus/miwg')];
  const docs: { name: string; xml: string }[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.bpmn')) docs.push({ name: `${path.basename(dir)}/${f}`, xml: fs.readFileSync(path.join(dir, f), 'utf8') });
  }
  return docs;
}

// ---- mutations on the XML text ------------------------------------------------------------------

interface Span {
  start: number;
  end: number;
  tag: string;
  text: string;
}

/** Elements with a bpmn-like prefix, as [start, end) spans (self-closing or up to the matching end tag). */
function elements(xml: string): Span[] {
  const spans: Span[] = [];
  const re = /<([A-Za-z]+:)?(task|userTask|serviceTask|sequenceFlow|startEvent|endEvent|exclusiveGateway|parallelGateway|subProcess|callActivity|intermediateCatchEvent|boundaryEvent|timerEventDefinition|conditionExpression|extensionElements|incoming|outgoing|message|error)\b[^>]*?(\/?)>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml)) && spans.length < 400) {
    const tag = `${m[1] ?? ''}${m[2]}`;
    if (m[3] === '/') {
      spans.push({ start: m.index, end: m.index + m[0].length, tag, text: m[0] });
      continue;
    }
    const close = xml.indexOf(`</${tag}>`, m.index);
    if (close < 0) continue;
    const end = close + tag.length + 3;
    spans.push({ start: m.index, end, tag, text: xml.slice(m.index, end) });
  }
  return spans;
}

const COSTLY_FEEL = [
  '=count(for i in 1..30000000 return i) &gt; 0',
  '=count(for i in 1..n return i) &gt; 0',
  '=for i in 1.5..3 return i',
  '=matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$")',
  '={a: [1,2], b: concatenate(a,a), c: concatenate(b,b), d: concatenate(c,c), e: concatenate(d,d), f: concatenate(e,e), g: concatenate(f,f), h: concatenate(g,g), i: concatenate(h,h), j: concatenate(i,i), k: concatenate(j,j), l: concatenate(k,k), m: concatenate(l,l), n: concatenate(m,m), o: concatenate(n,n), p: concatenate(o,o), q: concatenate(p,p), r: concatenate(q,q), s: concatenate(r,r), t: concatenate(s,s), u: concatenate(t,t), v: concatenate(u,u), w: concatenate(v,v)}.w',
  '=missing.deep.path &gt; 3',
  '="text"',
  '=null',
  '=(((((((((((1)))))))))))',
  '=some x in 1..n satisfies x &lt; 0',
];
const FAR_TIMES = ['P99999Y', 'P9999Y', 'PT99999999999999S', '99999-01-01', '0001-01-01', '=waitFor', '=string(duration("P99999Y"))', 'R/P99999Y', 'R5/PT0S', '2026-02-30'];

type Mutation = (xml: string, r: Rng, processId: string | null) => string;

const MUTATIONS: [string, Mutation][] = [
  ['drop', (xml, r) => {
    const spans = elements(xml);
    if (!spans.length) return xml;
    const s = r.pick(spans);
    return xml.slice(0, s.start) + xml.slice(s.end);
  }],
  ['duplicate', (xml, r) => {
    const spans = elements(xml);
    if (!spans.length) return xml;
    const s = r.pick(spans);
    const copy = r.chance(0.5) ? s.text : s.text.replace(/\bid="([^"]+)"/, (_m, id: string) => `id="${id}_copy${r.int(1000)}"`);
    return xml.slice(0, s.end) + copy + xml.slice(s.end);
  }],
  ['rewire', (xml, r) => {
    const ids = [...xml.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    const refs = [...xml.matchAll(/\b(sourceRef|targetRef|attachedToRef|default)="([^"]+)"/g)];
    if (!refs.length || !ids.length) return xml;
    const ref = r.pick(refs);
    const target = r.chance(0.8) ? r.pick(ids) : `nowhere${r.int(100)}`;
    return xml.slice(0, ref.index) + `${ref[1]}="${target}"` + xml.slice((ref.index ?? 0) + ref[0].length);
  }],
  ['unconnected', (xml, r) => {
    const n = r.chance(0.15) ? 2001 + r.int(500) : 1 + r.int(200);
    const tasks = Array.from({ length: n }, (_, i) => `<bpmn:task id="fuzzLoose${i}" />`).join('');
    return xml.replace(/(<(?:bpmn:)?process\b[^>]*>)/, `$1${tasks}`);
  }],
  ['costly-feel', (xml, r) => {
    const feel = r.pick(COSTLY_FEEL);
    if (/conditionExpression/.test(xml) && r.chance(0.6)) {
      return xml.replace(/(<(?:bpmn:)?conditionExpression\b[^>]*>)[^<]*(<\/)/, `$1${feel}$2`);
    }
    return xml.replace(/source="=[^"]*"/, `source="${feel.replace(/"/g, '&quot;')}"`);
  }],
  ['far-timer', (xml, r) => xml.replace(/(<(?:bpmn:)?time(?:Duration|Date|Cycle)\b[^>]*>)[^<]*(<\/)/, `$1${r.pick(FAR_TIMES)}$2`)],
  ['self-call', (xml, _r, processId) => {
    if (!processId) return xml;
    const call = `<bpmn:callActivity id="fuzzSelfCall"><bpmn:extensionElements><zeebe:calledElement processId="${processId}" /></bpmn:extensionElements></bpmn:callActivity>`;
    const start = /<(?:bpmn:)?startEvent\b[^>]*\bid="([^"]+)"/.exec(xml);
    if (!start) return xml;
    // the start event's first outgoing flow now enters the self-call first
    return xml
      .replace(new RegExp(`sourceRef="${start[1]}"`), 'sourceRef="fuzzSelfCall"')
      .replace(/(<(?:bpmn:)?process\b[^>]*>)/, `$1${call}<bpmn:sequenceFlow id="fuzzToSelf" sourceRef="${start[1]}" targetRef="fuzzSelfCall" />`);
  }],
  ['deep-nesting', (xml, r) => {
    const depth = r.pick([5, 20, 49, 51, 120]);
    const open = Array.from({ length: depth }, (_, i) => `<bpmn:subProcess id="fuzzSub${i}"><bpmn:startEvent id="fuzzSubStart${i}" />`).join('');
    return xml.replace(/(<(?:bpmn:)?process\b[^>]*>)/, `$1${open}${'</bpmn:subProcess>'.repeat(depth)}`);
  }],
  ['truncate', (xml, r) => xml.slice(0, r.int(xml.length))],
  ['garbage', (xml, r) => {
    const at = r.int(xml.length);
    return xml.slice(0, at) + r.pick(['<', '>', '&', '&#0;', ']]>', '<?pi </a></a></a> ?>', '<!DOCTYPE x>', '\u0000', '"', '</bpmn:process>']) + xml.slice(at);
  }],
  ['undeclared-prefix', (xml) => xml.replace(/\sxmlns:bpmn="[^"]*"/, '').replace(/\sxmlns:zeebe="[^"]*"/, '')],
];

/** mutations that leave a deployable document deployable (or are refused by the new limits) */
const RUNTIME_MUTATIONS = ['unconnected', 'costly-feel', 'far-timer', 'self-call', 'deep-nesting'];

const ENCODINGS: ((xml: string, r: Rng) => Buffer)[] = [
  (xml) => Buffer.from(xml, 'utf8'),
  (xml) => Buffer.from(xml.replace(/encoding="[^"]*"/, 'encoding="ISO-8859-1"'), 'latin1'),
  (xml) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace(/encoding="[^"]*"/, 'encoding="UTF-16"'), 'utf16le')]),
  (xml) => Buffer.from(xml.replace(/encoding="[^"]*"/, 'encoding="UTF-16"'), 'utf8'),
  (xml, r) => {
    const b = Buffer.from(xml, 'utf8');
    if (b.length) b[r.int(b.length)] = 0xc3 + r.int(40);
    return b;
  },
  (xml) => Buffer.from(xml.replace(/encoding="[^"]*"/, 'encoding="EBCDIC-037"'), 'utf8'),
  (xml) => Buffer.from(xml.replace(/encoding="[^"]*"/, 'encoding="GBK"'), 'utf8'),
];

const VARIABLES = [{}, { n: 10_000_000, waitFor: 'P99999Y' }, { n: 3, waitFor: 'PT1H', amount: 5, kind: 'task', reviewGroup: 'nobody' }, { caught: false, pathA: true, ok: true }];

// ---- malformed bodies ---------------------------------------------------------------------------

/**
 * Every write route the app serves (from its route table, like the permission matrix: a new route is
 * fuzzed without being listed here), each path parameter filled with a plausible or a broken value.
 */
function writeRoutes(app: Parameters<typeof routesOf>[0]): [method: 'post' | 'put' | 'patch' | 'delete', path: string][] {
  return routesOf(app)
    .map((r) => r.split(' ') as [string, string])
    .filter(([m]) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(m))
    .map(([m, p]) => [m.toLowerCase() as 'post' | 'put' | 'patch' | 'delete', p]);
}

const PARAM_VALUES: Record<string, string[]> = {
  key: ['fuzz', 'application-approval', 'no-such-process', '%E0%A4%A', '..'],
  year: ['2026', '2027', '0', '99999', 'abc'],
  id: ['1', '2', '999999', '-1', 'abc', '00000000-0000-0000-0000-000000000000', '%E0%A4%A', '1e9'],
};
const fillPath = (r: Rng, path: string) => path.replace(/:(\w+)/g, (_, name: string) => r.pick(PARAM_VALUES[name] ?? PARAM_VALUES.id));

function junkValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 9)) {
    case 0: return null;
    case 1: return r.int(2) === 0;
    case 2: return r.pick([0, -1, 1e308, -0.5, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER]);
    case 3: return r.pick(['', ' ', '<script>', 'a'.repeat(r.int(5000)), '中文', '2026-13-45', '\u0000', '=count(for i in 1..30000000 return i)', 'P99999Y']);
    case 4: return [];
    case 5: return {};
    case 6: return Array.from({ length: r.int(5) }, () => junkValue(r, depth + 1));
    default: {
      const keys = ['xml', 'forms', 'variables', 'businessKey', 'messageName', 'all', 'now', 'username', 'password', 'name', 'year', 'projectIds', 'investment', 'type', 'reason', '__proto__', 'constructor', 'fields', 'content'];
      return Object.fromEntries(Array.from({ length: 1 + r.int(5) }, () => [r.pick(keys), junkValue(r, depth + 1)]));
    }
  }
}

function junkBody(r: Rng): { type: string; body: string | Buffer } {
  switch (r.int(6)) {
    case 0: return { type: 'application/json', body: JSON.stringify(junkValue(r)) };
    case 1: return { type: 'application/json', body: r.pick(['{', '[1,2', '{"a":}', 'null', '"x"', '{"a":1}}', '\u0000']) };
    case 2: return { type: 'application/json', body: `${'['.repeat(5000)}${']'.repeat(5000)}` };
    case 3: return { type: r.pick(['application/xml', 'text/xml']), body: r.pick(['', '<x/>', '<?xml version="1.0" encoding="UTF-16"?><a/>', Buffer.from([0xff, 0xfe, 0x3c]).toString('latin1')]) };
    case 4: return { type: r.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']), body: r.pick(['a=1&b=', '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--x--', 'junk']) };
    default: return { type: 'application/json', body: JSON.stringify({ variables: junkValue(r), xml: junkValue(r), now: junkValue(r) }) };
  }
}

describe(`probe: fuzzing deployments, instances and write routes answers no 5xx (FUZZ_SEED=${SEED}, FUZZ_N=${N}, FUZZ_BODIES=${BODIES})`, function () {
  this.timeout(Math.max(600_000, N * 3_000));
  let t: TestApp;
  const budget = FEEL_BUDGET.timeMs;
  before(async () => {
    FEEL_BUDGET.timeMs = 250; // the same code path, a shorter wait per runaway expression
    t = await startTestApp({ CLOCK: 'manual' });
  });
  after(async () => {
    FEEL_BUDGET.timeMs = budget;
    await t?.close();
  });

  it('deploys and starts mutated documents (drop/duplicate/rewire, huge, costly FEEL, far timers, self-calls, deep nesting, encodings)', async () => {
    const r = rng(SEED);
    const docs = corpus();
    const ours = docs.filter((d) => !d.name.startsWith('miwg/'));
    expect(docs.length).to.be.greaterThan(10);
    const token = `Bearer ${await t.token('admin')}`;
    const where = (k: number, what: string) => `FUZZ_SEED=${SEED} case ${k} (${what}): reproduce with FUZZ_SEED=${SEED} FUZZ_N=${N} npx mocha test/probes/fuzz.test.ts`;
    let deployed = 0;
    let started = 0;
    for (let k = 0; k < N; k++) {
      // half the cases take one mutation that keeps the document deployable, so the runtime is reached
      const gentle = r.chance(0.5);
      const doc = r.pick(gentle ? ours : docs);
      let xml = doc.xml;
      const applied: string[] = [];
      for (let m = 0, count = gentle ? r.int(2) : 1 + r.int(3); m < count; m++) {
        const [name, mutate] = r.pick(gentle ? MUTATIONS.filter(([n]) => RUNTIME_MUTATIONS.includes(n)) : MUTATIONS);
        const processId = /<(?:bpmn:)?process\b[^>]*\bid="([^"]+)"/.exec(xml)?.[1] ?? null;
        xml = mutate(xml, r, processId);
        applied.push(name);
      }
      if (r.chance(0.05)) xml = r.chance(0.5) ? unconnectedTasks(2000 + r.int(3000)) : nestedSubProcesses(1 + r.int(60));
      const what = `${doc.name}: ${applied.join('+')}`;
      const asBytes = r.chance(gentle ? 0.1 : 0.3);
      const req = t.api.post('/api/process-definitions').set('Authorization', token);
      const res = asBytes
        ? await req.set('Content-Type', 'application/xml').send(r.pick(ENCODINGS)(xml, r))
        : await req.send({ xml });
      expect(res.status, `${where(k, what)}: ${JSON.stringify(res.body).slice(0, 500)}`).to.be.below(500);
      if (res.status !== 201) continue;
      deployed++;
      const run = await t.api
        .post(`/api/process-definitions/${encodeURIComponent(res.body.key)}/instances`)
        .set('Authorization', token)
        .send({ variables: r.pick(VARIABLES) });
      expect(run.status, `${where(k, `${what}, start`)}: ${JSON.stringify(run.body).slice(0, 500)}`).to.be.below(500);
      if (run.status !== 201) continue;
      started++;
      const tasks = await t.api.get(`/api/tasks?processInstanceId=${run.body.id}`).set('Authorization', token);
      expect(tasks.status, where(k, `${what}, tasks`)).to.be.below(500);
      if (Array.isArray(tasks.body) && tasks.body.length) {
        const done = await t.api.post(`/api/tasks/${tasks.body[0].id}/complete`).set('Authorization', token).send({ variables: r.pick(VARIABLES) });
        expect(done.status, `${where(k, `${what}, complete`)}: ${JSON.stringify(done.body).slice(0, 500)}`).to.be.below(500);
      }
      if (r.chance(0.1)) {
        const moved = await t.api.post('/api/dev/clock').set('Authorization', token).send({ now: new Date(Date.UTC(2027 + r.int(3), r.int(12), 1)).toISOString() });
        expect(moved.status, where(k, `${what}, clock`)).to.be.below(500);
      }
    }
    expect((await t.api.get('/healthz')).status).to.equal(200);
    // the corpus is not all refused: the probe reaches the runtime
    expect(deployed, `FUZZ_SEED=${SEED}: deployable mutants`).to.be.greaterThan(0);
    expect(started, `FUZZ_SEED=${SEED}: started mutants`).to.be.greaterThan(0);
  });

  it('sends malformed bodies to every write route, as an admin, a unit user and nobody', async () => {
    const r = rng(SEED ^ 0x5eed);
    const tokens = [`Bearer ${await t.token('admin')}`, `Bearer ${await t.token('rmyy')}`, null];
    const routes = writeRoutes(t.gf.app);
    expect(routes.length, 'write routes found in the route table').to.be.greaterThan(20);
    for (let k = 0; k < BODIES; k++) {
      const [method, pattern] = r.pick(routes);
      const url = fillPath(r, pattern);
      const { type, body } = junkBody(r);
      const auth = r.pick(tokens);
      let req = t.api[method](url).set('Content-Type', type);
      if (auth) req = req.set('Authorization', auth);
      const res = await req.send(body);
      expect(res.status, `FUZZ_SEED=${SEED} body case ${k}: ${method.toUpperCase()} ${url} ${type} ${String(body).slice(0, 200)} → ${JSON.stringify(res.body).slice(0, 300)}`).to.be.below(500);
    }
    expect((await t.api.get('/healthz')).status).to.equal(200);
  });
});
