/**
 * A diagram version as SVG, drawn from its BPMN DI without a browser: one picture per plane (the main
 * process and each drilled-down sub-process), shapes and flows where the modeler put them, names in
 * Chinese. For the electronic archive (第20条): a reader sees the process each decision was taken on.
 * Completed and active elements can be marked (the archive marks what the instance passed).
 */
import { getCompiledDefinition } from './definition-cache';
import type { CompiledDefinitionRef } from './types';

interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface DiElement {
  $type: string;
  id?: string;
  bounds?: Bounds;
  waypoint?: { x: number; y: number }[];
  label?: { bounds?: Bounds };
  isExpanded?: boolean;
  bpmnElement?: { $type: string; id: string; name?: string; eventDefinitions?: { $type: string }[]; triggeredByEvent?: boolean };
}
interface Plane {
  id: string;
  bpmnElement?: { id: string; name?: string };
  planeElement?: DiElement[];
}

export interface DiagramPicture {
  /** the plane's element id (the process or the sub-process) */
  planeOf: string;
  name: string | null;
  svg: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Lines of at most `width` px for 12 px text (a CJK character ≈ 12 px, a Latin one ≈ 7 px). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let w = 0;
  for (const ch of Array.from(text)) {
    const cw = /[\u0000-\u00ff]/.test(ch) ? 7 : 12;
    if (w + cw > width && line) {
      lines.push(line);
      line = '';
      w = 0;
    }
    line += ch;
    w += cw;
  }
  if (line) lines.push(line);
  return lines.slice(0, 4);
}

function textBlock(text: string, cx: number, top: number, width: number): string {
  return wrap(text, Math.max(width, 40))
    .map((l, i) => `<text x="${cx}" y="${top + 14 * (i + 1)}" text-anchor="middle" font-size="12">${esc(l)}</text>`)
    .join('');
}

function shape(d: DiElement, state: string | undefined): string {
  const b = d.bounds!;
  const el = d.bpmnElement!;
  const t = el.$type;
  const name = el.name ?? '';
  const stroke = state === 'active' ? '#1a73e8' : state === 'done' ? '#2e7d32' : '#333';
  const fill = state === 'active' ? '#e8f0fe' : state === 'done' ? '#edf7ee' : '#fff';
  const sw = state ? 2.5 : 1.5;
  const cx = b.x + b.width / 2;
  const cy = b.y + b.height / 2;
  const label = (below: boolean) =>
    d.label?.bounds ? textBlock(name, d.label.bounds.x + d.label.bounds.width / 2, d.label.bounds.y - 2, d.label.bounds.width + 20) : below ? textBlock(name, cx, b.y + b.height, 100) : '';
  if (t.endsWith('Event')) {
    const r = b.width / 2;
    const end = t === 'bpmn:EndEvent';
    const inner = t.includes('Intermediate') || t === 'bpmn:BoundaryEvent' ? `<circle cx="${cx}" cy="${cy}" r="${r - 3}" fill="none" stroke="${stroke}" stroke-width="1"/>` : '';
    const kind = el.eventDefinitions?.[0]?.$type.replace('bpmn:', '').replace('EventDefinition', '') ?? '';
    const mark = kind ? `<text x="${cx}" y="${cy + 4}" text-anchor="middle" font-size="9" fill="${stroke}">${esc({ Timer: '时', Message: '信', Error: '错', Signal: '号', Escalation: '升', Terminate: '止' }[kind] ?? '')}</text>` : '';
    return `<g><circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}" stroke="${stroke}" stroke-width="${end ? 4 : sw}"/>${inner}${mark}${label(true)}</g>`;
  }
  if (t.endsWith('Gateway')) {
    const p = `${cx},${b.y} ${b.x + b.width},${cy} ${cx},${b.y + b.height} ${b.x},${cy}`;
    const mark = t === 'bpmn:ParallelGateway' ? '+' : t === 'bpmn:ExclusiveGateway' ? '×' : t === 'bpmn:EventBasedGateway' ? '◎' : '○';
    return `<g><polygon points="${p}" fill="${fill}" stroke="${stroke}" stroke-width="${sw}"/><text x="${cx}" y="${cy + 6}" text-anchor="middle" font-size="18" fill="${stroke}">${mark}</text>${label(true)}</g>`;
  }
  if (t === 'bpmn:SequenceFlow' || t === 'bpmn:Association') return '';
  if (t === 'bpmn:TextAnnotation' || t === 'bpmn:DataObjectReference' || t === 'bpmn:DataStoreReference') {
    return `<g><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="#999" stroke-dasharray="3 3"/>${textBlock(name, cx, b.y, b.width - 8)}</g>`;
  }
  // tasks, sub-processes, call activities
  const dashed = el.triggeredByEvent ? ' stroke-dasharray="6 3"' : '';
  const thick = t === 'bpmn:CallActivity' ? 4 : sw;
  const collapsed = (t === 'bpmn:SubProcess' || t === 'bpmn:AdHocSubProcess') && !d.isExpanded;
  const plus = collapsed ? `<rect x="${cx - 6}" y="${b.y + b.height - 14}" width="12" height="12" fill="none" stroke="${stroke}"/><text x="${cx}" y="${b.y + b.height - 4}" text-anchor="middle" font-size="11">+</text>` : '';
  const text = d.isExpanded ? textBlock(name, cx, b.y, b.width - 10) : textBlock(name, cx, cy - 7 * Math.min(wrap(name, b.width - 10).length, 4), b.width - 10);
  return `<g><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="8" fill="${fill}" stroke="${stroke}" stroke-width="${thick}"${dashed}/>${text}${plus}</g>`;
}

function edge(d: DiElement, state: string | undefined): string {
  const pts = d.waypoint ?? [];
  if (pts.length < 2) return '';
  const colour = state === 'done' ? '#2e7d32' : '#555';
  const name = d.bpmnElement?.name;
  const lb = d.label?.bounds;
  const label = name ? `<text x="${lb ? lb.x + lb.width / 2 : (pts[0].x + pts[1].x) / 2}" y="${lb ? lb.y + 12 : (pts[0].y + pts[1].y) / 2 - 4}" text-anchor="middle" font-size="11" fill="#555">${esc(name)}</text>` : '';
  return `<g><polyline points="${pts.map((p) => `${p.x},${p.y}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="${state ? 2 : 1.2}" marker-end="url(#arrow)"/>${label}</g>`;
}

/**
 * One SVG per plane of the diagram. `marks`: element id → 'done' | 'active' (e.g. the activities an
 * instance passed and where it waits); unmarked elements are drawn plainly.
 */
export async function diagramPictures(ref: CompiledDefinitionRef, marks: Record<string, 'done' | 'active'> = {}): Promise<DiagramPicture[]> {
  const { moddleContext } = await getCompiledDefinition(ref);
  const root = (moddleContext as unknown as { rootElement?: { diagrams?: { plane?: Plane }[] } }).rootElement;
  const out: DiagramPicture[] = [];
  for (const diagram of root?.diagrams ?? []) {
    const plane = diagram.plane;
    const items = plane?.planeElement ?? [];
    if (!plane || !items.length) continue;
    const xs: number[] = [];
    const ys: number[] = [];
    for (const d of items) {
      if (d.bounds) {
        xs.push(d.bounds.x, d.bounds.x + d.bounds.width);
        ys.push(d.bounds.y, d.bounds.y + d.bounds.height + 40);
      }
      for (const p of d.waypoint ?? []) {
        xs.push(p.x);
        ys.push(p.y);
      }
      const lb = d.label?.bounds ?? (d.bounds && !d.waypoint ? { x: d.bounds.x + d.bounds.width / 2 - 60, y: d.bounds.y, width: 120, height: d.bounds.height } : null);
      if (lb) {
        xs.push(lb.x - 10, lb.x + lb.width + 10);
        ys.push(lb.y, lb.y + lb.height + 60);
      }
    }
    const [minX, minY] = [Math.min(...xs) - 20, Math.min(...ys) - 20];
    const [w, h] = [Math.max(...xs) - minX + 20, Math.max(...ys) - minY + 20];
    const state = (d: DiElement) => (d.bpmnElement ? marks[d.bpmnElement.id] : undefined);
    // containers first, then flows, then the rest on top
    const order = (d: DiElement) => (d.isExpanded ? 0 : d.waypoint ? 1 : 2);
    const body = [...items]
      .sort((a, b) => order(a) - order(b))
      .map((d) => (d.waypoint ? edge(d, state(d)) : d.bounds && d.bpmnElement ? shape(d, state(d)) : ''))
      .join('\n');
    const svg =
      `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="${minX} ${minY} ${w} ${h}" font-family="'Microsoft YaHei','WenQuanYi Micro Hei',sans-serif">\n` +
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>\n` +
      `<rect x="${minX}" y="${minY}" width="${w}" height="${h}" fill="#fff"/>\n${body}\n</svg>\n`;
    out.push({ planeOf: plane.bpmnElement?.id ?? plane.id, name: plane.bpmnElement?.name ?? null, svg });
  }
  return out;
}
