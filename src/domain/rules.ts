/**
 * The rule catalogue of ../shared/measures/rules.md: every rule id with its article (第N条). Messages
 * a rule produces cite the article in Chinese: `不符合第13条：…`.
 */
export const RULES = {
  'R5.1': { article: '第5条', title: '申报批次：在区数据局开启的申报批次内申报' },
  'R5.2': { article: '第5条', title: '有主管部门的由主管部门扎口申报' },
  'R5.3': { article: '第5条', title: '跨部门项目由牵头部门申报并统一接口与数据资源目录' },
  'R5.4': { article: '第5条', title: '涉密项目先由保密部门预审，详情仅限单位、保密和区数据局可见' },
  'R6.1': { article: '第6条', title: '原则上不得单独开发移动端APP和小程序' },
  'R6.2': { article: '第6条', title: '一部门一系统：衔接存量系统' },
  'R7.1': { article: '第7条', title: '申报材料齐全' },
  'R7.2': { article: '第7条', title: '专家审核' },
  'R7.3': { article: '第7条', title: '技术审核并联' },
  'R7.4': { article: '第7条', title: '按审核意见修改后报送区数据局' },
  'R7.5': { article: '第7条', title: '年度实施计划经区管委会审定后纳入预算' },
  'R8.1': { article: '第8条', title: '计划外项目限三类情形并报区管委会批准' },
  'R9.1': { article: '第9条', title: '50万元以上建设类项目须立项' },
  'R10.1': { article: '第10条', title: '按批准预算采购，合同金额不超预算' },
  'R10.2': { article: '第10条', title: '涉密项目采购执行保密法律法规和涉密采购管理办法' },
  'R11.1': { article: '第11条', title: '网络和数据安全方案' },
  'R12.1': { article: '第12条', title: '密码应用方案、电子文件管理' },
  'R13.1': { article: '第13条', title: '合同签订后10个工作日内备案' },
  'R13.2': { article: '第13条', title: '建设类项目免费运维期不少于12个月' },
  'R13.3': { article: '第13条', title: '运维类项目运维管理制度与应急预案' },
  'R14.1': { article: '第14条', title: '资金支付：区数据局初审、区财政局审核' },
  'R14.2': { article: '第14条', title: '资金申请须附佐证材料' },
  'R14.3': { article: '第14条', title: '按备案的资金支付计划（阶段、金额）申请支付' },
  'R15.1': { article: '第15条', title: '概算控制预算、预算控制决算' },
  'R15.2': { article: '第15条', title: '合同价增加须会商并报区管委会批准' },
  'R16.1': { article: '第16条', title: '严重逾期须报告整改' },
  'R16.2': { article: '第16条', title: '未按时开工报区发展改革委、区财政局调整' },
  'R17.1': { article: '第17条', title: '竣工验收申请材料' },
  'R18.1': { article: '第18条', title: '验收不合格须整改，未验收不得使用、不拨付资金' },
  'R19.1': { article: '第19条', title: '资产登记与验收报告备案' },
  'R20.1': { article: '第20条', title: '项目电子档案' },
  'R21.1': { article: '第21条', title: '验收后12个月内绩效评价' },
  'R22.1': { article: '第22条', title: '运行监督' },
  'R23.1': { article: '第23条', title: '审计监督与责任追究' },
  'R24.1': { article: '第24条', title: '不属于本办法管理范围的项目' },
  'R25.1': { article: '第25条', title: '办法的施行日期和有效期（设置）' },
} as const;

export type RuleId = keyof typeof RULES;

/** A rule failure detail: `{rule, article, message}` with the message citing the article. */
export function ruleDetail(rule: RuleId, message: string, field?: string) {
  const article = RULES[rule].article;
  return { rule, article, ...(field ? { field } : {}), message: `不符合${article}：${message}` };
}
