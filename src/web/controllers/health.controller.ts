import type { Request, Response } from 'express';
import type { HealthService } from '../../services/health.service';

export function healthController(health: Pick<HealthService, 'check'>) {
  return {
    async check(_req: Request, res: Response) {
      try {
        res.json(await health.check());
      } catch {
        res.status(503).json({ status: 'unavailable' });
      }
    },
  };
}
