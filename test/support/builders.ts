/** Test data builders with overrides. */

/** The body of POST /api/projects: an ordinary construction project of rmyy for 2027. */
export const draft = (over: Record<string, unknown> = {}) => ({
  name: '智慧医院信息平台',
  unitCode: 'rmyy',
  type: 'new',
  investment: 800000,
  planYear: 2027,
  classified: false,
  crossDepartment: false,
  participants: [],
  standaloneMobileApp: false,
  scopeCategory: 'informatization',
  inAnnualPlan: true,
  existingSystems: ['HIS'],
  description: '建设全院统一的信息平台',
  ...over,
});
