/**
 * What every lint rule works on: a typed view of the moddle elements (bpmn-moddle with the zeebe
 * extension — the same objects on the server, parsed from the uploaded XML, and in the modeler, the
 * diagram being edited), the installation data a rule may ask for, and the Chinese element labels
 * of the messages. Pure: no I/O, no Node built-ins — the browser bundle imports it.
 */

/** What a rule may know about the installation: on the server from the registries, in the browser from the API. */
export interface LintContext {
  /** service-task handler registry (GET /api/handlers in the browser) */
  hasHandler(type: string): boolean;
  /** candidate groups that exist (GET /api/groups in the browser) */
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

// A typed view of the moddle objects we read (bpmn-moddle ships no usable types for them).
export interface ModdleElement {
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
  signalRef?: ModdleElement;
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

export const KIND_LABELS: Record<string, string> = {
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

export const EVENT_DEFINITION_LABELS: Record<string, string> = {
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

export function displayName(el: ModdleElement): string {
  const name = typeof el.name === 'string' ? el.name.replace(/\s+/g, ' ').trim() : '';
  const shown = name || el.id || '（无 ID）';
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

/** 服务任务「检查材料」 */
export function label(el: ModdleElement): string {
  return `${KIND_LABELS[el.$type] ?? el.$type}「${displayName(el)}」`;
}

export function isA(el: ModdleElement | undefined, type: string): boolean {
  if (!el) return false;
  return typeof el.$instanceOf === 'function' ? el.$instanceOf(type) : el.$type === type;
}

export function isFeel(value: string): boolean {
  return value.trimStart().startsWith('=');
}

export function extension(el: ModdleElement, type: string): ModdleElement | undefined {
  return el.extensionElements?.values?.find((v) => v.$type === type);
}

export function nonEmpty(s: string | undefined): string | undefined {
  return typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined;
}


/** 消息开始事件, 空中间抛出事件, 多个事件定义 */
export function describeEvent(el: ModdleElement): string {
  const defs = el.eventDefinitions ?? [];
  if (defs.length === 0) return `空${KIND_LABELS[el.$type] ?? ''}`;
  if (defs.length > 1) return '多个事件定义';
  const kind = EVENT_DEFINITION_LABELS[defs[0].$type] ?? defs[0].$type;
  return `${kind}${KIND_LABELS[el.$type] ?? ''}`;
}

/** the one event definition of an event, when it has exactly one */
export function onlyDefinition(el: ModdleElement): ModdleElement | undefined {
  const defs = el.eventDefinitions ?? [];
  return defs.length === 1 ? defs[0] : undefined;
}
