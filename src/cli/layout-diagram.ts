/**
 * npm run layout-diagram -- processes/x.bpmn [...]
 * Writes a full diagram layout (BPMN DI) into each file (src/engine/auto-layout.ts), so a diagram written as XML
 * opens in the modeler with every shape and every flow. Existing DI is replaced.
 */
import fs from 'node:fs';
import { layoutDiagram } from '../engine/auto-layout';

(async () => {
  for (const file of process.argv.slice(2)) {
    const laid = await layoutDiagram(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, laid.xml);
    process.stdout.write(`${file}: laid out (${laid.edges} edges, ${laid.planes} plane(s))\n`);
  }
})().catch((err) => {
  process.stderr.write(`layout failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
