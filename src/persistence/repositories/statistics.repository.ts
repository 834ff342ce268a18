import { QueryTypes, type Sequelize } from 'sequelize';
import { dateParam } from '../sql';
import { projectScopeSql, type ProjectScope } from '../project-scope';

export type { ProjectScope } from '../project-scope';

/** A (from-day, to-day) pair in Asia/Shanghai with how many rows share it: durations without one row per item. */
export interface DayPair {
  key: string;
  from: string;
  to: string;
  n: number;
}

export interface ElementFigures {
  activityId: string;
  running: number;
  completed: number;
  avgMs: number | null;
  p90Ms: number | null;
}

/**
 * Aggregates for the dashboard and the process view: GROUP BY queries on both databases, every value
 * bound (nothing spliced into SQL text), never a loop over rows in memory.
 */
export class StatisticsRepository {
  constructor(private readonly sequelize: Sequelize) {}

  private get sqlite() {
    return this.sequelize.getDialect() === 'sqlite';
  }

  private at(d: Date): string | Date {
    return dateParam(this.sequelize, d);
  }

  /** Asia/Shanghai calendar day of a column. */
  private day(column: string): string {
    return this.sqlite ? `date(${column}, '+8 hours')` : `DATE(DATE_ADD(${column}, INTERVAL 8 HOUR))`;
  }

  private durationMs(from: string, to: string): string {
    return this.sqlite ? `((julianday(${to}) - julianday(${from})) * 86400000.0)` : `(TIMESTAMPDIFF(MICROSECOND, ${from}, ${to}) / 1000.0)`;
  }

  /** The scope as a condition on the projects alias `p`, adding its values to `bind`. */
  private scope(s: ProjectScope, bind: Record<string, unknown>): string {
    return projectScopeSql(s, bind);
  }

  private async rows<T extends object>(sql: string, bind: Record<string, unknown>): Promise<T[]> {
    return this.sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind });
  }

  /** Counts and sums of the projects in scope (optionally of one plan year) by one of their columns. */
  async projectsBy(column: 'stage' | 'unitCode' | 'planYear', s: ProjectScope, planYear?: number) {
    const bind: Record<string, unknown> = {};
    const year = planYear === undefined ? '' : ((bind.year = planYear), ' AND p.planYear = $year');
    return this.rows<{ k: string | number; n: number; investment: number | null }>(
      `SELECT p.${column} AS k, COUNT(*) AS n, SUM(p.investment) AS investment FROM projects p WHERE ${this.scope(s, bind)}${year} GROUP BY p.${column} ORDER BY p.${column}`,
      bind,
    );
  }

  /** Investment applied (every submitted project), approved, contracted (the filed contracts) and paid (disbursed). */
  async investment(s: ProjectScope, planYear?: number) {
    const bind: Record<string, unknown> = { draft: 'draft', disbursed: 'disbursed', impl: 'implementation-acceptance' };
    const where = `${this.scope(s, bind)}${planYear === undefined ? '' : ((bind.year = planYear), ' AND p.planYear = $year')}`;
    const contract = this.sqlite ? "json_extract(i.variables, '$.contractAmount')" : "JSON_UNQUOTE(JSON_EXTRACT(i.variables, '$.contractAmount'))";
    const [row] = await this.rows<{ applied: number | null; approved: number | null; contracted: number | null; paid: number | null }>(
      `SELECT
         (SELECT SUM(p.investment) FROM projects p WHERE ${where} AND p.stage <> $draft) AS applied,
         (SELECT SUM(p.approvedAmount) FROM projects p WHERE ${where}) AS approved,
         (SELECT SUM(CAST(${contract} AS DECIMAL(16, 2))) FROM process_instances i JOIN projects p ON p.id = i.projectId
           WHERE ${where} AND i.definitionKey = $impl) AS contracted,
         (SELECT SUM(pay.amount) FROM payments pay JOIN projects p ON p.id = pay.projectId WHERE ${where} AND pay.state = $disbursed) AS paid`,
      bind,
    );
    return row;
  }

  /** Open overdue tasks of projects in scope, by candidate group (a task offered to two groups counts for each). */
  async overdueByGroup(s: ProjectScope, now: Date) {
    const bind: Record<string, unknown> = { now: this.at(now), open: 'open', group: 'group' };
    return this.rows<{ k: string; n: number }>(
      `SELECT c.value AS k, COUNT(DISTINCT t.id) AS n FROM tasks t JOIN projects p ON p.id = t.projectId
         JOIN task_candidates c ON c.taskId = t.id AND c.kind = $group
       WHERE ${this.scope(s, bind)} AND t.state = $open AND t.dueAt IS NOT NULL AND t.dueAt < $now
       GROUP BY c.value ORDER BY n DESC, c.value`,
      bind,
    );
  }

  /** Open tasks of projects in scope falling due in [from, to). */
  async dueBetween(s: ProjectScope, from: Date, to: Date, limit = 200) {
    const bind: Record<string, unknown> = { from: this.at(from), to: this.at(to), open: 'open' };
    return this.rows<{ id: number; activityId: string; name: string | null; definitionKey: string; dueAt: string | Date; projectId: number; projectName: string; unitCode: string }>(
      `SELECT t.id, t.activityId, t.name, t.definitionKey, t.dueAt, p.id AS projectId, p.name AS projectName, p.unitCode
       FROM tasks t JOIN projects p ON p.id = t.projectId
       WHERE ${this.scope(s, bind)} AND t.state = $open AND t.dueAt >= $from AND t.dueAt < $to
       ORDER BY t.dueAt, t.id LIMIT ${Math.trunc(limit)}`,
      bind,
    );
  }

  /** Open overdue tasks of projects in scope (optionally offered to one group), the longest overdue first. */
  async overdueTasks(s: ProjectScope, now: Date, group?: string, limit = 200) {
    const bind: Record<string, unknown> = { now: this.at(now), open: 'open' };
    const byGroup = group === undefined ? '' : ((bind.kind = 'group'), (bind.grp = group), ' AND EXISTS (SELECT 1 FROM task_candidates c WHERE c.taskId = t.id AND c.kind = $kind AND c.value = $grp)');
    return this.rows<{ id: number; activityId: string; name: string | null; definitionKey: string; instanceId: string; dueAt: string | Date; projectId: number; projectName: string; unitCode: string }>(
      `SELECT t.id, t.activityId, t.name, t.definitionKey, t.instanceId, t.dueAt, p.id AS projectId, p.name AS projectName, p.unitCode
       FROM tasks t JOIN projects p ON p.id = t.projectId
       WHERE ${this.scope(s, bind)} AND t.state = $open AND t.dueAt IS NOT NULL AND t.dueAt < $now${byGroup}
       ORDER BY t.dueAt, t.id LIMIT ${Math.trunc(limit)}`,
      bind,
    );
  }

  /** Completed instances of projects in scope: (start day, end day) pairs per process key. */
  async instanceDayPairs(s: ProjectScope): Promise<DayPair[]> {
    const bind: Record<string, unknown> = { completed: 'completed' };
    return this.rows<DayPair>(
      `SELECT i.definitionKey AS \`key\`, ${this.day('i.startedAt')} AS \`from\`, ${this.day('i.endedAt')} AS \`to\`, COUNT(*) AS n
       FROM process_instances i JOIN projects p ON p.id = i.projectId
       WHERE ${this.scope(s, bind)} AND i.state = $completed AND i.endedAt IS NOT NULL
       GROUP BY i.definitionKey, ${this.day('i.startedAt')}, ${this.day('i.endedAt')}`,
      bind,
    );
  }

  /** Completed user tasks of projects in scope: (created day, completed day) pairs per process key and step. */
  async taskDayPairs(s: ProjectScope): Promise<(DayPair & { name: string | null })[]> {
    const bind: Record<string, unknown> = { completed: 'completed' };
    return this.rows<DayPair & { name: string | null }>(
      `SELECT ${this.concatKey()} AS \`key\`, MAX(t.name) AS name, ${this.day('t.createdAt')} AS \`from\`, ${this.day('t.completedAt')} AS \`to\`, COUNT(*) AS n
       FROM tasks t JOIN projects p ON p.id = t.projectId
       WHERE ${this.scope(s, bind)} AND t.state = $completed AND t.completedAt IS NOT NULL
       GROUP BY t.definitionKey, t.activityId, ${this.day('t.createdAt')}, ${this.day('t.completedAt')}`,
      bind,
    );
  }

  private concatKey(): string {
    return this.sqlite ? "t.definitionKey || '/' || t.activityId" : "CONCAT(t.definitionKey, '/', t.activityId)";
  }

  /**
   * Per element of one definition version: tokens waiting there now, completed passes, and the average
   * and 90th-percentile duration (window functions, on both databases) of passes started in [from, to).
   * Instances are those of projects in scope, plus — when `projectless` — those without a project.
   */
  async elementFigures(definitionId: number, s: ProjectScope, projectless: boolean, range: { from?: Date; to?: Date }): Promise<ElementFigures[]> {
    const bind: Record<string, unknown> = { def: definitionId };
    const inScope = `(i.projectId IS NULL AND ${projectless ? '1 = 1' : '1 = 0'}) OR i.projectId IN (SELECT p.id FROM projects p WHERE ${this.scope(s, bind)})`;
    let when = '';
    if (range.from) [when, bind.from] = [`${when} AND h.startedAt >= $from`, this.at(range.from)];
    if (range.to) [when, bind.to] = [`${when} AND h.startedAt < $to`, this.at(range.to)];
    // history is append-only (the trail): an execution's end is a closing row naming its start row
    const base = `FROM activity_history h LEFT JOIN activity_history c ON c.closesId = h.id JOIN process_instances i ON i.id = h.instanceId
      WHERE h.closesId IS NULL AND i.definitionId = $def AND (${inScope})${when}`;
    const ended = 'COALESCE(h.endedAt, c.endedAt)';
    const duration = this.durationMs('h.startedAt', ended);
    const [counts, percentiles] = await Promise.all([
      this.rows<{ activityId: string; running: number; completed: number; avgMs: number | null }>(
        `SELECT h.activityId, SUM(CASE WHEN ${ended} IS NULL THEN 1 ELSE 0 END) AS running, SUM(CASE WHEN ${ended} IS NULL THEN 0 ELSE 1 END) AS completed,
           AVG(CASE WHEN ${ended} IS NULL THEN NULL ELSE ${duration} END) AS avgMs
         ${base} GROUP BY h.activityId`,
        bind,
      ),
      this.rows<{ activityId: string; p90Ms: number }>(
        `SELECT activityId, MIN(d) AS p90Ms FROM (
           SELECT h.activityId, ${duration} AS d, CUME_DIST() OVER (PARTITION BY h.activityId ORDER BY ${duration}) AS cd
           ${base} AND ${ended} IS NOT NULL
         ) ranked WHERE cd >= 0.9 GROUP BY activityId`,
        bind,
      ),
    ]);
    const p90 = new Map(percentiles.map((r) => [r.activityId, Number(r.p90Ms)]));
    return counts.map((r) => ({
      activityId: r.activityId,
      running: Number(r.running),
      completed: Number(r.completed),
      avgMs: r.avgMs === null ? null : Math.round(Number(r.avgMs)),
      p90Ms: p90.has(r.activityId) ? Math.round(p90.get(r.activityId)!) : null,
    }));
  }
}
