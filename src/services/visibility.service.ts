import { AppError } from '../domain/errors';
import { isAdmin, unitsOf, type Department, type User } from '../domain/organisation';
import { CLASSIFIED_VIEWER_GROUPS, mayViewProject, PROJECT_VIEWER_GROUPS, type Project } from '../domain/project';
import { ruleDetail } from '../domain/rules';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import type { ProjectScope } from '../persistence/project-scope';
import type { ProjectRepository } from '../persistence/repositories/project.repository';
import type { RuntimeRepository } from '../persistence/repositories/runtime.repository';

type ProjectLike = Pick<Project, 'id' | 'classified' | 'unitCode' | 'participants'>;
/** What visibility needs of an instance. */
export interface InstanceLike {
  id: string;
  projectId: number | null;
  startedBy: string | null;
}

/** The refusal of a single read (403), citing 第5条. */
export function notVisible(classified: boolean) {
  const message = classified
    ? '不符合第5条：涉密项目仅限项目单位、区机要保密局、区数据局、区审计局及承办其审核任务的人员查看'
    : '不符合第5条：无权查看此项目（仅限项目单位、主管部门、参与单位、各审核部门、评审专家及承办其任务的人员）';
  return new AppError('forbidden', message, 'not-visible', [ruleDetail('R5.4', message.replace(/^不符合第5条：/, ''))]);
}

/**
 * The one visibility rule of every read path (domain `mayViewProject`), with the data it needs: the
 * unit's supervising department and where the caller holds or held a task. The project and instance lists
 * query with the caller's scope as a condition (`projectScope`) and check what they read with the rule; other lists
 * use a filter built once per request (two queries); single reads answer 403 citing 第5条.
 * Instances without a project: admins, whoever started them, and whoever holds or held a task in them.
 */
export class VisibilityService {
  constructor(
    private readonly d: {
      org: Pick<OrganisationRepository, 'listDepartments'>;
      projects: Pick<ProjectRepository, 'byIds' | 'visibilityRows' | 'participatingIn'>;
      runtime: Pick<RuntimeRepository, 'heldTaskScopes' | 'instancesByIds'>;
    },
  ) {}

  /** A predicate over projects for one caller (one query for the supervisors, one for held tasks). */
  async projectFilter(user: User): Promise<(p: ProjectLike) => boolean> {
    return (await this.scopedFilter(user)).mayView;
  }

  /**
   * The projects one caller sees as SQL conditions (ProjectScope), for the lists and the figures to query with
   * (issue 13 item 6), and the rule itself (`mayView`) for a last check of what they read. Bureaus that see every
   * ordinary project get `ordinary`; those that also see classified ones get all; the few further projects a reader
   * sees (a participant's, a held task's) are listed by id.
   */
  async projectScope(user: User, departments?: Department[]): Promise<{ scope: ProjectScope; mayView: (p: ProjectLike) => boolean }> {
    const ordinary = user.groups.some((g) => (PROJECT_VIEWER_GROUPS as readonly string[]).includes(g));
    const classified = user.groups.some((g) => (CLASSIFIED_VIEWER_GROUPS as readonly string[]).includes(g));
    if (ordinary && classified) return { scope: { all: true }, mayView: () => true };
    const units = unitsOf(user);
    const [depts, { mayView, held }, participating] = await Promise.all([
      departments ?? this.d.org.listDepartments(),
      this.scopedFilter(user),
      ordinary ? Promise.resolve([]) : this.d.projects.participatingIn(units),
    ]);
    const supervisedUnits = depts.filter((d) => d.supervisorCode && units.includes(d.supervisorCode)).map((d) => d.code);
    // what the conditions above do not cover yet is visible by the rule: a held task's project, a participant's (few),
    // listed by id — the rule decides on each (it, not the search for them, is the rule)
    const covered = (p: { classified: boolean; unitCode: string }) => units.includes(p.unitCode) || (!p.classified && (ordinary || supervisedUnits.includes(p.unitCode)));
    const ids: number[] = [];
    for (const r of await this.d.projects.visibilityRows([...held.projectIds, ...participating])) {
      const p = {
        id: Number(r.id),
        classified: Boolean(Number(r.classified)),
        unitCode: r.unitCode,
        participants: (typeof r.participants === 'string' ? (JSON.parse(r.participants) as string[]) : r.participants) ?? [],
      };
      if (!covered(p) && mayView(p)) ids.push(p.id);
    }
    return { scope: { all: false, ordinary, units, supervisedUnits, ids }, mayView };
  }

  async canViewProject(user: User, p: ProjectLike): Promise<boolean> {
    return (await this.scopedFilter(user, { projectIds: [p.id] })).mayView(p);
  }

  async assertProject(user: User, p: ProjectLike): Promise<void> {
    if (!(await this.canViewProject(user, p))) throw notVisible(p.classified);
  }

  /**
   * A predicate over the given instances for one caller: an instance of a project follows the project's rule.
   * Where the caller holds tasks is read for these instances' projects and project-less instances only.
   */
  async instanceFilter(user: User, instances: InstanceLike[]): Promise<(i: InstanceLike) => boolean> {
    const projectIds = [...new Set(instances.map((i) => i.projectId).filter((x): x is number => x !== null))];
    const looseIds = [...new Set(instances.filter((i) => i.projectId === null).map((i) => i.id))];
    const [projects, { mayView, held }] = await Promise.all([
      projectIds.length ? this.d.projects.byIds(projectIds) : Promise.resolve([]),
      this.scopedFilter(user, { projectIds, instanceIds: looseIds }),
    ]);
    const byId = new Map(projects.map((p) => [p.id, p]));
    return (i) => {
      if (i.projectId === null) return isAdmin(user) || i.startedBy === user.username || held.instanceIds.has(i.id);
      const p = byId.get(i.projectId);
      return p ? mayView(p) : isAdmin(user);
    };
  }

  /**
   * For notifications, which name their instance: one about a project follows the project's rule; one
   * from an instance without a project reaches whom its diagram addressed.
   */
  async notificationFilter(user: User, instanceIds: string[]): Promise<(instanceId: string | null) => boolean> {
    // only an instance of a project can be hidden: the project rule is read only when one is among them
    const rows = (await this.d.runtime.instancesByIds([...new Set(instanceIds)])).filter((i) => i.projectId !== null);
    if (!rows.length) return () => true;
    const visible = await this.instanceFilter(user, rows);
    const hidden = new Set(rows.filter((i) => !visible(i)).map((i) => i.id));
    return (id) => !id || !hidden.has(id);
  }

  async assertInstance(user: User, i: InstanceLike): Promise<void> {
    const visible = await this.instanceFilter(user, [i]);
    if (visible(i)) return;
    const p = i.projectId === null ? null : (await this.d.projects.byIds([i.projectId]))[0];
    throw notVisible(p?.classified ?? false);
  }

  /**
   * The project rule for one caller with the data it needs: the units' supervising departments and where
   * the caller holds or held a task — everywhere, or narrowed to the given projects and instances.
   */
  private async scopedFilter(user: User, only?: { projectIds?: number[]; instanceIds?: string[] }) {
    const [departments, held] = await Promise.all([this.d.org.listDepartments(), this.d.runtime.heldTaskScopes(user.username, user.groups, only)]);
    const supervisors = new Map(departments.map((d) => [d.code, d.supervisorCode]));
    const mayView = (p: ProjectLike) => mayViewProject(p, { groups: user.groups, holdsTask: held.projectIds.has(p.id) }, supervisors.get(p.unitCode) ?? null);
    return { mayView, held };
  }
}
