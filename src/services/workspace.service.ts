import { workingDaysBetween, type WorkingCalendar } from '../domain/calendar';
import { conflict, forbidden } from '../domain/errors';
import { chineseDateTime, decisionLabel, expertReviewRows, groupName, instanceStateLabel, notificationKindLabel } from '../domain/labels';
import type { User } from '../domain/organisation';
import { evaluateFeel } from '../engine/feel';
import { userTaskMappings } from '../engine/task-completion';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { ProcessInstanceModel, RuntimeRepository, TaskModel } from '../persistence/repositories/runtime.repository';
import type { Clock } from './clock.service';
import type { DefinitionService } from './definition.service';
import type { OutboxService } from './outbox.service';
import type { ProjectService } from './project.service';
import type { TaskService } from './task.service';
import type { VisibilityService } from './visibility.service';

export type WorkList = 'todo' | 'done' | 'started' | 'cc';
export const WORK_LISTS: readonly WorkList[] = ['todo', 'done', 'started', 'cc'];

/** One row of a work list: everything in words, times in Asia/Shanghai. */
export interface WorkRow {
  /** the task a row opens (null: nothing to open) */
  taskId: number | null;
  instanceId: string | null;
  projectId: number | null;
  projectCode: string | null;
  projectName: string | null;
  unitName: string | null;
  processKey: string | null;
  processName: string | null;
  stepName: string | null;
  receivedAt: string | null;
  received: string;
  dueAt: string | null;
  due: string;
  /** working days from today to the due day (negative: overdue by that many) */
  workingDaysLeft: number | null;
  overdue: boolean;
  provisional: boolean;
  /** 已办: when, and the decision taken; 我发起的: the instance's state; 抄送我的: the copy's title */
  doneAt: string;
  note: string;
  unread: boolean;
}

export interface WorkFilter {
  process?: string;
  project?: number;
  due?: 'soon' | 'overdue';
  sort?: 'due' | 'received';
  page?: number;
}

export const PAGE_SIZE = 20;

/** a candidate group in words: a unit's group by the unit's Chinese name */
const unitOrGroup = (g: string, dept: Map<string, string>) => (g.startsWith('unit:') && dept.has(g.slice(5)) ? dept.get(g.slice(5))! : groupName(g));
/** "due soon": due within this many working days */
export const DUE_SOON_DAYS = 3;

/** The staff workspace: 待办 / 已办 / 我发起的 / 抄送我的, and what a task page shows. Every row passes the visibility rule (第5条). */
export class WorkspaceService {
  constructor(
    private readonly d: {
      repo: Pick<RuntimeRepository, 'tasksFor' | 'tasksCompletedBy' | 'instancesStartedBy' | 'openTasksOfInstances' | 'completedTasksOfProject' | 'findInstance'>;
      projectRepo: Pick<ProjectRepository, 'byIds'>;
      org: Pick<OrganisationRepository, 'listDepartments' | 'findUsersByUsername'>;
      definitions: Pick<DefinitionService, 'list' | 'get' | 'compiled'>;
      outbox: Pick<OutboxService, 'inbox'>;
      tasks: Pick<TaskService, 'get'>;
      projects: Pick<ProjectService, 'get'>;
      visibility: Pick<VisibilityService, 'instanceFilter'>;
      clock: Pick<Clock, 'now'>;
      calendar: { current(): WorkingCalendar };
    },
  ) {}

  /** The four lists' sizes and the unread messages, for the navigation (the inbox is read once for both). */
  async counts(user: User): Promise<Record<WorkList | 'unread', number>> {
    const [todo, done, started, inbox] = await Promise.all([this.todoTasks(user), this.doneTasks(user), this.startedInstances(user), this.d.outbox.inbox(user)]);
    return { todo: todo.length, done: done.length, started: started.length, cc: inbox.filter((n) => n.kind === 'copy').length, unread: inbox.filter((n) => !n.readAt).length };
  }

  /**
   * 消息: one page (20) of the caller's inbox, newest first, each entry in words with where it leads —
   * its task, else its project, else its instance's tracking (the inbox already passes 第5条).
   */
  async messages(user: User, page = 1) {
    const all = await this.d.outbox.inbox(user);
    const total = all.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const current = Math.min(Math.max(1, page), pages);
    const shown = all.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE);
    const instances = new Map<string, ProcessInstanceModel>();
    for (const id of new Set(shown.map((n) => n.processInstanceId).filter((x): x is string => !!x))) {
      const i = await this.d.repo.findInstance(id);
      if (i) instances.set(id, i);
    }
    const { projects } = await this.context([...instances.values()].map((i) => i.projectId));
    const rows = shown.map((n) => {
      const i = n.processInstanceId ? instances.get(n.processInstanceId) : undefined;
      const p = i?.projectId != null ? projects.get(i.projectId) : undefined;
      const href = n.taskId ? `/tasks/${n.taskId}` : p ? `/projects/${p.id}` : i ? `/instances/${i.id}` : null;
      return {
        id: n.id,
        kind: n.kind,
        kindLabel: notificationKindLabel(n.kind),
        title: n.title,
        // a deadline a message carries as an ISO instant, read in Asia/Shanghai like every time on the pages
        body: n.body.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (iso) => chineseDateTime(iso)),
        projectId: p?.id ?? null,
        projectName: p?.name ?? null,
        href,
        createdAt: n.createdAt,
        received: chineseDateTime(n.createdAt),
        unread: !n.readAt,
      };
    });
    return { rows, total, unread: all.filter((n) => !n.readAt).length, page: current, pages };
  }

  /** One page of a list (20 rows), or — `all` — every row (the export of the list). */
  async list(user: User, list: WorkList, filter: WorkFilter, opts: { all?: boolean } = {}) {
    let rows: WorkRow[];
    if (list === 'todo') rows = await this.taskRows(await this.todoTasks(user));
    else if (list === 'done') rows = await this.taskRows(await this.doneTasks(user));
    else if (list === 'started') rows = await this.startedRows(user);
    else rows = await this.copyRows(user);

    const processes = [...new Map(rows.filter((r) => r.processKey).map((r) => [r.processKey!, r.processName ?? r.processKey!])).entries()].map(([key, name]) => ({ key, name }));
    const projects = [...new Map(rows.filter((r) => r.projectId !== null).map((r) => [r.projectId!, r.projectName ?? r.projectCode ?? String(r.projectId)])).entries()].map(([id, name]) => ({ id, name }));
    let shown = rows;
    if (filter.process) shown = shown.filter((r) => r.processKey === filter.process);
    if (filter.project) shown = shown.filter((r) => r.projectId === filter.project);
    if (filter.due === 'overdue') shown = shown.filter((r) => r.overdue);
    if (filter.due === 'soon') shown = shown.filter((r) => !r.overdue && r.workingDaysLeft !== null && r.workingDaysLeft <= DUE_SOON_DAYS);
    if (filter.sort === 'due') shown = [...shown].sort((a, b) => (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999'));
    const total = shown.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const page = Math.min(Math.max(1, filter.page ?? 1), pages);
    return { rows: opts.all ? shown : shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE), total, page, pages, processes, projects };
  }

  /**
   * What the task page shows: the task (visibility: tasks.get), its project (projects.get, 第5条),
   * every opinion given on the project so far in order, and what the caller may do.
   */
  async taskPage(id: number, user: User) {
    const task = await this.d.tasks.get(id, user);
    const project = task.projectId !== null ? await this.d.projects.get(task.projectId, user) : null;
    const [departments, names] = await Promise.all([this.d.org.listDepartments(), this.processNames()]);
    const dept = new Map(departments.map((x) => [x.code, x.name]));
    const candidate = task.candidateUsers.includes(user.username) || task.candidateGroups.some((g) => user.groups.includes(g));
    const open = task.state === 'open';
    const mayAct = open && (task.assignee ? task.assignee === user.username : candidate);
    const groupTask = task.candidateGroups.length > 0 || task.candidateUsers.length > 1;
    const opinions = project ? await this.opinions(project.id, dept) : [];
    const assignee = task.assignee ? (await this.d.org.findUsersByUsername([task.assignee]))[0] : undefined;
    return {
      task,
      received: chineseDateTime(task.createdAt),
      deadline: open ? this.deadline(task.dueAt ? new Date(task.dueAt) : null) : { dueAt: task.dueAt, due: chineseDateTime(task.dueAt), workingDaysLeft: null, overdue: false },
      processName: names.get(task.definitionKey) ?? task.definitionKey,
      unitName: project ? (dept.get(project.unitCode) ?? project.unitCode) : null,
      project,
      opinions,
      candidates: task.candidateGroups.map((g) => unitOrGroup(g, dept)),
      assigneeName: assignee?.displayName ?? task.assignee,
      mayAct,
      mayClaim: open && !task.assignee && candidate,
      mayRelease: open && task.assignee === user.username && groupTask,
      /** the unit's own step: it may add material (the upload API lets only the unit's users upload) */
      mayUpload: mayAct && !!project && task.candidateGroups.includes(`unit:${project.unitCode}`) && user.groups.includes(`unit:${project.unitCode}`),
    };
  }

  /**
   * The materials an application must carry, as the diagram's list says: the newest application-approval's
   * CheckMaterials input mapping `required` (FEEL over the project's type and cross-department flag).
   */
  async requiredMaterials(p: { type: string; crossDepartment: boolean }): Promise<{ type: string; label: string; rule: string | null }[]> {
    try {
      const def = await this.d.definitions.get('application-approval');
      const { inputs } = await userTaskMappings(await this.d.definitions.compiled(def.id), 'CheckMaterials');
      const source = inputs.find((i) => i.target === 'required')?.source;
      if (!source) return [];
      const list = source.startsWith('=') ? evaluateFeel(source, { type: p.type, crossDepartment: p.crossDepartment }, { now: this.d.clock.now(), calendar: this.d.calendar.current() }) : [];
      return (Array.isArray(list) ? list : []).filter((m): m is { type: string; label?: string; rule?: string } => !!m && typeof (m as { type?: unknown }).type === 'string').map((m) => ({ type: m.type, label: m.label ?? m.type, rule: m.rule ?? null }));
    } catch {
      return []; // no such diagram deployed: the page lists no requirement
    }
  }

  /**
   * The project page (visibility: projects.get, 第5条): the project with its stage, amounts, deadlines,
   * documents and payments; where each of its processes stands; every opinion in order; for its unit
   * while it is a draft or being revised, the materials the diagram requires and whether each is there.
   */
  async projectPage(id: number, user: User) {
    const project = await this.d.projects.get(id, user);
    const [departments, names] = await Promise.all([this.d.org.listDepartments(), this.processNames()]);
    const dept = new Map(departments.map((x) => [x.code, x.name]));
    const variables: Record<string, unknown> = {};
    const instances = [];
    const open = await this.d.repo.openTasksOfInstances(project.processInstances.map((i) => i.id));
    for (const i of [...project.processInstances].sort((a, b) => String(a.startedAt).localeCompare(String(b.startedAt)))) {
      const row = await this.d.repo.findInstance(i.id);
      Object.assign(variables, row?.variables ?? {});
      const steps = open.filter((t) => t.instanceId === i.id);
      instances.push({
        id: i.id,
        processName: names.get(i.definitionKey) ?? i.definitionKey,
        state: i.state,
        startedAt: chineseDateTime(i.startedAt),
        endedAt: chineseDateTime(i.endedAt),
        steps: steps.map((t) => ({ taskId: t.id, name: t.name ?? t.activityId, who: t.candidateGroups.map((g) => unitOrGroup(g, dept)).join('、') })),
      });
    }
    const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
    const paid = project.payments.filter((x) => x.state === 'disbursed').reduce((sum, x) => sum + Number(x.amount), 0);
    const unitMember = user.groups.includes(`unit:${project.unitCode}`);
    const editable = unitMember && (project.stage === 'draft' || project.stage === 'revising');
    const required = editable ? await this.requiredMaterials(project) : [];
    const have = new Set(project.documents.map((x) => x.materialType));
    return {
      project,
      unitName: dept.get(project.unitCode) ?? project.unitCode,
      participantNames: project.participants.map((c) => dept.get(c) ?? c),
      amounts: {
        investment: project.investment,
        recommended: num(variables.recommendedInvestment),
        approved: project.approvedAmount ?? num(variables.approvedAmount),
        contracted: num(variables.contractAmount),
        paid: project.payments.length ? paid : null,
      },
      dates: { created: chineseDateTime(project.createdAt), submitted: chineseDateTime(project.submittedAt) },
      deadlines: project.deadlines.map((x) => ({ ...x, due: chineseDateTime(x.dueAt) })),
      payments: project.payments.map((x) => ({ ...x, requested: chineseDateTime(x.requestedAt), decided: chineseDateTime(x.decidedAt) })),
      instances,
      opinions: await this.opinions(project.id, dept),
      expertReviews: expertReviewRows(variables),
      lossReports: await this.lossReports(project.lossReports ?? []),
      mayUpload: unitMember && project.stage !== 'archived',
      maySubmit: unitMember && project.stage === 'draft',
      mayEdit: unitMember && project.stage === 'draft',
      required: required.map((m) => ({ ...m, present: have.has(m.type) })),
    };
  }

  /** 第16条: the major-investment-loss reports of a project — who (name, bureau), when, how much, what */
  private async lossReports(reports: { id: number; description: string; amount: number; reportedBy: string; reportedAt: string }[]) {
    if (!reports.length) return [];
    const [users, departments] = await Promise.all([this.d.org.findUsersByUsername([...new Set(reports.map((r) => r.reportedBy))]), this.d.org.listDepartments()]);
    const dept = new Map(departments.map((x) => [x.code, x.name]));
    return reports.map((r) => {
      const u = users.find((x) => x.username === r.reportedBy);
      const bureau = u?.departmentCode ? (dept.get(u.departmentCode) ?? '') : '';
      return { id: r.id, description: r.description, amount: r.amount, who: u?.displayName ?? r.reportedBy, bureau, at: r.reportedAt, time: chineseDateTime(r.reportedAt) };
    });
  }

  /**
   * 修改草稿: the draft (not yet submitted) its unit edits in the 新建申报 wizard — its fields, its
   * materials (what the diagram requires, what is there) and the submission. Visibility first (第5条:
   * 403), then only the project's unit; an application returned for revision is edited on its revise
   * task (its form and materials), so here it is a 409 naming that task.
   */
  async draftPage(id: number, user: User) {
    const project = await this.d.projects.get(id, user);
    if (!user.groups.includes(`unit:${project.unitCode}`)) throw forbidden('只有项目单位的用户可以修改其申报草稿');
    if (project.stage === 'revising') {
      const open = await this.d.repo.openTasksOfInstances(project.processInstances.map((i) => i.id));
      const revise = open.find((t) => t.candidateGroups.includes(`unit:${project.unitCode}`));
      throw conflict(`此申报已退回修改，请在待办“${revise?.name ?? '修改申报材料'}”中修改并重新提交${revise ? `（/tasks/${revise.id}）` : ''}`, 'not-editable');
    }
    if (project.stage !== 'draft') throw conflict('只有尚未提交的草稿可以修改；此申报已提交', 'not-editable');
    const required = await this.requiredMaterials(project);
    const have = new Set(project.documents.map((x) => x.materialType));
    return { project, required: required.map((m) => ({ ...m, present: have.has(m.type) })) };
  }

  /** Every opinion given on a project, in the order given: who, their bureau, the step, the decision, the opinion, when. */
  private async opinions(projectId: number, dept: Map<string, string>) {
    const done = (await this.d.repo.completedTasksOfProject(projectId)).filter((t) => {
      const r = (t.result ?? {}) as Record<string, unknown>;
      return (typeof r.decision === 'string' && r.decision) || (typeof r.opinion === 'string' && r.opinion);
    });
    const users = await this.d.org.findUsersByUsername([...new Set(done.map((t) => t.completedBy).filter((x): x is string => !!x))]);
    return done.map((t) => {
      const r = (t.result ?? {}) as Record<string, unknown>;
      const u = users.find((x) => x.username === t.completedBy);
      return {
        taskId: t.id,
        who: u?.displayName ?? t.completedBy ?? '',
        bureau: u?.departmentCode ? (dept.get(u.departmentCode) ?? u.departmentCode) : '',
        step: t.name ?? t.activityId,
        decision: decisionLabel(r.decision),
        decisionCode: typeof r.decision === 'string' ? r.decision : null,
        opinion: typeof r.opinion === 'string' ? r.opinion : '',
        at: t.completedAt ? t.completedAt.toISOString() : null,
        time: chineseDateTime(t.completedAt),
      };
    });
  }

  private async todoTasks(user: User) {
    const tasks = await this.d.repo.tasksFor(user.username, user.groups, {});
    return this.visibleTasks(user, tasks);
  }

  private async doneTasks(user: User) {
    return this.visibleTasks(user, await this.d.repo.tasksCompletedBy(user.username));
  }

  private async startedInstances(user: User) {
    const rows = await this.d.repo.instancesStartedBy(user.username);
    const visible = await this.d.visibility.instanceFilter(user, rows);
    return rows.filter(visible);
  }

  private async copies(user: User) {
    return (await this.d.outbox.inbox(user)).filter((n) => n.kind === 'copy');
  }

  /** 第5条 on every list: a task shows only when its instance may be seen (holding it counts). */
  private async visibleTasks(user: User, tasks: TaskModel[]) {
    const visible = await this.d.visibility.instanceFilter(
      user,
      tasks.map((t) => ({ id: t.instanceId, projectId: t.projectId, startedBy: null })),
    );
    return tasks.filter((t) => visible({ id: t.instanceId, projectId: t.projectId, startedBy: null }));
  }

  private async processNames() {
    return new Map((await this.d.definitions.list()).map((d) => [d.key, d.name]));
  }

  private async context(projectIds: (number | null)[]) {
    const ids = [...new Set(projectIds.filter((x): x is number => x !== null))];
    const [projects, departments, names] = await Promise.all([ids.length ? this.d.projectRepo.byIds(ids) : Promise.resolve([]), this.d.org.listDepartments(), this.processNames()]);
    return { projects: new Map(projects.map((p) => [p.id, p])), dept: new Map(departments.map((x) => [x.code, x.name])), names };
  }

  private deadline(dueAt: Date | null) {
    if (!dueAt) return { dueAt: null, due: '', workingDaysLeft: null, overdue: false };
    const now = this.d.clock.now();
    return { dueAt: dueAt.toISOString(), due: chineseDateTime(dueAt), workingDaysLeft: workingDaysBetween(this.d.calendar.current(), now, dueAt), overdue: dueAt.getTime() < now.getTime() };
  }

  private async taskRows(tasks: TaskModel[]): Promise<WorkRow[]> {
    const { projects, dept, names } = await this.context(tasks.map((t) => t.projectId));
    return tasks.map((t) => {
      const p = t.projectId !== null ? projects.get(t.projectId) : undefined;
      const r = (t.result ?? {}) as Record<string, unknown>;
      return {
        taskId: t.id,
        instanceId: t.instanceId,
        projectId: t.projectId,
        projectCode: p?.code ?? t.businessKey,
        projectName: p?.name ?? null,
        unitName: p ? (dept.get(p.unitCode) ?? p.unitCode) : null,
        processKey: t.definitionKey,
        processName: names.get(t.definitionKey) ?? t.definitionKey,
        stepName: t.name ?? t.activityId,
        receivedAt: t.createdAt.toISOString(),
        received: chineseDateTime(t.createdAt),
        ...(t.state === 'open' ? this.deadline(t.dueAt) : { dueAt: t.dueAt ? t.dueAt.toISOString() : null, due: chineseDateTime(t.dueAt), workingDaysLeft: null, overdue: false }),
        provisional: !!t.provisional,
        doneAt: chineseDateTime(t.completedAt),
        note: decisionLabel(r.decision),
        unread: false,
      };
    });
  }

  private async startedRows(user: User): Promise<WorkRow[]> {
    const instances = await this.startedInstances(user);
    const open = await this.d.repo.openTasksOfInstances(instances.map((i) => i.id));
    const { projects, dept, names } = await this.context(instances.map((i) => i.projectId));
    return instances.map((i: ProcessInstanceModel) => {
      const p = i.projectId !== null ? projects.get(i.projectId) : undefined;
      const current = open.filter((t) => t.instanceId === i.id);
      const next = [...current].sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity))[0];
      return {
        taskId: current[0]?.id ?? null,
        instanceId: i.id,
        projectId: i.projectId,
        projectCode: p?.code ?? i.businessKey,
        projectName: p?.name ?? null,
        unitName: p ? (dept.get(p.unitCode) ?? p.unitCode) : null,
        processKey: i.definitionKey,
        processName: names.get(i.definitionKey) ?? i.definitionKey,
        stepName: current.map((t) => t.name ?? t.activityId).join('、') || null,
        receivedAt: i.startedAt.toISOString(),
        received: chineseDateTime(i.startedAt),
        ...this.deadline(next?.dueAt ?? null),
        provisional: !!next?.provisional,
        doneAt: chineseDateTime(i.endedAt),
        note: instanceStateLabel(i.state),
        unread: false,
      };
    });
  }

  private async copyRows(user: User): Promise<WorkRow[]> {
    const copies = await this.copies(user);
    const instances = new Map<string, ProcessInstanceModel>();
    for (const id of new Set(copies.map((c) => c.processInstanceId).filter((x): x is string => !!x))) {
      const i = await this.d.repo.findInstance(id);
      if (i) instances.set(id, i);
    }
    const { projects, dept, names } = await this.context([...instances.values()].map((i) => i.projectId));
    return copies.map((c) => {
      const i = c.processInstanceId ? instances.get(c.processInstanceId) : undefined;
      const p = i?.projectId != null ? projects.get(i.projectId) : undefined;
      return {
        taskId: c.taskId,
        instanceId: c.processInstanceId,
        projectId: i?.projectId ?? null,
        projectCode: p?.code ?? i?.businessKey ?? null,
        projectName: p?.name ?? null,
        unitName: p ? (dept.get(p.unitCode) ?? p.unitCode) : null,
        processKey: i?.definitionKey ?? null,
        processName: i ? (names.get(i.definitionKey) ?? i.definitionKey) : null,
        stepName: c.title,
        receivedAt: c.createdAt,
        received: chineseDateTime(c.createdAt),
        dueAt: null,
        due: '',
        workingDaysLeft: null,
        overdue: false,
        provisional: false,
        doneAt: '',
        note: c.body,
        unread: !c.readAt,
      };
    });
  }
}
