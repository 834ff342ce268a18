/**
 * The measures' processes shipped in processes/: every `*.bpmn` with every `*.form` beside it,
 * deployed by the seed at start (a diagram that did not change is not deployed again).
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROCESSES_DIR = path.resolve(__dirname, '../processes');

export function shippedProcesses(dir = PROCESSES_DIR): { file: string; xml: string; forms: { id: string }[] }[] {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).sort();
  const forms = files.filter((f) => f.endsWith('.form')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { id: string });
  return files
    .filter((f) => f.endsWith('.bpmn'))
    .map((file) => {
      const xml = fs.readFileSync(path.join(dir, file), 'utf8');
      return { file, xml, forms: forms.filter((f) => xml.includes(`formId="${f.id}"`)) };
    });
}
