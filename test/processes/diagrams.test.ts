import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { validateDeployment } from '../../src/engine/validate-deployment';
import { BUILTIN_HANDLERS } from '../../src/handlers';
import { GROUPS } from '../../seed/organisation';
import { PROCESSES_DIR, shippedForms } from '../../seed/processes';

const files = fs.readdirSync(PROCESSES_DIR).filter((f) => f.endsWith('.bpmn'));

describe('the shipped diagrams (processes/)', () => {
  it('ships the four chapters and the audit', () => {
    expect(files).to.include.members(['application-approval.bpmn', 'annual-plan.bpmn', 'implementation-acceptance.bpmn', 'performance-supervision.bpmn', 'audit.bpmn']);
  });

  for (const file of files) {
    describe(file, () => {
      const xml = fs.readFileSync(path.join(PROCESSES_DIR, file), 'utf8');

      it('deploys: the shipped handlers, the seeded groups and the forms beside it', async () => {
        const handlers = new Set(BUILTIN_HANDLERS.map((h) => h.name));
        const groups = new Set(GROUPS.map((g) => g.key));
        const forms = new Set(shippedForms().map((f) => f.id));
        const result = await validateDeployment(xml, { hasHandler: (t) => handlers.has(t), hasGroup: (g) => groups.has(g), hasForm: (f) => forms.has(f) });
        expect(result.ok, JSON.stringify(!result.ok && result.problems)).to.equal(true);
      });

      it('has a full layout: a shape for every flow node and an edge for every sequence flow, so it opens in the modeler', () => {
        const ids = [...xml.matchAll(/<bpmn:(\w+) id="([^"]+)"/g)].filter(([, type]) => !['process', 'definitions', 'message', 'error', 'incoming', 'outgoing'].includes(type) && !/Definition$/.test(type)).map(([, type, id]) => ({ type, id }));
        const drawn = new Set([...xml.matchAll(/bpmnElement="([^"]+)"/g)].map((m) => m[1]));
        const missing = ids.filter((e) => !drawn.has(e.id));
        expect(missing, 'elements without DI').to.deep.equal([]);
        expect(ids.filter((e) => e.type === 'sequenceFlow').length).to.be.greaterThan(0);
      });

      it('names its activities and events in Chinese', () => {
        const unnamed = [...xml.matchAll(/<bpmn:(userTask|serviceTask|callActivity|subProcess)\b([^>]*)>/g)].filter(([, , attrs]) => !/name="[^"]*[\u4e00-\u9fa5][^"]*"/.test(attrs)).map(([, , attrs]) => /id="([^"]+)"/.exec(attrs)?.[1]);
        expect(unnamed).to.deep.equal([]);
      });
    });
  }
});
