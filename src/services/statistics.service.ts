import type { Clock } from './clock.service';
import { shanghaiDayStart, toShanghaiDate, workingDaysBetween, type WorkingCalendar } from '../domain/calendar';
import { malformed } from '../domain/errors';
import { chineseDateTime, DEADLINE_ARTICLES, definitionLabel, groupName, stageLabel } from '../domain/labels';
import { isAdmin, type User } from '../domain/organisation';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { DayPair, ProjectScope, StatisticsRepository } from '../persistence/repositories/statistics.repository';
import type { DefinitionService } from './definition.service';
import type { VisibilityService } from './visibility.service';

interface Reader {
  scope: ProjectScope;
  unitName: Map<string, string>;
}

const DAY_MS = 86_400_000;
const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

/** The average working days of (from-day, to-day) pairs that stand for `n` items each, by key. */
function averageWorkingDays(calendar: WorkingCalendar, pairs: DayPair[]): Map<string, { items: number; avg: number }> {
  const sums = new Map<string, { items: number; days: number }>();
  for (const p of pairs) {
    const s = sums.get(p.key) ?? { items: 0, days: 0 };
    const n = Number(p.n);
    s.items += n;
    s.days += n * Math.max(0, workingDaysBetween(calendar, String(p.from), String(p.to)));
    sums.set(p.key, s);
  }
  return new Map([...sums].map(([k, s]) => [k, { items: s.items, avg: Math.round((s.days / s.items) * 10) / 10 }]));
}

/**
 * 监控 figures (issue 10): the dashboard and the process view. Every figure covers only the projects
 * the reader may see (第5条) — the scope is SQL in every query — and links to the list behind it.
 */
export class StatisticsService {
  constructor(
    private readonly d: {
      repo: StatisticsRepository;
      visibility: Pick<VisibilityService, 'projectScope'>;
      org: Pick<OrganisationRepository, 'listDepartments'>;
      definitions: Pick<DefinitionService, 'get'>;
      calendar: { current(): WorkingCalendar };
      clock: Pick<Clock, 'now'>;
    },
  ) {}

  /**
   * Bureaus that see every ordinary project get `ordinary`; those that also see classified ones get all;
   * the few further projects a reader sees (their unit's, their supervised units', the ones they hold a
   * task on) are listed by id.
   */
  async scope(user: User): Promise<ProjectScope> {
    return (await this.reader(user)).scope;
  }

  /** What every figure of one request needs of its reader: the scope and the departments' names (read once). */
  private async reader(user: User): Promise<Reader> {
    const departments = await this.d.org.listDepartments();
    return { scope: (await this.d.visibility.projectScope(user, departments)).scope, unitName: new Map(departments.map((d) => [d.code, d.name])) };
  }

  /** 运行监控: the dashboard and the overdue tasks for one reader, the reader's scope computed once. */
  async monitor(user: User, query: { planYear?: unknown; group?: string }) {
    const reader = await this.reader(user);
    const [figures, overdue] = await Promise.all([this.dashboard(user, query, reader), this.overdue(user, query.group, reader)]);
    return { figures, overdue };
  }

  async dashboard(user: User, query: { planYear?: unknown }, reader?: Reader) {
    const planYear = query.planYear === undefined || query.planYear === '' ? undefined : Number(query.planYear);
    if (planYear !== undefined && (!Number.isInteger(planYear) || planYear < 2000 || planYear > 2100)) throw malformed('planYear 须为 2000–2100 之间的年份');
    const { scope, unitName } = reader ?? (await this.reader(user));
    const now = this.d.clock.now();
    // this week and next, Monday 00:00 Asia/Shanghai
    const today = toShanghaiDate(now);
    const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
    const monday = new Date(shanghaiDayStart(today).getTime() - weekday * DAY_MS);
    const nextMonday = new Date(monday.getTime() + 7 * DAY_MS);
    const weekAfter = new Date(monday.getTime() + 14 * DAY_MS);
    const [byStage, byUnit, byYear, money, overdue, thisWeek, nextWeek, instancePairs, taskPairs] = await Promise.all([
      this.d.repo.projectsBy('stage', scope, planYear),
      this.d.repo.projectsBy('unitCode', scope, planYear),
      this.d.repo.projectsBy('planYear', scope),
      this.d.repo.investment(scope, planYear),
      this.d.repo.overdueByGroup(scope, now),
      this.d.repo.dueBetween(scope, monday, nextMonday),
      this.d.repo.dueBetween(scope, nextMonday, weekAfter),
      this.d.repo.instanceDayPairs(scope),
      this.d.repo.taskDayPairs(scope),
    ]);
    const year = planYear === undefined ? '' : `&year=${planYear}`;
    const deadline = (t: (typeof thisWeek)[number]) => ({
      taskId: Number(t.id),
      name: t.name ?? t.activityId,
      activityId: t.activityId,
      process: definitionLabel(t.definitionKey),
      article: DEADLINE_ARTICLES[t.activityId] ?? null,
      projectId: Number(t.projectId),
      projectName: t.projectName,
      unitName: unitName.get(t.unitCode) ?? t.unitCode,
      dueAt: new Date(t.dueAt).toISOString(),
      dueAtText: chineseDateTime(t.dueAt),
      href: `/projects/${Number(t.projectId)}`,
    });
    const calendar = this.d.calendar.current();
    const chapters = averageWorkingDays(calendar, instancePairs);
    const reviews = averageWorkingDays(calendar, taskPairs);
    const taskNames = new Map(taskPairs.map((p) => [p.key, p.name]));
    return {
      planYear: planYear ?? null,
      asOf: now.toISOString(),
      projectsByStage: byStage.map((r) => ({ stage: String(r.k), label: stageLabel(String(r.k)), count: num(r.n), investment: num(r.investment), href: `/projects?stage=${encodeURIComponent(String(r.k))}${year}` })),
      projectsByUnit: byUnit.map((r) => ({ unitCode: String(r.k), label: unitName.get(String(r.k)) ?? String(r.k), count: num(r.n), investment: num(r.investment), href: `/projects?unit=${encodeURIComponent(String(r.k))}${year}` })),
      projectsByPlanYear: byYear.map((r) => ({ planYear: Number(r.k), label: `${Number(r.k)}年度`, count: num(r.n), investment: num(r.investment), href: `/projects?year=${Number(r.k)}` })),
      investment: { applied: num(money.applied), approved: num(money.approved), contracted: num(money.contracted), paid: num(money.paid), unit: '元', href: planYear === undefined ? '/projects' : `/projects?year=${planYear}` },
      overdueByDepartment: overdue.map((r) => ({ group: r.k, label: groupName(r.k), count: num(r.n), href: `/monitor?overdue=${encodeURIComponent(r.k)}#overdue` })),
      deadlines: { thisWeek: thisWeek.map(deadline), nextWeek: nextWeek.map(deadline), from: monday.toISOString(), to: weekAfter.toISOString() },
      averageWorkingDays: {
        chapters: [...chapters].map(([key, v]) => ({ definitionKey: key, label: definitionLabel(key), instances: v.items, workingDays: v.avg, href: `/processes/${key}/statistics` })),
        reviews: [...reviews].map(([key, v]) => {
          const [definitionKey, activityId] = key.split('/');
          return { definitionKey, activityId, label: taskNames.get(key) ?? activityId, process: definitionLabel(definitionKey), tasks: v.items, workingDays: v.avg, href: `/processes/${definitionKey}/statistics` };
        }),
      },
    };
  }

  /** 超期待办: the open overdue tasks the reader may see (optionally of one department's group), with working days overdue. */
  async overdue(user: User, group?: string, reader?: Reader) {
    const { scope, unitName } = reader ?? (await this.reader(user));
    const now = this.d.clock.now();
    const rows = await this.d.repo.overdueTasks(scope, now, group || undefined);
    const calendar = this.d.calendar.current();
    return rows.map((t) => ({
      taskId: Number(t.id),
      name: t.name ?? t.activityId,
      process: definitionLabel(t.definitionKey),
      projectId: Number(t.projectId),
      projectName: t.projectName,
      unitName: unitName.get(t.unitCode) ?? t.unitCode,
      dueAtText: chineseDateTime(t.dueAt),
      workingDaysOverdue: Math.max(0, workingDaysBetween(calendar, new Date(t.dueAt), now)),
      href: `/instances/${t.instanceId}`,
    }));
  }

  /** Per element of one version: tokens there now, passes, average and 90th-percentile duration (a heatmap's data). */
  async processStatistics(user: User, key: string, query: { version?: unknown; from?: unknown; to?: unknown }) {
    const version = query.version === undefined || query.version === '' ? undefined : Number(query.version);
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) throw malformed('version 须为正整数');
    const date = (v: unknown, name: string) => {
      if (v === undefined || v === '') return undefined;
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw malformed(`${name} 须为日期（年-月-日）`);
      return shanghaiDayStart(v);
    };
    const from = date(query.from, 'from');
    const toDay = date(query.to, 'to');
    const to = toDay && new Date(toDay.getTime() + DAY_MS); // the whole last day
    const definition = await this.d.definitions.get(key, version);
    const scope = await this.scope(user);
    const elements = await this.d.repo.elementFigures(definition.id, scope, isAdmin(user), { from, to });
    return { key: definition.key, version: definition.version, name: definition.name, from: from?.toISOString() ?? null, to: to?.toISOString() ?? null, elements };
  }
}
