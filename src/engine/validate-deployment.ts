/**
 * Deploy-time validation of one BPMN document (Camunda 8 "zeebe" dialect) against what the GovFlow
 * runtime can execute. Pure: no database, no engine; everything it needs to know about the
 * installation comes through DeploymentContext. It never throws and lists every problem at once
 * (capped at MAX_PROBLEMS) so the modeler can mark them all.
 *
 * Parsing: bpmn-moddle with the zeebe extension, in lax mode. moddle does not throw for most
 * defects — it drops the offending element and adds a *warning*. Warnings are classified here:
 * - fatal: every "unparsable content" warning (unknown element in the bpmn/zeebe namespaces, element
 *   in the wrong place, duplicate or illegal ID — moddle silently drops such elements, so the
 *   diagram would run without them), and unresolved references that the runtime follows
 *   (sequence flow source/target, boundary attachedToRef, gateway default, messageRef, errorRef);
 * - ignored: unknown attributes (vendor attributes such as camunda:*, triso:*), unsupported
 *   document encoding (the caller already decoded the text), unresolved references elsewhere
 *   (operations, item definitions, DI), and elements of foreign namespaces (kept as generic
 *   elements, e.g. other tools' extensionElements).
 *
 * Decisions beyond the brief:
 * - bpmn:SendTask and bpmn:BusinessRuleTask are accepted when they carry zeebe:taskDefinition and run
 *   as service tasks (JOB_WORKER_TASK_TYPES); a business rule task with zeebe:calledDecision (DMN)
 *   is refused.
 * - Every process and embedded sub-process needs exactly one none start event (Zeebe's rule).
 * - Only outgoing flows of exclusive and inclusive gateways may carry a condition (Zeebe's rule;
 *   bpmn-engine would also evaluate conditions on flows out of tasks).
 * - A `language` attribute on any expression is refused unless it names FEEL.
 * - zeebe:executionListeners and zeebe:taskListeners are refused (the runtime would ignore them).
 * - Forms: zeebe:formDefinition formId (static, checked with ctx.hasForm) or formKey
 *   `camunda-forms:bpmn:<id>` pointing at a zeebe:userTaskForm of the process; other formKeys and
 *   externalReference are refused. Start events may carry a formDefinition too (start form).
 * - Timer and schedule literals are checked with the runtime's own parser (./iso8601), so what
 *   deploys is what runs: timeDate and timeDuration each take a duration or a date / date-time (a
 *   date-time without offset is Asia/Shanghai time), timeCycle R[n]/[start/]duration[/end] with a
 *   positive interval; cron is refused.
 * - zeebe:taskDefinition retries: a non-negative integer or FEEL.
 * - Message subscriptions' correlationKey is optional; when written as FEEL it must parse.
 */
import { lintDocument, type UnresolvedReferences } from '../lint/lint-document';
import { type LintContext, MAX_PROBLEMS, type ModdleElement, type Problem, nonEmpty } from '../lint/model';
import { xmlStructureProblem } from './xml-reader';
import { RULES } from '../lint/rules';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';

export { FEEL_CHARS_BUDGET, MAX_FEEL_LENGTH, MAX_FEEL_NESTING, MAX_PROBLEMS, type Problem } from '../lint/model';
export { MAX_EXECUTABLE_PROCESSES } from '../lint/rules/structure';
export {
  IGNORED_BPMN_ELEMENTS,
  JOB_WORKER_TASK_TYPES,
  SUPPORTED_BPMN_ELEMENTS,
  SUPPORTED_ELEMENT_TYPES,
  type SupportedElement,
} from '../lint/supported-elements';

/** What the deploy knows about the installation: the lint rules' context (src/lint/model.ts). */
export type DeploymentContext = LintContext;

export interface DeployableProcess {
  processId: string;
  name: string;
  formIds: string[];
  /** formId → the ids of the elements that name it */
  formElements: Record<string, string[]>;
  calledProcessIds: string[];
  messageNames: string[];
}

/**
 * ok: the document's executable processes, in document order, each deployed as its own key (issue 12
 * item 15); the top-level fields describe the first of them.
 */
export type ValidationResult =
  | ({ ok: true; processes: DeployableProcess[] } & DeployableProcess)
  | { ok: false; problems: Problem[] };

export const MAX_BPMN_BYTES = 5 * 1024 * 1024;
/** deeper XML nesting is refused before parsing (real diagrams stay far below 100) */
export const MAX_XML_DEPTH = 500;

interface ModdleWarning {
  message: string;
  error?: Error;
  element?: ModdleElement;
  property?: string;
  value?: string;
}

interface ModdleParseResult {
  rootElement?: ModdleElement;
  warnings?: ModdleWarning[];
}

interface Moddle {
  fromXML(xml: string, typeName?: string): Promise<ModdleParseResult>;
}

type ModdleConstructor = new (packages?: Record<string, unknown>) => Moddle;

// bpmn-moddle is ESM-only and its entry point has no type declarations: load it through a
// non-literal dynamic import (typed as any by TypeScript) and give it the view above.
const BPMN_MODDLE_MODULE: string = 'bpmn-moddle';
let moddlePromise: Promise<Moddle> | undefined;

function getModdle(): Promise<Moddle> {
  moddlePromise ??= import(BPMN_MODDLE_MODULE).then((mod: { BpmnModdle: ModdleConstructor }) => {
    return new mod.BpmnModdle({ zeebe: zeebeSchema });
  });
  return moddlePromise;
}

// ---------------------------------------------------------------------------------------------
// Pre-parse guards

function nestedError(message: string): string {
  const m = /nested error: ([^\n]*)/.exec(message);
  return (m ? m[1] : message.split('\n')[0]).trim();
}

function position(message: string): string {
  const line = /line: (\d+)/.exec(message);
  const column = /column: (\d+)/.exec(message);
  if (!line || !column) return '';
  return `（第 ${Number(line[1]) + 1} 行第 ${Number(column[1]) + 1} 列）`;
}

function describeParseFailure(err: unknown): string {
  const error = err as (Error & { warnings?: ModdleWarning[] }) | null;
  const message = typeof error?.message === 'string' ? error.message : String(err);
  const unexpectedRoot = error?.warnings
    ?.map((w) => /unexpected element <([^>]+)>/.exec(w.message)?.[1])
    .find((v) => v !== undefined);
  if (unexpectedRoot) {
    return `不是 BPMN 文档：根元素是 <${unexpectedRoot}>，应为 BPMN 2.0 命名空间（http://www.omg.org/spec/BPMN/20100524/MODEL）中的 <definitions>`;
  }
  if (/failed to parse document as/.test(message)) return '不是 BPMN 文档：根元素应为 BPMN 2.0 的 <definitions>';
  const nested = nestedError(message);
  if (/missing start tag/.test(nested)) return '不是 XML 文档：没有找到根元素';
  if (/unexpected end of file/.test(nested)) return `XML 不完整：文件意外结束${position(message)}`;
  return `XML 格式错误${position(message)}：${nested}`;
}

/** Fatal moddle warnings become problems; returns the unresolved references for the checks below. */
function classifyWarnings(warnings: ModdleWarning[], problems: Problem[]): UnresolvedReferences {
  const out = { add: (elementId: string | null, message: string) => problems.push({ elementId, message }) };
  const unresolved: UnresolvedReferences = new Map();
  for (const w of warnings) {
    const message = typeof w.message === 'string' ? w.message : '';
    if (message.startsWith('unresolved reference') && w.element && w.property) {
      const byProperty = unresolved.get(w.element) ?? new Map<string, string>();
      byProperty.set(w.property.replace(/^bpmn:/, ''), String(w.value ?? ''));
      unresolved.set(w.element, byProperty);
      continue;
    }
    if (!message.startsWith('unparsable content')) continue; // unknown attributes, encoding
    const nested = w.error?.message ?? nestedError(message);
    const tag = /^unparsable content <\/?([^\s/>]+)/.exec(message)?.[1];
    let m: RegExpExecArray | null;
    if ((m = /^duplicate ID <(.*)>$/.exec(nested))) {
      out.add(m[1], `元素 ID "${m[1]}" 重复${tag ? `（<${tag}>）` : ''}${position(message)}`);
    } else if ((m = /^illegal ID <(.*)>$/.exec(nested))) {
      out.add(
        null,
        `元素 ID "${m[1]}" 不合法${tag ? `（<${tag}>）` : ''}：只能用英文字母、数字、下划线、连字符和点，且以字母或下划线开头${position(message)}`,
      );
    } else if ((m = /^unknown type <(.*)>$/.exec(nested))) {
      out.add(null, `无法识别的元素 <${tag ?? m[1]}>${position(message)}`);
    } else if ((m = /^unexpected body text <([\s\S]*)>$/.exec(nested))) {
      out.add(null, `元素中不能直接写文本 "${m[1].slice(0, 40)}"${position(message)}`);
    } else if (/^unrecognized element|^unexpected element/.test(nested)) {
      out.add(null, `元素 <${tag ?? '?'}> 不能出现在这个位置${position(message)}`);
    } else {
      out.add(null, `无法解析的内容${tag ? ` <${tag}>` : ''}${position(message)}：${nested}`);
    }
  }
  return unresolved;
}

async function validate(xml: string, ctx: DeploymentContext): Promise<ValidationResult> {
  const fail = (message: string): ValidationResult => ({ ok: false, problems: [{ elementId: null, message }] });

  if (typeof xml !== 'string') return fail('BPMN 文档必须是文本');
  if (xml.length > MAX_BPMN_BYTES || Buffer.byteLength(xml, 'utf8') > MAX_BPMN_BYTES) {
    return fail(`BPMN 文件过大（${(Buffer.byteLength(xml, 'utf8') / 1024 / 1024).toFixed(1)} MB），上限为 ${MAX_BPMN_BYTES / 1024 / 1024} MB`);
  }
  const text = xml.replace(/^\uFEFF/, '');
  if (text.trim() === '') return fail('BPMN 文件为空');
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(text)) return fail('不允许 DOCTYPE 或 ENTITY 声明（BPMN 文档不需要它们）');
  // the real element tree: depth, balanced tags, declared prefixes (./xml-reader)
  const structural = xmlStructureProblem(text, MAX_XML_DEPTH);
  if (structural) return fail(structural);

  let parsed: ModdleParseResult;
  try {
    parsed = await (await getModdle()).fromXML(text, 'bpmn:Definitions');
  } catch (err) {
    return fail(describeParseFailure(err));
  }
  const definitions = parsed.rootElement;
  if (!definitions || definitions.$type !== 'bpmn:Definitions') return fail('不是 BPMN 文档：根元素应为 BPMN 2.0 的 <definitions>');

  const warned: Problem[] = [];
  const unresolved = classifyWarnings(parsed.warnings ?? [], warned);
  // the lint rules (src/lint/rules): the same modules the modeler runs live as a bpmnlint plugin
  const linted = lintDocument(definitions, ctx, RULES, { unresolved });
  const problems = capped([...warned, ...linted.problems]);
  if (problems.length > 0) return { ok: false, problems };
  const deployable = linted.processes.map(
    ({ process, found }): DeployableProcess => ({
      processId: process.id as string,
      name: nonEmpty(process.name)?.replace(/\s+/g, ' ') ?? (process.id as string),
      formIds: unique(found.formIds),
      formElements: found.formElements,
      calledProcessIds: unique(found.calledProcessIds),
      messageNames: unique(found.messageNames),
    }),
  );
  return { ok: true, ...deployable[0], processes: deployable };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** at most MAX_PROBLEMS, the rest counted in one last problem (the lint already counts its own) */
function capped(list: Problem[]): Problem[] {
  const counted = /^另有 (\d+) 个问题未列出$/;
  const real = list.filter((p) => !(p.elementId === null && counted.test(p.message)));
  const already = list.reduce((n, p) => n + Number(p.elementId === null ? (counted.exec(p.message)?.[1] ?? 0) : 0), 0);
  const dropped = Math.max(0, real.length - MAX_PROBLEMS) + already;
  const kept = real.slice(0, MAX_PROBLEMS);
  return dropped ? [...kept, { elementId: null, message: `另有 ${dropped} 个问题未列出` }] : kept;
}

/**
 * Validates one BPMN document for deployment. Never throws: any input yields a result, and every
 * problem found is listed (see the module comment for what is refused).
 */
export async function validateDeployment(xml: string, ctx: DeploymentContext): Promise<ValidationResult> {
  try {
    return await validate(xml, ctx);
  } catch (err) {
    return {
      ok: false,
      problems: [{ elementId: null, message: `校验 BPMN 文档时发生内部错误：${(err as Error)?.message ?? String(err)}` }],
    };
  }
}
