import { api, mount } from '../api';
import { badge, showDiagram } from '../diagram-viewer';

interface Tracking {
  xml: string;
  markers: { completed: string[]; active: string[]; incidents: string[]; overdue: string[]; takenFlows: string[]; passes: Record<string, number> };
}


/**
 * 流程跟踪: the instance's own diagram version in the bpmn-js viewer, the path taken, where it waits,
 * overdue and failed elements marked; a click on an element shows only its records below.
 */
mount('tracking', async (root) => {
  const container = root.querySelector<HTMLElement>('[data-canvas]')!;
  const data = await api<Tracking>('GET', `/api/process-instances/${encodeURIComponent(root.dataset.instanceId!)}/tracking`);
  // a diagram deployed without a layout (BPMN DI) has nothing to draw: the records below still tell
  const view = await showDiagram(container, data.xml, '流转记录见下表；请在流程设计器中打开并重新部署。');
  if (!view) return;
  const { canvas, registry, overlays, eventBus } = view;
  const mark = (ids: string[], marker: string) => ids.filter((id) => registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
  mark(data.markers.takenFlows, 'gf-taken');
  mark(data.markers.completed, 'gf-done');
  mark(data.markers.active, 'gf-active');
  mark(data.markers.overdue, 'gf-overdue');
  mark(data.markers.incidents, 'gf-incident');
  for (const [id, n] of Object.entries(data.markers.passes)) {
    const el = registry.get(id);
    if (!el || n < 2 || el.type.endsWith('SequenceFlow')) continue;
    overlays.add(id, { position: { top: -8, right: 8 }, html: badge(String(n), `经过 ${n} 次`) });
  }
  canvas.zoom('fit-viewport');
  // a long diagram fitted into the box is too small to read: zoom in on where the instance waits
  const focus = registry.get(data.markers.active[0] ?? data.markers.completed[data.markers.completed.length - 1] ?? '');
  if (focus && canvas.zoom() < 0.6) {
    canvas.zoom(0.8);
    canvas.scrollToElement(focus);
  }
  container.dataset.ready = 'true';

  // a click on an element: only its records; 显示全部 shows every record again
  const rows = [...root.querySelectorAll<HTMLTableRowElement>('tr[data-activity]')];
  const label = root.querySelector<HTMLElement>('[data-filter-label]')!;
  const showAll = root.querySelector<HTMLButtonElement>('[data-show-all]')!;
  const filter = (id: string | null, name = '') => {
    rows.forEach((r) => (r.hidden = id !== null && r.dataset.activity !== id));
    label.textContent = id ? `（${name || id}）` : '';
    showAll.hidden = id === null;
  };
  eventBus.on('element.click', (e) => {
    if (e.element.type === 'bpmn:Process' || e.element.type.endsWith('SequenceFlow')) return filter(null);
    const name = rows.find((r) => r.dataset.activity === e.element.id)?.cells[0]?.textContent?.trim() ?? '';
    filter(e.element.id, name);
  });
  showAll.addEventListener('click', () => filter(null));
});
