import { api, mount, showError } from '../api';

/**
 * 消息: opening an unread message marks it read first (the link still works without script);
 * 标为已读 and 全部已读 mark and reload, so the page and the navigation's count agree.
 */
mount('messages', (root) => {
  const read = (row: HTMLElement) => api('POST', `/api/notifications/${row.dataset.notification}/read`);
  root.querySelectorAll<HTMLAnchorElement>('a[data-open]').forEach((link) =>
    link.addEventListener('click', async (ev) => {
      const row = link.closest<HTMLElement>('tr[data-notification]')!;
      if (!row.classList.contains('unread') || ev.ctrlKey || ev.metaKey || ev.shiftKey) return;
      ev.preventDefault();
      try {
        await read(row);
      } catch {
        // the message is opened anyway: marking it read is not worth a lost click
      }
      window.location.assign(link.href);
    }),
  );
  root.querySelectorAll<HTMLButtonElement>('button[data-read]').forEach((button) =>
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await read(button.closest<HTMLElement>('tr[data-notification]')!);
        window.location.reload();
      } catch (err) {
        showError(err, root);
        button.disabled = false;
      }
    }),
  );
  root.querySelector<HTMLButtonElement>('button[data-read-all]')?.addEventListener('click', async (ev) => {
    const button = ev.currentTarget as HTMLButtonElement;
    button.disabled = true;
    try {
      await api('POST', '/api/notifications/read-all');
      window.location.reload();
    } catch (err) {
      showError(err, root);
      button.disabled = false;
    }
  });
});
