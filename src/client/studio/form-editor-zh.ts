/**
 * The form editor in Chinese: form-js 1.x has no translations, so the words of its palette and
 * properties panel are replaced where they are drawn (exact texts, titles and placeholders) inside those
 * two containers only — never on the canvas, whose texts are the form's own content.
 */
const ZH: Record<string, string> = {
  Components: '组件',
  'Search components': '搜索组件',
  Input: '输入',
  Selection: '选择',
  Presentation: '展示',
  Containers: '容器',
  Action: '操作',
  'Text field': '单行文本',
  'Text area': '多行文本',
  Number: '数字',
  'Date time': '日期时间',
  Expression: '表达式',
  'File picker': '文件',
  Checkbox: '复选框',
  'Checkbox group': '复选框组',
  'Radio group': '单选组',
  Select: '下拉选择',
  'Tag list': '多选标签',
  'Text view': '说明文字',
  'Image view': '图片',
  Table: '表格',
  'HTML view': 'HTML',
  'Document preview': '文档预览',
  Spacer: '空白',
  Separator: '分隔线',
  Group: '分组',
  'Dynamic list': '动态列表',
  iFrame: '内嵌页面',
  Button: '按钮',
  General: '常规',
  Condition: '显示条件',
  Layout: '布局',
  Appearance: '外观',
  Validation: '校验',
  Serialization: '序列化',
  Constraints: '约束',
  Options: '选项',
  'Options source': '选项来源',
  'Static options': '固定选项',
  'Custom properties': '自定义属性',
  'Field label': '字段标签',
  'Field description': '字段说明',
  Key: '字段名（变量）',
  'Binds to a form variable': '对应流程的一个变量',
  'Default value': '默认值',
  Disabled: '禁用',
  'Read only': '只读',
  Required: '必填',
  'Minimum length': '最少字数',
  'Maximum length': '最多字数',
  Minimum: '最小值',
  Maximum: '最大值',
  'Validation pattern': '格式',
  'Custom regular expression': '自定义正则表达式',
  'Custom error message': '自定义错误提示',
  Label: '标签',
  Value: '值',
  Text: '文字',
  Columns: '列宽',
  Auto: '自动',
  Prefix: '前缀',
  Suffix: '后缀',
  'Hide if': '隐藏条件',
  'Decimal digits': '小数位数',
  Increment: '步长',
  Subtype: '类型',
  Date: '日期',
  Time: '时间',
  'Date label': '日期标签',
  'Time label': '时间标签',
  'Disallow past dates': '不允许过去的日期',
  'Toggle section': '展开/收起',
  'Open documentation': '查看文档',
  'Remove entry': '删除',
  'Add entry': '添加',
  'Open popup editor': '在弹窗中编辑',
};

function translateNode(node: Node): void {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = node.textContent ?? '';
    const zh = ZH[text.trim()];
    if (zh && text.trim() !== zh) node.textContent = text.replace(text.trim(), zh);
    return;
  }
  if (!(node instanceof Element)) return;
  for (const attr of ['title', 'placeholder', 'aria-label']) {
    const v = node.getAttribute(attr);
    if (v && ZH[v]) node.setAttribute(attr, ZH[v]);
  }
  node.childNodes.forEach(translateNode);
}

/** Translates the palette and the properties panel under `root`, now and whenever they redraw. */
export function translateFormEditor(root: HTMLElement): void {
  const inScope = (n: Node | null) => !!(n && (n instanceof Element ? n : n.parentElement)?.closest('.fjs-palette-container, .fjs-properties-container'));
  root.querySelectorAll('.fjs-palette-container, .fjs-properties-container').forEach(translateNode);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') {
        // a new node: inside the palette or panel, or (when the editor first draws) containing them
        r.addedNodes.forEach((n) => {
          if (inScope(n)) translateNode(n);
          else if (n instanceof Element) n.querySelectorAll('.fjs-palette-container, .fjs-properties-container').forEach(translateNode);
        });
      } else if (inScope(r.target)) translateNode(r.target);
    }
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['title', 'placeholder', 'aria-label'] });
}
