import { RULES, ruleDetail, type RuleId } from '../domain/rules';
import { defineHandler } from './handler';

/** One required material: its type key (as uploaded), its Chinese name, and the rule that requires it. */
export interface RequiredMaterial {
  type: string;
  label?: string;
  rule?: string;
}

/**
 * Checks that the project of this instance (businessKey = project code) has uploaded every material a
 * step requires — the application (第7条), the contract filing (第13条), the acceptance (第17条), the
 * performance report (第21条). The list, the names and the rules are the diagram's data (an input
 * mapping); the uploads are read afresh each time, so a re-upload counts on the next check.
 */
export const checkProjectMaterialsHandler = defineHandler<
  { required: RequiredMaterial[] },
  { ok: boolean; missing: string[]; problems: { rule?: string; article?: string; field?: string; message: string }[]; materials: string[] }
>({
  name: 'check-project-materials',
  title: '核对项目材料',
  description:
    '把流程图中列出的所需材料（[{type, label, rule}]）与本项目（业务键 = 项目编号）当前已上传的材料类型比较；每缺一项给出一条引用条款的问题。输出 ok、missing、problems、materials，供网关判断。',
  category: '项目',
  inputs: [{ name: 'required', type: 'array', title: '所需材料清单 [{type, label, rule}]', required: true }],
  outputs: [
    { name: 'ok', type: 'boolean', title: '材料齐全' },
    { name: 'missing', type: 'array', title: '缺少的材料类型' },
    { name: 'problems', type: 'array', title: '问题（规则、条款、说明）' },
    { name: 'materials', type: 'array', title: '已上传的材料类型' },
  ],
  async run(input, ctx) {
    if (!ctx.businessKey) throw new Error('check-project-materials needs an instance with a businessKey (the project code)');
    if (!Array.isArray(input.required)) throw new Error('check-project-materials needs "required": a list of {type, label, rule}');
    if (input.required.some((r) => !r || typeof r.type !== 'string')) throw new Error('check-project-materials: every required item needs a "type"');
    const project = await ctx.projects.get(ctx.businessKey);
    if (!project) throw new Error(`项目 ${ctx.businessKey} 不存在`);
    const uploaded = new Set(project.materials);
    const missing = input.required.filter((r) => !uploaded.has(r.type));
    return {
      ok: missing.length === 0,
      missing: missing.map((r) => r.type),
      problems: missing.map((r) => {
        const text = `缺少${r.label || r.type}`;
        return r.rule && r.rule in RULES ? ruleDetail(r.rule as RuleId, text, r.type) : { ...(r.rule ? { rule: r.rule } : {}), field: r.type, message: text };
      }),
      materials: [...uploaded],
    };
  },
});
