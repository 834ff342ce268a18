import * as echarts from 'echarts/core';
import { BarChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { api, mount } from '../api';

echarts.use([BarChart, PieChart, GridComponent, TooltipComponent, SVGRenderer]);

interface Row {
  label: string;
  count: number;
  href: string;
}
interface Dashboard {
  projectsByStage: Row[];
  projectsByUnit: Row[];
}

/**
 * 运行监控 charts (Apache ECharts, bundled): projects by stage and by unit; a click on a bar or slice
 * opens the list behind it. The tables under each chart carry the same figures for every reader.
 */
mount('dashboard', async (root) => {
  const year = root.dataset.year;
  const data = await api<Dashboard>('GET', `/api/dashboard${year ? `?planYear=${encodeURIComponent(year)}` : ''}`);
  const draw = (name: string, rows: Row[], kind: 'pie' | 'bar') => {
    const el = root.querySelector<HTMLElement>(`[data-chart="${name}"]`);
    if (!el || !rows.length) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg' });
    chart.setOption(
      kind === 'pie'
        ? { tooltip: { trigger: 'item' }, series: [{ type: 'pie', radius: ['35%', '65%'], data: rows.map((r) => ({ name: r.label, value: r.count })) }] }
        : {
            tooltip: { trigger: 'axis' },
            grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: true },
            xAxis: { type: 'value', minInterval: 1 },
            yAxis: { type: 'category', data: rows.map((r) => r.label), axisLabel: { width: 120, overflow: 'truncate' } },
            series: [{ type: 'bar', data: rows.map((r) => r.count), itemStyle: { color: '#1d4ed8' } }],
          },
    );
    chart.on('click', (p) => {
      const row = rows[p.dataIndex as number];
      if (row) window.location.assign(row.href);
    });
    window.addEventListener('resize', () => chart.resize());
    el.dataset.ready = 'true';
  };
  draw('stage', data.projectsByStage, 'pie');
  draw('unit', data.projectsByUnit, 'bar');
  root.querySelectorAll<HTMLElement>('[data-href]').forEach((row) =>
    row.addEventListener('click', (ev) => {
      if (!(ev.target as HTMLElement).closest('a')) window.location.assign(row.dataset.href!);
    }),
  );
});
