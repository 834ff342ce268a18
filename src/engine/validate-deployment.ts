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
import { DEFAULT_MAX_DEFINITION_ELEMENTS, type LimitElement, sizeProblems, structureProblems } from './deploy-limits';
import { checkFeel } from './feel';
import { RESERVED_VARIABLE_NAMES } from './variables';
import { feelCostProblem } from './feel-sandbox';
import { xmlStructureProblem } from './xml-reader';
import { addDuration, isDurationText, parseCycle, parseDateTime, parseDuration } from './iso8601';
import zeebeSchema from 'zeebe-bpmn-moddle/resources/zeebe.json';

export interface DeploymentContext {
  /** service-task handler registry */
  hasHandler(type: string): boolean;
  /** candidate groups that exist */
  hasGroup(key: string): boolean;
  /** forms in this deployment or already deployed */
  hasForm(formId: string): boolean;
  /** flow elements per document at most (default DEFAULT_MAX_DEFINITION_ELEMENTS) */
  maxElements?: number;
}

export interface Problem {
  elementId: string | null;
  message: string;
}

export interface DeployableProcess {
  processId: string;
  name: string;
  formIds: string[];
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
/** executable processes per document, each deployed as its own key */
export const MAX_EXECUTABLE_PROCESSES = 20;
/** deeper XML nesting is refused before parsing (real diagrams stay far below 100) */
export const MAX_XML_DEPTH = 500;
/** problems reported per document; the rest are counted in one last problem */
export const MAX_PROBLEMS = 100;
/**
 * Longest FEEL expression accepted. feelin's parser reports errors on longer chains anyway
 * (a valid `a0 + a1 + …` of ~2,700 characters fails) and is slow on pathological input.
 */
export const MAX_FEEL_LENGTH = 2000;
/** deeper (), [] or {} nesting in FEEL is refused without parsing (the parser overflows its stack near 2,000) */
export const MAX_FEEL_NESTING = 64;
/** FEEL characters parsed per document at most; beyond that one problem says the rest was not checked */
export const FEEL_CHARS_BUDGET = 100_000;

export interface SupportedElement {
  /** moddle type, e.g. 'bpmn:BoundaryEvent' */
  type: string;
  /** zh-CN name */
  label: string;
  /** accepted event definitions; 'none' = without an event definition (events only) */
  eventDefinitions?: readonly string[];
  /** restrictions, zh-CN */
  note?: string;
}

/** The flow elements the runtime executes — shared with the engine and the documentation. */
export const SUPPORTED_BPMN_ELEMENTS: readonly SupportedElement[] = [
  { type: 'bpmn:StartEvent', label: '开始事件', eventDefinitions: ['none'], note: '每个流程和子流程有且只有一个空开始事件' },
  {
    type: 'bpmn:EndEvent',
    label: '结束事件',
    eventDefinitions: ['none', 'bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition', 'bpmn:EscalationEventDefinition'],
    note: '错误结束事件须引用带 errorCode 的错误；升级结束事件须引用带 escalationCode 的升级',
  },
  {
    type: 'bpmn:IntermediateCatchEvent',
    label: '中间捕获事件',
    eventDefinitions: ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition'],
    note: '定时器只能用 timeDuration 或 timeDate',
  },
  {
    type: 'bpmn:IntermediateThrowEvent',
    label: '中间抛出事件',
    eventDefinitions: ['none', 'bpmn:EscalationEventDefinition'],
    note: '升级抛出事件须引用带 escalationCode 的升级',
  },
  {
    type: 'bpmn:BoundaryEvent',
    label: '边界事件',
    eventDefinitions: ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition'],
    note: '中断或非中断；timeCycle 只用于非中断定时器；错误边界事件必须是中断型；升级边界事件只能附着在子流程上',
  },
  { type: 'bpmn:UserTask', label: '用户任务', note: '须有 zeebe:assignmentDefinition（assignee、candidateGroups 或 candidateUsers）' },
  { type: 'bpmn:ServiceTask', label: '服务任务', note: '须有 zeebe:taskDefinition，type 为已注册的处理器' },
  { type: 'bpmn:SendTask', label: '发送任务', note: '须有 zeebe:taskDefinition，按服务任务执行' },
  { type: 'bpmn:BusinessRuleTask', label: '业务规则任务', note: '须有 zeebe:taskDefinition，按服务任务执行；不支持 DMN（zeebe:calledDecision）' },
  { type: 'bpmn:Task', label: '任务' },
  { type: 'bpmn:ManualTask', label: '手工任务' },
  { type: 'bpmn:ReceiveTask', label: '接收任务', note: '须引用有名称的消息' },
  { type: 'bpmn:CallActivity', label: '调用活动', note: '须有 zeebe:calledElement processId' },
  {
    type: 'bpmn:SubProcess',
    label: '子流程',
    note: '嵌入式子流程，或事件子流程（消息、定时器 timeDuration/timeDate、错误、升级开始事件；中断或非中断，错误只能中断）',
  },
  { type: 'bpmn:ExclusiveGateway', label: '排他网关' },
  { type: 'bpmn:ParallelGateway', label: '并行网关' },
  { type: 'bpmn:InclusiveGateway', label: '包容网关' },
  { type: 'bpmn:EventBasedGateway', label: '事件网关', note: '出口只能连接定时器或消息中间捕获事件' },
  { type: 'bpmn:SequenceFlow', label: '顺序流', note: '只有排他网关和包容网关的出口可以有 FEEL 条件' },
];

export const SUPPORTED_ELEMENT_TYPES: ReadonlySet<string> = new Set(SUPPORTED_BPMN_ELEMENTS.map((e) => e.type));

/** Tasks executed by a registered handler (zeebe:taskDefinition type). */
export const JOB_WORKER_TASK_TYPES: readonly string[] = ['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask'];

/** Accepted and ignored by the runtime: artifacts, data, lanes and collaboration. */
export const IGNORED_BPMN_ELEMENTS: readonly string[] = [
  'bpmn:TextAnnotation',
  'bpmn:Association',
  'bpmn:Group',
  'bpmn:DataObject',
  'bpmn:DataObjectReference',
  'bpmn:DataStoreReference',
  'bpmn:DataInputAssociation',
  'bpmn:DataOutputAssociation',
  'bpmn:LaneSet',
  'bpmn:Lane',
  'bpmn:Collaboration',
  'bpmn:Participant',
  'bpmn:MessageFlow',
];

/** the start events an event sub-process may have, as the refusals name them */
const EVENT_SUB_PROCESS_TRIGGERS = '消息、定时器、错误或升级';

const IGNORED_FLOW_ELEMENTS: ReadonlySet<string> = new Set(IGNORED_BPMN_ELEMENTS);

// ---------------------------------------------------------------------------------------------
// A typed view of the moddle objects we read (bpmn-moddle ships no usable types for them).

interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  $instanceOf?: (type: string) => boolean;
  id?: string;
  name?: string;
  extensionElements?: ModdleElement;
  /** bpmn:ExtensionElements, zeebe:TaskHeaders */
  values?: ModdleElement[];
  /** zeebe:Properties; zeebe:Property has name/value */
  properties?: ModdleElement[];
  value?: string;
  // definitions / containers
  rootElements?: ModdleElement[];
  flowElements?: ModdleElement[];
  isExecutable?: boolean;
  triggeredByEvent?: boolean;
  isInterrupting?: boolean;
  // flow nodes
  eventDefinitions?: ModdleElement[];
  attachedToRef?: ModdleElement;
  cancelActivity?: boolean;
  loopCharacteristics?: ModdleElement;
  // multi-instance
  loopCardinality?: ModdleElement;
  completionCondition?: ModdleElement;
  inputCollection?: string;
  inputElement?: string;
  outputCollection?: string;
  outputElement?: string;
  isForCompensation?: boolean;
  default?: ModdleElement;
  messageRef?: ModdleElement;
  errorRef?: ModdleElement;
  errorCode?: string;
  escalationRef?: ModdleElement;
  escalationCode?: string;
  // sequence flows
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  conditionExpression?: ModdleElement;
  // expressions
  body?: string;
  language?: string;
  // timers
  timeDuration?: ModdleElement;
  timeDate?: ModdleElement;
  timeCycle?: ModdleElement;
  // zeebe extension elements
  type?: string;
  retries?: string;
  assignee?: string;
  candidateGroups?: string;
  candidateUsers?: string;
  formId?: string;
  formKey?: string;
  externalReference?: string;
  processId?: string;
  correlationKey?: string;
  dueDate?: string;
  followUpDate?: string;
  inputParameters?: ModdleElement[];
  outputParameters?: ModdleElement[];
  source?: string;
  target?: string;
}

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

const KIND_LABELS: Record<string, string> = {
  'bpmn:Process': '流程',
  'bpmn:StartEvent': '开始事件',
  'bpmn:EndEvent': '结束事件',
  'bpmn:IntermediateCatchEvent': '中间捕获事件',
  'bpmn:IntermediateThrowEvent': '中间抛出事件',
  'bpmn:BoundaryEvent': '边界事件',
  'bpmn:UserTask': '用户任务',
  'bpmn:ServiceTask': '服务任务',
  'bpmn:SendTask': '发送任务',
  'bpmn:BusinessRuleTask': '业务规则任务',
  'bpmn:ScriptTask': '脚本任务',
  'bpmn:Task': '任务',
  'bpmn:ManualTask': '手工任务',
  'bpmn:ReceiveTask': '接收任务',
  'bpmn:CallActivity': '调用活动',
  'bpmn:SubProcess': '子流程',
  'bpmn:Transaction': '事务子流程',
  'bpmn:AdHocSubProcess': '自由子流程',
  'bpmn:ExclusiveGateway': '排他网关',
  'bpmn:ParallelGateway': '并行网关',
  'bpmn:InclusiveGateway': '包容网关',
  'bpmn:EventBasedGateway': '事件网关',
  'bpmn:ComplexGateway': '复杂网关',
  'bpmn:SequenceFlow': '顺序流',
};

const EVENT_DEFINITION_LABELS: Record<string, string> = {
  'bpmn:MessageEventDefinition': '消息',
  'bpmn:TimerEventDefinition': '定时器',
  'bpmn:ErrorEventDefinition': '错误',
  'bpmn:TerminateEventDefinition': '终止',
  'bpmn:SignalEventDefinition': '信号',
  'bpmn:EscalationEventDefinition': '升级',
  'bpmn:CompensateEventDefinition': '补偿',
  'bpmn:ConditionalEventDefinition': '条件',
  'bpmn:LinkEventDefinition': '链接',
  'bpmn:CancelEventDefinition': '取消',
};

function displayName(el: ModdleElement): string {
  const name = typeof el.name === 'string' ? el.name.replace(/\s+/g, ' ').trim() : '';
  const shown = name || el.id || '（无 ID）';
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

/** 服务任务「检查材料」 */
function label(el: ModdleElement): string {
  return `${KIND_LABELS[el.$type] ?? el.$type}「${displayName(el)}」`;
}

function isA(el: ModdleElement | undefined, type: string): boolean {
  if (!el) return false;
  return typeof el.$instanceOf === 'function' ? el.$instanceOf(type) : el.$type === type;
}

function isFeel(value: string): boolean {
  return value.trimStart().startsWith('=');
}

function extension(el: ModdleElement, type: string): ModdleElement | undefined {
  return el.extensionElements?.values?.find((v) => v.$type === type);
}

function nonEmpty(s: string | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}

// ---------------------------------------------------------------------------------------------
// ISO 8601 literals: exactly what the runtime's timers and schedules accept (./iso8601)

function isoError(parse: () => unknown): string | null {
  try {
    parse();
    return null;
  } catch (err) {
    return (err as Error)?.message ?? String(err);
  }
}

/** timeDate and timeDuration: the runtime accepts a duration or a date / date-time in either. */
function checkTimerLiteral(kind: 'timeDuration' | 'timeDate' | 'timeCycle', text: string): string | null {
  // a duration is added to today as the runtime will: a due date past the year 9999 cannot be stored
  if (kind === 'timeCycle') return isoError(() => addDuration(new Date(), parseCycle(text).interval));
  return isDurationText(text) ? isoError(() => addDuration(new Date(), parseDuration(text))) : isoError(() => parseDateTime(text));
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
function classifyWarnings(warnings: ModdleWarning[], out: Problems): Map<ModdleElement, Map<string, string>> {
  const unresolved = new Map<ModdleElement, Map<string, string>>();
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

// ---------------------------------------------------------------------------------------------

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

/** Caps the FEEL text parsed per document: the parser is slow on pathological input. */
class FeelBudget {
  reported = false;
  private used = 0;

  take(chars: number): boolean {
    if (this.used + chars > FEEL_CHARS_BUDGET) return false;
    this.used += chars;
    return true;
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

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** the elements that may be multi-instance (tested: user tasks and embedded sub-processes) */
const MULTI_INSTANCE_TYPES: ReadonlySet<string> = new Set(['bpmn:UserTask', 'bpmn:SubProcess']);
const VARIABLE_NAME = /^[\p{L}_][\p{L}\p{N}_]*$/u;

class ProcessValidator {
  readonly formIds: string[] = [];
  readonly calledProcessIds: string[] = [];
  readonly messageNames: string[] = [];
  private readonly embeddedFormIds: Set<string>;

  constructor(
    private readonly process: ModdleElement,
    private readonly ctx: DeploymentContext,
    private readonly problems: Problems,
    private readonly unresolved: Map<ModdleElement, Map<string, string>>,
    private readonly budget: FeelBudget,
  ) {
    this.embeddedFormIds = new Set(
      (process.extensionElements?.values ?? [])
        .filter((v) => v.$type === 'zeebe:UserTaskForm' && v.id)
        .map((v) => v.id as string),
    );
  }

  private add(el: ModdleElement | null, message: string): void {
    this.problems.add(el?.id ?? null, message);
  }

  /** 不支持的元素类型 bpmn:ComplexGateway（复杂网关）「名称」 */
  private unsupported(el: ModdleElement, what?: string, advice?: string): void {
    this.add(el, `不支持的元素类型 ${el.$type}${what ? `（${what}）` : ''}「${displayName(el)}」${advice ? `：${advice}` : ''}`);
  }

  /** A FEEL value (with its leading '='): adds a problem unless it parses. */
  private feel(el: ModdleElement, what: string, value: string): void {
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
    } else if (!this.budget.take(expression.length)) {
      if (!this.budget.reported) {
        this.budget.reported = true;
        this.problems.add(null, `FEEL 表达式总长度超过 ${FEEL_CHARS_BUDGET} 个字符，其余表达式未校验`);
      }
      return;
    } else {
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
  }

  private missingReference(el: ModdleElement, property: string): string | undefined {
    return this.unresolved.get(el)?.get(property);
  }

  run(): void {
    this.checkExtensions(this.process);
    for (const v of this.process.extensionElements?.values ?? []) {
      if (v.$type === 'zeebe:UserTaskForm') {
        try {
          JSON.parse(v.body ?? '');
        } catch {
          this.add(this.process, `${label(this.process)}的内嵌表单 "${v.id ?? ''}" 不是有效的 JSON`);
        }
      }
    }
    // iterative: sub-processes may be nested arbitrarily deep
    const containers: ModdleElement[] = [this.process];
    while (containers.length > 0) {
      const container = containers.pop() as ModdleElement;
      this.checkContainer(container, containers);
    }
  }

  private checkContainer(container: ModdleElement, pending: ModdleElement[]): void {
    const elements = container.flowElements ?? [];
    const outgoing = new Map<ModdleElement, ModdleElement[]>();
    let noneStartEvents = 0;

    for (const el of elements) {
      if (el.$type !== 'bpmn:SequenceFlow') continue;
      if (el.sourceRef) {
        const list = outgoing.get(el.sourceRef) ?? [];
        list.push(el);
        outgoing.set(el.sourceRef, list);
      }
      const target = el.targetRef;
      if (target && (target.$type === 'bpmn:StartEvent' || target.$type === 'bpmn:BoundaryEvent')) {
        this.add(el, `${label(el)}不能进入${label(target)}：开始事件和边界事件不能有进入的顺序流`);
      }
    }

    for (const el of elements) {
      if (!el.id) {
        this.add(null, `${label(el)}缺少 id`);
      }
      if (el.$type === 'bpmn:StartEvent' && (el.eventDefinitions ?? []).length === 0) noneStartEvents++;
      if (el.$type === 'bpmn:SequenceFlow') {
        this.checkSequenceFlow(el, container);
        continue;
      }
      if (IGNORED_FLOW_ELEMENTS.has(el.$type)) continue;
      const child = this.checkFlowNode(el, container, outgoing.get(el) ?? []);
      if (child) pending.push(child);
    }

    if (container.triggeredByEvent) {
      // an event sub-process: exactly one start event, with its trigger (checkEventSubProcessStart)
      const starts = elements.filter((e) => e.$type === 'bpmn:StartEvent').length;
      if (starts !== 1) this.add(container, `${label(container)}（事件子流程）必须有且只有一个开始事件（现有 ${starts} 个）`);
    } else if (noneStartEvents !== 1) {
      this.add(
        container,
        `${label(container)}必须有且只有一个空开始事件（现有 ${noneStartEvents} 个）`,
      );
    }
  }

  /** Returns the element when it is a supported container to descend into. */
  private checkFlowNode(el: ModdleElement, container: ModdleElement, outgoing: ModdleElement[]): ModdleElement | undefined {
    if (SUPPORTED_ELEMENT_TYPES.has(el.$type) && !el.triggeredByEvent) {
      // problems inside an unsupported element would only be noise: it has to go anyway
      this.checkExtensions(el);
      if (el.loopCharacteristics) this.checkLoop(el, el.loopCharacteristics);
      if (el.isForCompensation) this.add(el, `${label(el)}：不支持补偿活动（isForCompensation）`);
    }

    switch (el.$type) {
      case 'bpmn:StartEvent':
        if (container.triggeredByEvent) this.checkEventSubProcessStart(el);
        else this.checkStartEvent(el);
        return undefined;
      case 'bpmn:EndEvent':
        this.checkEndEvent(el);
        return undefined;
      case 'bpmn:IntermediateCatchEvent':
        this.checkIntermediateCatchEvent(el);
        return undefined;
      case 'bpmn:IntermediateThrowEvent': {
        const defs = el.eventDefinitions ?? [];
        if (defs.length === 1 && defs[0].$type === 'bpmn:EscalationEventDefinition') this.checkEscalation(el, defs[0], true);
        else if (defs.length > 0) this.unsupported(el, describeEvent(el));
        return undefined;
      }
      case 'bpmn:BoundaryEvent':
        this.checkBoundaryEvent(el, container);
        return undefined;
      case 'bpmn:UserTask':
        this.checkUserTask(el);
        return undefined;
      case 'bpmn:ServiceTask':
      case 'bpmn:SendTask':
      case 'bpmn:BusinessRuleTask':
        this.checkJobWorkerTask(el);
        return undefined;
      case 'bpmn:Task':
      case 'bpmn:ManualTask':
        return undefined;
      case 'bpmn:ReceiveTask':
        this.checkMessageRef(el, el, el.messageRef, 'messageRef');
        return undefined;
      case 'bpmn:CallActivity':
        this.checkCallActivity(el);
        return undefined;
      case 'bpmn:SubProcess':
        if (el.triggeredByEvent) return this.checkEventSubProcess(el, container, outgoing) ? el : undefined;
        return el;
      case 'bpmn:ExclusiveGateway':
      case 'bpmn:InclusiveGateway':
        this.checkConditionalGateway(el, outgoing);
        return undefined;
      case 'bpmn:ParallelGateway':
        return undefined;
      case 'bpmn:EventBasedGateway':
        this.checkEventBasedGateway(el, outgoing);
        return undefined;
      case 'bpmn:ScriptTask':
        this.unsupported(el, '脚本任务', '不允许执行脚本，请改用服务任务（zeebe:taskDefinition）');
        return undefined;
      default:
        this.unsupported(el, KIND_LABELS[el.$type]);
        return undefined;
    }
  }

  /**
   * Multi-instance (Zeebe): bpmn:multiInstanceLoopCharacteristics with zeebe:loopCharacteristics on
   * a user task or an embedded sub-process; inputCollection FEEL, inputElement / outputCollection
   * variable names, outputElement and completionCondition FEEL. Everything else is refused by name.
   */
  private checkLoop(el: ModdleElement, loop: ModdleElement): void {
    if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      this.add(el, `${label(el)}：不支持循环（标准循环 ${loop.$type}），请改用多实例（zeebe:loopCharacteristics）或用网关回退`);
      return;
    }
    if (!MULTI_INSTANCE_TYPES.has(el.$type)) {
      this.add(el, `${label(el)}：多实例只支持用户任务和子流程（不支持 ${el.$type}）`);
      return;
    }
    if (loop.loopCardinality) {
      this.add(el, `${label(el)}的多实例：不支持 loopCardinality，请用 zeebe:loopCharacteristics 的 inputCollection`);
    }
    for (const v of loop.extensionElements?.values ?? []) {
      if (v.$type !== 'zeebe:LoopCharacteristics') this.add(el, `${label(el)}的多实例：不支持扩展元素 ${v.$type}`);
    }
    const zeebe = extension(loop, 'zeebe:LoopCharacteristics');
    const inputCollection = nonEmpty(zeebe?.inputCollection);
    if (!inputCollection) {
      this.add(el, `${label(el)}的多实例缺少输入集合（zeebe:loopCharacteristics inputCollection，如 =experts）`);
    } else if (!isFeel(inputCollection)) {
      this.add(el, `${label(el)}的多实例输入集合 "${inputCollection}" 必须是以 = 开头的 FEEL 表达式`);
    } else {
      this.feel(el, '多实例输入集合', inputCollection);
    }
    const names: [string, string][] = [
      ['inputElement', '输入元素变量'],
      ['outputCollection', '输出集合变量'],
    ];
    for (const [property, what] of names) {
      const value = nonEmpty(zeebe?.[property as 'inputElement' | 'outputCollection']);
      if (value === undefined) continue;
      if (!VARIABLE_NAME.test(value)) {
        this.add(el, `${label(el)}的多实例${what}（${property}）"${value}" 必须是变量名`);
      } else if (RESERVED_VARIABLE_NAMES.has(value) || value === 'loopCounter') {
        this.add(el, `${label(el)}的多实例${what}（${property}）"${value}" 为引擎保留，不能使用`);
      }
    }
    const outputCollection = nonEmpty(zeebe?.outputCollection);
    const outputElement = nonEmpty(zeebe?.outputElement);
    if (outputElement && !outputCollection) {
      this.add(el, `${label(el)}的多实例有输出元素（outputElement）而没有输出集合（outputCollection）`);
    }
    if (outputCollection && !outputElement) {
      this.add(el, `${label(el)}的多实例有输出集合（outputCollection）而没有输出元素（outputElement，如 =approved）`);
    }
    if (outputElement) {
      if (isFeel(outputElement)) this.feel(el, '多实例输出元素', outputElement);
      else this.add(el, `${label(el)}的多实例输出元素 "${outputElement}" 必须是以 = 开头的 FEEL 表达式`);
    }
    const condition = loop.completionCondition;
    if (condition) {
      const body = nonEmpty(condition.body);
      if (condition.language && !/feel/i.test(condition.language)) {
        this.add(el, `${label(el)}的多实例完成条件不能使用脚本语言 ${condition.language}`);
      } else if (!body) {
        this.add(el, `${label(el)}的多实例完成条件为空`);
      } else if (!isFeel(body)) {
        this.add(el, `${label(el)}的多实例完成条件 "${body}" 必须是以 = 开头的 FEEL 表达式`);
      } else {
        this.feel(el, '多实例完成条件', body);
      }
    }
  }

  private checkExtensions(el: ModdleElement): void {
    for (const ext of el.extensionElements?.values ?? []) {
      switch (ext.$type) {
        case 'zeebe:IoMapping':
          for (const p of ext.inputParameters ?? []) this.checkMapping(el, p, '输入映射');
          for (const p of ext.outputParameters ?? []) this.checkMapping(el, p, '输出映射');
          break;
        case 'zeebe:ExecutionListeners':
          this.add(el, `${label(el)}：不支持执行监听器（zeebe:executionListeners）`);
          break;
        case 'zeebe:TaskListeners':
          this.add(el, `${label(el)}：不支持任务监听器（zeebe:taskListeners）`);
          break;
        default:
          break;
      }
    }
  }

  private checkMapping(el: ModdleElement, p: ModdleElement, what: string): void {
    const target = nonEmpty(p.target);
    if (!target) {
      this.add(el, `${label(el)}的${what}缺少目标变量（target）`);
    } else if (isFeel(target)) {
      this.add(el, `${label(el)}的${what}目标变量 "${target}" 必须是变量名，不能是 FEEL 表达式`);
    }
    const source = nonEmpty(p.source);
    if (source && isFeel(source)) this.feel(el, `${what} "${target ?? ''}" 的来源`, source);
  }

  private checkStartEvent(el: ModdleElement): void {
    const defs = el.eventDefinitions ?? [];
    if (defs.length > 0) {
      this.unsupported(el, describeEvent(el));
      return;
    }
    this.checkFormDefinition(el);
  }

  /**
   * An event sub-process (issue 12 item 12): no sequence flow in or out, no boundary event, not
   * multi-instance; its start event is checked by checkEventSubProcessStart. false: not descended into.
   */
  private checkEventSubProcess(el: ModdleElement, container: ModdleElement, outgoing: ModdleElement[]): boolean {
    const incoming = (container.flowElements ?? []).filter((f) => f.$type === 'bpmn:SequenceFlow' && f.targetRef === el);
    let ok = true;
    if (incoming.length || outgoing.length) {
      this.add(el, `${label(el)}（事件子流程）不能有进入或离开的顺序流：它由开始事件触发`);
      ok = false;
    }
    if ((container.flowElements ?? []).some((b) => b.$type === 'bpmn:BoundaryEvent' && b.attachedToRef === el)) {
      this.add(el, `${label(el)}（事件子流程）不能附着边界事件`);
      ok = false;
    }
    if (el.loopCharacteristics) {
      this.add(el, `${label(el)}（事件子流程）不能是多实例`);
      ok = false;
    }
    return ok;
  }

  /** The start event of an event sub-process: message, timer (timeDuration / timeDate) or error (interrupting). */
  private checkEventSubProcessStart(el: ModdleElement): void {
    const defs = el.eventDefinitions ?? [];
    if (defs.length !== 1) {
      this.add(
        el,
        defs.length === 0
          ? `${label(el)}：事件子流程的开始事件须是${EVENT_SUB_PROCESS_TRIGGERS}开始事件，不能是空开始事件`
          : `${label(el)}：事件子流程的开始事件只能有一个事件定义`,
      );
      return;
    }
    const def = defs[0];
    const interrupting = el.isInterrupting !== false;
    switch (def.$type) {
      case 'bpmn:MessageEventDefinition':
        this.checkMessageRef(el, def, def.messageRef, 'messageRef');
        return;
      case 'bpmn:TimerEventDefinition':
        if (def.timeCycle !== undefined) {
          this.add(el, `${label(el)}：事件子流程的定时开始事件暂不支持重复定时器（timeCycle），请用 timeDuration 或 timeDate（非中断的可在办理完后再次触发的请用消息）`);
          return;
        }
        this.checkTimer(el, def, false);
        return;
      case 'bpmn:ErrorEventDefinition': {
        if (!interrupting) this.add(el, `${label(el)}：错误开始事件必须是中断型（isInterrupting 不能为 false）`);
        const missing = this.missingReference(def, 'errorRef');
        if (missing !== undefined) {
          this.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
        } else {
          const code = nonEmpty(def.errorRef?.errorCode);
          if (code && isFeel(code)) this.add(el, `${label(el)}捕获的错误代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
        }
        return;
      }
      case 'bpmn:EscalationEventDefinition':
        this.checkEscalation(el, def, false);
        return;
      default:
        this.add(el, `${label(el)}：不支持${describeEvent(el)}作为事件子流程的开始，事件子流程的开始事件须是${EVENT_SUB_PROCESS_TRIGGERS}开始事件`);
    }
  }

  /**
   * Escalation (issue 12 item 13): a throw must reference an escalation with a fixed escalationCode; a
   * catch may reference one (its code, fixed) or none (every code).
   */
  private checkEscalation(el: ModdleElement, def: ModdleElement, throwing: boolean): void {
    const missing = this.missingReference(def, 'escalationRef');
    if (missing !== undefined) {
      this.add(el, `${label(el)}引用的升级 "${missing}" 不存在`);
      return;
    }
    const code = nonEmpty(def.escalationRef?.escalationCode);
    if (throwing && !code) {
      this.add(el, `${label(el)}须引用带升级代码（escalationCode）的升级（escalationRef）`);
    } else if (code && isFeel(code)) {
      this.add(el, `${label(el)}的升级代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
    }
  }

  private checkEndEvent(el: ModdleElement): void {
    const defs = el.eventDefinitions ?? [];
    if (defs.length === 0) return;
    if (defs.length > 1) {
      this.unsupported(el, '多个事件定义');
      return;
    }
    const def = defs[0];
    if (def.$type === 'bpmn:TerminateEventDefinition') return;
    if (def.$type === 'bpmn:EscalationEventDefinition') {
      this.checkEscalation(el, def, true);
      return;
    }
    if (def.$type !== 'bpmn:ErrorEventDefinition') {
      this.unsupported(el, describeEvent(el));
      return;
    }
    const missing = this.missingReference(def, 'errorRef');
    if (missing !== undefined) {
      this.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
      return;
    }
    if (!def.errorRef) {
      this.add(el, `${label(el)}没有引用错误（errorRef），错误结束事件须指定错误代码`);
      return;
    }
    const code = nonEmpty(def.errorRef.errorCode);
    if (!code) {
      this.add(el, `${label(el)}引用的错误「${displayName(def.errorRef)}」没有错误代码（errorCode）`);
    } else if (isFeel(code)) {
      this.feel(el, '错误代码', code);
    }
  }

  private checkIntermediateCatchEvent(el: ModdleElement): void {
    const defs = el.eventDefinitions ?? [];
    if (defs.length !== 1) {
      if (defs.length === 0) this.add(el, `${label(el)}没有事件定义：中间捕获事件须是定时器或消息事件`);
      else this.unsupported(el, '多个事件定义');
      return;
    }
    const def = defs[0];
    if (def.$type === 'bpmn:TimerEventDefinition') this.checkTimer(el, def, false);
    else if (def.$type === 'bpmn:MessageEventDefinition') this.checkMessageRef(el, def, def.messageRef, 'messageRef');
    else this.unsupported(el, describeEvent(el));
  }

  private checkBoundaryEvent(el: ModdleElement, container: ModdleElement): void {
    const defs = el.eventDefinitions ?? [];
    const interrupting = el.cancelActivity !== false;
    if (defs.length !== 1) {
      if (defs.length === 0) this.add(el, `${label(el)}没有事件定义：边界事件须是定时器、消息或错误事件`);
      else this.unsupported(el, '多个事件定义');
    } else {
      const def = defs[0];
      if (def.$type === 'bpmn:TimerEventDefinition') {
        this.checkTimer(el, def, !interrupting);
      } else if (def.$type === 'bpmn:MessageEventDefinition') {
        this.checkMessageRef(el, def, def.messageRef, 'messageRef');
      } else if (def.$type === 'bpmn:ErrorEventDefinition') {
        if (!interrupting) this.add(el, `${label(el)}：错误边界事件必须是中断型（cancelActivity 不能为 false）`);
        const missing = this.missingReference(def, 'errorRef');
        if (missing !== undefined) {
          this.add(el, `${label(el)}引用的错误 "${missing}" 不存在`);
        } else {
          const code = nonEmpty(def.errorRef?.errorCode);
          if (code && isFeel(code)) this.add(el, `${label(el)}捕获的错误代码 "${code}" 必须是固定值，不能是 FEEL 表达式`);
        }
      } else if (def.$type === 'bpmn:EscalationEventDefinition') {
        this.checkEscalation(el, def, false);
        const host = el.attachedToRef;
        if (host && host.$type !== 'bpmn:SubProcess') {
          this.add(el, `${label(el)}：升级边界事件只能附着在子流程上（升级由子流程内的升级事件抛出）`);
        }
      } else {
        this.unsupported(el, describeEvent(el));
      }
    }

    const missingHost = this.missingReference(el, 'attachedToRef');
    const host = el.attachedToRef;
    if (missingHost !== undefined) {
      this.add(el, `${label(el)}附着的活动 "${missingHost}" 不存在`);
    } else if (!host) {
      this.add(el, `${label(el)}没有附着到任何活动（attachedToRef）`);
    } else if (!isA(host, 'bpmn:Activity')) {
      this.add(el, `${label(el)}附着在${label(host)}上，边界事件只能附着在活动上`);
    } else if (host.$parent !== container) {
      this.add(el, `${label(el)}与它附着的${label(host)}不在同一个流程或子流程中`);
    }
  }

  private checkTimer(el: ModdleElement, def: ModdleElement, cycleAllowed: boolean): void {
    const kinds = (['timeDuration', 'timeDate', 'timeCycle'] as const).filter((k) => def[k] !== undefined);
    if (kinds.length === 0) {
      this.add(el, `${label(el)}没有设置定时器时间（timeDuration、timeDate 或 timeCycle）`);
      return;
    }
    if (kinds.length > 1) {
      this.add(el, `${label(el)}只能设置一种定时器时间，现有 ${kinds.join('、')}`);
      return;
    }
    const kind = kinds[0];
    const expr = def[kind] as ModdleElement;
    if (kind === 'timeCycle' && !cycleAllowed) {
      this.add(el, `${label(el)}：重复定时器（timeCycle）只能用于非中断边界事件，请改用 timeDuration 或 timeDate`);
      return;
    }
    if (!this.checkLanguage(el, `定时器 ${kind}`, expr)) return;
    const value = nonEmpty(expr.body);
    if (!value) {
      this.add(el, `${label(el)}的定时器 ${kind} 为空`);
      return;
    }
    if (isFeel(value)) {
      this.feel(el, `定时器 ${kind}`, value);
      return;
    }
    const error = checkTimerLiteral(kind, value);
    if (error) this.add(el, `${label(el)}的定时器 ${kind} "${value}" 无效：${error}`);
  }

  /** false (and a problem) when an expression names a language other than FEEL */
  private checkLanguage(el: ModdleElement, what: string, expr: ModdleElement): boolean {
    const language = nonEmpty(expr.language);
    if (language && !/feel/i.test(language)) {
      this.add(el, `${label(el)}的${what}：不允许使用脚本/表达式语言 "${language}"，只支持 FEEL 表达式（以 = 开头）`);
      return false;
    }
    return true;
  }

  private checkMessageRef(el: ModdleElement, holder: ModdleElement, message: ModdleElement | undefined, property: string): void {
    const missing = this.missingReference(holder, property);
    if (missing !== undefined) {
      this.add(el, `${label(el)}引用的消息 "${missing}" 不存在`);
      return;
    }
    if (!message) {
      this.add(el, `${label(el)}没有关联消息（messageRef）`);
      return;
    }
    const name = nonEmpty(message.name);
    if (!name) {
      this.add(el, `${label(el)}关联的消息 "${message.id ?? ''}" 没有名称`);
    } else if (isFeel(name)) {
      this.feel(el, '消息名称', name);
    } else {
      this.messageNames.push(name);
    }
    const subscription = extension(message, 'zeebe:Subscription');
    const key = nonEmpty(subscription?.correlationKey);
    if (key && isFeel(key)) this.feel(el, `消息「${name ?? message.id ?? ''}」的关联键（correlationKey）`, key);
  }

  private checkUserTask(el: ModdleElement): void {
    const assignment = extension(el, 'zeebe:AssignmentDefinition');
    const assignee = nonEmpty(assignment?.assignee);
    const groups = nonEmpty(assignment?.candidateGroups);
    const users = nonEmpty(assignment?.candidateUsers);
    // no assignee and no candidates is allowed, as in Zeebe: the task waits in the administrators'
    // unassigned queue (GET /api/tasks?unassigned=true) until one assigns it (issue 12 item 14)
    if (assignee && isFeel(assignee)) this.feel(el, '办理人（assignee）', assignee);
    if (users && isFeel(users)) this.feel(el, '候选人（candidateUsers）', users);
    if (groups) {
      if (isFeel(groups)) {
        this.feel(el, '候选组（candidateGroups）', groups);
      } else {
        for (const group of groups.split(',').map((g) => g.trim()).filter(Boolean)) {
          if (!this.ctx.hasGroup(group)) this.add(el, `${label(el)}的候选组 "${group}" 不存在`);
        }
      }
    }

    const schedule = extension(el, 'zeebe:TaskSchedule');
    for (const [key, what] of [
      ['dueDate', '到期时间（dueDate）'],
      ['followUpDate', '跟进时间（followUpDate）'],
    ] as const) {
      const value = nonEmpty(schedule?.[key]);
      if (!value) continue;
      if (isFeel(value)) {
        this.feel(el, what, value);
      } else {
        const error = isoError(() => parseDateTime(value));
        if (error) this.add(el, `${label(el)}的${what} "${value}" 不是日期时间（可写成 FEEL 表达式，以 = 开头）：${error}`);
      }
    }

    // completion rules: zeebe:property rule:<id> = FEEL that must hold when the task is completed
    const properties = extension(el, 'zeebe:Properties')?.properties;
    if (Array.isArray(properties)) {
      for (const p of properties as ModdleElement[]) {
        const name = nonEmpty(p.name);
        if (!name?.startsWith('rule:')) continue;
        const value = nonEmpty(p.value);
        if (!value || !isFeel(value)) this.add(el, `${label(el)}的完成规则 ${name} 必须是 FEEL 表达式（以 = 开头）`);
        else this.feel(el, `完成规则 ${name}`, value);
      }
    }

    this.checkFormDefinition(el);
  }

  private checkFormDefinition(el: ModdleElement): void {
    const form = extension(el, 'zeebe:FormDefinition');
    if (!form) return;
    const formId = nonEmpty(form.formId);
    const formKey = nonEmpty(form.formKey);
    const external = nonEmpty(form.externalReference);
    if ([formId, formKey, external].filter(Boolean).length > 1) {
      this.add(el, `${label(el)}的表单只能设置 formId、formKey、externalReference 之一`);
    }
    if (external) this.add(el, `${label(el)}：不支持外部表单（externalReference "${external}"），请使用 formId`);
    if (formId) {
      if (isFeel(formId)) this.add(el, `${label(el)}的表单 ID "${formId}" 必须是固定值，不能是 FEEL 表达式`);
      else if (!this.ctx.hasForm(formId)) this.add(el, `${label(el)}引用的表单 "${formId}" 不存在`);
      else this.formIds.push(formId);
    }
    if (formKey) {
      const m = /^camunda-forms:bpmn:(.+)$/.exec(formKey);
      if (!m) {
        this.add(el, `${label(el)}的表单键 "${formKey}" 不受支持：请使用 formId，或指向内嵌表单的 camunda-forms:bpmn:<id>`);
      } else if (!this.embeddedFormIds.has(m[1])) {
        this.add(el, `${label(el)}引用的内嵌表单 "${m[1]}" 在流程中不存在（zeebe:userTaskForm）`);
      }
    }
    if (!formId && !formKey && !external) this.add(el, `${label(el)}的 zeebe:formDefinition 没有指定表单`);
  }

  private checkJobWorkerTask(el: ModdleElement): void {
    if (el.$type === 'bpmn:BusinessRuleTask' && extension(el, 'zeebe:CalledDecision')) {
      this.add(el, `${label(el)}：不支持 DMN 决策（zeebe:calledDecision），请改用服务任务`);
      return;
    }
    const definition = extension(el, 'zeebe:TaskDefinition');
    if (!definition) {
      this.add(el, `${label(el)}缺少 zeebe:taskDefinition（处理器类型）`);
      return;
    }
    const type = nonEmpty(definition.type);
    if (!type) {
      this.add(el, `${label(el)}的 zeebe:taskDefinition 没有处理器类型（type）`);
    } else if (isFeel(type)) {
      this.add(el, `${label(el)}的处理器类型 "${type}" 必须是固定值，不能是 FEEL 表达式`);
    } else if (!this.ctx.hasHandler(type)) {
      this.add(el, `${label(el)}的处理器类型 "${type}" 未注册`);
    }
    const retries = nonEmpty(definition.retries);
    if (retries !== undefined && isFeel(retries)) {
      this.feel(el, '重试次数（retries）', retries);
    } else if (retries !== undefined && !/^\d{1,4}$/.test(retries)) {
      this.add(el, `${label(el)}的重试次数（retries）"${retries}" 必须是非负整数或 FEEL 表达式`);
    }
  }

  private checkCallActivity(el: ModdleElement): void {
    const called = extension(el, 'zeebe:CalledElement');
    const processId = nonEmpty(called?.processId);
    if (!processId) {
      this.add(el, `${label(el)}缺少 zeebe:calledElement processId（被调用流程的 ID）`);
    } else if (isFeel(processId)) {
      this.feel(el, '被调用流程 ID', processId);
    } else {
      this.calledProcessIds.push(processId);
    }
  }

  private checkConditionalGateway(gateway: ModdleElement, outgoing: ModdleElement[]): void {
    const missingDefault = this.missingReference(gateway, 'default');
    if (missingDefault !== undefined) {
      this.add(gateway, `${label(gateway)}的默认流 "${missingDefault}" 不存在`);
    } else if (gateway.default && !outgoing.includes(gateway.default)) {
      this.add(gateway, `${label(gateway)}的默认流${label(gateway.default)}不是它的出口顺序流`);
    }
    if (outgoing.length <= 1) return;
    for (const flow of outgoing) {
      if (!flow.conditionExpression && flow !== gateway.default) {
        this.add(flow, `${label(gateway)}有多个出口，${label(flow)}既没有条件也不是默认流`);
      }
    }
  }

  private checkEventBasedGateway(gateway: ModdleElement, outgoing: ModdleElement[]): void {
    if (outgoing.length < 2) {
      this.add(gateway, `${label(gateway)}至少需要两个出口顺序流（现有 ${outgoing.length} 个）`);
    }
    for (const flow of outgoing) {
      const target = flow.targetRef;
      if (!target) continue;
      const defs = target.eventDefinitions ?? [];
      const ok =
        target.$type === 'bpmn:IntermediateCatchEvent' &&
        defs.length === 1 &&
        (defs[0].$type === 'bpmn:TimerEventDefinition' || defs[0].$type === 'bpmn:MessageEventDefinition');
      if (!ok) this.add(flow, `${label(gateway)}的出口${label(flow)}连接到${label(target)}：事件网关的出口只能连接定时器或消息中间捕获事件`);
    }
  }

  private checkSequenceFlow(flow: ModdleElement, container: ModdleElement): void {
    for (const property of ['sourceRef', 'targetRef'] as const) {
      const missing = this.missingReference(flow, property);
      const end = flow[property];
      if (missing !== undefined) {
        this.add(flow, `${label(flow)}的 ${property} 指向不存在的元素 "${missing}"`);
      } else if (!end) {
        this.add(flow, `${label(flow)}缺少 ${property}`);
      } else if (end.$parent !== container) {
        this.add(flow, `${label(flow)}连接的${label(end)}不在同一个流程或子流程中：顺序流不能跨越子流程边界`);
      }
    }
    const condition = flow.conditionExpression;
    if (!condition) return;
    const source = flow.sourceRef;
    if (source && source.$type !== 'bpmn:ExclusiveGateway' && source.$type !== 'bpmn:InclusiveGateway') {
      this.add(flow, `${label(flow)}设置了条件，但只有排他网关和包容网关的出口顺序流可以有条件（来源是${label(source)}）`);
      return;
    }
    if (!this.checkLanguage(flow, '条件', condition)) return;
    const body = nonEmpty(condition.body);
    if (!body) {
      this.add(flow, `${label(flow)}的条件为空`);
    } else if (/^[$#]\{/.test(body)) {
      this.add(flow, `${label(flow)}的条件 "${body}" 是 JUEL 表达式：需要 FEEL 表达式（以 = 开头，如 =amount > 1000）`);
    } else if (!isFeel(body)) {
      this.add(flow, `${label(flow)}的条件 "${body}" 不是 FEEL 表达式：需要 FEEL 表达式（以 = 开头）`);
    } else {
      this.feel(flow, '条件', body);
    }
  }
}

function describeEvent(el: ModdleElement): string {
  const defs = el.eventDefinitions ?? [];
  if (defs.length === 0) return `空${KIND_LABELS[el.$type] ?? ''}`;
  if (defs.length > 1) return '多个事件定义';
  const kind = EVENT_DEFINITION_LABELS[defs[0].$type] ?? defs[0].$type;
  return `${kind}${KIND_LABELS[el.$type] ?? ''}`;
}

async function validate(xml: string, ctx: DeploymentContext): Promise<ValidationResult> {
  const problems = new Problems();
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

  const unresolved = classifyWarnings(parsed.warnings ?? [], problems);

  const processes = (definitions.rootElements ?? []).filter((e) => e.$type === 'bpmn:Process');
  const executable = processes.filter((p) => p.isExecutable === true);
  if (executable.length === 0) {
    problems.add(
      null,
      processes.length === 0
        ? '文档中没有流程（bpmn:process）'
        : `文档中没有可执行的流程：请在要部署的流程上设置 isExecutable="true"（现有流程：${processes.map((p) => displayName(p)).join('、')}）`,
    );
    return { ok: false, problems: problems.result() };
  }
  // several executable processes: each is deployed as its own key (as Zeebe does)
  if (executable.length > MAX_EXECUTABLE_PROCESSES) {
    problems.add(null, `文档中有 ${executable.length} 个可执行流程，一个文档最多 ${MAX_EXECUTABLE_PROCESSES} 个`);
    return { ok: false, problems: problems.result() };
  }

  // size first (over it nothing else is looked at), then what Zeebe would never run (./deploy-limits)
  const tooLarge = sizeProblems(processes as LimitElement[], ctx.maxElements ?? DEFAULT_MAX_DEFINITION_ELEMENTS);
  if (tooLarge.length) return { ok: false, problems: tooLarge };
  for (const p of structureProblems(executable as LimitElement[])) problems.add(p.elementId, p.message);

  const budget = new FeelBudget();
  const validators = executable.map((p) => {
    if (!nonEmpty(p.id)) problems.add(null, '可执行流程缺少 id（流程的 ID 即部署的流程键）');
    const validator = new ProcessValidator(p, ctx, problems, unresolved, budget);
    validator.run();
    return validator;
  });

  if (problems.count > 0) return { ok: false, problems: problems.result() };
  const deployable = executable.map(
    (process, i): DeployableProcess => ({
      processId: process.id as string,
      name: nonEmpty(process.name)?.replace(/\s+/g, ' ') ?? (process.id as string),
      formIds: unique(validators[i].formIds),
      calledProcessIds: unique(validators[i].calledProcessIds),
      messageNames: unique(validators[i].messageNames),
    }),
  );
  return { ok: true, ...deployable[0], processes: deployable };
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
