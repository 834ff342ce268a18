import { api, ApiError, mount } from '../api';

/**
 * The work lists (待办 / 已办 / 我发起的 / 抄送我的): a filter takes effect when it is changed (the form
 * still works without script: it has its own button), and a whole row opens its task.
 */
mount('list', (root) => {
  const form = root.querySelector<HTMLFormElement>('form.filters');
  if (form) {
    form.querySelectorAll<HTMLSelectElement | HTMLInputElement>('select, input[type=checkbox]').forEach((input) =>
      input.addEventListener('change', () => form.requestSubmit()),
    );
  }
  // 已办: 撤回 (then the reopened task); 我发起的: 催办 — the answer, or the refusal, shown in the row
  root.querySelectorAll<HTMLButtonElement>('[data-row-op]').forEach((button) =>
    button.addEventListener('click', async () => {
      const op = button.dataset.rowOp!;
      const result = button.parentElement?.querySelector<HTMLElement>('.row-result');
      button.disabled = true;
      try {
        const answer = await api<{ task?: { id?: number } | null }>('POST', `/api/tasks/${button.dataset.taskId}/${op}`, {});
        if (op === 'withdraw') return window.location.assign(`/tasks/${answer?.task?.id ?? button.dataset.taskId}?op=withdraw`);
        if (result) result.textContent = '已催办';
        button.hidden = true;
      } catch (err) {
        if (result) {
          result.textContent = err instanceof ApiError || err instanceof Error ? err.message : String(err);
          result.classList.add('field-error');
        }
        button.disabled = false;
      }
    }),
  );
  root.querySelectorAll<HTMLElement>('[data-href]').forEach((row) => {
    row.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).closest('a, button, input, select')) return;
      window.location.assign(row.dataset.href!);
    });
  });
});
