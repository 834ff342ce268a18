import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { SMTPServer } from 'smtp-server';
import supertest from 'supertest';
import { createGovFlow, type GovFlow } from '../../src/app';
import { OutboxModel } from '../../src/persistence/models/runtime.model';
import { PASSWORD, startTestApp, type TestApp } from '../support/app';
import { draft } from '../support/builders';
import { markAccepted, setClock, startInstance, taskOf } from '../support/runtime';

interface Mail {
  from: string;
  to: string[];
  subject: string;
  raw: string;
}

/** Decodes RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) of a header, folded lines joined. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, text: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? decodeHeader(line.slice(name.length + 1).trim()) : '';
}

/** A real SMTP server on loopback that keeps every message it accepts; `refuse` makes it answer 451. */
async function startSmtp() {
  const mails: Mail[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.refuse) {
        const err = new Error('mailbox temporarily unavailable') as Error & { responseCode: number };
        err.responseCode = 451;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, 'Subject'),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, mails, state, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('e-mail notifications through a real SMTP server', () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestApp;
  let second: GovFlow | null = null;
  let projectId: number;
  let projectCode: string;
  let instanceId: string;
  const to = (username: string) => smtp.mails.filter((m) => m.to.includes(`${username}@gaogang.gov.cn.test`));

  before(async () => {
    smtp = await startSmtp();
    t = await startTestApp({ CLOCK: 'manual', SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), SMTP_FROM: 'GovFlow <govflow@gaogang.gov.cn.test>' });
    await setClock(t, '2026-03-02T10:00:00+08:00');
    const p = await t.as('rmyy').post('/api/projects', draft({ existingSystems: [] }));
    expect(p.status, JSON.stringify(p.body)).to.equal(201);
    projectId = p.body.id;
    projectCode = p.body.code;
    await markAccepted(projectCode);
  });
  after(async () => {
    if (second) await second.close();
    await t.close();
    await smtp.close();
  });

  it('e-mails the candidates of a new task once, however often the outbox is dispatched', async () => {
    // given a new performance evaluation task for the unit rmyy
    const started = await startInstance(t, 'performance-supervision', { businessKey: projectCode, variables: { projectCode, unitGroup: 'unit:rmyy', acceptedAt: '2026-03-02' } });
    instanceId = started.id;
    // when the outbox is dispatched (twice, as two scheduler ticks would)
    await t.gf.outbox.dispatch();
    await t.gf.outbox.dispatch();
    // then rmyy got exactly one e-mail, from the configured sender, naming the task, the project and the due date
    expect(smtp.mails).to.have.length(1);
    const [mail] = to('rmyy');
    expect(mail.subject).to.equal('[GovFlow] 新待办：报送绩效评价报告');
    expect(mail.from).to.equal('govflow@gaogang.gov.cn.test');
    expect(mail.raw).to.contain('govflow@gaogang.gov.cn.test');
    // and the in-app inbox has the same notification once
    const inbox = (await t.as('rmyy').get('/api/notifications')).body as { title: string }[];
    expect(inbox.filter((n) => n.title === '新待办：报送绩效评价报告')).to.have.length(1);
  });

  it('e-mails every member of a candidate group once (data-bureau: admin and sjj; finance: czj)', async () => {
    // given the report uploaded and the evaluation submitted
    const up = await t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', 'performance-report')
      .attach('file', Buffer.from('%PDF-1.4 绩效评价报告'), { filename: '绩效评价报告.pdf', contentType: 'application/pdf' });
    expect(up.status).to.equal(201);
    const task = await taskOf(t, 'rmyy', instanceId, 'PerformanceEvaluation');
    const done = await t.as('rmyy').post(`/api/tasks/${task.id}/complete`, { variables: { goalsAchieved: 'achieved', selfScore: 90, evaluationSummary: '达到预期' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    await t.gf.outbox.dispatch();
    await t.gf.outbox.dispatch();
    // then each member of the two bureaus got one e-mail for their review task, and the unit nothing more
    expect(to('sjj').map((m) => m.subject)).to.deep.equal(['[GovFlow] 新待办：审核绩效评价报告（区数据局）']);
    expect(to('admin').map((m) => m.subject)).to.deep.equal(['[GovFlow] 新待办：审核绩效评价报告（区数据局）']);
    expect(to('czj').map((m) => m.subject)).to.deep.equal(['[GovFlow] 新待办：审核绩效评价报告（区财政局）']);
    expect(to('rmyy')).to.have.length(1);
    expect(smtp.mails).to.have.length(4);
  });

  it('does not e-mail again when the instance is recovered and resumed, in this process or in a restarted one', async () => {
    // when the clock moves with nothing due (the first quarterly supervision is due 2026-06-02), and the outbox runs again
    await setClock(t, '2026-05-01T10:00:00+08:00');
    await t.gf.outbox.dispatch();
    expect(smtp.mails).to.have.length(4);
    // when one review is completed: the instance is recovered and resumed with the other task still open
    const review = await taskOf(t, 'sjj', instanceId, 'ReviewPerformance');
    expect((await t.as('sjj').post(`/api/tasks/${review.id}/complete`, { variables: { decision: 'approve', opinion: '同意' } })).status).to.equal(200);
    await t.gf.outbox.dispatch();
    expect(smtp.mails).to.have.length(4);
    // when a second app process starts on the same database (a restart), dispatches, and continues the instance
    second = await createGovFlow(t.gf.config);
    const api2 = supertest(second.app);
    await second.outbox.dispatch();
    const signIn = await api2.post('/api/auth/token').send({ username: 'czj', password: PASSWORD });
    const finance = await taskOf(t, 'czj', instanceId, 'ReviewPerformanceFinance');
    const completed = await api2.post(`/api/tasks/${finance.id}/complete`).set('Authorization', `Bearer ${signIn.body.token}`).send({ variables: { decision: 'approve', opinion: '同意' } });
    expect(completed.status, JSON.stringify(completed.body)).to.equal(200);
    expect(completed.body.processInstance.activeActivityIds).to.deep.equal(['InOperation']);
    await second.outbox.dispatch();
    await t.gf.outbox.dispatch();
    // then nobody got a second e-mail for a task already announced
    expect(smtp.mails).to.have.length(4);
    // and a genuinely new task (the quarterly supervision, fired by the restarted process) is e-mailed once per member
    const admin = await api2.post('/api/auth/token').send({ username: 'admin', password: PASSWORD });
    const moved = await api2.post('/api/dev/clock').set('Authorization', `Bearer ${admin.body.token}`).send({ now: '2026-06-02T12:00:00+08:00' });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    await second.outbox.dispatch();
    await t.gf.outbox.dispatch();
    await second.outbox.dispatch();
    expect(to('sjj').map((m) => m.subject)).to.deep.equal(['[GovFlow] 新待办：审核绩效评价报告（区数据局）', '[GovFlow] 新待办：运行监督记录']);
    expect(to('admin')).to.have.length(2);
    expect(smtp.mails).to.have.length(6);
  });

  it('e-mails after a temporary SMTP failure (the retry must send the mail the first attempt could not)', async () => {
    const before = smtp.mails.length;
    smtp.state.refuse = true;
    const started = await startInstance(t, 'performance-supervision', { businessKey: projectCode, variables: { projectCode, unitGroup: 'unit:rmyy', acceptedAt: '2026-03-02' } });
    await t.gf.outbox.dispatch();
    expect(smtp.mails.length).to.equal(before);
    smtp.state.refuse = false;
    await OutboxModel.update({ lockedUntil: new Date(Date.now() - 1000) }, { where: { sentAt: null } });
    await t.gf.outbox.dispatch();
    expect(smtp.mails.length).to.equal(before + 1);
    expect(started.activeActivityIds).to.include('PerformanceEvaluation');
  });
});
