/** zh-CN first, English available: `?lang=en` or the `lang` cookie. */
export type Lang = 'zh' | 'en';

const MESSAGES = {
  appName: { zh: 'GovFlow 政务信息化项目流程平台', en: 'GovFlow — government IT project workflow' },
  navTasks: { zh: '待办', en: 'Tasks' },
  navProjects: { zh: '项目', en: 'Projects' },
  navProcesses: { zh: '流程', en: 'Processes' },
  navMonitor: { zh: '监控', en: 'Monitor' },
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
} as const;

export type MessageKey = keyof typeof MESSAGES;

export function translator(lang: Lang) {
  return (key: MessageKey): string => MESSAGES[key][lang];
}

export function pickLang(query: unknown, cookie: unknown): Lang {
  if (query === 'en' || query === 'zh') return query;
  return cookie === 'en' ? 'en' : 'zh';
}
