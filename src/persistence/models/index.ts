import type { Sequelize } from 'sequelize';
import { initAuthModels } from './auth.model';
import { initCalendarModels } from './calendar.model';
import { initOrganisationModels } from './organisation.model';
import { initProjectModels } from './project.model';
import { initRuntimeModels } from './runtime.model';

/** Binds every model to the database (models are schema only; migrations create the tables). */
export function initModels(sequelize: Sequelize): void {
  initOrganisationModels(sequelize);
  initAuthModels(sequelize);
  initRuntimeModels(sequelize);
  initProjectModels(sequelize);
  initCalendarModels(sequelize);
}
