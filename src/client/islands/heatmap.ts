import { api, mount } from '../api';
import { badge, showDiagram } from '../diagram-viewer';

interface ElementFigures {
  activityId: string;
  running: number;
  completed: number;
  avgMs: number | null;
  p90Ms: number | null;
}

/** an element the modeler left unnamed, in words */
const UNNAMED: Record<string, string> = { 'bpmn:StartEvent': '开始', 'bpmn:EndEvent': '结束', 'bpmn:ExclusiveGateway': '条件分支', 'bpmn:ParallelGateway': '并行分支', 'bpmn:InclusiveGateway': '包容分支' };

/**
 * 流程运行分析: the version's diagram with a badge of the instances waiting at each element and each
 * element coloured by its average duration (five steps, shortest to longest) — a heatmap.
 */
mount('heatmap', async (root) => {
  const container = root.querySelector<HTMLElement>('[data-canvas]')!;
  const res = await fetch(root.dataset.xmlUrl!, { credentials: 'same-origin' });
  const [xml, figures] = await Promise.all([res.text(), api<{ elements: ElementFigures[] }>('GET', root.dataset.statsUrl!)]);
  const view = await showDiagram(container, xml, '明细见下表。');
  if (!view) return;
  const { canvas, registry, overlays } = view;
  const timed = figures.elements.filter((e) => e.avgMs !== null && registry.get(e.activityId));
  const max = Math.max(1, ...timed.map((e) => e.avgMs!));
  for (const e of timed) canvas.addMarker(e.activityId, `heat-${Math.min(4, Math.floor((e.avgMs! / max) * 5))}`);
  for (const e of figures.elements) {
    if (!e.running || !registry.get(e.activityId)) continue;
    overlays.add(e.activityId, { position: { top: -8, right: 8 }, html: badge(String(e.running), `${e.running} 个实例正在此环节`, { running: e.activityId }) });
  }
  // the table names each element as the diagram does
  root.querySelectorAll<HTMLTableRowElement>('tr[data-activity]').forEach((row) => {
    const el = registry.get(row.dataset.activity!);
    const name = el?.businessObject?.name || (el && UNNAMED[el.type]);
    if (name) row.querySelector('[data-name]')!.textContent = name;
  });
  canvas.zoom('fit-viewport');
  container.dataset.ready = 'true';
});
