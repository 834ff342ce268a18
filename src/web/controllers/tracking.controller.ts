import type { Request, Response } from 'express';
import type { TrackingService } from '../../services/tracking.service';

/** 流程跟踪: one instance on its diagram (page and the island's JSON). */
export function trackingController(s: Pick<TrackingService, 'track'>) {
  return {
    async page(req: Request, res: Response) {
      const view = await s.track(String(req.params.id), req.user!);
      res.render('instance', { title: `${view.instance.processLabel} · 流程跟踪`, ...view, islands: ['tracking'] });
    },
    async json(req: Request, res: Response) {
      res.json(await s.track(String(req.params.id), req.user!));
    },
  };
}
