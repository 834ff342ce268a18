import crypto from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { AppError, conflict, forbidden, malformed, notFound, unprocessable, type RuleDetail } from '../domain/errors';
import type { User } from '../domain/organisation';
import { RULES, type RuleId } from '../domain/rules';
import { DOCUMENT_KINDS, kindMatches, safeFilename, sniff, type SniffedKind } from '../domain/file-type';
import { MATERIAL_TYPES, draftProblems, type Project, type ProjectFields, type ProjectPort } from '../domain/project';
import { toShanghaiDate } from '../domain/calendar';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectListFilter, ProjectRepository } from '../persistence/repositories/project.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import { inTransaction, retryOnUniqueKey } from '../persistence/transaction';
import type { ApplicationBatchService } from './application-batch.service';
import type { Clock } from './clock.service';
import type { InstanceService } from './instance.service';
import type { RuntimeService } from './runtime.service';
import type { VisibilityService } from './visibility.service';

export const APPLICATION_PROCESS = 'application-approval';
export const AUDIT_PROCESS = 'audit';
/** 第16条: the message a major-investment-loss report correlates into the implementation instance */
export const LOSS_MESSAGE = 'major-investment-loss';
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const KIND_NAMES: Record<SniffedKind, string> = { pdf: 'PDF', ole2: 'Word/Excel 97–2003', docx: 'Word', xlsx: 'Excel', ofd: 'OFD', zip: 'ZIP', png: 'PNG 图片', jpeg: 'JPEG 图片', text: '纯文本' };

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

const isUnitMember = (u: User, unitCode: string) => u.groups.includes(`unit:${unitCode}`);

/**
 * The projects of the measures: drafts (草稿) by a unit, their documents, submission into the
 * application process, and what each caller may see (R5.4: classified projects only by the unit,
 * confidentiality and the data bureau).
 */
export class ProjectService {
  constructor(
    private readonly d: {
      sequelize: Sequelize;
      repo: ProjectRepository;
      org: Pick<OrganisationRepository, 'findDepartment' | 'listDepartments'>;
      runtime: Pick<RuntimeService, 'start' | 'act'>;
      runtimeRepo: Pick<RuntimeRepository, 'listInstances' | 'findSubscriptions'>;
      instances: Pick<InstanceService, 'ofVisibleProject'>;
      visibility: Pick<VisibilityService, 'projectScope' | 'assertProject'>;
      tasks: { openDeadlines(businessKey: string): Promise<{ activityId: string; name: string | null; dueAt: Date; rule: string | null; provisional: boolean }[]> };
      clock: Pick<Clock, 'now'>;
      /** 第5条第（一）项: the 申报批次 open at a submission for its plan year (`applicationBatch` of the process) */
      batches?: Pick<ApplicationBatchService, 'openFor'>;
      /** 第25条: the measures' effective and expiry dates (settings, src/config.ts) */
      validity?: { from: string | null; until: string | null };
    },
  ) {}

  /** 第25条: an application under the measures is submitted only while they are in force (their dates are settings). */
  private assertInForce(now: Date) {
    const { from, until } = this.d.validity ?? { from: null, until: null };
    const today = toShanghaiDate(now);
    if ((!from || today >= from) && (!until || today <= until)) return;
    const day = (iso: string) => `${Number(iso.slice(0, 4))}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
    const span = [from && `自${day(from)}起执行`, until && `有效期至${day(until)}`].filter(Boolean).join('，');
    const message = `不符合第25条：《办法》${span}，今天（${day(today)}）不在其有效期内，不能依《办法》提交申报`;
    throw unprocessable(message, [{ rule: 'R25.1', article: '第25条', message }], 'measures-not-in-force');
  }

  async create(user: User, input: unknown): Promise<{ id: number; code: string; stage: string }> {
    const body = this.body(input);
    const problems = draftProblems(body);
    if (problems.length) throw unprocessable('项目字段不合法', problems, 'invalid-fields');
    const fields = this.normalise(body as unknown as ProjectFields);
    if (!isUnitMember(user, fields.unitCode)) throw forbidden(`只有项目单位（unit:${fields.unitCode}）的用户可以为其起草申报`);
    await this.checkUnits(fields);
    // the code comes from the year's sequence; should a code be taken anyway (a row written by other
    // means), the sequence has moved on and the next try takes the next number — never a 500
    const p = await retryOnUniqueKey(() =>
      inTransaction(this.d.sequelize, async (t) => {
        const code = await this.d.repo.nextCode(fields.planYear, t);
        return this.d.repo.create({ ...fields, code, stage: 'draft', createdBy: user.username, now: this.d.clock.now() }, t);
      }),
    );
    return { id: p.id, code: p.code, stage: p.stage };
  }

  async patch(id: number, user: User, input: unknown) {
    const body = this.body(input);
    const problems = draftProblems(body, true);
    if (problems.length) throw unprocessable('项目字段不合法', problems, 'invalid-fields');
    const p = await this.visible(id, user);
    if (!isUnitMember(user, p.unitCode)) throw forbidden('只有项目单位可以修改申报');
    if (!['draft', 'revising'].includes(p.stage)) throw conflict('只有草稿或退回修改中的申报可以修改', 'not-editable');
    const merged = this.normalise({ ...p, ...(body as Partial<ProjectFields>) });
    if (merged.unitCode !== p.unitCode) throw unprocessable('不能更改申报单位', [{ field: 'unitCode', message: '不能更改申报单位' }]);
    await this.checkUnits(merged);
    const { name, type, investment, planYear, classified, crossDepartment, participants, standaloneMobileApp, justification, scopeCategory, inAnnualPlan, outOfPlanCategory, existingSystems, description } = merged;
    await this.d.repo.update(id, { name, type, investment, planYear, classified, crossDepartment, participants, standaloneMobileApp, justification, scopeCategory, inAnnualPlan, outOfPlanCategory, existingSystems, description, updatedAt: this.d.clock.now() });
    return this.get(id, user);
  }

  async addDocument(id: number, user: User, file: UploadedFile | undefined, materialType: unknown) {
    const p = await this.visible(id, user);
    if (!isUnitMember(user, p.unitCode)) throw forbidden('只有项目单位可以上传材料');
    if (!file) throw malformed('缺少文件（multipart 字段 file）', [{ field: 'file', message: '请选择要上传的文件' }]);
    if (typeof materialType !== 'string' || !(MATERIAL_TYPES as readonly string[]).includes(materialType)) {
      throw unprocessable('材料类型不正确', [{ field: 'materialType', message: `materialType 须为 ${MATERIAL_TYPES.join(' | ')} 之一` }]);
    }
    if (file.size > MAX_DOCUMENT_BYTES) throw new AppError('too-large', `文件不能超过 ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB`, 'too-large');
    if (file.originalname.includes('\u0000')) throw malformed('文件名含有非法字符', [{ field: 'file', message: '文件名不能含有空字符' }]);
    if (!file.size || !file.buffer.length) throw unprocessable('文件为空，不能作为申报材料', [{ field: 'file', message: '上传的文件是空的（0 字节），请选择有内容的文件' }]);
    // the type is what the bytes are, not what the name or the browser claim
    const ext = (/\.[A-Za-z0-9]+$/.exec(file.originalname)?.[0] ?? '').toLowerCase();
    const expected = DOCUMENT_KINDS[ext];
    const actual = sniff(file.buffer);
    if (!expected) {
      throw new AppError('unsupported-media', `不支持的文件类型（${ext || '无扩展名'}）；可上传 PDF、Word、Excel、OFD、ZIP、PNG、JPG、TXT`, 'unsupported-media');
    }
    if (!kindMatches(expected.kind, actual)) {
      throw new AppError('unsupported-media', `文件内容与扩展名 ${ext} 不符（实际为${actual ? KIND_NAMES[actual] : '无法识别的格式'}），请上传真实的 ${ext.slice(1).toUpperCase()} 文件`, 'unsupported-media');
    }
    const sha256 = crypto.createHash('sha256').update(file.buffer).digest('hex');
    const doc = await this.d.repo.addDocument({
      projectId: id,
      materialType,
      filename: safeFilename(file.originalname),
      mimeType: expected.mimeType,
      size: file.size,
      sha256,
      content: file.buffer,
      uploadedBy: user.username,
      uploadedAt: this.d.clock.now(),
    });
    return { id: doc.id, materialType: doc.materialType, filename: doc.filename, size: doc.size, sha256: doc.sha256 };
  }

  /**
   * Removes a material from a draft (草稿) — only its unit, only before submission: once submitted the
   * reviewers may have read it, and a returned application adds its corrections on its revise task.
   */
  async removeDocument(id: number, docId: number, user: User) {
    const p = await this.visible(id, user);
    if (!isUnitMember(user, p.unitCode)) throw forbidden('只有项目单位可以删除申报材料');
    if (p.stage !== 'draft') throw conflict('只有尚未提交的草稿可以删除材料', 'not-editable');
    if (!(await this.d.repo.removeDocument(id, docId))) throw notFound(`项目 ${id} 没有材料 ${docId}`);
  }

  /** One document as uploaded, for whoever may see the project (第5条). */
  async document(id: number, docId: number, user: User) {
    await this.visible(id, user);
    const row = await this.d.repo.documentContent(id, docId);
    if (!row) throw notFound(`项目 ${id} 没有材料 ${docId}`);
    return { filename: row.filename, mimeType: row.mimeType, buffer: Buffer.from(row.content) };
  }

  /**
   * Starts `application-approval` (businessKey = project code); the rule checks at its start have run
   * when this returns. The project becomes `submitted` in the same unit of work as its instance starts:
   * a crash leaves it either a draft or submitted with its process — never submitted without one.
   */
  async submit(id: number, user: User) {
    const p = await this.visible(id, user);
    if (!isUnitMember(user, p.unitCode)) throw forbidden('只有项目单位可以提交申报');
    const now = this.d.clock.now();
    this.assertInForce(now);
    // 第5条第（三）项: a cross-department project names its participating departments, each of which confirms
    // the shared content in the application process (application-approval › ParticipantConfirmation)
    const participants = p.participants.filter((c) => c !== p.unitCode);
    if (p.crossDepartment && (!participants.length || participants.length !== p.participants.length)) {
      const message = p.participants.includes(p.unitCode)
        ? '不符合第五条第（三）项：参与部门不能是牵头部门（项目单位）本身'
        : '不符合第五条第（三）项：跨部门共建共享项目须列明参与部门，由各参与部门确认共同确定的项目目标、主体内容和统一的系统接口与数据资源目录';
      throw unprocessable(message, [{ field: 'participants', rule: 'R5.3', article: '第5条', message }], 'participants-required');
    }
    const unit = await this.d.org.findDepartment(p.unitCode); // read before: the transaction reads only through t
    const started = await this.d.runtime.start(
      APPLICATION_PROCESS,
      async (t) => {
        // the row is locked: of two submissions at once the second sees it submitted
        const fresh = await this.d.repo.byId(id, t);
        if (!fresh || fresh.stage !== 'draft') throw conflict('只有草稿可以提交；此申报已提交', 'already-submitted');
        await this.d.repo.update(id, { stage: 'submitted', submittedAt: now, updatedAt: now }, t);
        const applicationBatch = (await this.d.batches?.openFor(fresh.planYear, now, t)) ?? null;
        return { businessKey: fresh.code, projectId: fresh.id, variables: { ...(await this.processVariables(fresh, unit, t)), applicationBatch } };
      },
      user.username,
    );
    return { processInstanceId: started.id, state: started.state, activeActivityIds: started.activeActivityIds };
  }

  /**
   * The audit group opens an audit on any project at any time (R23.1, 第23条) — classified ones too:
   * auditing is the one look the measures give the audit bureau beyond R5.4.
   */
  async openAudit(id: number, user: User, input: unknown) {
    // 第23条, 第4条第（六）项: 区审计局 audits any project; 第4条第（五）项: 区财政局 checks the use of fiscal funds
    // (财政资金监督检查) the same way, on the projects it may see (第5条)
    const auditGroup = user.groups.includes('audit') ? 'audit' : user.groups.includes('finance') ? 'finance' : null;
    if (!auditGroup) throw forbidden('只有区审计局可以发起审计、区财政局可以发起财政资金监督检查（第23条，第4条第（五）、（六）项）');
    const p = auditGroup === 'audit' ? await this.d.repo.byId(id) : await this.visible(id, user);
    if (!p) throw notFound(`项目 ${id} 不存在`);
    const b = (input && typeof input === 'object' ? input : {}) as { reason?: unknown };
    if (b.reason !== undefined && (typeof b.reason !== 'string' || b.reason.length > 2000)) throw malformed('reason 须为字符串', [{ field: 'reason', message: 'reason 须为不超过 2000 字的字符串' }]);
    const started = await this.d.runtime.start(
      AUDIT_PROCESS,
      { businessKey: p.code, projectId: p.id, variables: { projectId: p.id, projectCode: p.code, projectName: p.name, unitCode: p.unitCode, unitGroup: `unit:${p.unitCode}`, auditReason: (b.reason as string | undefined) ?? null, openedBy: user.username, auditGroup } },
      user.username,
    );
    return { processInstanceId: started.id, state: started.state, activeActivityIds: started.activeActivityIds };
  }

  /**
   * 第16条 重大投资损失: the project's unit or the Data Bureau reports a major investment loss at any
   * time during implementation. The report is correlated (message `major-investment-loss`) into the
   * running implementation instance — non-interrupting boundaries on the procurement and contract-filing
   * steps and on the implementation sub-process, so from 立项 to the end of acceptance — and opens the
   * same 第16条 decision as a serious delay; the report row is written in that unit of work.
   * 403 for anyone else (and 第5条 for who may not see it), 422 for a bad body, 409 when the project is
   * not being implemented.
   */
  async reportLoss(id: number, user: User, input: unknown) {
    const p = await this.visible(id, user);
    if (!isUnitMember(user, p.unitCode) && !user.groups.includes('data-bureau')) {
      throw forbidden('不符合第16条：重大投资损失由项目单位或区数据局报告');
    }
    const b = (input && typeof input === 'object' && !Array.isArray(input) ? input : {}) as { description?: unknown; amount?: unknown };
    const problems: RuleDetail[] = [];
    const description = typeof b.description === 'string' ? b.description.trim() : '';
    if (!description || description.length > 2000) problems.push({ field: 'description', message: '请说明损失情况（不超过2000字）' });
    const amount = b.amount;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0 || amount >= 1e14 || Math.round(amount * 100) !== amount * 100) {
      problems.push({ field: 'amount', message: '损失金额须为大于0的金额（元，至多两位小数）' });
    }
    if (problems.length) throw unprocessable('重大投资损失报告填写不完整或有误', problems, 'invalid-fields');
    const subs = await this.d.runtimeRepo.findSubscriptions(LOSS_MESSAGE, p.code);
    const instanceId = subs[0]?.instanceId;
    if (!instanceId) throw conflict('项目当前不在实施中（立项后至竣工验收前），不能报告重大投资损失（第16条）', 'not-implementing');
    const reportedAt = this.d.clock.now();
    let reportId = 0;
    const state = await this.d.runtime.act(
      instanceId,
      {
        kind: 'correlate-message',
        messageName: LOSS_MESSAGE,
        executionIds: subs.filter((s) => s.instanceId === instanceId).map((s) => s.executionId),
        variables: { lossDescription: description, lossAmount: amount, lossReportedBy: user.displayName, article16Cause: '重大投资损失' },
      },
      {
        actor: user.username,
        operation: 'loss-report',
        data: { messageName: LOSS_MESSAGE, description, amount },
        before: async (_locked, t) => {
          reportId = await this.d.repo.addLossReport({ projectId: p.id, instanceId, description, amount: amount as number, reportedBy: user.username, reportedAt }, t);
        },
      },
    );
    return {
      id: reportId,
      projectId: p.id,
      description,
      amount,
      reportedBy: user.username,
      reportedAt: reportedAt.toISOString(),
      processInstanceId: instanceId,
      activeActivityIds: state?.activeActivityIds ?? [],
    };
  }

  async get(id: number, user: User) {
    const p = await this.visible(id, user);
    const [documents, payments, instances, deadlines, lossReports] = await Promise.all([
      this.d.repo.documents(id),
      this.d.repo.payments(id),
      this.d.instances.ofVisibleProject(p.code),
      this.d.tasks.openDeadlines(p.code),
      this.d.repo.lossReports(id),
    ]);
    const now = this.d.clock.now().getTime();
    return {
      ...this.view(p),
      documents: documents.map((d) => ({ ...d, uploadedAt: d.uploadedAt.toISOString() })),
      processInstances: instances.map((i) => ({ id: i.id, definitionKey: i.definitionKey, state: i.state, activeActivityIds: i.activeActivityIds, startedAt: i.startedAt, endedAt: i.endedAt })),
      deadlines: deadlines.map((d) => ({ rule: d.rule, article: d.rule && d.rule in RULES ? RULES[d.rule as RuleId].article : null, activityId: d.activityId, name: d.name, dueAt: d.dueAt.toISOString(), state: d.dueAt.getTime() < now ? 'overdue' : 'open', provisional: d.provisional })),
      payments: payments.map((x) => ({ ...x, requestedAt: x.requestedAt.toISOString(), decidedAt: x.decidedAt ? x.decidedAt.toISOString() : null })),
      lossReports: lossReports.map((x) => ({ ...x, reportedAt: x.reportedAt.toISOString() })),
    };
  }

  /** The newest projects of a filter the caller may see: a page of 1,000 (the list), or up to `limit` (an export). */
  async list(user: User, filter: ProjectListFilter, limit = 1000) {
    // the scope is a condition of the query; the rule checks what it read once more
    const { scope, mayView } = await this.d.visibility.projectScope(user);
    return (await this.d.repo.list(filter, scope, limit)).filter(mayView).map((p) => this.view(p));
  }

  /** The port handlers use, bound to the unit of work's transaction. */
  port(t: Transaction): ProjectPort {
    return {
      get: async (code) => {
        const p = await this.d.repo.byCode(code, t);
        if (!p) return null;
        const docs = await this.d.repo.documents(p.id, t);
        // 第5条第（一）项: the batch open now for the project's (possibly revised) plan year
        const applicationBatch = this.d.batches ? await this.d.batches.openFor(p.planYear, this.d.clock.now(), t) : undefined;
        return { ...p, materials: [...new Set(docs.map((d) => d.materialType))], applicationBatch };
      },
      setStage: async (code, stage) => this.d.repo.updateByCode(code, { stage, updatedAt: this.d.clock.now() }, t),
      update: async (code, changes) => this.d.repo.updateByCode(code, { ...changes, updatedAt: this.d.clock.now() }, t),
      recordPayment: async (code, payment) => {
        const p = await this.d.repo.byCode(code, t);
        if (!p) throw new Error(`project ${code} does not exist`);
        await this.d.repo.addPayment({ projectId: p.id, instanceId: payment.instanceId, amount: payment.amount, state: payment.state, requestedAt: payment.decidedAt, decidedAt: payment.decidedAt }, t);
      },
    };
  }

  private async processVariables(p: Project, unit: { supervisorCode: string | null } | null, t: Transaction) {
    const materials = [...new Set((await this.d.repo.documents(p.id, t)).map((d) => d.materialType))];
    const { id, code, createdAt: _c, submittedAt: _s, createdBy: _b, ...fields } = p;
    return {
      ...fields,
      projectId: id,
      projectCode: code,
      unitGroup: `unit:${p.unitCode}`,
      supervisorGroup: unit?.supervisorCode ? `unit:${unit.supervisorCode}` : null,
      materials,
    };
  }

  private view(p: Project) {
    return { ...p, createdAt: p.createdAt.toISOString(), submittedAt: p.submittedAt ? p.submittedAt.toISOString() : null };
  }

  private async visible(id: number, user: User): Promise<Project> {
    const p = await this.d.repo.byId(id);
    if (!p) throw notFound(`项目 ${id} 不存在`);
    await this.d.visibility.assertProject(user, p);
    return p;
  }

  private body(input: unknown): Record<string, unknown> {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw malformed('请求体须为 JSON 对象');
    return input as Record<string, unknown>;
  }

  private normalise(f: ProjectFields): ProjectFields {
    return {
      name: f.name.trim(),
      unitCode: f.unitCode,
      type: f.type,
      investment: f.investment,
      planYear: f.planYear,
      classified: f.classified,
      crossDepartment: f.crossDepartment,
      participants: [...new Set(f.participants)],
      standaloneMobileApp: f.standaloneMobileApp,
      justification: f.justification ?? null,
      scopeCategory: f.scopeCategory,
      inAnnualPlan: f.inAnnualPlan,
      outOfPlanCategory: f.outOfPlanCategory ?? null,
      existingSystems: f.existingSystems,
      description: f.description,
    };
  }

  private async checkUnits(f: ProjectFields) {
    const units = new Set((await this.d.org.listDepartments()).filter((d) => d.kind === 'unit').map((d) => d.code));
    const problems = [];
    if (!units.has(f.unitCode)) problems.push({ field: 'unitCode', message: `项目单位 ${f.unitCode} 不存在` });
    for (const c of f.participants) if (!units.has(c)) problems.push({ field: 'participants', message: `参与单位 ${c} 不存在` });
    if (problems.length) throw unprocessable('单位不存在', problems, 'invalid-fields');
  }
}
