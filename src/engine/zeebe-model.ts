/**
 * Reads the Camunda 8 "zeebe" extension elements of a parsed diagram (bpmn-moddle context with the
 * zeebe moddle extension) into plain per-element records. Pure: no engine, no evaluation — values
 * stay as written (literal or `=FEEL`); zeebe-extension.ts evaluates them when a token arrives.
 */

export interface IoMappingEntry {
  /** FEEL (`=…`) or a literal */
  source: string;
  target: string;
}

export interface ZeebeElementInfo {
  id: string;
  name: string | null;
  /** the BPMN type, e.g. bpmn:UserTask */
  type: string;
  /** the bpmn:Process that (transitively) contains the element */
  processId: string | null;
  taskDefinition: { type: string; retries: string | null } | null;
  headers: Record<string, string>;
  /** zeebe:properties (name → value as written): e.g. completion rules `rule:R10.1` on user tasks */
  properties: Record<string, string>;
  inputs: IoMappingEntry[];
  outputs: IoMappingEntry[];
  assignment: { assignee: string | null; candidateGroups: string | null; candidateUsers: string | null } | null;
  schedule: { dueDate: string | null; followUpDate: string | null } | null;
  form: { formId: string | null; formKey: string | null } | null;
  calledElement: {
    processId: string | null;
    propagateAllParentVariables: boolean;
    propagateAllChildVariables: boolean;
  } | null;
  /** bpmn:multiInstanceLoopCharacteristics with zeebe:loopCharacteristics (values as written) */
  loop: ZeebeLoopInfo | null;
}

export interface ZeebeLoopInfo {
  isSequential: boolean;
  inputCollection: string | null;
  inputElement: string | null;
  outputCollection: string | null;
  outputElement: string | null;
  /** the BPMN completionCondition body (FEEL) */
  completionCondition: string | null;
}

export interface ZeebeMessageInfo {
  id: string;
  name: string | null;
  /** zeebe:subscription correlationKey as written */
  correlationKey: string | null;
}

export interface ZeebeModel {
  elements: Map<string, ZeebeElementInfo>;
  messages: Map<string, ZeebeMessageInfo>;
}

/** The bits of a bpmn-moddle element we read. */
export interface ModdleElement {
  $type: string;
  $parent?: ModdleElement;
  id?: string;
  name?: string;
  extensionElements?: { values?: ModdleElement[] };
  [key: string]: unknown;
}

export interface ModdleContextLike {
  elementsById: Record<string, ModdleElement>;
  warnings?: { message: string }[];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

function extension(el: ModdleElement, type: string): ModdleElement | undefined {
  return el.extensionElements?.values?.find((v) => v.$type === type);
}

function mappings(list: unknown): IoMappingEntry[] {
  if (!Array.isArray(list)) return [];
  return (list as ModdleElement[])
    .map((p) => ({ source: typeof p.source === 'string' ? p.source : '', target: str(p.target) ?? '' }))
    .filter((p) => p.target !== '');
}

function owningProcessId(el: ModdleElement): string | null {
  for (let p = el.$parent; p; p = p.$parent) {
    if (p.$type === 'bpmn:Process') return p.id ?? null;
  }
  return null;
}

export function readZeebeModel(context: ModdleContextLike): ZeebeModel {
  const elements = new Map<string, ZeebeElementInfo>();
  const messages = new Map<string, ZeebeMessageInfo>();

  for (const [id, el] of Object.entries(context.elementsById)) {
    if (el.$type === 'bpmn:Message') {
      messages.set(id, {
        id,
        name: str(el.name),
        correlationKey: str(extension(el, 'zeebe:Subscription')?.correlationKey),
      });
      continue;
    }

    const taskDefinition = extension(el, 'zeebe:TaskDefinition');
    const headers: Record<string, string> = {};
    const headerList = extension(el, 'zeebe:TaskHeaders')?.values;
    if (Array.isArray(headerList)) {
      for (const h of headerList as ModdleElement[]) {
        const key = str(h.key);
        if (key) headers[key] = typeof h.value === 'string' ? h.value : '';
      }
    }
    const properties: Record<string, string> = {};
    const propertyList = extension(el, 'zeebe:Properties')?.properties;
    if (Array.isArray(propertyList)) {
      for (const p of propertyList as ModdleElement[]) {
        const name = str(p.name);
        if (name) properties[name] = typeof p.value === 'string' ? p.value : '';
      }
    }
    const io = extension(el, 'zeebe:IoMapping');
    const assignment = extension(el, 'zeebe:AssignmentDefinition');
    const schedule = extension(el, 'zeebe:TaskSchedule');
    const form = extension(el, 'zeebe:FormDefinition');
    const called = extension(el, 'zeebe:CalledElement');
    const loopElement = el.loopCharacteristics as ModdleElement | undefined;
    const zeebeLoop = loopElement ? extension(loopElement, 'zeebe:LoopCharacteristics') : undefined;

    elements.set(id, {
      id,
      name: str(el.name),
      type: el.$type,
      processId: el.$type === 'bpmn:Process' ? id : owningProcessId(el),
      taskDefinition: taskDefinition
        ? { type: str(taskDefinition.type) ?? '', retries: str(taskDefinition.retries) }
        : null,
      headers,
      properties,
      inputs: mappings(io?.inputParameters),
      outputs: mappings(io?.outputParameters),
      assignment: assignment
        ? {
            assignee: str(assignment.assignee),
            candidateGroups: str(assignment.candidateGroups),
            candidateUsers: str(assignment.candidateUsers),
          }
        : null,
      schedule: schedule ? { dueDate: str(schedule.dueDate), followUpDate: str(schedule.followUpDate) } : null,
      form: form ? { formId: str(form.formId), formKey: str(form.formKey) } : null,
      calledElement: called
        ? {
            processId: str(called.processId) ?? str(called.processIdExpression),
            propagateAllParentVariables: called.propagateAllParentVariables !== false,
            propagateAllChildVariables: called.propagateAllChildVariables !== false,
          }
        : null,
      loop:
        loopElement?.$type === 'bpmn:MultiInstanceLoopCharacteristics'
          ? {
              isSequential: loopElement.isSequential === true,
              inputCollection: str(zeebeLoop?.inputCollection),
              inputElement: str(zeebeLoop?.inputElement),
              outputCollection: str(zeebeLoop?.outputCollection),
              outputElement: str(zeebeLoop?.outputElement),
              completionCondition: str((loopElement.completionCondition as ModdleElement | undefined)?.body),
            }
          : null,
    });
  }

  return { elements, messages };
}
