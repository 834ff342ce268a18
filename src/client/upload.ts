import { api, ApiError, clearErrors, showError } from './api';

/** An upload form (`form[data-upload]`): the size limit checked before sending, the server's refusal shown as it is; the page reloads with the new document. */
export function bindUpload(root: HTMLElement, projectId: string | undefined, busy: (on: boolean) => void): void {
  root.querySelectorAll<HTMLFormElement>('form[data-upload]').forEach((upload) =>
    upload.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(root);
      const input = upload.querySelector<HTMLInputElement>('input[type=file]')!;
      const file = input.files?.[0];
      const max = Number(upload.dataset.maxBytes);
      const mb = Math.round(max / 1024 / 1024);
      if (!file) return void showError(new ApiError(400, 'no-file', '请选择要上传的文件', [{ field: 'file', message: '请选择要上传的文件' }]), upload);
      if (file.size > max) return void showError(new ApiError(413, 'too-large', `文件过大：不得超过 ${mb} MB`, [{ field: 'file', message: `文件过大：不得超过 ${mb} MB` }]), upload);
      const body = new FormData();
      body.append('materialType', upload.querySelector<HTMLSelectElement | HTMLInputElement>('[name=materialType]')!.value);
      body.append('file', file);
      busy(true);
      try {
        await api('POST', `/api/projects/${projectId}/documents`, body);
        window.location.reload();
      } catch (err) {
        showError(err, upload);
        busy(false);
      }
    }),
  );
}
