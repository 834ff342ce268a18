import { ruleDetail, RULES, type RuleId } from '../../domain/rules';
import { defineHandler, type HandlerDescriptor } from '../handler';

/**
 * Checks that the project of this instance (businessKey = project code) has the uploaded materials a
 * step requires — e.g. the performance evaluation report of 第21条. The list and the rule are the
 * diagram's data (input mappings); the outcome is an output the diagram routes on.
 */
export const requireMaterialsHandler = defineHandler<
  { required: string[]; rule: string; labels?: Record<string, string> },
  { ok: boolean; missing: string[]; problems: ReturnType<typeof ruleDetail>[] }
>({
  name: 'require-project-materials',
  title: '核对项目材料',
  description: '核对本流程所属项目（业务键 = 项目编号）是否已上传所需材料类型；输出 ok、missing、problems（注明条款），供网关判断。',
  category: '项目',
  inputs: [
    { name: 'required', type: 'array', title: '所需材料类型', required: true },
    { name: 'rule', type: 'string', title: '规则编号（如 R21.1）', required: true },
    { name: 'labels', type: 'object', title: '材料类型的中文名称' },
  ],
  outputs: [
    { name: 'ok', type: 'boolean', title: '材料齐全' },
    { name: 'missing', type: 'array', title: '缺少的材料类型' },
    { name: 'problems', type: 'array', title: '问题（注明条款）' },
  ],
  async run(input, ctx) {
    if (!ctx.businessKey) throw new Error('require-project-materials needs an instance with a businessKey (the project code)');
    if (!Array.isArray(input.required)) throw new Error('require-project-materials needs "required" (a list of material types)');
    if (!(input.rule in RULES)) throw new Error(`require-project-materials: unknown rule "${input.rule}"`);
    const project = await ctx.projects.get(ctx.businessKey);
    if (!project) throw new Error(`项目 ${ctx.businessKey} 不存在`);
    const have = new Set(project.materials);
    const missing = input.required.map(String).filter((m) => !have.has(m));
    const label = (m: string) => input.labels?.[m] ?? m;
    return {
      ok: missing.length === 0,
      missing,
      problems: missing.map((m) => ruleDetail(input.rule as RuleId, `缺少${label(m)}`, m)),
    };
  },
}) as unknown as HandlerDescriptor;
