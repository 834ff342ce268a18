import { BpmnError } from '../../domain/errors';
import { ruleDetail } from '../../domain/rules';
import { defineHandler } from '../handler';

/** Opens an audit (第23条) on the project of this instance: its facts become instance variables. */
export const auditProjectHandler = defineHandler<
  Record<string, never>,
  { projectName: string; projectStage: string; unitGroup: string; projectMaterials: string[]; auditOpenedAt: string }
>({
  name: 'audit-load-project',
  title: '审计立项：读取项目',
  description: '审计可针对任何项目（第23条）：读取业务键对应项目的名称、阶段、单位和已上传材料，写入流程变量；项目不存在时抛出 BPMN 错误 PROJECT_NOT_FOUND。',
  category: '监督',
  inputs: [],
  outputs: [
    { name: 'projectName', type: 'string', title: '项目名称' },
    { name: 'projectStage', type: 'string', title: '项目阶段' },
    { name: 'unitGroup', type: 'string', title: '项目单位组' },
    { name: 'projectMaterials', type: 'array', title: '已上传材料类型' },
    { name: 'auditOpenedAt', type: 'string', title: '审计开始时间' },
  ],
  async run(_input, ctx) {
    const project = ctx.businessKey ? await ctx.projects.get(ctx.businessKey) : null;
    if (!project) throw new BpmnError('PROJECT_NOT_FOUND', `审计对象项目「${ctx.businessKey ?? ''}」不存在`);
    return {
      projectName: project.name,
      projectStage: project.stage,
      unitGroup: `unit:${project.unitCode}`,
      projectMaterials: project.materials,
      auditOpenedAt: ctx.now.toISOString(),
    };
  },
});

export interface AccountabilityCase {
  caseNo: string;
  rule: 'R23.1';
  article: string;
  message: string;
  projectCode: string | null;
  violationType: string;
  violationLabel: string;
  responsiblePeople: string[];
  description: string;
  recordedAt: string;
}

/**
 * Records an accountability case (第23条) against the responsible people: appended to the instance's
 * `accountabilityCases` (history and variables keep it). Violation types and their names are the
 * diagram's data (the form's values, the `labels` input mapping).
 */
export const recordAccountabilityHandler = defineHandler<
  { violationType: string; responsiblePeople: string | string[]; description?: string; labels?: Record<string, string>; cases?: AccountabilityCase[] | null },
  { accountabilityCases: AccountabilityCase[]; accountabilityCase: AccountabilityCase }
>({
  name: 'record-accountability',
  title: '登记责任追究',
  description: '按第23条登记责任追究案件：违规类型、责任人、事实；追加到流程变量 accountabilityCases。',
  category: '监督',
  inputs: [
    { name: 'violationType', type: 'string', title: '违规类型', required: true },
    { name: 'responsiblePeople', type: 'string', title: '责任人（以顿号、逗号分隔）', required: true },
    { name: 'description', type: 'string', title: '违规事实' },
    { name: 'labels', type: 'object', title: '违规类型的中文名称' },
    { name: 'cases', type: 'array', title: '已登记的案件' },
  ],
  outputs: [
    { name: 'accountabilityCases', type: 'array', title: '责任追究案件' },
    { name: 'accountabilityCase', type: 'object', title: '本次登记的案件' },
  ],
  async run(input, ctx) {
    const people = (Array.isArray(input.responsiblePeople) ? input.responsiblePeople : String(input.responsiblePeople ?? '').split(/[、,，;；\n]/))
      .map((s) => String(s).trim())
      .filter(Boolean);
    if (!input.violationType || !people.length) throw new BpmnError('ACCOUNTABILITY_INCOMPLETE', '责任追究须注明违规类型和责任人');
    const cases = Array.isArray(input.cases) ? input.cases : [];
    const label = input.labels?.[input.violationType] ?? input.violationType;
    const description = String(input.description ?? '');
    const detail = ruleDetail('R23.1', `${label}${description ? `：${description}` : ''}；责任人：${people.join('、')}`);
    const record: AccountabilityCase = {
      caseNo: `${ctx.businessKey ?? 'AUDIT'}-ZR-${cases.length + 1}`,
      rule: 'R23.1',
      article: detail.article,
      message: detail.message,
      projectCode: ctx.businessKey,
      violationType: input.violationType,
      violationLabel: label,
      responsiblePeople: people,
      description,
      recordedAt: ctx.now.toISOString(),
    };
    return { accountabilityCases: [...cases, record], accountabilityCase: record };
  },
});
