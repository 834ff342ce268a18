import { diff } from 'bpmn-js-differ';
import { label, type ModdleElement } from '../../lint/model';

/**
 * What changed against the deployed version, for the list and the markers: bpmn-js-differ finds the
 * added, removed, changed and moved elements; which properties of a changed element changed (and
 * from what to what) we read ourselves from both trees, because the differ leaves nested ones out
 * (a condition's text, a candidate group in zeebe:assignmentDefinition).
 */
export type DiffKind = 'added' | 'removed' | 'changed' | 'layout';

export interface PropertyChange {
  /** Chinese name of the property */
  what: string;
  before: string | null;
  after: string | null;
}

export interface DiffEntry {
  kind: DiffKind;
  elementId: string;
  /** 用户任务「审核」 */
  label: string;
  changes: PropertyChange[];
}

/** properties that are structure (children, links to other elements), not settings of the element */
const SKIP = new Set(['flowElements', 'artifacts', 'laneSets', 'incoming', 'outgoing', 'di', 'rootElements', 'diagrams', 'lanes', 'flowNodeRef', 'childLaneSet']);

/** the last segment of a property path → its Chinese name */
const WORDS: Record<string, string> = {
  name: '名称',
  'conditionExpression.body': '条件',
  candidateGroups: '候选组',
  candidateUsers: '候选人',
  assignee: '办理人',
  'TaskDefinition.type': '处理器类型',
  retries: '重试次数',
  formId: '表单',
  formKey: '表单',
  dueDate: '到期时间',
  followUpDate: '跟进时间',
  default: '默认流',
  processId: '被调用流程',
  inputCollection: '多实例输入集合',
  inputElement: '多实例输入元素',
  outputCollection: '多实例输出集合',
  outputElement: '多实例输出元素',
  'completionCondition.body': '多实例完成条件',
  'timeDuration.body': '定时器时长',
  'timeDate.body': '定时器日期',
  'timeCycle.body': '重复定时器',
  'documentation.text': '说明',
  text: '说明',
  sourceRef: '起点',
  targetRef: '终点',
  attachedToRef: '附着的活动',
  cancelActivity: '中断',
  messageRef: '消息',
  errorRef: '错误',
  correlationKey: '关联键',
  modelerTemplate: '元素模板',
  isExecutable: '可执行',
};

function word(path: string): string {
  const parts = path.split('.').map((p) => p.replace(/\[\d+\]$/, '').replace(/^zeebe:/, ''));
  const last = parts[parts.length - 1];
  const two = parts.slice(-2).join('.');
  if (WORDS[two]) return WORDS[two];
  if (parts.includes('IoMapping') || parts.includes('Input') || parts.includes('Output')) return parts.includes('Output') ? '输出映射' : '输入映射';
  if (parts.includes('TaskHeaders')) return '任务头';
  if (parts.includes('Properties')) return '扩展属性';
  return WORDS[last] ?? `其他设置（${last}）`;
}

/** the element's settings as path → text (children by type, references by id) */
function flatten(el: ModdleElement, prefix = '', out: Record<string, string> = {}, depth = 0): Record<string, string> {
  if (depth > 8) return out;
  for (const [key, value] of Object.entries(el)) {
    if (key.startsWith('$') || SKIP.has(key) || key === 'id' || value === undefined || value === null) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value !== 'object') {
      out[path] = String(value);
    } else if (Array.isArray(value)) {
      value.forEach((v: unknown, i) => {
        if (v && typeof v === 'object' && (v as ModdleElement).$type) {
          const child = v as ModdleElement;
          if (child.$parent === el || !child.id) flatten(child, `${path}.${child.$type}[${i}]`, out, depth + 1);
          else out[`${path}[${i}]`] = child.id;
        }
      });
    } else if ((value as ModdleElement).$type) {
      const child = value as ModdleElement;
      // a reference to another element (a sequence flow's source, a gateway's default) is its id
      if (child.$parent !== el && child.id) out[path] = child.id;
      else flatten(child, path, out, depth + 1);
    }
  }
  return out;
}

function propertyChanges(before: ModdleElement, after: ModdleElement): PropertyChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const byWord = new Map<string, PropertyChange>();
  for (const path of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (a[path] === b[path]) continue;
    const what = word(path);
    const known = byWord.get(what);
    if (known) {
      known.before = [known.before, a[path]].filter(Boolean).join('；') || null;
      known.after = [known.after, b[path]].filter(Boolean).join('；') || null;
    } else byWord.set(what, { what, before: a[path] ?? null, after: b[path] ?? null });
  }
  return [...byWord.values()];
}

/** every element with an id in a definitions tree */
function index(definitions: ModdleElement): Map<string, ModdleElement> {
  const byId = new Map<string, ModdleElement>();
  const stack: ModdleElement[] = [definitions];
  while (stack.length) {
    const el = stack.pop() as ModdleElement;
    if (el.id) byId.set(el.id, el);
    for (const key of ['rootElements', 'flowElements', 'artifacts']) for (const child of (el as unknown as Record<string, ModdleElement[] | undefined>)[key] ?? []) stack.push(child);
  }
  return byId;
}

interface DifferResult {
  _added: Record<string, ModdleElement>;
  _removed: Record<string, ModdleElement>;
  _changed: Record<string, { model: ModdleElement }>;
  _layoutChanged: Record<string, ModdleElement>;
}

/** The differences of `current` against `deployed`, added and changed first, then removed, then moved. */
export function compare(deployed: ModdleElement, current: ModdleElement): DiffEntry[] {
  const result = diff(deployed, current) as DifferResult;
  const before = index(deployed);
  const after = index(current);
  const entries: DiffEntry[] = [];
  const isDiagramElement = (el: ModdleElement | undefined) => !!el && el.$type !== 'bpmn:Definitions' && !el.$type.startsWith('bpmndi:');
  for (const id of Object.keys(result._added)) {
    const el = after.get(id) ?? result._added[id];
    if (isDiagramElement(el)) entries.push({ kind: 'added', elementId: id, label: label(el), changes: [] });
  }
  for (const id of Object.keys(result._changed)) {
    const old = before.get(id);
    const now = after.get(id);
    if (!old || !now || !isDiagramElement(now)) continue;
    const changes = propertyChanges(old, now);
    if (changes.length) entries.push({ kind: 'changed', elementId: id, label: label(now), changes });
  }
  for (const id of Object.keys(result._removed)) {
    const el = before.get(id) ?? result._removed[id];
    if (isDiagramElement(el)) entries.push({ kind: 'removed', elementId: id, label: label(el), changes: [] });
  }
  const listed = new Set(entries.map((e) => e.elementId));
  for (const id of Object.keys(result._layoutChanged)) {
    const el = after.get(id);
    if (!listed.has(id) && isDiagramElement(el)) entries.push({ kind: 'layout', elementId: id, label: label(el as ModdleElement), changes: [] });
  }
  return entries;
}

export const DIFF_WORDS: Record<DiffKind, string> = { added: '新增', removed: '删除', changed: '修改', layout: '移动' };
