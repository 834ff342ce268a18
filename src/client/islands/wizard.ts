import { api, ApiError, clearErrors, mount, showError } from '../api';
import { bindUpload } from '../upload';

/**
 * 新建申报 and 修改草稿, one island. New (no `data-project-id`): the fields become a draft (POST
 * /api/projects) and the draft's page takes the materials and the submission. Edit (`data-project-id`):
 * the fields are saved onto the draft (PATCH), materials are uploaded and removed here, and 提交申报
 * saves the fields first, then submits (the rules' refusals shown in place).
 */
mount('wizard', (root) => {
  const projectId = root.dataset.projectId;
  const form = root.querySelector<HTMLFormElement>('form[data-draft]')!;
  const busy = (on: boolean) => root.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.disabled = on));

  /** the form's fields as the API takes them, or null (errors shown at their fields) */
  const fields = (): Record<string, unknown> | null => {
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
    if (local.length) {
      showError(new ApiError(422, 'invalid-fields', '请按提示补全项目信息', local), root);
      return null;
    }
    return {
      name: text('name'),
      // a draft keeps its unit (the select is disabled in edit mode)
      ...(projectId ? {} : { unitCode: text('unitCode') }),
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
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(root);
    const body = fields();
    if (!body) return;
    busy(true);
    try {
      if (projectId) {
        await api('PATCH', `/api/projects/${projectId}`, body);
        window.location.assign(`/projects/${projectId}/edit?saved=1`);
      } else {
        const created = await api<{ id: number }>('POST', '/api/projects', body);
        window.location.assign(`/projects/${created.id}?saved=1`);
      }
    } catch (err) {
      showError(err, root);
      busy(false);
    }
  });

  if (!projectId) return;
  bindUpload(root, projectId, busy);
  root.querySelectorAll<HTMLButtonElement>('button[data-remove-document]').forEach((button) =>
    button.addEventListener('click', async () => {
      clearErrors(root);
      busy(true);
      try {
        await api('DELETE', `/api/projects/${projectId}/documents/${button.dataset.removeDocument}`);
        window.location.reload();
      } catch (err) {
        showError(err, root);
        busy(false);
      }
    }),
  );
  root.querySelector<HTMLButtonElement>('[data-action="submit"]')?.addEventListener('click', async () => {
    clearErrors(root);
    const body = fields();
    if (!body) return;
    busy(true);
    try {
      await api('PATCH', `/api/projects/${projectId}`, body);
      await api('POST', `/api/projects/${projectId}/submit`);
      window.location.assign(`/projects/${projectId}?submitted=1`);
    } catch (err) {
      showError(err, root);
      busy(false);
    }
  });
});
