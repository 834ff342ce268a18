import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { browserSuite, DESKTOP, shot, signIn as signInAt } from '../support/browser';
import { draft } from '../support/builders';
import { deploy, setClock, taskOf } from '../support/runtime';

/**
 * The English switch in a real browser: every page, switched to English, shows no Chinese in its labels —
 * table headers, field labels, legends, section titles, buttons, the navigation, the phone cards' labels
 * (data-label), aria-labels and placeholders. Data stays as entered (names, stages, steps, opinions): the
 * check reads a label's own text only, and skips what a page marks as data (`data-value`), the form-js
 * form and the form editor's canvas (its labels are the deployed form's, authored in Chinese), the opinion phrases (they are inserted
 * into the opinion) and the bpmn-js canvases and properties panel.
 */
const LABELS = 'th, dt, legend, label, h2, h3, button, nav a, caption, summary, .figure .label, .figure .unit, ul.legend li, .steps li, .actions a';
const SKIP = '[data-value], [data-form-root], .fjs-form-container, [data-phrase], .inline-check, .djs-container, .bjs-container, [data-properties], [data-canvas], .studio-properties [data-group-options]';

/**
 * the labels on the page that still carry Chinese (own text nodes and label attributes); the check is
 * plain browser script in a string, so the test runner's transform adds nothing to it
 */
const CHECK = `(() => {
  const labels = ${JSON.stringify(LABELS)};
  const skip = ${JSON.stringify(SKIP)};
  const cjk = /[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]/;
  const out = [];
  for (const el of Array.from(document.querySelectorAll(labels))) {
    if (el.closest(skip)) continue;
    const own = Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent || '').join('').trim();
    if (cjk.test(own)) out.push('<' + el.tagName.toLowerCase() + '> ' + own);
  }
  for (const el of Array.from(document.querySelectorAll('[data-label], [aria-label], [placeholder]'))) {
    if (el.closest(skip)) continue;
    for (const a of ['data-label', 'aria-label', 'placeholder']) {
      const v = el.getAttribute(a);
      if (v && cjk.test(v)) out.push(a + '="' + v + '"');
    }
  }
  return [...new Set(out)];
})()`;
const chineseLabels = (page: Page): Promise<string[]> => page.evaluate(CHECK);

describe('the English switch covers every page\'s labels (a real browser)', function () {
  this.timeout(240000);
  const web = browserSuite({ CLOCK: 'manual' });
  const pages: Record<string, string> = {};
  let draftId = 0;

  const signIn = (username: string, next: string) => signInAt(web.browser, web.url, username, next, DESKTOP);
  const submitted = async (name: string) => {
    const { body: p } = await web.t.as('rmyy').post('/api/projects', draft({ name }));
    for (const m of ['application-form', 'construction-plan']) {
      await web.t.api
        .post(`/api/projects/${p.id}/documents`)
        .set('Authorization', `Bearer ${await web.t.token('rmyy')}`)
        .field('materialType', m)
        .attach('file', Buffer.from(`%PDF-1.4 ${m}`), { filename: `${m}.pdf`, contentType: 'application/pdf' });
    }
    const sub = await web.t.as('rmyy').post(`/api/projects/${p.id}/submit`);
    expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
    return { id: p.id as number, instanceId: sub.body.processInstanceId as string };
  };

  before(async () => {
    await setClock(web.t, '2026-09-15T10:00:00+08:00');
    // a submitted application (its task at wjw), a draft, an annual plan
    const open = await submitted('英文界面测试项目');
    await web.t.gf.outbox.dispatch();
    draftId = (await web.t.as('rmyy').post('/api/projects', draft({ name: '英文界面草稿' }))).body.id;
    await deploy(web.t, 'plan-stub-application.bpmn');
    const planned = await submitted('计划项目');
    const plan = await web.t.as('sjj').post('/api/annual-plans', { year: 2027, projectIds: [planned.id] });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    const taskId = (await taskOf(web.t, 'wjw', open.instanceId, 'SupervisorEndorsement')).id;
    Object.assign(pages, {
      待办: '/tasks',
      已办: '/tasks/done',
      我发起的: '/tasks/started',
      抄送我的: '/tasks/cc',
      消息: '/messages',
      任务: `/tasks/${taskId}`,
      项目列表: '/projects',
      项目: `/projects/${open.id}`,
      流程跟踪: `/instances/${open.instanceId}`,
      监控: '/monitor',
      年度计划列表: '/annual-plans',
      年度计划: `/annual-plans/${plan.body.id}`,
      流程: '/processes',
      流程版本: '/processes/application-approval/versions/1',
      流程修改: '/processes/implementation-acceptance/edit',
      运行分析: '/processes/implementation-acceptance/statistics',
      节假日: '/calendar',
      申报批次: '/application-batches',
      故障: '/incidents',
      表单: '/processes/performance-supervision/forms',
      表单编辑器: '/processes/performance-supervision/forms/editor?form=performance-evaluation',
    });
  });

  const walk = async (username: string, names: string[]) => {
    const page = await signIn(username, '/tasks');
    // the switch in the header, then every page in English (the choice is kept in a cookie)
    await Promise.all([page.waitForURL(/lang=en/), page.click('header a.lang')]);
    expect(await page.getAttribute('html', 'lang')).to.equal('en');
    const found: Record<string, string[]> = {};
    for (const name of names) {
      const url = pages[name] ?? name;
      const res = await page.goto(`${web.url}${url}`);
      expect(res!.status(), url).to.equal(200);
      // every island of the page mounted (a failed one fails the walk)
      await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-island]')).every((el) => el.hasAttribute('data-island-ready')), undefined, { timeout: 20000 }).catch(() => undefined);
      expect(await page.$$eval('[data-island]', (els) => els.map((el) => `${el.getAttribute('data-island')}:${el.getAttribute('data-island-ready')}`)), url).to.satisfy((xs: string[]) => xs.every((x) => x.endsWith(':true')));
      expect(await page.getAttribute('html', 'lang'), url).to.equal('en');
      const left = await chineseLabels(page);
      if (left.length) found[url] = left;
      await shot(page, `english-${url.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`);
    }
    await page.close();
    return found;
  };

  it('a bureau clerk (wjw) and an administrator: every list, task, project, tracking, monitor, plan, process and calendar page', async () => {
    const clerk = await walk('wjw', ['待办', '已办', '我发起的', '抄送我的', '消息', '任务', '项目列表', '项目', '流程跟踪', '监控']);
    const admin = await walk('admin', ['项目', '年度计划列表', '年度计划', '流程', '流程版本', '流程修改', '运行分析', '节假日', '申报批次', '故障', '表单', '表单编辑器']);
    expect({ ...clerk, ...admin }).to.deep.equal({});
  });

  it('a unit user (rmyy): the project list, 新建申报 and 修改草稿', async () => {
    expect(await walk('rmyy', ['项目列表', '申报批次', '/projects/new', `/projects/${draftId}/edit`, `/projects/${draftId}`])).to.deep.equal({});
  });

  it('the check can fail: the same page in Chinese shows Chinese labels', async () => {
    const page = await signIn('wjw', '/tasks');
    await page.goto(`${web.url}/tasks?lang=zh`);
    expect(await chineseLabels(page)).to.include('<th> 项目名称');
    await page.close();
  });
});
