import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildClient } from '../../src/web/client-build';
import { CONTENT_SECURITY_POLICY } from '../../src/web/middleware/security-headers';
import { PASSWORD } from '../support/app';
import { browserSuite } from '../support/browser';

describe('the front-end build (src/client → esbuild → /build, content-hashed, own origin, strict CSP)', function () {
  this.timeout(120000);
  const web = browserSuite();

  it('bundles one content-hashed script per island (and a stylesheet where it imports CSS), the same bytes the same name', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-build-'));
    const a = await buildClient(dir);
    expect(Object.keys(a.scripts).sort()).to.include.members(['list', 'task']);
    expect(a.scripts.list).to.match(/^\/build\/list-[A-Z0-9]{8}\.js$/);
    expect(a.styles.task).to.match(/^\/build\/task-[A-Z0-9]{8}\.css$/);
    for (const url of [...Object.values(a.scripts), ...Object.values(a.styles)]) expect(fs.existsSync(path.join(dir, path.basename(url))), url).to.equal(true);
    // the form-js viewer is in our bundle: nothing is loaded from another origin
    expect(fs.readFileSync(path.join(dir, path.basename(a.scripts.task)), 'utf8')).not.to.match(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the bundles from our own origin, cached for good, with the strict Content-Security-Policy unchanged', async () => {
    const assets = await buildClient();
    const js = await web.t.api.get(assets.scripts.list).expect(200);
    expect(js.headers['content-type']).to.match(/javascript/);
    expect(js.headers['cache-control']).to.contain('immutable');
    const page = await web.t.api.get('/login').expect(200);
    expect(page.headers['content-security-policy']).to.equal(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).to.match(/script-src 'self'(;|$)/);
    await web.t.api.get('/build/nothing-12345678.js').expect(404);
  });

  it('mounts an island in a real browser: module script from /build, CSRF token in the page, no inline script, no CSP violation', async () => {
    const page = await web.browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`${web.url}/login?next=/tasks`);
    await page.fill('input[name=username]', 'czj');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${web.url}/tasks`);
    await page.waitForSelector('[data-island="list"][data-island-ready="true"]');
    const scripts = await page.$$eval('script', (s) => s.map((x) => ({ src: x.getAttribute('src'), inline: x.textContent ?? '' })));
    expect(scripts.length).to.be.greaterThan(0);
    for (const s of scripts) {
      expect(s.src).to.match(/^\/build\/[a-z]+-[A-Z0-9]{8}\.js$/);
      expect(s.inline).to.equal('');
    }
    expect(await page.getAttribute('meta[name="csrf-token"]', 'content')).to.match(/^[A-Za-z0-9_-]{20,}$/);
    expect(problems, problems.join('\n')).to.deep.equal([]);
    await page.close();
  });
});
