import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import './tracking.css';

export interface ElementRegistry {
  get(id: string): { id: string; type: string; businessObject?: { name?: string } } | undefined;
}
export interface Canvas {
  addMarker(id: string, marker: string): void;
  zoom(mode?: string | number): number;
  scrollToElement(element: unknown): void;
}
export interface Overlays {
  add(id: string, overlay: { position: { top?: number; right?: number; bottom?: number; left?: number }; html: HTMLElement }): void;
}
export interface EventBus {
  on(event: string, fn: (e: { element: { id: string; type: string } }) => void): void;
}

/** A read-only bpmn-js viewer of one diagram in `container`, with the services the islands mark it through. */
export interface DiagramView {
  viewer: NavigatedViewer;
  canvas: Canvas;
  registry: ElementRegistry;
  overlays: Overlays;
  eventBus: EventBus;
}

/**
 * Draws `xml` in `container`; null when the diagram has no layout (BPMN DI) — then the container says
 * so (`hint`: where the reader finds the same facts) and is marked `data-ready="no-diagram"`.
 */
export async function showDiagram(container: HTMLElement, xml: string, hint: string): Promise<DiagramView | null> {
  const viewer = new NavigatedViewer({ container });
  try {
    await viewer.importXML(xml);
  } catch {
    container.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: `此流程图没有图形布局信息（BPMN DI），无法显示；${hint}` }));
    container.dataset.ready = 'no-diagram';
    return null;
  }
  return {
    viewer,
    canvas: viewer.get<Canvas>('canvas'),
    registry: viewer.get<ElementRegistry>('elementRegistry'),
    overlays: viewer.get<Overlays>('overlays'),
    eventBus: viewer.get<EventBus>('eventBus'),
  };
}

/** A round number badge on an element (instances waiting, times passed). */
export function badge(text: string, title: string, data: Record<string, string> = {}): HTMLElement {
  const el = document.createElement('span');
  el.className = 'gf-badge';
  el.title = title;
  el.textContent = text;
  Object.assign(el.dataset, data);
  return el;
}
