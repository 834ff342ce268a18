import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import '../tracking.css';
import { api, mount } from '../api';

interface ElementFigures {
  activityId: string;
  running: number;
  completed: number;
  avgMs: number | null;
  p90Ms: number | null;
}
interface Registry {
  get(id: string): { id: string; type: string; businessObject?: { name?: string } } | undefined;
}

/** an element the modeler left unnamed, in words */
const UNNAMED: Record<string, string> = { 'bpmn:StartEvent': '开始', 'bpmn:EndEvent': '结束', 'bpmn:ExclusiveGateway': '条件分支', 'bpmn:ParallelGateway': '并行分支', 'bpmn:InclusiveGateway': '包容分支' };
interface Canvas {
  addMarker(id: string, marker: string): void;
  zoom(mode?: string | number): number;
}
interface Overlays {
  add(id: string, overlay: { position: { top?: number; right?: number }; html: HTMLElement }): void;
}

/**
 * 流程运行分析: the version's diagram with a badge of the instances waiting at each element and each
 * element coloured by its average duration (five steps, shortest to longest) — a heatmap.
 */
mount('heatmap', async (root) => {
  const container = root.querySelector<HTMLElement>('[data-canvas]')!;
  const res = await fetch(root.dataset.xmlUrl!, { credentials: 'same-origin' });
  const [xml, figures] = await Promise.all([res.text(), api<{ elements: ElementFigures[] }>('GET', root.dataset.statsUrl!)]);
  const viewer = new NavigatedViewer({ container });
  try {
    await viewer.importXML(xml);
  } catch {
    container.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: '此流程图没有图形布局信息（BPMN DI），无法显示；明细见下表。' }));
    container.dataset.ready = 'no-diagram';
    return;
  }
  const canvas = viewer.get<Canvas>('canvas');
  const registry = viewer.get<Registry>('elementRegistry');
  const overlays = viewer.get<Overlays>('overlays');
  const timed = figures.elements.filter((e) => e.avgMs !== null && registry.get(e.activityId));
  const max = Math.max(1, ...timed.map((e) => e.avgMs!));
  for (const e of timed) canvas.addMarker(e.activityId, `heat-${Math.min(4, Math.floor((e.avgMs! / max) * 5))}`);
  for (const e of figures.elements) {
    if (!e.running || !registry.get(e.activityId)) continue;
    const badge = document.createElement('span');
    badge.className = 'gf-badge';
    badge.dataset.running = e.activityId;
    badge.title = `${e.running} 个实例正在此环节`;
    badge.textContent = String(e.running);
    overlays.add(e.activityId, { position: { top: -8, right: 8 }, html: badge });
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
