import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { binary, startTestApp, type TestApp } from '../support/app';
import { attachRequiredMaterials, draft } from '../support/builders';
import { setClock, taskOf } from '../support/runtime';

/** Any list as Excel or CSV: what the caller sees (第5条), Chinese headers and labels, Shanghai times. */
describe('exports: the project list and the task list as Excel and CSV', () => {
  let t: TestApp;
  let open: { id: number; code: string; instanceId: string };
  let secret: { id: number; code: string; instanceId: string };

  const download = async (as: string, url: string) => {
    const res = await t.api.get(url).set('Authorization', `Bearer ${await t.token(as)}`).buffer(true).parse(binary);
    return res;
  };
  const sheet = async (as: string, url: string) => {
    const res = await download(as, url);
    expect(res.status, String(res.body)).to.equal(200);
    expect(res.headers['content-type']).to.contain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const rows: unknown[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    return { name: ws.name, header: rows[0], rows: rows.slice(1) };
  };

  before(async () => {
    t = await startTestApp({ CLOCK: 'manual' });
    await setClock(t, '2026-09-15T10:00:00+08:00');
    const project = async (over: Record<string, unknown>) => {
      const { body: p } = await t.as('rmyy').post('/api/projects', draft(over));
      await attachRequiredMaterials(t, 'rmyy', p.id);
      const sub = await t.as('rmyy').post(`/api/projects/${p.id}/submit`);
      expect(sub.status, JSON.stringify(sub.body)).to.equal(201);
      return { id: p.id as number, code: p.code as string, instanceId: sub.body.processInstanceId as string };
    };
    open = await project({ name: '公开项目, 含"逗号"', type: 'renovation', investment: 650000 });
    secret = await project({ name: '涉密项目', classified: true });
  });
  after(() => t.close());

  it('the project list as Excel: Chinese headers, names and labels, Shanghai times — only what the caller may see', async () => {
    const stage = (await t.as('sjj').get(`/api/projects/${open.id}`)).body.stage as string;
    const all = await sheet('sjj', '/api/exports/projects');
    expect(all.name).to.equal('项目清单');
    expect(all.header).to.deep.equal(['序号', '项目编号', '项目名称', '项目单位', '建设类型', '申报投资金额（元）', '批准金额（元）', '计划年度', '项目阶段', '是否涉密', '提交时间']);
    expect(all.rows.map((r) => r[1])).to.have.members([open.code, secret.code]);
    const row = all.rows.find((r) => r[1] === open.code)!;
    expect(row.slice(2, 6)).to.deep.equal(['公开项目, 含"逗号"', '区人民医院', '改建', 650000]);
    expect(row[7]).to.equal(2027);
    expect(row[8]).to.be.a('string').and.not.equal(stage).and.not.match(/[a-z]/); // a label, never the code
    expect(row[9]).to.equal('否');
    expect(row[10]).to.equal('2026年9月15日 10:00');
    expect(all.rows.find((r) => r[1] === secret.code)![9]).to.equal('是');

    // the classified project is in nobody's export outside its circle (第5条); another unit sees neither
    expect((await sheet('fgw', '/api/exports/projects')).rows.map((r) => r[1])).to.deep.equal([open.code]);
    expect((await sheet('sjju', '/api/exports/projects')).rows.map((r) => r[1])).to.have.members([open.code, secret.code]);
    expect((await sheet('jyj', '/api/exports/projects')).rows).to.deep.equal([]);
    // the list's own filters apply
    expect((await sheet('sjj', '/api/exports/projects?planYear=2031')).rows).to.deep.equal([]);
    // the 项目 page's search and type filter too, as the list itself answers them
    const q = encodeURIComponent('公开');
    expect((await sheet('sjj', `/api/exports/projects?q=${q}`)).rows.map((r) => r[1])).to.deep.equal([open.code]);
    expect((await sheet('sjj', `/api/exports/projects?q=${encodeURIComponent(secret.code.toLowerCase())}`)).rows.map((r) => r[1])).to.deep.equal([secret.code]);
    expect((await sheet('sjj', '/api/exports/projects?type=renovation')).rows.map((r) => r[1])).to.deep.equal([open.code]);
    expect((await sheet('sjj', '/api/exports/projects?type=new&q=' + q)).rows).to.deep.equal([]);
    expect((await t.as('sjj').get(`/api/projects?q=${q}`)).body.map((p: { code: string }) => p.code)).to.deep.equal([open.code]);
    expect((await t.as('sjj').get('/api/projects?type=new')).body.map((p: { code: string }) => p.code)).to.deep.equal([secret.code]);
  });

  it('the project list as CSV: UTF-8 with a byte-order mark, quoted where needed, the same rows', async () => {
    const res = await download('fgw', '/api/exports/projects?format=csv');
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).to.contain(`filename*=UTF-8''${encodeURIComponent('项目清单（2026年9月15日）.csv')}`);
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const lines = text.slice(1).split('\r\n');
    expect(lines[0]).to.equal('序号,项目编号,项目名称,项目单位,建设类型,申报投资金额（元）,批准金额（元）,计划年度,项目阶段,是否涉密,提交时间');
    expect(lines[1]).to.match(new RegExp(`^1,${open.code},"公开项目, 含""逗号""",区人民医院,改建,650000,,2027,[^,a-z]+,否,2026年9月15日 10:00$`));
    expect(lines.slice(2)).to.deep.equal(['']);
    expect(text).not.to.contain(secret.code);
  });

  it('the work lists as Excel and CSV: 待办 with the project, unit, process, step and Shanghai times; 已办 after a completion', async () => {
    await taskOf(t, 'bmj', secret.instanceId, 'ConfidentialityPreReview');
    const todo = await sheet('bmj', '/api/exports/tasks');
    expect(todo.name).to.equal('待办');
    expect(todo.header).to.deep.equal(['序号', '项目编号', '项目名称', '项目单位', '流程', '环节', '收到时间', '截止时间', '剩余工作日', '是否逾期', '办结时间', '说明']);
    const row = todo.rows.find((r) => r[1] === secret.code)!;
    expect(row, JSON.stringify(todo.rows)).to.exist;
    expect(row.slice(2, 4)).to.deep.equal(['涉密项目', '区人民医院']);
    expect(String(row[4])).to.match(/[\u4e00-\u9fa5]/); // the process in words, not its key
    expect(String(row[5])).to.match(/[\u4e00-\u9fa5]/); // the step in words, not its id
    expect(row[6]).to.equal('2026年9月15日 10:00');
    expect(row[9]).to.equal('否');

    // every row, not one page of 20; the classified project in nobody's list outside its circle
    const csv = (await download('wjw', '/api/exports/tasks?format=csv')).body.toString('utf8');
    expect(csv).to.contain(open.code);
    expect(csv).not.to.contain(secret.code);
    expect((await sheet('jyj', '/api/exports/tasks')).rows).to.deep.equal([]);

    // 已办: the supervising department endorses, and its 已办 list carries the step and the decision in words
    const endorse = await taskOf(t, 'wjw', open.instanceId, 'SupervisorEndorsement');
    const done = await t.as('wjw').post(`/api/tasks/${endorse.id}/complete`, { variables: { decision: 'approve', opinion: '同意申报' } });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
    const doneList = await sheet('wjw', '/api/exports/tasks?list=done');
    expect(doneList.name).to.equal('已办');
    expect(doneList.header[11]).to.equal('办理结论');
    const doneRow = doneList.rows.find((r) => r[1] === open.code)!;
    expect(doneRow[10]).to.equal('2026年9月15日 10:00');
    expect(doneRow[11]).to.equal('同意');
    expect((await download('wjw', '/api/exports/tasks?list=nonsense')).status).to.equal(400);
  });

  it('is linked from the project and task pages', async () => {
    const projects = (await t.as('sjj').get('/projects?stage=submitted')).text;
    expect(projects).to.contain('href="/api/exports/projects?format=xlsx&amp;stage=submitted"').and.contain('href="/api/exports/projects?format=csv&amp;stage=submitted"');
    // the export holds what the page lists: its search and type filter go with the link (a year only when it is one)
    const searched = (await t.as('sjj').get(`/projects?q=${encodeURIComponent('公开')}&type=renovation&year=20x7`)).text;
    expect(searched).to.contain('href="/api/exports/projects?format=csv&amp;type=renovation&amp;q=%E5%85%AC%E5%BC%80"');
    const done = (await t.as('wjw').get('/tasks/done')).text;
    expect(done).to.contain('href="/api/exports/tasks?list=done&amp;format=xlsx"').and.contain('format=csv"');
  });

  it('refuses an unknown format (400) and anonymous callers (401)', async () => {
    expect((await t.as('sjj').get('/api/exports/projects?format=pdf')).status).to.equal(400);
    expect((await t.api.get('/api/exports/tasks')).status).to.equal(401);
  });
});
