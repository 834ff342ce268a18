import { RULES, ruleDetail, type RuleId } from '../../domain/rules';
import { defineHandler, type HandlerDescriptor } from '../handler';

/** One required material: its type key (as uploaded), its Chinese name, and the rule that requires it. */
export interface RequiredMaterial {
  type: string;
  label: string;
  rule: string;
}

export interface MaterialProblem {
  rule: string;
  article?: string;
  field?: string;
  message: string;
}

/**
 * Checks that the project of this instance (businessKey = project code) has uploaded every required
 * material. The list, the names and the rules are data of the diagram (an input mapping), never code.
 */
export const checkStageMaterialsHandler = defineHandler<{ required: RequiredMaterial[] }, { ok: boolean; problems: MaterialProblem[]; missing: string[] }>({
  name: 'check-stage-materials',
  title: '检查阶段材料',
  description:
    '检查本项目（业务键 = 项目编号）已上传的材料是否包含所需材料清单中的每一项；缺少的每一项都作为一条问题返回，并引用对应条款（如合同备案、竣工验收）。清单在流程图的输入映射中配置。',
  category: '实施与验收',
  inputs: [{ name: 'required', type: 'array', title: '所需材料清单 [{type, label, rule}]', required: true }],
  outputs: [
    { name: 'ok', type: 'boolean', title: '材料齐全' },
    { name: 'problems', type: 'array', title: '问题（引用条款）' },
    { name: 'missing', type: 'array', title: '缺少的材料类型' },
  ],
  async run(input, ctx) {
    if (!ctx.businessKey) throw new Error('check-stage-materials needs an instance with a businessKey (the project code)');
    if (!Array.isArray(input.required)) throw new Error('check-stage-materials needs "required": a list of {type, label, rule}');
    const project = await ctx.projects.get(ctx.businessKey);
    if (!project) throw new Error(`项目 ${ctx.businessKey} 不存在`);
    const uploaded = new Set(project.materials);
    const problems: MaterialProblem[] = [];
    const missing: string[] = [];
    for (const item of input.required) {
      if (!item || typeof item.type !== 'string') throw new Error('check-stage-materials: every required item needs a "type"');
      if (uploaded.has(item.type)) continue;
      missing.push(item.type);
      const text = `缺少${item.label || item.type}`;
      problems.push(item.rule in RULES ? ruleDetail(item.rule as RuleId, text, item.type) : { rule: item.rule, field: item.type, message: text });
    }
    return { ok: problems.length === 0, problems, missing };
  },
}) as unknown as HandlerDescriptor;
