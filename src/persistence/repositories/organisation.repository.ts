import { Op, type Sequelize } from 'sequelize';
import type { Department, Group, User } from '../../domain/organisation';
import { DepartmentModel, GroupModel, UserGroupModel, UserModel } from '../models/organisation.model';

export interface UserWithSecret extends User {
  passwordHash: string;
}

function toUser(m: UserModel, groups: string[]): User {
  return {
    id: m.id,
    username: m.username,
    displayName: m.displayName,
    departmentCode: m.departmentCode,
    email: m.email,
    groups: [...groups].sort(),
    active: Boolean(m.active),
  };
}

export class OrganisationRepository {
  /** moves on at every change made through this repository (the auth cache compares it) */
  revision = 0;

  constructor(private readonly sequelize: Sequelize) {}

  private async groupsOf(userIds: number[]): Promise<Map<number, string[]>> {
    const rows = await UserGroupModel.findAll({ where: { userId: { [Op.in]: userIds } } });
    const map = new Map<number, string[]>();
    for (const r of rows) map.set(r.userId, [...(map.get(r.userId) ?? []), r.groupKey]);
    return map;
  }

  async findUserWithSecret(username: string): Promise<UserWithSecret | null> {
    const m = await UserModel.findOne({ where: { username } });
    if (!m) return null;
    const groups = (await this.groupsOf([m.id])).get(m.id) ?? [];
    return { ...toUser(m, groups), passwordHash: m.passwordHash };
  }

  async findUserById(id: number): Promise<User | null> {
    const m = await UserModel.findByPk(id);
    if (!m) return null;
    return toUser(m, (await this.groupsOf([m.id])).get(m.id) ?? []);
  }

  async findUsersByUsername(usernames: string[]): Promise<User[]> {
    const ms = await UserModel.findAll({ where: { username: { [Op.in]: usernames } } });
    const groups = await this.groupsOf(ms.map((m) => m.id));
    return ms.map((m) => toUser(m, groups.get(m.id) ?? []));
  }

  async usersInGroups(groupKeys: string[]): Promise<User[]> {
    const links = await UserGroupModel.findAll({ where: { groupKey: { [Op.in]: groupKeys } } });
    const ids = [...new Set(links.map((l) => l.userId))];
    const ms = await UserModel.findAll({ where: { id: { [Op.in]: ids }, active: true } });
    const groups = await this.groupsOf(ids);
    return ms.map((m) => toUser(m, groups.get(m.id) ?? []));
  }

  async listGroups(): Promise<Group[]> {
    const rows = await GroupModel.findAll({ order: [['key', 'ASC']] });
    return rows.map((g) => ({ key: g.key, name: g.name, departmentCode: g.departmentCode }));
  }

  async listDepartments(): Promise<Department[]> {
    const rows = await DepartmentModel.findAll({ order: [['code', 'ASC']] });
    return rows.map((d) => ({ code: d.code, name: d.name, kind: d.kind as Department['kind'], supervisorCode: d.supervisorCode }));
  }

  async findDepartment(code: string): Promise<Department | null> {
    const d = await DepartmentModel.findByPk(code);
    return d ? { code: d.code, name: d.name, kind: d.kind as Department['kind'], supervisorCode: d.supervisorCode } : null;
  }

  /** Idempotent: creates what is missing, brings names and memberships up to date; never resets a changed password. */
  async upsertOrganisation(
    departments: Department[],
    groups: Group[],
    users: { username: string; displayName: string; departmentCode: string; groups: string[]; email?: string | null }[],
    hash: (username: string) => Promise<string>,
  ): Promise<{ created: number }> {
    let created = 0;
    this.revision++;
    await this.sequelize.transaction(async (transaction) => {
      for (const d of departments) {
        await DepartmentModel.upsert({ code: d.code, name: d.name, kind: d.kind, supervisorCode: d.supervisorCode }, { transaction });
      }
      for (const g of groups) {
        await GroupModel.upsert({ key: g.key, name: g.name, departmentCode: g.departmentCode }, { transaction });
      }
      for (const u of users) {
        let m = await UserModel.findOne({ where: { username: u.username }, transaction });
        if (!m) {
          m = await UserModel.create(
            {
              username: u.username,
              displayName: u.displayName,
              departmentCode: u.departmentCode,
              email: u.email ?? null,
              passwordHash: await hash(u.username),
              active: true,
            },
            { transaction },
          );
          created++;
        } else {
          await m.update({ displayName: u.displayName, departmentCode: u.departmentCode, email: m.email ?? u.email ?? null }, { transaction });
        }
        await UserGroupModel.destroy({ where: { userId: m.id, groupKey: { [Op.notIn]: u.groups } }, transaction });
        for (const g of u.groups) {
          await UserGroupModel.findOrCreate({ where: { userId: m.id, groupKey: g }, transaction });
        }
      }
    });
    this.revision++; // what a cache of users (the signed-in user of a token) holds is stale now
    return { created };
  }
}
