import { api, ApiError, clearErrors, mount, showError } from '../api';

/** 新建申报, step 1: the fields become a draft (POST /api/projects); the page of the draft takes the materials and the submission. */
mount('wizard', (root) => {
  const form = root.querySelector<HTMLFormElement>('form[data-draft]')!;
  const button = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(root);
    const f = new FormData(form);
    const text = (k: string) => String(f.get(k) ?? '').trim();
    const lines = (k: string) => text(k).split(/[\n,，、;；]+/).map((x) => x.trim()).filter(Boolean);
    const investment = Number(text('investment').replace(/[,，\s]/g, ''));
    const planYear = Number(text('planYear'));
    const local: { field: string; message: string }[] = [];
    if (!text('name')) local.push({ field: 'name', message: '请填写项目名称' });
    if (!text('investment') || !Number.isFinite(investment) || investment < 0) local.push({ field: 'investment', message: '请填写申报投资金额（元，非负数）' });
    if (!Number.isInteger(planYear)) local.push({ field: 'planYear', message: '请填写计划年度（如 2027）' });
    if (!text('description')) local.push({ field: 'description', message: '请填写建设内容' });
    if (local.length) return void showError(new ApiError(422, 'invalid-fields', '请按提示补全项目信息', local), root);
    const body = {
      name: text('name'),
      unitCode: text('unitCode'),
      type: text('type'),
      investment,
      planYear,
      classified: f.get('classified') === 'on',
      crossDepartment: f.get('crossDepartment') === 'on',
      participants: f.getAll('participants').map(String),
      standaloneMobileApp: f.get('standaloneMobileApp') === 'on',
      justification: text('justification') || null,
      scopeCategory: text('scopeCategory'),
      inAnnualPlan: f.get('inAnnualPlan') === 'on',
      outOfPlanCategory: text('outOfPlanCategory') || null,
      existingSystems: lines('existingSystems'),
      description: text('description'),
    };
    button.disabled = true;
    try {
      const created = await api<{ id: number }>('POST', '/api/projects', body);
      window.location.assign(`/projects/${created.id}?saved=1`);
    } catch (err) {
      showError(err, root);
      button.disabled = false;
    }
  });
});
