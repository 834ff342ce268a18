import { chapterRank as rank } from '../domain/project';
import { chineseDateTime, decisionLabel, expertReviewRows, materialLabel, definitionLabel, groupName, instanceStateLabel, stageLabel, variableLabel, VARIABLE_LABELS } from '../domain/labels';
import type { User } from '../domain/organisation';
import { sequenceFlows, takenFlows } from '../engine/sequence-flows';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';
import type { Clock } from './clock.service';
import type { DefinitionService } from './definition.service';
import type { InstanceService } from './instance.service';

/** 3 天 4 小时 — a duration as a reader says it. */
export function durationText(ms: number | null): string {
  if (ms === null || ms < 0) return '';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return '不到1分钟';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d}天` : '', h ? `${h}小时` : '', !d && m ? `${m}分钟` : ''].join('') || '不到1分钟';
}

/** What an element without a name is, in words (start and end events, gateways the modeler left unnamed). */
const TYPE_WORDS: Record<string, string> = {
  'bpmn:StartEvent': '开始',
  'bpmn:EndEvent': '结束',
  'bpmn:ExclusiveGateway': '条件分支',
  'bpmn:ParallelGateway': '并行分支',
  'bpmn:InclusiveGateway': '包容分支',
  'bpmn:EventBasedGateway': '事件分支',
  'bpmn:IntermediateCatchEvent': '等待事件',
  'bpmn:IntermediateThrowEvent': '发出事件',
  'bpmn:BoundaryEvent': '边界事件',
  'bpmn:SubProcess': '子流程',
  'bpmn:CallActivity': '调用流程',
  'bpmn:ServiceTask': '自动处理',
  'bpmn:UserTask': '人工任务',
};

/**
 * 流程跟踪 (issue 10 item 1): one instance on the diagram of its own version — the path taken, where it
 * waits, incidents and overdue tasks — with its records (who, bureau, when, decision, opinion,
 * duration) per element, the variables a reader may see by their Chinese names, and the instances
 * around it (parent, children, the project's chapters in order). Visibility (第5条) is the instance's.
 */
export class TrackingService {
  constructor(
    private readonly d: {
      instances: Pick<InstanceService, 'get' | 'ofVisibleProject'>;
      definitions: Pick<DefinitionService, 'get' | 'compiled'>;
      repo: Pick<RuntimeRepository, 'childInstances' | 'tasksOfInstance' | 'instancesByIds'>;
      projects: Pick<ProjectRepository, 'byIds' | 'documents'>;
      org: Pick<OrganisationRepository, 'findUsersByUsername' | 'listDepartments'>;
      clock: Pick<Clock, 'now'>;
    },
  ) {}

  async track(id: string, user: User) {
    const i = await this.d.instances.get(id, user); // 403 citing 第5条 when the reader may not see it
    const definition = await this.d.definitions.get(i.definitionKey, i.definitionVersion);
    const [flows, tasks, children, project, documents] = await Promise.all([
      this.d.definitions.compiled(definition.id).then(sequenceFlows),
      this.d.repo.tasksOfInstance(id),
      this.d.repo.childInstances(id),
      i.projectId === null ? Promise.resolve(null) : this.d.projects.byIds([i.projectId]).then((r) => r[0] ?? null),
      i.projectId === null ? Promise.resolve([]) : this.d.projects.documents(i.projectId),
    ]);
    const actors = [...new Set([...i.history.map((h) => h.actor), ...tasks.map((t) => t.completedBy ?? t.assignee)].filter((x): x is string => !!x))];
    const [users, departments] = await Promise.all([actors.length ? this.d.org.findUsersByUsername(actors) : Promise.resolve([]), this.d.org.listDepartments()]);
    const deptName = new Map(departments.map((d) => [d.code, d.name]));
    const person = new Map(users.map((u) => [u.username, { name: u.displayName, department: u.departmentCode ? (deptName.get(u.departmentCode) ?? u.departmentCode) : '' }]));
    const now = this.d.clock.now();
    const groupLabel = (g: string) => (g.startsWith('unit:') ? (deptName.get(g.slice(5)) ?? groupName(g)) : groupName(g));
    /** 第7条(二): the picked experts by name, each expert's review in words */
    const expertText = (name: string, v: unknown): string => {
      if (name === 'experts') {
        const candidates = Array.isArray(i.variables.expertCandidates) ? (i.variables.expertCandidates as { label?: string; value?: string }[]) : [];
        return (Array.isArray(v) ? v : [v]).map((u) => candidates.find((c) => c?.value === u)?.label ?? person.get(String(u))?.name ?? String(u)).join('、') || '无';
      }
      const rows = expertReviewRows({ ...i.variables, expertReviews: v });
      return rows.length
        ? rows.map((r) => `${r.expert}：${r.decision}，${r.scores.map((x) => `${x.label}${x.value ?? '—'}`).join('、')}，建议投资 ${r.recommendedInvestment === null ? '—' : `${r.recommendedInvestment.toLocaleString('zh-CN')} 元`}`).join('；')
        : '无';
    };
    /** a variable's value as a reader says it: 是/否, names for codes, lists joined */
    const shown = (name: string, v: unknown): string => {
      if (v === null || v === undefined || v === '') return '—';
      if (name === 'expertReviews' || name === 'experts') return expertText(name, v);
      if (typeof v === 'boolean') return v ? '是' : '否';
      if (Array.isArray(v)) return v.length ? v.map((x) => shown(name, x)).join('、') : '无';
      if (typeof v === 'object') return JSON.stringify(v);
      const text = String(v);
      if (name === 'stage') return stageLabel(text);
      if (name === 'unitCode' || name === 'participants') return deptName.get(text) ?? text;
      if (text.startsWith('unit:') || name.endsWith('Group')) return groupLabel(text);
      if (typeof v === 'number' && /amount|investment|total/i.test(name)) return `${v.toLocaleString('zh-CN')} 元`;
      return text;
    };

    // the task behind each history row: its decision, opinion and due date
    const taskByActivityEnd = new Map<string, (typeof tasks)[number][]>();
    for (const t of tasks) taskByActivityEnd.set(t.activityId, [...(taskByActivityEnd.get(t.activityId) ?? []), t]);
    const used = new Set<number>();
    const records = i.history.map((h) => {
      const task = (taskByActivityEnd.get(h.activityId) ?? []).find((t) => !used.has(t.id) && t.createdAt.toISOString() >= h.startedAt.slice(0, 19));
      if (task) used.add(task.id);
      const result = (task?.result ?? {}) as Record<string, unknown>;
      const who = h.actor ?? task?.completedBy ?? null;
      const p = who ? person.get(who) : undefined;
      const ended = h.endedAt ? Date.parse(h.endedAt) : null;
      return {
        activityId: h.activityId,
        activityName: h.activityName || TYPE_WORDS[h.type] || h.activityId,
        type: h.type,
        actor: who ? (p?.name ?? who) : '',
        department: p?.department ?? '',
        candidates: task && !h.endedAt ? (task.candidateGroups ?? []).map(groupLabel).join('、') : '',
        startedAtText: chineseDateTime(h.startedAt),
        endedAtText: chineseDateTime(h.endedAt),
        durationText: durationText(ended === null ? now.getTime() - Date.parse(h.startedAt) : ended - Date.parse(h.startedAt)),
        running: !h.endedAt,
        decision: decisionLabel(result.decision),
        opinion: typeof result.opinion === 'string' ? result.opinion : '',
        dueAtText: task?.dueAt ? chineseDateTime(task.dueAt) : '',
        overdue: !!task && task.state === 'open' && !!task.dueAt && task.dueAt.getTime() < now.getTime(),
        taskId: task?.id ?? null,
        // the material its handler uploaded while the step was open
        documents: documents
          .filter((doc) => who && doc.uploadedBy === who && doc.uploadedAt.getTime() >= Date.parse(h.startedAt) && doc.uploadedAt.getTime() <= (ended ?? now.getTime()))
          .map((doc) => ({ label: materialLabel(doc.materialType), filename: doc.filename, href: `/api/projects/${i.projectId}/documents/${doc.id}` })),
      };
    });
    const completed = [...new Set(i.history.filter((h) => h.endedAt).map((h) => h.activityId))];
    const overdue = [...new Set(records.filter((r) => r.overdue).map((r) => r.activityId))];
    const passes: Record<string, number> = {};
    for (const h of i.history) passes[h.activityId] = (passes[h.activityId] ?? 0) + 1;

    // the instances around this one: its parent, its children, the project's chapters in order
    const parent = i.parentInstanceId ? (await this.d.repo.instancesByIds([i.parentInstanceId]))[0] : undefined;
    const chapters = i.businessKey && project ? (await this.d.instances.ofVisibleProject(i.businessKey)).sort((a, b) => rank(a.definitionKey) - rank(b.definitionKey) || a.startedAt.localeCompare(b.startedAt)) : [];
    const link = (x: { id: string; definitionKey: string; state?: string; startedAt?: string | Date }) => ({
      id: x.id,
      label: definitionLabel(x.definitionKey),
      state: x.state ? instanceStateLabel(x.state) : '',
      startedAtText: x.startedAt ? chineseDateTime(x.startedAt) : '',
      href: `/instances/${x.id}`,
      current: x.id === i.id,
    });
    return {
      instance: {
        id: i.id,
        definitionKey: i.definitionKey,
        processName: definition.name,
        processLabel: definitionLabel(i.definitionKey),
        version: i.definitionVersion,
        state: i.state,
        stateLabel: instanceStateLabel(i.state),
        businessKey: i.businessKey,
        project: project ? { id: project.id, name: project.name, code: project.code, href: `/projects/${project.id}` } : null,
        startedAtText: chineseDateTime(i.startedAt),
        endedAtText: chineseDateTime(i.endedAt),
      },
      xml: definition.xml,
      markers: { completed, active: i.activeActivityIds, incidents: [...new Set(i.incidents.map((x) => x.activityId).filter((x): x is string => !!x))], overdue, takenFlows: takenFlows(flows, i.history), passes },
      records,
      incidents: i.incidents.map((x) => ({ activityId: x.activityId, message: x.message, createdAtText: chineseDateTime(x.createdAt) })),
      // only the variables with a Chinese name: what a reader is meant to read
      variables: Object.entries(i.variables)
        .filter(([k]) => k in VARIABLE_LABELS)
        .map(([k, v]) => ({ name: k, label: variableLabel(k), value: shown(k, v) })),
      related: {
        parent: parent ? link(parent) : null,
        children: children.map((c) => link(c)),
        chapters: chapters.map((c) => link(c)),
      },
    };
  }
}
