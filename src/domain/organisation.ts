/** The organisation of the measures (第4条): departments, candidate groups, users. */
export type DepartmentKind = 'bureau' | 'unit' | 'pool';

export interface Department {
  code: string;
  name: string;
  kind: DepartmentKind;
  /** a unit's supervising department (主管部门), which endorses its applications (R5.2) */
  supervisorCode: string | null;
}

export interface Group {
  key: string;
  name: string;
  departmentCode: string | null;
}

export interface User {
  id: number;
  username: string;
  displayName: string;
  departmentCode: string | null;
  email: string | null;
  groups: string[];
  active: boolean;
}

/** One candidate group per project unit. */
export const unitGroup = (unitCode: string) => `unit:${unitCode}`;

export const isAdmin = (u: Pick<User, 'groups'>) => u.groups.includes('admin');
/** The project units a user belongs to (their `unit:<code>` groups). */
export const unitsOf = (u: Pick<User, 'groups'>) => u.groups.filter((g) => g.startsWith('unit:')).map((g) => g.slice(5));
