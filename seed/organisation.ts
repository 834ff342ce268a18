/**
 * The demo organisation of ../shared/spec/seed.md — acceptance checks sign in as these users, so keep
 * the usernames and groups. Every password is SEED_PASSWORD (default GovFlow@2026), demo only.
 */
import type { Department, Group } from '../src/domain/organisation';

export const DEPARTMENTS: Department[] = [
  { code: 'sjj', name: '区数据局', kind: 'bureau', supervisorCode: null },
  { code: 'dzb', name: '区党政办公室', kind: 'bureau', supervisorCode: null },
  { code: 'wxb', name: '区党工委（区委）网信办', kind: 'bureau', supervisorCode: null },
  { code: 'fgw', name: '区发展改革委', kind: 'bureau', supervisorCode: null },
  { code: 'czj', name: '区财政局', kind: 'bureau', supervisorCode: null },
  { code: 'sjju', name: '区审计局', kind: 'bureau', supervisorCode: null },
  { code: 'gwh', name: '区管委会（区政府）', kind: 'bureau', supervisorCode: null },
  { code: 'zjk', name: '专家库', kind: 'pool', supervisorCode: null },
  { code: 'wjw', name: '区卫生健康委员会', kind: 'unit', supervisorCode: null },
  { code: 'rmyy', name: '区人民医院', kind: 'unit', supervisorCode: 'wjw' },
  { code: 'jyj', name: '区教育局', kind: 'unit', supervisorCode: null },
  { code: 'gaj', name: '区公安分局', kind: 'unit', supervisorCode: null },
];

export const GROUPS: Group[] = [
  { key: 'admin', name: '系统管理员', departmentCode: 'sjj' },
  { key: 'data-bureau', name: '区数据局', departmentCode: 'sjj' },
  { key: 'confidentiality', name: '区机要保密局', departmentCode: 'dzb' },
  { key: 'cryptography', name: '区国家密码管理局', departmentCode: 'dzb' },
  { key: 'cyberspace', name: '区委网信办', departmentCode: 'wxb' },
  { key: 'drc', name: '区发展改革委', departmentCode: 'fgw' },
  { key: 'finance', name: '区财政局', departmentCode: 'czj' },
  { key: 'audit', name: '区审计局', departmentCode: 'sjju' },
  { key: 'district-government', name: '区管委会（区政府）', departmentCode: 'gwh' },
  { key: 'experts', name: '评审专家', departmentCode: 'zjk' },
  ...DEPARTMENTS.filter((d) => d.kind === 'unit').map((d) => ({ key: `unit:${d.code}`, name: d.name, departmentCode: d.code })),
];

export interface SeedUser {
  username: string;
  displayName: string;
  departmentCode: string;
  groups: string[];
  /** demo mailbox (a reserved .test domain): notifications are e-mailed here when SMTP is configured */
  email?: string;
}

const DEMO_USERS: SeedUser[] = [
  { username: 'admin', displayName: '系统管理员', departmentCode: 'sjj', groups: ['admin', 'data-bureau'] },
  { username: 'sjj', displayName: '区数据局 审核员', departmentCode: 'sjj', groups: ['data-bureau'] },
  { username: 'bmj', displayName: '区机要保密局 审核员', departmentCode: 'dzb', groups: ['confidentiality'] },
  { username: 'mmj', displayName: '区国家密码管理局 审核员', departmentCode: 'dzb', groups: ['cryptography'] },
  { username: 'wxb', displayName: '区委网信办 审核员', departmentCode: 'wxb', groups: ['cyberspace'] },
  { username: 'fgw', displayName: '区发展改革委 审核员', departmentCode: 'fgw', groups: ['drc'] },
  { username: 'czj', displayName: '区财政局 审核员', departmentCode: 'czj', groups: ['finance'] },
  { username: 'sjju', displayName: '区审计局 审计员', departmentCode: 'sjju', groups: ['audit'] },
  { username: 'gwh', displayName: '区管委会 领导', departmentCode: 'gwh', groups: ['district-government'] },
  { username: 'zj1', displayName: '评审专家 一', departmentCode: 'zjk', groups: ['experts'] },
  { username: 'zj2', displayName: '评审专家 二', departmentCode: 'zjk', groups: ['experts'] },
  { username: 'zj3', displayName: '评审专家 三', departmentCode: 'zjk', groups: ['experts'] },
  { username: 'wjw', displayName: '区卫健委 信息科', departmentCode: 'wjw', groups: ['unit:wjw'] },
  { username: 'rmyy', displayName: '区人民医院 信息科', departmentCode: 'rmyy', groups: ['unit:rmyy'] },
  { username: 'jyj', displayName: '区教育局 信息科', departmentCode: 'jyj', groups: ['unit:jyj'] },
  { username: 'gaj', displayName: '区公安分局 科技科', departmentCode: 'gaj', groups: ['unit:gaj'] },
];

export const USERS: SeedUser[] = DEMO_USERS.map((u) => ({ ...u, email: `${u.username}@gaogang.gov.cn.test` }));
