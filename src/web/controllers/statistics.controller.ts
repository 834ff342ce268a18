import type { Request, Response } from 'express';
import type { StatisticsService } from '../../services/statistics.service';

/** 监控 figures: the dashboard and the per-element figures of a process version (JSON). */
export function statisticsController(s: Pick<StatisticsService, 'dashboard' | 'processStatistics'>) {
  const day = (v: unknown) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : '');
  return {
    /** 流程运行分析: one version with its tokens and durations per element (a heatmap over the diagram, a table below). */
    async processPage(req: Request, res: Response) {
      const query = { version: req.query.version, from: day(req.query.from), to: day(req.query.to) };
      const figures = await s.processStatistics(req.user!, String(req.params.key), query);
      const hours = (ms: number | null) => (ms === null ? '—' : ms < 60_000 ? '不到1分钟' : ms < 3_600_000 ? `${Math.round(ms / 60_000)} 分钟` : ms < 86_400_000 ? `${(ms / 3_600_000).toFixed(1)} 小时` : `${(ms / 86_400_000).toFixed(1)} 天`);
      res.render('process-statistics', {
        title: `${figures.name} · 运行分析`,
        figures,
        from: query.from,
        to: query.to,
        hours,
        dataUrl: `/api/process-definitions/${encodeURIComponent(figures.key)}/statistics?version=${figures.version}${query.from ? `&from=${query.from}` : ''}${query.to ? `&to=${query.to}` : ''}`,
        xmlUrl: `/api/process-definitions/${encodeURIComponent(figures.key)}/xml?version=${figures.version}`,
        islands: ['heatmap'],
      });
    },
    async dashboard(req: Request, res: Response) {
      res.json(await s.dashboard(req.user!, { planYear: req.query.planYear }));
    },
    async processStatistics(req: Request, res: Response) {
      res.json(await s.processStatistics(req.user!, String(req.params.key), { version: req.query.version, from: req.query.from, to: req.query.to }));
    },
  };
}
