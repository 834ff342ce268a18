import type { Database } from '../persistence/db';

export class HealthService {
  constructor(private readonly db: Database) {}

  async check(): Promise<{ status: 'ok'; db: 'sqlite' | 'mysql' }> {
    await this.db.sequelize.query('SELECT 1');
    return { status: 'ok', db: this.db.dialect };
  }
}
