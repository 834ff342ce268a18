/** zh-CN first, English available: `?lang=en` or the `lang` cookie. */
export type Lang = 'zh' | 'en';

const MESSAGES = {
  appName: { zh: 'GovFlow 政务信息化项目流程平台', en: 'GovFlow — government IT project workflow' },
  navMain: { zh: '主导航', en: 'Main navigation' },
  navTasks: { zh: '待办', en: 'Tasks' },
  navDone: { zh: '已办', en: 'Done' },
  navStarted: { zh: '我发起的', en: 'Started by me' },
  navCc: { zh: '抄送我的', en: 'Copied to me' },
  navMessages: { zh: '消息', en: 'Messages' },
  navProjects: { zh: '项目', en: 'Projects' },
  navProcesses: { zh: '流程', en: 'Processes' },
  navMonitor: { zh: '监控', en: 'Monitor' },
  navPlans: { zh: '年度计划', en: 'Annual plans' },
  navCalendar: { zh: '节假日', en: 'Holidays' },
  logout: { zh: '退出', en: 'Sign out' },
  login: { zh: '登录', en: 'Sign in' },
  username: { zh: '用户名', en: 'Username' },
  password: { zh: '密码', en: 'Password' },
  loginTitle: { zh: '用户登录', en: 'Sign in' },
  loginFailed: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  loginThrottled: { zh: '登录失败次数过多，请稍后再试', en: 'Too many failed attempts, try again later' },
  switchLang: { zh: 'English', en: '中文' },
  notFoundTitle: { zh: '页面不存在', en: 'Page not found' },
  notFoundBody: { zh: '您访问的页面不存在或已被移除。', en: 'The page does not exist or was removed.' },
  errorTitle: { zh: '出错了', en: 'Something went wrong' },
  errorBody: { zh: '请求未能完成，请稍后再试或联系系统管理员。', en: 'The request could not be completed. Try again later or contact the administrator.' },
  forbiddenTitle: { zh: '无权访问', en: 'Not allowed' },
  backHome: { zh: '返回首页', en: 'Back to start' },
  tasksTitle: { zh: '我的待办', en: 'My tasks' },
  tasksEmpty: { zh: '暂无待办事项。', en: 'No open tasks.' },
  projectsTitle: { zh: '项目', en: 'Projects' },
  projectsEmpty: { zh: '暂无可查看的项目。', en: 'No projects to show.' },
  processesTitle: { zh: '流程定义', en: 'Process definitions' },
  processesEmpty: { zh: '尚未部署流程。', en: 'No processes deployed.' },
  monitorTitle: { zh: '运行监控', en: 'Monitor' },
  signedInAs: { zh: '当前用户', en: 'Signed in as' },
  groups: { zh: '所属组', en: 'Groups' },
  csrfFailed: { zh: '表单已过期，请刷新页面后重试', en: 'The form expired; reload the page and try again' },
  calendarTitle: { zh: '法定节假日安排', en: 'Statutory holiday schedule' },
  calendarIntro: {
    zh: '工作日期限（如合同备案“10个工作日”）按此处的节假日安排计算。没有安排的年份暂按周末计算，相关期限标记为“暂定”；录入该年安排后，所有暂定期限和定时器立即重新计算。',
    en: 'Working-day deadlines are counted on this schedule. A year without one is counted on weekends only and its deadlines are marked provisional; entering the year recomputes every provisional deadline and timer at once.',
  },
  calendarYear: { zh: '年份', en: 'Year' },
  calendarSource: { zh: '来源', en: 'Source' },
  calendarEnteredBy: { zh: '录入人', en: 'Entered by' },
  calendarEnteredAt: { zh: '录入时间', en: 'Entered at' },
  calendarPending: { zh: '暂定期限', en: 'Provisional deadlines' },
  calendarEdit: { zh: '修改', en: 'Edit' },
  calendarEnter: { zh: '录入', en: 'Enter' },
  calendarSourceChineseDays: { zh: '国务院办公厅通知（chinese-days 数据）', en: 'State Council notice (chinese-days data)' },
  calendarSourceEntered: { zh: '管理员录入', en: 'Entered by an administrator' },
  calendarSourceNone: { zh: '暂无安排（按周末计算）', en: 'No schedule (weekends only)' },
  calendarFormTitle: { zh: '录入年度节假日安排', en: "Enter a year's schedule" },
  calendarFormHint: {
    zh: '依据国务院办公厅当年的放假安排通知填写。每行一个日期（YYYY-MM-DD），连续的日期可写成区间，如 2027-02-06~2027-02-12。保存后替换该年原有安排。',
    en: "From the State Council's notice for the year. One date per line (YYYY-MM-DD); a run of days as a range, e.g. 2027-02-06~2027-02-12. Saving replaces the year's schedule.",
  },
  calendarHolidays: { zh: '放假日期（含放假的周末）', en: 'Days off (including weekends in the break)' },
  calendarWorkdays: { zh: '调休上班日（须为周六或周日）', en: 'Adjusted working days (Saturdays or Sundays)' },
  calendarSave: { zh: '保存', en: 'Save' },
  calendarSaved: { zh: '已保存节假日安排：', en: 'Schedule saved: ' },
  calendarRecomputed: { zh: '重新计算的期限和定时器：', en: 'Deadlines and timers recomputed: ' },
  calendarErrors: { zh: '未保存，请更正以下问题：', en: 'Not saved; please correct the following:' },
} as const;

export type MessageKey = keyof typeof MESSAGES;

export function translator(lang: Lang) {
  return (key: MessageKey): string => MESSAGES[key][lang];
}

/**
 * The pages' labels (table headers, field labels, section titles, buttons) by their Chinese text:
 * a view writes `tr('项目名称')` and reads Chinese; in English the row below answers, and a label
 * missing here stays Chinese (the English walk, test/web/english-browser.test.ts, finds it).
 * Data — names, stages, step names, opinions — is not translated.
 */
export const LABELS_EN: Readonly<Record<string, string>> = {
  // 消息
  消息: 'Messages',
  全部已读: 'Mark all read',
  标为已读: 'Mark read',
  未读: 'Unread',
  已读: 'Read',
  类型: 'Kind',
  内容: 'Message',
  项目: 'Project',
  时间: 'Time',
  操作: 'Actions',
  暂无消息: 'No messages.',
  分页: 'Pages',
  上一页: 'Previous',
  下一页: 'Next',
};

export function labelTranslator(lang: Lang) {
  return (zh: string): string => (lang === 'en' ? (LABELS_EN[zh] ?? zh) : zh);
}

export function pickLang(query: unknown, cookie: unknown): Lang {
  if (query === 'en' || query === 'zh') return query;
  return cookie === 'en' ? 'en' : 'zh';
}
