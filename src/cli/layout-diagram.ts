/**
 * npm run layout-diagram -- processes/x.bpmn [...]
 * Writes a full diagram layout (BPMN DI) into each file, so a diagram written as XML opens in the
 * modeler with every shape and every flow: incoming/outgoing references are filled in (bpmn-auto-layout
 * draws no edges without them), the layout is made by bpmn-auto-layout, and the contents of each
 * embedded sub-process move to a plane of their own (bpmn-js drill-down) instead of overlapping the
 * main process. zeebe extension elements are kept. Existing DI is replaced.
 */
import fs from 'node:fs';
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

(async () => {
  const modName: string = 'bpmn-moddle'; // ESM-only, untyped
  const layoutName: string = 'bpmn-auto-layout';
  const { BpmnModdle } = (await import(modName)) as { BpmnModdle: new (p: Record<string, unknown>) => Moddle };
  const { layoutProcess } = (await import(layoutName)) as { layoutProcess(xml: string): Promise<string> };
  const moddle = new BpmnModdle({ zeebe: zeebeSchema });
  for (const file of process.argv.slice(2)) {
    const { rootElement: defs } = await moddle.fromXML(fs.readFileSync(file, 'utf8'));
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
    fs.writeFileSync(file, (await moddle.toXML(out, { format: true })).xml + '\n');
    const edges = (laid.match(/<bpmndi:BPMNEdge/g) ?? []).length;
    process.stdout.write(`${file}: laid out (${edges} edges, ${out.diagrams!.length} plane(s))\n`);
  }
})().catch((err) => {
  process.stderr.write(`layout failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
