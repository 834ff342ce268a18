/**
 * npm run check-diagram -- processes/application-approval.bpmn [...]
 * Validates diagrams exactly as a deploy would (the shipped handlers, the seeded groups, the forms in
 * processes/), without a database. Exit code 1 when any diagram is refused.
 */
import fs from 'node:fs';
import { validateDeployment } from '../engine/validate-deployment';
import { BUILTIN_HANDLERS } from '../handlers';
import { GROUPS } from '../../seed/organisation';
import { shippedForms } from '../../seed/processes';

(async () => {
  const handlers = new Set(BUILTIN_HANDLERS.map((h) => h.name));
  const groups = new Set(GROUPS.map((g) => g.key));
  const forms = new Set(shippedForms().map((f) => f.id));
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const result = await validateDeployment(fs.readFileSync(file, 'utf8'), {
      hasHandler: (t) => handlers.has(t),
      hasGroup: (g) => groups.has(g),
      hasForm: (f) => forms.has(f),
    });
    if (result.ok) process.stdout.write(`${file}: ok (${result.processId}, forms: ${result.formIds.join(', ') || '—'})\n`);
    else {
      failed = true;
      process.stdout.write(`${file}: refused\n${result.problems.map((p) => `  ${p.elementId ?? '-'}: ${p.message}`).join('\n')}\n`);
    }
  }
  process.exit(failed ? 1 : 0);
})();
