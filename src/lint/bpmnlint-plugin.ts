/**
 * The lint rules as a local bpmnlint plugin (`govflow`, package name bpmnlint-plugin-govflow): each
 * rule of ./rules becomes the bpmnlint rule `govflow/<name>`, built from the very module the deploy
 * validation runs, so the modeler (bpmn-js-bpmnlint) marks what the server would refuse. bpmnlint
 * visits every node; our rules work on the whole document, so each one runs when bpmnlint reaches
 * the bpmn:Definitions root and reports each problem on its element (a problem without an element
 * lands on the diagram's root in bpmn-js-bpmnlint).
 *
 * The installation data (handlers, groups) comes with the context: on the server from the
 * registries, in the browser from GET /api/handlers and GET /api/groups.
 */
import { lintDocument } from './lint-document';
import type { LintContext, ModdleElement } from './model';
import { RULES } from './rules';

export const PLUGIN_NAME = 'govflow';
export const PLUGIN_PACKAGE = `bpmnlint-plugin-${PLUGIN_NAME}`;

interface Reporter {
  report(id: string | undefined, message: string): void;
}

export interface BpmnlintRule {
  check(node: ModdleElement, reporter: Reporter): void;
}

/** the bpmnlint config and resolver of bpmn-js-bpmnlint's `linting.bpmnlint` option (and of bpmnlint's Linter) */
export interface BpmnlintSetup {
  config: { rules: Record<string, 'error' | 'warn' | 'off'> };
  resolver: {
    resolveRule(pkg: string, ruleName: string): (() => BpmnlintRule) | undefined;
    resolveConfig(pkg: string, configName: string): undefined;
  };
}

/** Every rule of the deploy, as the bpmnlint plugin `govflow`, with the installation `ctx`. */
export function govflowBpmnlint(ctx: LintContext): BpmnlintSetup {
  const factories = new Map(
    RULES.map((rule) => [
      rule.name,
      (): BpmnlintRule => ({
        check(node, reporter) {
          if (node.$type !== 'bpmn:Definitions') return;
          for (const p of lintDocument(node, ctx, [rule]).problems) reporter.report(p.elementId ?? undefined, p.message);
        },
      }),
    ]),
  );
  return {
    config: { rules: Object.fromEntries(RULES.map((rule) => [`${PLUGIN_NAME}/${rule.name}`, 'error' as const])) },
    resolver: {
      resolveRule: (pkg, ruleName) => (pkg === PLUGIN_PACKAGE ? factories.get(ruleName) : undefined),
      resolveConfig: () => undefined,
    },
  };
}
