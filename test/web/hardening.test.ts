import crypto from 'node:crypto';
import { expect } from 'chai';
import { binary, startTestApp, type TestApp } from '../support/app';
import { docx, draft } from '../support/builders';

/** Uploads checked by their bytes, downloads with their UTF-8 name, malformed requests, security headers. */
describe('uploads, downloads, malformed requests and security headers', () => {
  let t: TestApp;
  let projectId: number;
  before(async () => {
    t = await startTestApp();
    projectId = (await t.as('rmyy').post('/api/projects', draft())).body.id;
  });
  after(() => t.close());

  const upload = async (content: Buffer, filename: string, contentType = 'application/octet-stream', materialType = 'other') =>
    t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', `Bearer ${await t.token('rmyy')}`)
      .field('materialType', materialType)
      .attach('file', content, { filename, contentType });
  const documents = async () => (await t.as('rmyy').get(`/api/projects/${projectId}`)).body.documents as { filename: string; materialType: string }[];

  it('refuses files whose bytes are not what their name says (415), and empty files (422)', async () => {
    const before = (await documents()).length;
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00\x03'), Buffer.alloc(64)]);
    expect((await upload(exe, '申报表.pdf', 'application/pdf')).status).to.equal(415);
    const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
    expect((await upload(elf, 'report.pdf', 'application/pdf')).status).to.equal(415);
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>');
    const asPng = await upload(svg, '截图.png', 'image/png');
    expect(asPng.status).to.equal(415);
    expect(asPng.body.error.message).to.contain('.png');
    expect((await upload(Buffer.from('<!DOCTYPE html><html><script>alert(1)</script></html>'), '说明.txt', 'text/plain')).status).to.equal(415);
    expect((await upload(Buffer.from('  <html><body>x</body></html>'), 'notes.txt', 'text/plain')).status).to.equal(415);
    const empty = await upload(Buffer.alloc(0), '空文件.pdf', 'application/pdf', 'application-form');
    expect(empty.status).to.equal(422);
    expect(empty.body.error.details[0].field).to.equal('file');
    // nothing was stored, so no material counts as supplied
    expect((await documents()).length).to.equal(before);
  });

  it('takes real documents whatever the browser claims, and stores the type of their bytes', async () => {
    const word = await upload(await docx(), '建设方案.docx', 'application/octet-stream', 'construction-plan');
    expect(word.status, JSON.stringify(word.body)).to.equal(201);
    const gbk = Buffer.from([0xc9, 0xea, 0xb1, 0xa8, 0xcb, 0xb5, 0xc3, 0xf7]); // 申报说明 in GBK
    expect((await upload(gbk, '申报说明.txt', 'text/plain')).status).to.equal(201);
    expect((await upload(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), '照片.png', 'application/octet-stream')).status).to.equal(201);
    expect((await upload(Buffer.from('%PDF-1.7\n'), 'scan.PDF', 'application/x-whatever')).status).to.equal(201);
    // a Word document is not a PDF
    expect((await upload(await docx(), '伪装.pdf', 'application/pdf')).status).to.equal(415);
  });

  it('shortens long names keeping the extension and whole characters', async () => {
    const long = `${'很长的文件名'.repeat(60)}.pdf`;
    const res = await upload(Buffer.from('%PDF-1.4 long'), long, 'application/pdf');
    expect(res.status).to.equal(201);
    expect(Array.from(res.body.filename as string)).to.have.length(255);
    expect(res.body.filename).to.match(/\.pdf$/);
    const emoji = `${'📄'.repeat(300)}.pdf`;
    const e = await upload(Buffer.from('%PDF-1.4 emoji'), emoji, 'application/pdf');
    expect(e.status).to.equal(201);
    expect(e.body.filename).to.match(/\.pdf$/);
    expect(e.body.filename).not.to.contain('\uFFFD');
    expect(Buffer.from(e.body.filename, 'utf8').toString('utf8')).to.equal(e.body.filename);
    expect([...e.body.filename].every((c: string) => c === '📄' || '.pdf'.includes(c))).to.equal(true);
  });

  it('downloads a document as uploaded, with its UTF-8 name and nosniff, for those who may see the project', async () => {
    const content = Buffer.from('%PDF-1.4 项目计划申报表');
    const up = await upload(content, '项目计划申报表.pdf', 'application/pdf', 'application-form');
    const res = await t.api.get(`/api/projects/${projectId}/documents/${up.body.id}`).set('Authorization', `Bearer ${await t.token('sjj')}`).buffer(true).parse(binary);
    expect(res.status).to.equal(200);
    expect(crypto.createHash('sha256').update(res.body as Buffer).digest('hex')).to.equal(up.body.sha256);
    expect(res.headers['content-type']).to.equal('application/pdf');
    expect(res.headers['x-content-type-options']).to.equal('nosniff');
    expect(res.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent('项目计划申报表.pdf')}`);
    expect((await t.as('jyj').get(`/api/projects/${projectId}/documents/${up.body.id}`)).status).to.equal(403);
    expect((await t.as('sjj').get(`/api/projects/${projectId}/documents/999999`)).status).to.equal(404);
  });

  it('answers malformed requests with 400 and a clear message, never 500', async () => {
    const bearer = `Bearer ${await t.token('rmyy')}`;
    const badPath = await t.api.get('/api/projects/%E0%A4%A').set('Authorization', bearer);
    expect(badPath.status).to.equal(400);
    expect(badPath.body.error.message).to.contain('编码');
    const torn = await t.api
      .post(`/api/projects/${projectId}/documents`)
      .set('Authorization', bearer)
      .set('Content-Type', 'multipart/form-data; boundary=xyz')
      .send('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1');
    expect(torn.status).to.equal(400);
    const noBoundary = await t.api.post(`/api/projects/${projectId}/documents`).set('Authorization', bearer).set('Content-Type', 'multipart/form-data').send('garbage');
    expect(noBoundary.status).to.equal(400);
    const nul = await upload(Buffer.from('%PDF-1.4'), 'a\u0000.pdf', 'application/pdf');
    expect(nul.status).to.equal(400);
  });

  it('sends a strict Content-Security-Policy without inline scripts, and refuses framing', async () => {
    for (const path of ['/login', '/api/me', '/healthz']) {
      const res = await t.api.get(path);
      const csp = res.headers['content-security-policy'];
      expect(csp, path).to.contain("script-src 'self'");
      expect(csp.split(';').find((d: string) => d.trim().startsWith('script-src'))).not.to.contain('unsafe-inline');
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options']).to.equal('DENY');
      expect(res.headers['referrer-policy']).to.equal('same-origin');
      expect(res.headers['x-content-type-options']).to.equal('nosniff');
      expect(res.headers['strict-transport-security'], 'no HSTS outside production').to.equal(undefined);
    }
    const login = await t.api.get('/login');
    expect(login.text).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });

  it('sends HSTS in production', async () => {
    const prod = await startTestApp({ NODE_ENV: 'production', ADMIN_PASSWORD: 'Production-Secret-2026!' });
    try {
      expect((await prod.api.get('/login')).headers['strict-transport-security']).to.match(/max-age=\d+/);
    } finally {
      await prod.close();
    }
  });
});
