import { FormEditor, schemaVersion } from '@bpmn-io/form-js-editor';
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/dragula.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { api, ApiError, clearErrors, mount, showError } from '../api';
import { translateFormEditor } from '../studio/form-editor-zh';

/**
 * The form editor (issue 9 item 5): @bpmn-io/form-js-editor on a form of the newest version of a process
 * (`data-schema-url`) or a new, empty one for a user task (`data-task-id`). 预览 renders the schema with
 * the same form-js viewer the task page uses; 部署 sends the schema to
 * POST /api/process-definitions/:key/forms, which deploys it with the newest diagram as the process's
 * next version (the form is versioned with the deployment; a new form is linked to its task).
 */
mount('form-editor', async (root) => {
  const key = root.dataset.key!;
  const formId = root.dataset.formId!;
  const taskId = root.dataset.taskId || null;
  let schema: Record<string, unknown> = { type: 'default', id: formId, components: [], schemaVersion };
  if (root.dataset.schemaUrl) {
    const res = await fetch(root.dataset.schemaUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new ApiError(res.status, 'error', `无法读取表单（${res.status}）`);
    schema = ((await res.json()) as { schema: Record<string, unknown> }).schema;
  }
  const editor = new FormEditor({ container: root.querySelector<HTMLElement>('[data-editor]')! });
  // form-js speaks English: in Chinese pages its palette and panel are put into Chinese
  if (root.dataset.lang !== 'en') translateFormEditor(root.querySelector<HTMLElement>('[data-editor]')!);
  await editor.importSchema(schema);

  const editorPane = root.querySelector<HTMLElement>('[data-editor]')!;
  const preview = root.querySelector<HTMLElement>('[data-preview]')!;
  let viewer: Form | null = null;
  root.querySelectorAll<HTMLButtonElement>('[data-tab]').forEach((tab) =>
    tab.addEventListener('click', async () => {
      const showPreview = tab.dataset.tab === 'preview';
      root.querySelectorAll<HTMLButtonElement>('[data-tab]').forEach((t) => {
        t.setAttribute('aria-selected', String(t === tab));
        t.classList.toggle('primary', t === tab);
      });
      editorPane.hidden = showPreview;
      preview.hidden = !showPreview;
      if (showPreview) {
        viewer?.destroy();
        preview.replaceChildren();
        viewer = new Form({ container: preview });
        await viewer.importSchema(editor.saveSchema(), {});
        root.dataset.previewReady = 'true';
      }
    }),
  );

  // export the schema as a .form file; import one in its place (its id becomes this form's: the task names this id)
  root.querySelector('[data-action="download-form"]')!.addEventListener('click', () => {
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([JSON.stringify(editor.saveSchema(), null, 2)], { type: 'application/json' }));
    a.download = `${formId}.form`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  const fileInput = root.querySelector<HTMLInputElement>('input[data-action="import-form"]')!;
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files?.[0];
    if (!file) return;
    clearErrors(root);
    try {
      const imported = JSON.parse(await file.text()) as Record<string, unknown>;
      if (!imported || typeof imported !== 'object' || !Array.isArray(imported.components)) throw new Error('没有 components（表单字段）');
      await editor.importSchema({ ...imported, id: formId });
      root.dataset.imported = file.name;
    } catch (err) {
      showError(new ApiError(0, 'import', `无法打开 ${file.name}：不是有效的表单文件（${(err as Error)?.message ?? String(err)}）`), root);
    } finally {
      fileInput.value = '';
    }
  });

  const deploy = root.querySelector<HTMLButtonElement>('[data-action="deploy"]')!;
  const note = root.querySelector<HTMLTextAreaElement>('[data-note]')!;
  const done = root.querySelector<HTMLElement>('[data-deployed]')!;
  deploy.addEventListener('click', async () => {
    clearErrors(root);
    deploy.disabled = true;
    try {
      const d = await api<{ version: number; duplicate: boolean }>('POST', `/api/process-definitions/${encodeURIComponent(key)}/forms`, { formId, schema: editor.saveSchema(), taskId, note: note.value.trim() || null });
      done.textContent = d.duplicate ? `没有改动：流程仍是版本 ${d.version}` : `已部署为流程版本 ${d.version}，新发起的实例使用这个表单`;
      done.hidden = false;
      root.dataset.deployedVersion = String(d.version);
    } catch (err) {
      showError(err, root);
    } finally {
      deploy.disabled = false;
    }
  });
});
