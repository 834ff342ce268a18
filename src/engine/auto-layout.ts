/**
 * A diagram layout (BPMN DI) for a diagram written as XML without one, so that it opens in the modeler and
 * the viewer with every shape and flow (`npm run layout-diagram` writes it into files; the server lays out a
 * deployed diagram without DI when it hands the XML out). incoming/outgoing references are filled in
 * (bpmn-auto-layout draws no edges without them), the layout is made by bpmn-auto-layout, and the contents of
 * each embedded sub-process move to a plane of their own (bpmn-js drill-down) instead of overlapping the main
 * process. zeebe extension elements are kept. Existing DI is replaced.
 */
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';

interface El {
  $type: string;
  id: string;
  flowElements?: El[];
  sourceRef?: El;
  targetRef?: El;
  incoming?: El[];
  outgoing?: El[];
  bpmnElement?: El;
  isExpanded?: boolean;
  rootElements?: El[];
  diagrams?: { plane: { planeElement: El[] } }[];
}
interface Moddle {
  fromXML(xml: string): Promise<{ rootElement: El }>;
  toXML(el: El, opts?: { format: boolean }): Promise<{ xml: string }>;
  create(type: string, attrs: Record<string, unknown>): El;
}

const isContainer = (e: El) => e.$type === 'bpmn:Process' || e.$type === 'bpmn:SubProcess';

function linkFlows(container: El) {
  const nodes = (container.flowElements ?? []).filter((e) => e.$type !== 'bpmn:SequenceFlow');
  for (const n of nodes) {
    n.incoming = [];
    n.outgoing = [];
  }
  for (const f of (container.flowElements ?? []).filter((e) => e.$type === 'bpmn:SequenceFlow')) {
    f.sourceRef?.outgoing?.push(f);
    f.targetRef?.incoming?.push(f);
  }
  for (const n of nodes) if (isContainer(n)) linkFlows(n);
}

function subProcesses(container: El): El[] {
  return (container.flowElements ?? []).filter(isContainer).flatMap((s) => [s, ...subProcesses(s)]);
}

/** true when the document draws at least one shape (a diagram made in a modeler, or laid out already) */
export function hasLayout(xml: string): boolean {
  return /<([A-Za-z][\w-]*:)?BPMNShape[\s>]/.test(xml);
}

/** The document with a new layout: `{ xml, edges, planes }`. */
export async function layoutDiagram(xml: string): Promise<{ xml: string; edges: number; planes: number }> {
  const modName: string = 'bpmn-moddle'; // ESM-only, untyped
  const layoutName: string = 'bpmn-auto-layout';
  const { BpmnModdle } = (await import(modName)) as { BpmnModdle: new (p: Record<string, unknown>) => Moddle };
  const { layoutProcess } = (await import(layoutName)) as { layoutProcess(xml: string): Promise<string> };
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  const { rootElement: defs } = await moddle.fromXML(xml);
  for (const p of (defs.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process')) linkFlows(p);
  defs.diagrams = [];
  const laid = await layoutProcess((await moddle.toXML(defs)).xml);

  // one plane per embedded sub-process, holding the shapes and edges of its direct contents
  const { rootElement: out } = await moddle.fromXML(laid);
  const main = out.diagrams![0].plane;
  for (const sub of (out.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process').flatMap(subProcesses)) {
    const inside = new Set((sub.flowElements ?? []).map((e) => e.id));
    const mine = main.planeElement.filter((d) => d.bpmnElement && inside.has(d.bpmnElement.id));
    main.planeElement = main.planeElement.filter((d) => !mine.includes(d));
    const shape = main.planeElement.find((d) => d.bpmnElement?.id === sub.id);
    if (shape) shape.isExpanded = false;
    const plane = moddle.create('bpmndi:BPMNPlane', { id: `BPMNPlane_${sub.id}`, bpmnElement: sub, planeElement: mine });
    out.diagrams!.push(moddle.create('bpmndi:BPMNDiagram', { id: `BPMNDiagram_${sub.id}`, plane }) as unknown as { plane: { planeElement: El[] } });
  }
  return { xml: `${(await moddle.toXML(out, { format: true })).xml}\n`, edges: (laid.match(/<bpmndi:BPMNEdge/g) ?? []).length, planes: out.diagrams!.length };
}
