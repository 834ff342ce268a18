import type { Request, Response } from 'express';
import type { StatisticsService } from '../../services/statistics.service';

/** 监控 figures: the dashboard and the per-element figures of a process version (JSON). */
export function statisticsController(s: Pick<StatisticsService, 'dashboard' | 'processStatistics'>) {
  return {
    async dashboard(req: Request, res: Response) {
      res.json(await s.dashboard(req.user!, { planYear: req.query.planYear }));
    },
    async processStatistics(req: Request, res: Response) {
      res.json(await s.processStatistics(req.user!, String(req.params.key), { version: req.query.version, from: req.query.from, to: req.query.to }));
    },
  };
}
