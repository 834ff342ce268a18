import crypto from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { malformed, notFound, unprocessable } from '../domain/errors';
import { hasLayout, layoutDiagram } from '../engine/auto-layout';
import { getCompiledDefinition } from '../engine/definition-cache';
import { LinkFormError, linkFormToTask } from '../engine/link-form';
import type { CompiledDefinitionRef } from '../engine/types';
import { validateDeployment } from '../engine/validate-deployment';
import { decodeXmlBytes, XmlReadError } from '../engine/xml-reader';
import type { DefinitionRepository, DefinitionRow } from '../persistence/repositories/definition.repository';
import { inTransaction, retryOnUniqueKey } from '../persistence/transaction';
import type { Clock } from './clock.service';

export interface FormSchema {
  id: string;
  [k: string]: unknown;
}

export interface DeployInput {
  /** the document as text (JSON bodies) */
  xml?: string;
  /** or its bytes as uploaded, decoded strictly in the encoding the document declares */
  xmlBytes?: Uint8Array;
  /** the charset of the upload's Content-Type, if any */
  charset?: string | null;
  forms?: FormSchema[];
  /** the change note (变更说明), at most NOTE_MAX characters */
  note?: string | null;
}

export const NOTE_MAX = 1000;

/** The forms of a process's newest version (the form editor's list). */
export interface FormsOverview {
  key: string;
  name: string;
  version: number;
  forms: { formId: string; version: number; tasks: { id: string; name: string | null }[] }[];
  /** user tasks without a form: a new form may be made for each */
  tasksWithoutForm: { id: string; name: string | null }[];
}

export interface FormDeployInput {
  formId: string;
  schema: Record<string, unknown>;
  /** a user task without this form: it is linked to it (zeebe:formDefinition) in the new version */
  taskId?: string | null;
  note?: string | null;
}

const FORM_ID = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;

export interface DefinitionSummary {
  key: string;
  name: string;
  version: number;
  deployedAt: string;
  deployedBy: string | null;
  note: string | null;
}

/** One version on the 流程 pages: who deployed it, when, why, and how many instances it has. */
export interface VersionOverview extends DefinitionSummary {
  running: number;
  completed: number;
  terminated: number;
  incidents: number;
}

/** One process on the 流程 pages: its versions (newest first) and its open incidents. */
export interface DefinitionOverview {
  key: string;
  name: string;
  latest: number;
  versions: VersionOverview[];
  incidents: { id: number; instanceId: string; version: number; activityId: string | null; message: string; createdAt: string }[];
}

/** The uploaded bytes as text, or 422 with the Chinese reason (undeclared or wrong encoding, invalid bytes). */
function decodedXml(bytes: Uint8Array, charset: string | null | undefined): string {
  try {
    return decodeXmlBytes(bytes, charset);
  } catch (err) {
    if (err instanceof XmlReadError) throw unprocessable('流程图不可部署', [{ message: err.message }], 'invalid-diagram');
    throw err;
  }
}

const unique = (xs: string[]) => [...new Set(xs)];
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const summary = (d: Omit<DefinitionRow, 'xml'>): DefinitionSummary => ({
  key: d.key,
  name: d.name,
  version: d.version,
  deployedAt: d.deployedAt.toISOString(),
  deployedBy: d.deployedBy,
  note: d.note ?? null,
});

/**
 * Deployments: each deploy of a process id is a new version (an identical document is not: it
 * answers the version it already is, as Camunda's duplicate filtering does). Forms referenced by
 * `zeebe:formDefinition formId` are versioned with it: the definition pins the form versions that
 * were current when it was deployed.
 */
export class DefinitionService {
  /** versions never change once deployed: rows by id, a small cache */
  private readonly rows = new Map<number, DefinitionRow>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly repo: DefinitionRepository,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly known: { hasHandler(name: string): boolean; groupKeys(): Promise<string[]>; maxElements?: number },
  ) {}

  async deploy(
    raw: DeployInput,
    deployedBy: string | null,
  ): Promise<DefinitionSummary & { duplicate: boolean; processes?: (DefinitionSummary & { duplicate: boolean })[] }> {
    const xml = raw.xmlBytes ? decodedXml(raw.xmlBytes, raw.charset) : raw.xml;
    if (typeof xml !== 'string' || !xml.trim()) throw malformed('缺少 BPMN XML', [{ field: 'xml', message: '请提供 BPMN XML' }]);
    const input = { ...raw, xml };
    const forms = input.forms ?? [];
    if (!Array.isArray(forms) || forms.some((f) => !f || typeof f !== 'object' || typeof f.id !== 'string' || !f.id)) {
      throw malformed('forms 必须是带 id 的 form-js 表单数组', [{ field: 'forms', message: '每个表单须有字符串 id' }]);
    }
    const note = input.note === undefined || input.note === null ? null : input.note;
    if (note !== null && (typeof note !== 'string' || note.length > NOTE_MAX)) {
      throw malformed(`变更说明须为不超过 ${NOTE_MAX} 字的文字`, [{ field: 'note', message: `变更说明须为不超过 ${NOTE_MAX} 字的文字` }]);
    }
    const deployedForms = new Map(forms.map((f) => [f.id, f]));
    const groups = new Set(await this.known.groupKeys());
    const result = await validateDeployment(input.xml, {
      hasHandler: (t) => this.known.hasHandler(t),
      hasGroup: (g) => groups.has(g),
      hasForm: () => true, // checked below against this deployment and the stored forms, with one query
      maxElements: this.known.maxElements,
    });
    if (!result.ok) {
      throw unprocessable('流程图不可部署', result.problems.map((p) => ({ elementId: p.elementId ?? undefined, message: p.message })), 'invalid-diagram');
    }
    const formIds = unique(result.processes.flatMap((p) => p.formIds));
    const stored = await this.repo.knownFormIds(formIds.filter((id) => !deployedForms.has(id)));
    const missing = formIds.filter((id) => !deployedForms.has(id) && !stored.has(id));
    if (missing.length) {
      // each on the elements that name it, so the modeler marks them
      const named = (id: string) => unique(result.processes.flatMap((p) => p.formElements[id] ?? []));
      const details = missing.flatMap((id) => {
        const message = `表单「${id}」未部署，请随流程一起提交`;
        const elements = named(id);
        return elements.length ? elements.map((elementId) => ({ elementId, message })) : [{ message }];
      });
      throw unprocessable('流程图引用了未部署的表单', details, 'invalid-diagram');
    }

    const checksum = sha256(JSON.stringify([input.xml, [...deployedForms.entries()].sort(([a], [b]) => a.localeCompare(b))]));
    // two deploys at once (two nodes seeding, two admins) may both take the next version: the one that
    // loses the unique key tries again and finds the other's version (the same document: a duplicate)
    return retryOnUniqueKey(() => inTransaction(this.sequelize, async (t) => {
      const now = this.clock.now();
      // a form is stored once per deploy, whichever processes of the document use it
      const formRefs: Record<string, number> = {};
      for (const formId of formIds) {
        const given = deployedForms.get(formId);
        const current = await this.repo.latestForm(formId, t);
        if (!given) {
          formRefs[formId] = current!.id;
          continue;
        }
        const formChecksum = sha256(JSON.stringify(given));
        formRefs[formId] =
          current && current.checksum === formChecksum
            ? current.id
            : (await this.repo.createForm({ formId, version: (current?.version ?? 0) + 1, schema: given, checksum: formChecksum, deployedAt: now, deployedBy }, t)).id;
      }
      // each executable process of the document is its own key (issue 12 item 15), versioned on its own
      const deployed: (DefinitionSummary & { duplicate: boolean })[] = [];
      for (const p of result.processes) {
        const latest = await this.repo.latest(p.processId, t);
        if (latest && latest.checksum === checksum) {
          deployed.push({ ...summary(latest), duplicate: true });
          continue;
        }
        const forms = Object.fromEntries(p.formIds.map((id) => [id, formRefs[id]]));
        const created = await this.repo.create(
          { key: p.processId, version: (latest?.version ?? 0) + 1, name: p.name, xml: input.xml, checksum, forms, deployedAt: now, deployedBy, note: note?.trim() || null },
          t,
        );
        deployed.push({ ...summary(created), duplicate: false });
      }
      // the answer is the first process, as before; `processes` lists every one (a compatible extension)
      return deployed.length > 1 ? { ...deployed[0], processes: deployed } : deployed[0];
    }));
  }

  /** The forms the newest version of `key` pins, each with the user tasks that use it, and the tasks without one. */
  async formsOf(key: string): Promise<FormsOverview> {
    const d = await this.get(key);
    const { model } = await getCompiledDefinition(await this.compiled(d.id));
    const tasks = [...model.elements.values()].filter((e) => e.type === 'bpmn:UserTask' && e.processId === d.key);
    const forms: FormsOverview['forms'] = [];
    for (const [formId, formDefinitionId] of Object.entries(d.forms).sort(([a], [b]) => a.localeCompare(b))) {
      const f = await this.repo.formById(formDefinitionId);
      forms.push({ formId, version: f?.version ?? 0, tasks: tasks.filter((x) => x.form?.formId === formId).map((x) => ({ id: x.id, name: x.name })) });
    }
    return { key: d.key, name: d.name, version: d.version, forms, tasksWithoutForm: tasks.filter((x) => !x.form?.formId).map((x) => ({ id: x.id, name: x.name })) };
  }

  /** The schema of a form as the newest version of `key` pins it (404 when it pins no such form). */
  async formSchema(key: string, formId: string): Promise<{ formId: string; version: number; schema: Record<string, unknown> }> {
    const d = await this.get(key);
    const f = d.forms[formId] ? await this.repo.formById(d.forms[formId]) : null;
    if (!f) throw notFound(`流程「${key}」的最新版本没有表单「${formId}」`);
    return f;
  }

  /**
   * Deploys a form made or changed in the form editor with the newest diagram of `key`: a new version of
   * the process pinning the new form version (forms are versioned with the deployment). With `taskId`
   * the form is linked to that user task first; otherwise the newest version must already use the form.
   */
  async deployForm(key: string, input: FormDeployInput, deployedBy: string) {
    if (typeof input.formId !== 'string' || !FORM_ID.test(input.formId)) {
      throw malformed('表单标识须以字母开头，只含字母、数字、- 和 _', [{ field: 'formId', message: '表单标识须以字母开头，只含字母、数字、- 和 _（至多 100 个字符）' }]);
    }
    if (!input.schema || typeof input.schema !== 'object' || Array.isArray(input.schema) || !Array.isArray(input.schema.components)) {
      throw malformed('schema 须为 form-js 表单', [{ field: 'schema', message: '须为带 components 的 form-js 表单' }]);
    }
    const latest = await this.get(key);
    let xml = latest.xml;
    if (input.taskId) {
      try {
        xml = await linkFormToTask(xml, input.taskId, input.formId);
      } catch (err) {
        if (err instanceof LinkFormError) throw unprocessable('表单不能关联到该任务', [{ field: 'taskId', message: err.message }]);
        throw err;
      }
    } else if (!latest.forms[input.formId]) {
      throw unprocessable(`流程「${latest.name}」的最新版本没有用到表单「${input.formId}」`, [{ field: 'taskId', message: '新表单须选择要使用它的用户任务' }]);
    }
    return this.deploy({ xml, forms: [{ ...input.schema, id: input.formId }], note: input.note ?? null }, deployedBy);
  }

  async list(): Promise<DefinitionSummary[]> {
    return (await this.repo.listLatest()).map(summary);
  }

  /** Every process with its versions, their instance counts and the open incidents (the 流程 pages). */
  async overview(): Promise<DefinitionOverview[]> {
    const [versions, counts, incidents] = await Promise.all([this.repo.allVersions(), this.repo.instanceCounts(), this.repo.openIncidents()]);
    const byKey = new Map<string, DefinitionOverview>();
    const versionOf = new Map<number, { key: string; version: number }>();
    for (const v of versions) {
      versionOf.set(v.id, { key: v.key, version: v.version });
      const c = counts.get(v.id) ?? {};
      const d = byKey.get(v.key) ?? { key: v.key, name: v.name, latest: 0, versions: [], incidents: [] };
      d.name = v.name;
      d.latest = v.version;
      d.versions.unshift({
        ...summary(v),
        running: (c.running ?? 0) + (c.incident ?? 0),
        completed: c.completed ?? 0,
        terminated: (c.terminated ?? 0) + (c.canceled ?? 0),
        incidents: incidents.filter((i) => i.definitionId === v.id).length,
      });
      byKey.set(v.key, d);
    }
    for (const i of incidents) {
      const v = versionOf.get(i.definitionId);
      if (!v) continue;
      byKey.get(v.key)!.incidents.push({ id: i.id, instanceId: i.instanceId, version: v.version, activityId: i.activityId, message: i.message, createdAt: i.createdAt.toISOString() });
    }
    return [...byKey.values()];
  }

  /** laid-out documents of deployed versions without DI, by definition id (a deployed version never changes) */
  private readonly laidOut = new Map<number, Promise<string>>();

  /**
   * The document of a version as the modeler and viewer take it: as deployed, or — when it draws no shape (written
   * as XML without BPMN DI; it deploys and runs, but bpmn-js would show an empty canvas) — with a layout made by
   * bpmn-auto-layout, as `npm run layout-diagram` does. The deployed document itself is not changed.
   */
  async drawableXml(d: Pick<DefinitionRow, 'id' | 'xml'>): Promise<string> {
    if (hasLayout(d.xml)) return d.xml;
    let laid = this.laidOut.get(d.id);
    if (!laid) {
      laid = layoutDiagram(d.xml).then(
        (x) => x.xml,
        () => d.xml, // a document the layout cannot read is handed out as it is
      );
      if (this.laidOut.size >= 32) this.laidOut.delete(this.laidOut.keys().next().value as number);
      this.laidOut.set(d.id, laid);
    }
    return laid;
  }

  async get(key: string, version?: number): Promise<DefinitionRow> {
    if (version === undefined) {
      // the newest version's id, then the version itself from the cache (a version never changes): a start does not
      // read the document again
      const id = await this.repo.latestId(key);
      if (id === null) throw notFound(`流程定义「${key}」不存在`);
      return this.byId(id);
    }
    const d = await this.repo.byVersion(key, version);
    if (!d) throw notFound(version === undefined ? `流程定义「${key}」不存在` : `流程定义「${key}」没有版本 ${version}`);
    return d;
  }

  summary(d: DefinitionRow): DefinitionSummary {
    return summary(d);
  }

  /** One deployed version by database id (cached: a version never changes). */
  async byId(definitionId: number, transaction?: Transaction): Promise<DefinitionRow> {
    let d = this.rows.get(definitionId);
    if (!d) {
      const found = await this.repo.byId(definitionId, transaction);
      if (!found) throw notFound(`流程定义 ${definitionId} 不存在`);
      d = found;
      if (this.rows.size > 200) this.rows.delete(this.rows.keys().next().value!);
      this.rows.set(definitionId, d);
    }
    return d;
  }

  /** What the engine needs to run a version. */
  async compiled(definitionId: number, transaction?: Transaction): Promise<CompiledDefinitionRef> {
    const d = await this.byId(definitionId, transaction);
    return { definitionId: String(definitionId), xml: d.xml, processId: d.key };
  }

  async form(formDefinitionId: number | null, transaction?: Transaction) {
    return formDefinitionId ? this.repo.formById(formDefinitionId, transaction) : null;
  }
}
