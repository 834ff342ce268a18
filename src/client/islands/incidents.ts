import { api, clearErrors, mount, showError } from '../api';

/** The 故障 page: 重试 retries one incident (POST /api/incidents/:id/retry) and says how it went. */
mount('incidents', (root) => {
  root.querySelectorAll<HTMLButtonElement>('[data-retry]').forEach((button) => {
    button.addEventListener('click', async () => {
      clearErrors(root);
      const row = button.closest<HTMLElement>('[data-incident]')!;
      const status = row.querySelector<HTMLElement>('[data-status]')!;
      button.disabled = true;
      try {
        const r = await api<{ incident: { resolvedAt: string | null; message: string } }>('POST', `/api/incidents/${button.dataset.retry}/retry`);
        status.textContent = r.incident.resolvedAt ? '已重试，故障已解除' : `重试后仍失败：${r.incident.message}`;
        row.dataset.resolved = String(!!r.incident.resolvedAt);
      } catch (err) {
        showError(err, root);
      } finally {
        button.disabled = false;
      }
    });
  });
});
