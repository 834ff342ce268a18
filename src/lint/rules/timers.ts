import { addDuration, isDurationText, parseCycle, parseDateTime, parseDuration } from '../iso8601';
import { languageIsFeel, type LintRule, type RuleScope } from '../lint-document';
import { label, type ModdleElement, nonEmpty, onlyDefinition } from '../model';

export function isoError(parse: () => unknown): string | null {
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

function checkTimer(el: ModdleElement, def: ModdleElement, cycleAllowed: boolean, scope: RuleScope): void {
  const kinds = (['timeDuration', 'timeDate', 'timeCycle'] as const).filter((k) => def[k] !== undefined);
  if (kinds.length === 0) {
    scope.add(el, `${label(el)}没有设置定时器时间（timeDuration、timeDate 或 timeCycle）`);
    return;
  }
  if (kinds.length > 1) {
    scope.add(el, `${label(el)}只能设置一种定时器时间，现有 ${kinds.join('、')}`);
    return;
  }
  const kind = kinds[0];
  const expr = def[kind] as ModdleElement;
  if (kind === 'timeCycle' && !cycleAllowed) {
    scope.add(el, `${label(el)}：重复定时器（timeCycle）只能用于非中断边界事件或非中断事件子流程，请改用 timeDuration 或 timeDate`);
    return;
  }
  if (!languageIsFeel(el, `定时器 ${kind}`, expr, scope)) return;
  const value = nonEmpty(expr.body);
  if (!value) {
    scope.add(el, `${label(el)}的定时器 ${kind} 为空`);
    return;
  }
  if (value.trimStart().startsWith('=')) {
    scope.feel(el, `定时器 ${kind}`, value);
    return;
  }
  const error = checkTimerLiteral(kind, value);
  if (error) scope.add(el, `${label(el)}的定时器 ${kind} "${value}" 无效：${error}`);
}

/**
 * Timers are checked with the runtime's own parser (../iso8601), so what deploys is what runs:
 * timeDate and timeDuration each take a duration or a date / date-time, timeCycle only on a
 * non-interrupting boundary event or event sub-process start; cron is refused; FEEL must parse.
 */
export const timers: LintRule = {
  name: 'timers',
  description: '定时器：一种时间设置，ISO 8601 或可解析的 FEEL；重复定时器只用于非中断边界事件',
  flowNode(el, container, _outgoing, scope) {
    const def = onlyDefinition(el);
    if (def?.$type !== 'bpmn:TimerEventDefinition') return;
    if (el.$type === 'bpmn:IntermediateCatchEvent') checkTimer(el, def, false, scope);
    else if (el.$type === 'bpmn:BoundaryEvent') checkTimer(el, def, el.cancelActivity === false, scope);
    // a cycle repeats only beside the scope (a non-interrupting event sub-process); an interrupting start fires once
    else if (el.$type === 'bpmn:StartEvent' && container.triggeredByEvent) checkTimer(el, def, el.isInterrupting === false, scope);
  },
};
