import { api, clearErrors, mount, showError } from '../api';
import { bindUpload } from '../upload';

/** The project page: material uploads and, for a draft, 提交申报 (the rules' refusals shown in place). */
mount('project', (root) => {
  const projectId = root.dataset.projectId;
  const busy = (on: boolean) => root.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.disabled = on));
  bindUpload(root, projectId, busy);
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
