import crypto from 'node:crypto';
import JSZip from 'jszip';
import type { User } from '../domain/organisation';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { InstanceService } from './instance.service';
import type { ProjectService } from './project.service';

const sha256 = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex');
const safe = (s: string) => s.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 120);

/**
 * The project's electronic archive (R20.1, 第20条): one zip with the project, every document as
 * uploaded, and every process instance with its full history, opinions and variables; a manifest
 * lists each file with its sha256 so the package can be checked later.
 */
export class ArchiveService {
  constructor(
    private readonly d: {
      projects: Pick<ProjectService, 'get'>;
      repo: Pick<ProjectRepository, 'documentContent'>;
      instances: Pick<InstanceService, 'getOfVisibleProject'>;
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
    for (const i of processInstances) {
      add(`processes/${i.definitionKey}-${i.id}.json`, JSON.stringify(await this.d.instances.getOfVisibleProject(i.id), null, 2));
    }
    zip.file('manifest.json', JSON.stringify({ project: project.code, createdAt: this.d.clock.now().toISOString(), files: manifest }, null, 2));
    const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
    return { filename: `${project.code}-archive.zip`, buffer };
  }
}
