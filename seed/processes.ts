/**
 * The measures' processes shipped in processes/: every `*.bpmn` with every `*.form` beside it,
 * deployed by the seed at start (a diagram that did not change is not deployed again).
 */
import fs from 'node:fs';
import path from 'node:path';

export const PROCESSES_DIR = path.resolve(__dirname, '../processes');

/** Every form in processes/ (a diagram being written may use one no deployed diagram references yet). */
export function shippedForms(dir = PROCESSES_DIR): { id: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.form'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { id: string });
}

export function shippedProcesses(dir = PROCESSES_DIR): { file: string; xml: string; forms: { id: string }[] }[] {
  if (!fs.existsSync(dir)) return [];
  const forms = shippedForms(dir);
  return fs
    .readdirSync(dir)
    .sort()
    .filter((f) => f.endsWith('.bpmn'))
    .map((file) => {
      const xml = fs.readFileSync(path.join(dir, file), 'utf8');
      return { file, xml, forms: forms.filter((f) => xml.includes(`formId="${f.id}"`)) };
    });
}
