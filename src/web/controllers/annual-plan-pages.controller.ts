import type { Request, Response } from 'express';
import { chineseDateTime, wanYuan as wan } from '../../domain/labels';
import type { AnnualPlanService } from '../../services/annual-plan.service';
import { positiveInt } from '../params';

/** 年度实施计划 pages (第7条(五)): the plans a reader may open, and one plan as its readers see it, with its Excel. */
export function annualPlanPagesController(s: Pick<AnnualPlanService, 'list' | 'get'>) {
  return {
    async list(req: Request, res: Response) {
      const plans = await s.list(req.user!);
      res.render('annual-plans', {
        title: '年度实施计划',
        plans: plans.map((p) => ({ id: p.id, year: p.year, projects: p.projectIds.length, createdAtText: chineseDateTime(p.createdAt), approvedAtText: chineseDateTime(p.approvedAt), href: `/annual-plans/${p.id}` })),
      });
    },
    async page(req: Request, res: Response) {
      const plan = await s.get(positiveInt(req.params.id, 'id'), req.user!); // 403 for whoever may not read it (第7条, 第5条)
      const total = plan.items.reduce((n, i) => n + Number(i.investment), 0);
      res.render('annual-plan', {
        title: `${plan.year}年度区级政务信息化项目实施计划`,
        plan,
        total: wan(total),
        wan,
        createdAtText: chineseDateTime(plan.createdAt),
        approvedAtText: chineseDateTime(plan.approvedAt),
        exportUrl: `/api/annual-plans/${plan.id}/export`,
        trackingUrl: plan.instanceId ? `/instances/${plan.instanceId}` : null,
      });
    },
  };
}
