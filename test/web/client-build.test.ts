import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { buildClient, buildOrReuse, clientInputsKey } from '../../src/web/client-build';
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

  it('a build of the same inputs made earlier (by another process) is used again; a file of it gone, it bundles anew', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-build-'));
    const first = await buildOrReuse(dir);
    expect(first.reused).to.equal(false);
    const again = await buildOrReuse(dir);
    expect(again.reused).to.equal(true);
    expect(again.assets).to.deep.equal(first.assets);
    const script = path.join(dir, path.basename(first.assets.scripts.task));
    fs.rmSync(script);
    const rebuilt = await buildOrReuse(dir);
    expect(rebuilt.reused).to.equal(false);
    expect(rebuilt.assets).to.deep.equal(first.assets);
    expect(fs.existsSync(script)).to.equal(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the inputs' key changes with any client source file's content or name and with the installed packages", () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), 'gf-src-'));
    const lock = path.join(src, '..', `${path.basename(src)}-lock.json`);
    fs.mkdirSync(path.join(src, 'islands'));
    fs.writeFileSync(path.join(src, 'islands', 'list.ts'), 'export const a = 1;');
    fs.writeFileSync(path.join(src, 'api.ts'), 'export {};');
    fs.writeFileSync(lock, '{"lockfileVersion":3}');
    const key = clientInputsKey(src, lock);
    expect(clientInputsKey(src, lock)).to.equal(key);
    fs.writeFileSync(path.join(src, 'islands', 'list.ts'), 'export const a = 2;');
    expect(clientInputsKey(src, lock)).not.to.equal(key);
    fs.writeFileSync(path.join(src, 'islands', 'list.ts'), 'export const a = 1;');
    expect(clientInputsKey(src, lock)).to.equal(key);
    fs.renameSync(path.join(src, 'api.ts'), path.join(src, 'apis.ts'));
    expect(clientInputsKey(src, lock)).not.to.equal(key);
    fs.renameSync(path.join(src, 'apis.ts'), path.join(src, 'api.ts'));
    fs.writeFileSync(lock, '{"lockfileVersion":3,"packages":{}}');
    expect(clientInputsKey(src, lock)).not.to.equal(key);
    fs.rmSync(src, { recursive: true, force: true });
    fs.rmSync(lock, { force: true });
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
