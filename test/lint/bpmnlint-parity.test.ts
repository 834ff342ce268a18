import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import zeebe from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { validateDeployment, type DeploymentContext, type Problem } from '../../src/engine/validate-deployment';
import { govflowBpmnlint } from '../../src/lint/bpmnlint-plugin';
import type { ModdleElement } from '../../src/lint/model';
import { RULES } from '../../src/lint/rules';

const DEPLOY = path.resolve(__dirname, '../fixtures/deploy');
const BAD = path.join(DEPLOY, 'lint');

// bpmnlint and bpmn-moddle have no type declarations here; ESM-only bpmn-moddle loads through import()
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Linter } = require('bpmnlint') as { Linter: new (o: object) => { lint(root: unknown): Promise<Record<string, { id?: string; message: string }[]>> } };
const MODDLE: string = 'bpmn-moddle';

const ctx: DeploymentContext = {
  hasHandler: (type) => ['notify', 'check-project-materials'].includes(type),
  hasGroup: (key) => ['finance', 'data-bureau'].includes(key),
  hasForm: () => true,
};

/** what the modeler runs: the bpmnlint plugin on the moddle tree, each report as {elementId, message} */
async function bpmnlintProblems(xml: string): Promise<Problem[]> {
  const { BpmnModdle } = (await import(MODDLE)) as { BpmnModdle: new (p: object) => { fromXML(x: string): Promise<{ rootElement: ModdleElement }> } };
  const { rootElement } = await new BpmnModdle({ zeebe }).fromXML(xml);
  const reports = await new Linter(govflowBpmnlint(ctx)).lint(rootElement);
  return Object.values(reports).flatMap((list) => list.map((r) => ({ elementId: r.id ?? null, message: r.message })));
}

const key = (p: Problem) => `${p.elementId ?? '—'} ${p.message}`;
const files = [
  ...fs.readdirSync(BAD).map((f) => path.join(BAD, f)),
  ...fs.readdirSync(DEPLOY).filter((f) => f.endsWith('.bpmn')).map((f) => path.join(DEPLOY, f)),
].filter((f) => f.endsWith('.bpmn'));

/**
 * One set of rules (src/lint/rules): the server's deploy validation and the modeler's bpmnlint plugin
 * are the same modules, so for every fixture they report the same problems on the same elements.
 */
describe('lint in the editor = validation at deploy (bpmnlint plugin govflow)', () => {
  it('the plugin has one bpmnlint rule per rule module, all errors', () => {
    const { config } = govflowBpmnlint(ctx);
    expect(Object.keys(config.rules)).to.deep.equal(RULES.map((r) => `govflow/${r.name}`));
    expect(new Set(Object.values(config.rules))).to.deep.equal(new Set(['error']));
  });

  for (const file of files) {
    it(`${path.relative(DEPLOY, file)}: the same problems on the server and in the modeler`, async () => {
      const xml = fs.readFileSync(file, 'utf8');
      const server = await validateDeployment(xml, ctx);
      const editor = await bpmnlintProblems(xml);
      const serverProblems = server.ok ? [] : server.problems;
      expect(editor.map(key).sort()).to.deep.equal(serverProblems.map(key).sort());
      if (path.dirname(file) === BAD) expect(serverProblems.length, 'a bad fixture has problems').to.be.greaterThan(2);
    });
  }

  it('the bad fixtures cover every rule', async () => {
    const seen = new Set<string>();
    for (const file of fs.readdirSync(BAD)) {
      const { BpmnModdle } = (await import(MODDLE)) as { BpmnModdle: new (p: object) => { fromXML(x: string): Promise<{ rootElement: ModdleElement }> } };
      const { rootElement } = await new BpmnModdle({ zeebe }).fromXML(fs.readFileSync(path.join(BAD, file), 'utf8'));
      const reports = await new Linter(govflowBpmnlint(ctx)).lint(rootElement);
      for (const [rule, list] of Object.entries(reports)) if (list.length) seen.add(rule);
    }
    expect([...seen].sort()).to.deep.equal(RULES.map((r) => `govflow/${r.name}`).sort());
  });
});
