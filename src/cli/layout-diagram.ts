/**
 * npm run layout-diagram -- processes/x.bpmn [...]
 * Writes a full diagram layout (BPMNDiagram/DI) into each file with bpmn-auto-layout, so a diagram
 * drawn as XML opens in the modeler; zeebe extension elements are kept. Existing DI is replaced.
 */
import fs from 'node:fs';

(async () => {
  const name: string = 'bpmn-auto-layout'; // ESM-only
  const { layoutProcess } = (await import(name)) as { layoutProcess(xml: string): Promise<string> };
  for (const file of process.argv.slice(2)) {
    const xml = fs.readFileSync(file, 'utf8').replace(/<bpmndi:BPMNDiagram[\s\S]*<\/bpmndi:BPMNDiagram>\s*/g, '');
    fs.writeFileSync(file, await layoutProcess(xml));
    process.stdout.write(`${file}: laid out\n`);
  }
})();
