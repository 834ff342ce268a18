import type { Department, Group } from '../domain/organisation';
import type { OrganisationRepository } from '../persistence/repositories/organisation.repository';
import { AuthService } from './auth.service';

export interface OrganisationSeed {
  departments: Department[];
  groups: Group[];
  users: { username: string; displayName: string; departmentCode: string; groups: string[]; email?: string }[];
}

/** Seeds the demo organisation idempotently (a second run changes nothing; changed passwords are kept). */
export async function seedOrganisation(
  org: Pick<OrganisationRepository, 'upsertOrganisation'>,
  seed: OrganisationSeed,
  password: string,
): Promise<{ created: number }> {
  // one hash for all demo users: bcrypt is slow on purpose, and they share the demo password
  let hash: Promise<string> | null = null;
  return org.upsertOrganisation(seed.departments, seed.groups, seed.users, () => (hash ??= AuthService.hashPassword(password)));
}
