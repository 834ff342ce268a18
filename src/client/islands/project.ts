import { api, clearErrors, mount, showError } from '../api';
import { bindUpload } from '../upload';

/** The project page: material uploads and, for a draft, 提交申报 (the rules' refusals shown in place). */
mount('project', (root) => {
  const projectId = root.dataset.projectId;
  const busy = (on: boolean) => root.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.disabled = on));
  bindUpload(root, projectId, busy);
  // 催办 of a current step: the answer, or the refusal (429 within the hour), shown next to it
  root.querySelectorAll<HTMLButtonElement>('[data-row-op="urge"]').forEach((button) =>
    button.addEventListener('click', async () => {
      const result = button.parentElement?.querySelector<HTMLElement>('.row-result');
      button.disabled = true;
      try {
        await api('POST', `/api/tasks/${button.dataset.taskId}/urge`, {});
        if (result) result.textContent = '已催办';
        button.hidden = true;
      } catch (err) {
        if (result) {
          result.textContent = err instanceof Error ? err.message : String(err);
          result.classList.add('field-error');
        }
        button.disabled = false;
      }
    }),
  );
  root.querySelector<HTMLButtonElement>('[data-action="submit"]')?.addEventListener('click', async () => {
    clearErrors(root);
    busy(true);
    try {
      await api('POST', `/api/projects/${projectId}/submit`);
      window.location.assign(`/projects/${projectId}?submitted=1`);
    } catch (err) {
      showError(err, root);
      busy(false);
    }
  });
});
