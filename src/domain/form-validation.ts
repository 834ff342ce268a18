import type { RuleDetail } from './errors';
import { VARIABLE_LABELS } from './labels';

/** The parts of a form-js schema component the server checks. */
interface FormComponent {
  type?: string;
  key?: string;
  label?: string;
  path?: string;
  components?: FormComponent[];
  values?: { value: unknown; label?: string }[];
  validate?: { required?: boolean; min?: number; max?: number; minLength?: number; maxLength?: number; pattern?: string };
}

const INPUT_TYPES: Record<string, 'string' | 'number' | 'boolean' | 'array'> = {
  textfield: 'string',
  textarea: 'string',
  datetime: 'string',
  select: 'string',
  radio: 'string',
  number: 'number',
  checkbox: 'boolean',
  checklist: 'array',
  taglist: 'array',
};

function inputs(components: FormComponent[] | undefined, prefix: string[] = []): { c: FormComponent; path: string[] }[] {
  const out: { c: FormComponent; path: string[] }[] = [];
  for (const c of components ?? []) {
    if (c.type && INPUT_TYPES[c.type] && c.key) out.push({ c, path: [...prefix, ...c.key.split('.')] });
    if (c.components) out.push(...inputs(c.components, c.path ? [...prefix, ...c.path.split('.')] : prefix));
  }
  return out;
}

/**
 * The variable paths a form lets its user set: every component with a key (`scores.necessity` →
 * ['scores', 'necessity']), inside groups with a path too. Buttons and static texts set nothing.
 */
export function formFieldPaths(schema: { components?: FormComponent[] } | null | undefined): string[][] {
  const out: string[][] = [];
  const walk = (components: FormComponent[] | undefined, prefix: string[]) => {
    for (const c of components ?? []) {
      if (c.key && c.type !== 'button') out.push([...prefix, ...c.key.split('.')]);
      if (c.components) walk(c.components, c.path ? [...prefix, ...c.path.split('.')] : prefix);
    }
  };
  walk(schema?.components, []);
  return out;
}

/**
 * The submitted variables a task may not take: each name (or nested name) that is not a field of
 * its form — one detail per field, naming it.
 */
export function unknownFieldProblems(allowed: string[][], vars: Record<string, unknown>, prefix: string[] = []): RuleDetail[] {
  const problems: RuleDetail[] = [];
  for (const [k, v] of Object.entries(vars)) {
    const path = [...prefix, k];
    const same = (p: string[]) => p.length >= path.length && path.every((x, i) => p[i] === x);
    const exact = allowed.some((p) => p.length === path.length && same(p));
    if (exact) continue;
    const parent = allowed.some(same);
    if (parent && v && typeof v === 'object' && !Array.isArray(v)) problems.push(...unknownFieldProblems(allowed, v as Record<string, unknown>, path));
    else {
      const label = VARIABLE_LABELS[path.join('.')];
      problems.push({ field: path.join('.'), message: label ? `「${label}」不是此任务可填写的项目，不能提交` : '提交的内容中有此任务表单以外的项目，不能提交' });
    }
  }
  return problems;
}

const read = (vars: Record<string, unknown>, path: string[]) =>
  path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), vars);

/**
 * Checks submitted variables against a form-js schema: required fields, types, number bounds, text
 * length and pattern, allowed values. Returns one detail per problem (empty: valid).
 */
export function formProblems(schema: { components?: FormComponent[] } | null | undefined, vars: Record<string, unknown>): RuleDetail[] {
  if (!schema) return [];
  const problems: RuleDetail[] = [];
  for (const { c, path } of inputs(schema.components)) {
    const field = path.join('.');
    const label = c.label ?? field;
    const v = read(vars, path);
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
    if (empty) {
      if (c.validate?.required) problems.push({ field, message: `「${label}」为必填项` });
      continue;
    }
    const want = INPUT_TYPES[c.type!];
    const ok = want === 'array' ? Array.isArray(v) : typeof v === want && !(want === 'number' && !Number.isFinite(v));
    if (!ok) {
      problems.push({ field, message: `「${label}」类型应为 ${want}` });
      continue;
    }
    const val = c.validate ?? {};
    if (typeof v === 'number') {
      if (val.min !== undefined && v < val.min) problems.push({ field, message: `「${label}」不能小于 ${val.min}` });
      if (val.max !== undefined && v > val.max) problems.push({ field, message: `「${label}」不能大于 ${val.max}` });
    }
    if (typeof v === 'string') {
      if (val.minLength !== undefined && v.length < val.minLength) problems.push({ field, message: `「${label}」至少 ${val.minLength} 个字符` });
      if (val.maxLength !== undefined && v.length > val.maxLength) problems.push({ field, message: `「${label}」最多 ${val.maxLength} 个字符` });
      if (val.pattern && !safePatternTest(val.pattern, v)) problems.push({ field, message: `「${label}」格式不正确` });
    }
    const allowed = c.values?.map((o) => o.value);
    if (allowed?.length) {
      const given = Array.isArray(v) ? v : [v];
      for (const g of given) if (!allowed.includes(g)) problems.push({ field, message: `「${label}」的取值「${String(g)}」不在可选范围内` });
    }
  }
  return problems;
}

function safePatternTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return true; // a broken pattern in the form is the form author's problem, not the user's
  }
}
