/**
 * The BPMN elements the GovFlow runtime executes, and those it accepts and ignores — read by the
 * supported-elements rule, the engine and the documentation.
 */

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
    eventDefinitions: ['none', 'bpmn:ErrorEventDefinition', 'bpmn:TerminateEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition'],
    note: '错误结束事件须引用带 errorCode 的错误；升级结束事件须引用带 escalationCode 的升级；信号结束事件须引用有名称的信号',
  },
  {
    type: 'bpmn:IntermediateCatchEvent',
    label: '中间捕获事件',
    eventDefinitions: ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:SignalEventDefinition'],
    note: '定时器只能用 timeDuration 或 timeDate',
  },
  {
    type: 'bpmn:IntermediateThrowEvent',
    label: '中间抛出事件',
    eventDefinitions: ['none', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition'],
    note: '升级抛出事件须引用带 escalationCode 的升级；信号抛出事件须引用有名称的信号',
  },
  {
    type: 'bpmn:BoundaryEvent',
    label: '边界事件',
    eventDefinitions: ['bpmn:TimerEventDefinition', 'bpmn:MessageEventDefinition', 'bpmn:ErrorEventDefinition', 'bpmn:EscalationEventDefinition', 'bpmn:SignalEventDefinition'],
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
    note: '嵌入式子流程，或事件子流程（消息、定时器、错误、信号、升级开始事件；中断或非中断，错误只能中断，timeCycle 只用于非中断）',
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

export const IGNORED_FLOW_ELEMENTS: ReadonlySet<string> = new Set(IGNORED_BPMN_ELEMENTS);


/** the start events an event sub-process may have, as the refusals name them */
export const EVENT_SUB_PROCESS_TRIGGERS = '消息、定时器、错误、信号或升级';

/** a supported element the runtime will run as an activity (an event sub-process is checked by its own rule): its details are worth checking */
export function isRunnable(el: { $type: string; triggeredByEvent?: boolean }): boolean {
  return SUPPORTED_ELEMENT_TYPES.has(el.$type) && !el.triggeredByEvent;
}
