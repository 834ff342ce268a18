/**
 * Which projects a reader sees (第5条), as SQL (issue 13 item 6: lists in the database): everything; or the
 * ordinary (non-classified) projects, those of some units, the ordinary ones of the units they supervise, and a list
 * of ids (a participant's, a held task's — few). Built by the visibility service from the one rule
 * (`mayViewProject`); applied by the project and instance lists and by every statistics query.
 */
export type ProjectScope =
  | { all: true }
  | {
      all: false;
      /** every project that is not classified */
      ordinary: boolean;
      /** every project of these units (the reader's own) */
      units: string[];
      /** the ordinary projects of these units (those the reader's unit supervises) */
      supervisedUnits: string[];
      /** and these (a participant's, a held task's) */
      ids: number[];
    };

/** The scope as a condition on the projects alias (`p`), its values added to `bind` (sequelize's `$name` binds). */
export function projectScopeSql(s: ProjectScope, bind: Record<string, unknown>, alias = 'p'): string {
  if (s.all) return '1 = 1';
  const parts: string[] = [];
  const list = (prefix: string, values: (string | number)[]) => values.map((v, n) => ((bind[`${prefix}${n}`] = v), `$${prefix}${n}`)).join(', ');
  if (s.ordinary) parts.push(`${alias}.classified = 0`); // BOOLEAN is 0/1 on both databases
  if (s.units.length) parts.push(`${alias}.unitCode IN (${list('u', s.units)})`);
  if (s.supervisedUnits.length) parts.push(`(${alias}.classified = 0 AND ${alias}.unitCode IN (${list('v', s.supervisedUnits)}))`);
  if (s.ids.length) parts.push(`${alias}.id IN (${list('s', s.ids)})`);
  return parts.length ? `(${parts.join(' OR ')})` : '1 = 0';
}
