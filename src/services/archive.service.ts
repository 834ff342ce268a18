import crypto from 'node:crypto';
import JSZip from 'jszip';
import { chineseDateTime, decisionLabel } from '../domain/labels';
import { chapterRank as rank } from '../domain/project';
import type { User } from '../domain/organisation';
import { diagramPictures } from '../engine/diagram-svg';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import type { DefinitionService } from './definition.service';
import type { InstanceService } from './instance.service';
import type { ProjectService } from './project.service';

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const safe = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 120);

const esc = (s: unknown) => String(s ?? '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The project's electronic archive (R20.1, 第20条): one zip with the project, every document as
 * uploaded, every process instance with its full history, opinions and variables, a readable HTML
 * history (who decided what, when, with which opinion — names and Shanghai times, in chapter order),
 * and each diagram version the project ran on as SVG with the path it took; a manifest lists each
 * file with its sha256 so the package can be checked later.
 */
export class ArchiveService {
  constructor(
    private readonly d: {
      projects: Pick<ProjectService, 'get'>;
      repo: Pick<ProjectRepository, 'documentContent'>;
      instances: Pick<InstanceService, 'getOfVisibleProject'>;
      runtime: Pick<RuntimeRepository, 'completedTasksOfProject'>;
      definitions: Pick<DefinitionService, 'get' | 'compiled'>;
      org: Pick<OrganisationRepository, 'findUsersByUsername' | 'listDepartments'>;
      clock: { now(): Date };
    },
  ) {}

  async build(projectId: number, user: User): Promise<{ filename: string; buffer: Buffer }> {
    const project = await this.d.projects.get(projectId, user); // visibility (R5.4) is checked here
    const zip = new JSZip();
    const manifest: { path: string; sha256: string; size: number }[] = [];
    const add = (path: string, content: Buffer | string) => {
      zip.file(path, content);
      manifest.push({ path, sha256: sha256(content), size: Buffer.byteLength(content) });
    };
    const { documents, processInstances, ...fields } = project;
    add('project.json', JSON.stringify(fields, null, 2));
    for (const doc of documents) {
      const row = await this.d.repo.documentContent(projectId, doc.id);
      if (row) add(`documents/${doc.materialType}/${doc.id}-${safe(doc.filename)}`, Buffer.from(row.content));
    }
    add('documents.json', JSON.stringify(documents, null, 2));
    const ordered = [...processInstances].sort((a, b) => rank(a.definitionKey) - rank(b.definitionKey) || String(a.startedAt).localeCompare(String(b.startedAt)));
    const details = [];
    for (const i of ordered) {
      const detail = await this.d.instances.getOfVisibleProject(i.id);
      details.push(detail);
      add(`processes/${i.definitionKey}-${i.id}.json`, JSON.stringify(detail, null, 2));
    }
    // each diagram version once, with the path this project's instances took on it
    const versions = new Map<string, { key: string; version: number; marks: Record<string, 'done' | 'active'> }>();
    for (const d of details) {
      const v = versions.get(`${d.definitionKey}@${d.definitionVersion}`) ?? { key: d.definitionKey, version: d.definitionVersion, marks: {} };
      for (const h of d.history) if (h.endedAt) v.marks[h.activityId] = 'done';
      for (const a of d.activeActivityIds) v.marks[a] = 'active';
      versions.set(`${d.definitionKey}@${d.definitionVersion}`, v);
    }
    const processNames = new Map<string, string>();
    for (const v of versions.values()) {
      const def = await this.d.definitions.get(v.key, v.version);
      processNames.set(v.key, def.name);
      const pictures = await diagramPictures(await this.d.definitions.compiled(def.id), v.marks);
      pictures.forEach((p, n) => add(`diagrams/${v.key}-v${v.version}${n ? `-${safe(p.planeOf)}` : ''}.svg`, p.svg));
    }
    add('history.html', await this.historyHtml(project, details, processNames));
    zip.file('manifest.json', JSON.stringify({ project: project.code, createdAt: this.d.clock.now().toISOString(), files: manifest }, null, 2));
    const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    return { filename: `${project.code}-archive.zip`, buffer };
  }

  /** The history a person reads: each chapter's steps with who (name and department), when, the decision and the opinion. */
  private async historyHtml(
    project: { code: string; name: string; unitCode: string; id: number },
    details: Awaited<ReturnType<InstanceService['getOfVisibleProject']>>[],
    processNames: Map<string, string>,
  ): Promise<string> {
    const tasks = await this.d.runtime.completedTasksOfProject(project.id);
    const usernames = [...new Set([...tasks.map((t) => t.completedBy), ...details.flatMap((d) => d.history.map((h) => h.actor))].filter((x): x is string => Boolean(x)))];
    const [users, departments] = await Promise.all([this.d.org.findUsersByUsername(usernames), this.d.org.listDepartments()]);
    const dept = new Map(departments.map((d) => [d.code, d.name]));
    const who = (u: string | null) => {
      const user = users.find((x) => x.username === u);
      return user ? `${user.displayName}${user.departmentCode && dept.get(user.departmentCode) && !user.displayName.startsWith(dept.get(user.departmentCode)!) ? `（${dept.get(user.departmentCode)}）` : ''}` : (u ?? '系统');
    };
    const sections = details.map((d) => {
      const mine = tasks.filter((t) => t.instanceId === d.id);
      const rows = d.history
        .filter((h) => h.type === 'bpmn:UserTask' || h.type === 'bpmn:ServiceTask' || h.type.endsWith('Event'))
        .map((h) => {
          const task = mine.find((t) => t.activityId === h.activityId && t.completedAt && h.endedAt && Math.abs(t.completedAt.getTime() - new Date(h.endedAt).getTime()) < 1000);
          const result = (task?.result ?? {}) as Record<string, unknown>;
          return `<tr><td>${esc(h.activityName ?? h.activityId)}</td><td>${esc(h.type === 'bpmn:UserTask' ? who(task?.completedBy ?? h.actor) : '系统')}</td><td>${esc(chineseDateTime(h.startedAt))}</td><td>${esc(chineseDateTime(h.endedAt))}</td><td>${esc(decisionLabel(result.decision))}</td><td>${esc(result.opinion ?? '')}</td></tr>`;
        })
        .join('\n');
      return `<section><h2>${esc(processNames.get(d.definitionKey) ?? d.definitionKey)}（第 ${d.definitionVersion} 版流程，${esc(chineseDateTime(d.startedAt))} 开始${d.endedAt ? `，${esc(chineseDateTime(d.endedAt))} 结束` : '，进行中'}）</h2>
<table><thead><tr><th>环节</th><th>办理人</th><th>开始</th><th>完成</th><th>结论</th><th>意见</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
    });
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(project.code)} ${esc(project.name)} 项目档案</title>
<style>body{font-family:"Microsoft YaHei","WenQuanYi Micro Hei",sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin-bottom:2em}th,td{border:1px solid #999;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}</style></head>
<body><h1>${esc(project.name)}（${esc(project.code)}）项目档案</h1><p>项目单位：${esc(dept.get(project.unitCode) ?? project.unitCode)}；生成时间：${esc(chineseDateTime(this.d.clock.now()))}</p>
${sections.join('\n')}
</body></html>
`;
  }
}
