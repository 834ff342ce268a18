/**
 * Runs lint rules over one parsed BPMN document: the executable processes and, container by
 * container (embedded sub-processes to any depth, iteratively), each element. The server's deploy
 * validation runs every rule at once (engine/validate-deployment.ts); the modeler's bpmnlint plugin
 * runs each rule on its own (./bpmnlint-plugin.ts) — the same code, so the editor shows what the
 * deploy would refuse.
 */
import { checkFeel, feelCostProblem } from './feel-syntax';
import {
  FEEL_CHARS_BUDGET,
  type LintContext,
  MAX_FEEL_LENGTH,
  MAX_FEEL_NESTING,
  MAX_PROBLEMS,
  type ModdleElement,
  type Problem,
  displayName,
  label,
  nonEmpty,
} from './model';
import { eventSubProcessShapeProblems } from './event-sub-process-shape';
import { IGNORED_FLOW_ELEMENTS } from './supported-elements';

/** Unresolved references moddle warned about: element → property (without bpmn:) → the id written. */
export type UnresolvedReferences = Map<ModdleElement, Map<string, string>>;

/** What a rule sees while it runs: where to report, the FEEL check, the installation. */
export interface RuleScope {
  readonly ctx: LintContext;
  add(el: ModdleElement | null, message: string): void;
  /** a problem not tied to an element */
  addGlobal(elementId: string | null, message: string): void;
  /** A FEEL value (with its leading '='): adds a problem unless it parses. */
  feel(el: ModdleElement, what: string, value: string): void;
  /** 不支持的元素类型 bpmn:ComplexGateway（复杂网关）「名称」 */
  unsupported(el: ModdleElement, what?: string, advice?: string): void;
  /** the id a reference was written with, when it points nowhere (server only: the modeler resolves references itself) */
  missingReference(el: ModdleElement, property: string): string | undefined;
  /** what the deploy records of the process being walked */
  readonly found: ProcessFindings;
  /** ids of the process's zeebe:userTaskForm (formKey camunda-forms:bpmn:<id>) */
  readonly embeddedFormIds: ReadonlySet<string>;
}

export interface ProcessFindings {
  formIds: string[];
  /** the elements that name each form (the deploy's refusal of a form that is not deployed points at them) */
  formElements: Record<string, string[]>;
  calledProcessIds: string[];
  messageNames: string[];
}

/**
 * One rule: a name (the bpmnlint rule is `govflow/<name>`), a Chinese description, and hooks the
 * walker calls in document order. Hooks report through the scope; they never throw on odd input.
 */
export interface LintRule {
  name: string;
  description: string;
  /** the document as a whole; false stops the walk (nothing else is looked at) */
  document?(definitions: ModdleElement, processes: ModdleElement[], executable: ModdleElement[], scope: RuleScope): boolean | void;
  /** each executable process, before its elements */
  process?(process: ModdleElement, scope: RuleScope): void;
  /** each container (process or embedded sub-process), with its flow elements and each node's outgoing flows */
  container?(container: ModdleElement, elements: ModdleElement[], outgoing: Map<ModdleElement, ModdleElement[]>, scope: RuleScope): void;
  /** every flow element of a container, ignored ones included */
  element?(el: ModdleElement, container: ModdleElement, scope: RuleScope): void;
  /** each flow node the runtime looks at (not sequence flows, not artifacts and lanes) */
  flowNode?(el: ModdleElement, container: ModdleElement, outgoing: ModdleElement[], scope: RuleScope): void;
  sequenceFlow?(flow: ModdleElement, container: ModdleElement, scope: RuleScope): void;
}

class Problems {
  readonly list: Problem[] = [];
  private dropped = 0;

  add(elementId: string | null | undefined, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ elementId: elementId ?? null, message });
    else this.dropped++;
  }

  get count(): number {
    return this.list.length + this.dropped;
  }

  result(): Problem[] {
    return this.dropped ? [...this.list, { elementId: null, message: `另有 ${this.dropped} 个问题未列出` }] : this.list;
  }
}

/** Nesting of (), [] and {} outside string literals, stopping once `limit` is exceeded. */
function bracketDepthExceeds(expression: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === '(' || c === '[' || c === '{') {
      if (++depth > limit) return true;
    } else if (c === ')' || c === ']' || c === '}') {
      depth--;
    }
  }
  return false;
}

export interface LintOptions {
  /** moddle's unresolved references (server); none in the modeler */
  unresolved?: UnresolvedReferences;
}

export interface LintResult {
  problems: Problem[];
  /** the executable processes, in document order, with what each one needs */
  processes: { process: ModdleElement; found: ProcessFindings }[];
  /** a rule's document hook stopped the walk */
  stopped: boolean;
}

/** Runs `rules` over the document; every problem found is listed (capped at MAX_PROBLEMS). */
export function lintDocument(definitions: ModdleElement, ctx: LintContext, rules: readonly LintRule[], opts: LintOptions = {}): LintResult {
  const problems = new Problems();
  const unresolved = opts.unresolved ?? new Map();
  let feelUsed = 0;
  let feelBudgetReported = false;
  let found: ProcessFindings = { formIds: [], formElements: {}, calledProcessIds: [], messageNames: [] };
  let embeddedFormIds: ReadonlySet<string> = new Set();

  const scope: RuleScope = {
    ctx,
    get found() {
      return found;
    },
    get embeddedFormIds() {
      return embeddedFormIds;
    },
    add: (el, message) => problems.add(el?.id ?? null, message),
    addGlobal: (elementId, message) => problems.add(elementId, message),
    unsupported(el, what, advice) {
      this.add(el, `不支持的元素类型 ${el.$type}${what ? `（${what}）` : ''}「${displayName(el)}」${advice ? `：${advice}` : ''}`);
    },
    missingReference: (el, property) => unresolved.get(el)?.get(property),
    feel(el, what, value) {
      const expression = value.trim();
      const body = expression.replace(/^=\s*/, '');
      let error: string | null = null;
      if (body === '') {
        error = 'FEEL 表达式为空';
      } else if (expression.length > MAX_FEEL_LENGTH) {
        error = `FEEL 表达式过长（${expression.length} 个字符，上限 ${MAX_FEEL_LENGTH}）`;
      } else if (bracketDepthExceeds(body, MAX_FEEL_NESTING)) {
        error = `FEEL 表达式的括号嵌套超过 ${MAX_FEEL_NESTING} 层`;
      } else if (feelCostProblem(expression)) {
        error = feelCostProblem(expression);
      } else if (feelUsed + expression.length > FEEL_CHARS_BUDGET) {
        if (!feelBudgetReported) {
          feelBudgetReported = true;
          problems.add(null, `FEEL 表达式总长度超过 ${FEEL_CHARS_BUDGET} 个字符，其余表达式未校验`);
        }
        return;
      } else {
        feelUsed += expression.length;
        let detail: string | null;
        try {
          detail = checkFeel(expression, 'expression');
        } catch (err) {
          // the parser itself gave up (e.g. its stack on pathological input)
          detail = (err as Error)?.message ?? String(err);
        }
        if (detail) error = `FEEL 表达式无法解析：${detail.replace(/^FEEL\s*表达式无法解析\s*[:：]\s*/, '')}`;
      }
      if (error) this.add(el, `${label(el)}的${what}：${error}`);
    },
  };

  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  const executable = processes.filter((p) => p.isExecutable === true);
  const walked: LintResult['processes'] = [];
  for (const rule of rules) {
    if (rule.document?.(definitions, processes, executable, scope) === false) return { problems: problems.result(), processes: walked, stopped: true };
  }

  for (const process of executable) {
    found = { formIds: [], formElements: {}, calledProcessIds: [], messageNames: [] };
    embeddedFormIds = new Set(
      (process.extensionElements?.values ?? []).filter((v) => v.$type === 'zeebe:UserTaskForm' && nonEmpty(v.id)).map((v) => v.id as string),
    );
    for (const rule of rules) rule.process?.(process, scope);
    // iterative: sub-processes may be nested arbitrarily deep
    const containers: ModdleElement[] = [process];
    while (containers.length > 0) {
      const container = containers.pop() as ModdleElement;
      const elements = container.flowElements ?? [];
      const outgoing = new Map<ModdleElement, ModdleElement[]>();
      for (const el of elements) {
        if (el.$type !== 'bpmn:SequenceFlow' || !el.sourceRef) continue;
        outgoing.set(el.sourceRef, [...(outgoing.get(el.sourceRef) ?? []), el]);
      }
      for (const rule of rules) rule.container?.(container, elements, outgoing, scope);
      for (const el of elements) {
        for (const rule of rules) rule.element?.(el, container, scope);
        if (el.$type === 'bpmn:SequenceFlow') {
          for (const rule of rules) rule.sequenceFlow?.(el, container, scope);
          continue;
        }
        if (IGNORED_FLOW_ELEMENTS.has(el.$type)) continue;
        for (const rule of rules) rule.flowNode?.(el, container, outgoing.get(el) ?? [], scope);
        // embedded sub-processes are walked too, and well-formed event sub-processes (an ill-formed one is refused as a whole)
        if (el.$type === 'bpmn:SubProcess' && (!el.triggeredByEvent || eventSubProcessShapeProblems(el, container, outgoing.get(el) ?? []).length === 0)) containers.push(el);
      }
    }
    walked.push({ process, found });
  }
  return { problems: problems.result(), processes: walked, stopped: false };
}

/** false (and a problem) when an expression names a language other than FEEL */
export function languageIsFeel(el: ModdleElement, what: string, expr: ModdleElement, scope: RuleScope): boolean {
  const language = nonEmpty(expr.language);
  if (language && !/feel/i.test(language)) {
    scope.add(el, `${label(el)}的${what}：不允许使用脚本/表达式语言 "${language}"，只支持 FEEL 表达式（以 = 开头）`);
    return false;
  }
  return true;
}
