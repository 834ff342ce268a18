import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { api, ApiError, clearErrors, mount, showError } from '../api';
import { bindUpload } from '../upload';

interface Component {
  id?: string;
  key?: string;
  type?: string;
  components?: Component[];
}
interface TaskDetail {
  id: number;
  form: { components?: Component[] } | null;
  variables: Record<string, unknown>;
}

/** The keys the page's own 审批意见 box sets: the form's decision and opinion fields (they stay form fields). */
const DECISION_KEYS = ['decision', 'opinion'];

const withoutKeys = (components: Component[] | undefined, keys: string[]): Component[] =>
  (components ?? []).filter((c) => !c.key || !keys.includes(c.key)).map((c) => (c.components ? { ...c, components: withoutKeys(c.components, keys) } : c));

/** field key (as the server names it: `a.b`) → the form-js component id, to put the server's error at its field */
function idsByKey(components: Component[] | undefined, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of components ?? []) {
    if (c.key && c.id) out.set(prefix + c.key, c.id);
    if (c.components) for (const [k, v] of idsByKey(c.components, prefix)) out.set(k, v);
  }
  return out;
}

/**
 * The task page: the task's form (form-js viewer, the form deployed with the diagram), 同意 / 退回 /
 * 不同意 with the 审批意见, claim and release, and uploads of material. A completion sends only the
 * form's fields; the server's refusals (422) are shown as they are, each field's at the field.
 */
mount('task', async (root) => {
  const taskId = root.dataset.taskId!;
  const projectId = root.dataset.projectId;
  const busy = (on: boolean) => root.querySelectorAll<HTMLButtonElement>('button').forEach((b) => (b.disabled = on));

  root.querySelectorAll<HTMLButtonElement>('[data-action="claim"], [data-action="release"]').forEach((button) =>
    button.addEventListener('click', async () => {
      clearErrors(root);
      busy(true);
      try {
        await api('POST', `/api/tasks/${taskId}/${button.dataset.action === 'claim' ? 'claim' : 'unclaim'}`);
        window.location.reload();
      } catch (err) {
        showError(err, root);
        busy(false);
      }
    }),
  );

  bindUpload(root, projectId, busy);
  bindOperations(root, taskId, busy);

  const formRoot = root.querySelector<HTMLElement>('[data-form-root]');
  if (!formRoot || root.dataset.mayAct !== 'true') return;

  const detail = await api<TaskDetail>('GET', `/api/tasks/${taskId}`);
  const box = root.dataset.decisionBox === 'true';
  // a task without a form (a formless step, completed with what its output mappings read): an empty form-js form
  const schema = { type: 'default', ...(detail.form ?? { components: [] }) } as { components?: Component[] };
  const shownSchema = box ? { ...schema, components: withoutKeys(schema.components, DECISION_KEYS) } : schema;
  const form = new Form({ container: formRoot });
  await form.importSchema(shownSchema as never, detail.variables as never);
  const ids = idsByKey((form._getState().schema as { components?: Component[] }).components);

  const opinion = root.querySelector<HTMLTextAreaElement>('textarea[name=opinion]');
  root.querySelectorAll<HTMLButtonElement>('[data-phrase]').forEach((b) =>
    b.addEventListener('click', () => {
      if (!opinion) return;
      opinion.value = opinion.value.trim() ? `${opinion.value.trim()}\n${b.dataset.phrase}` : b.dataset.phrase!;
      opinion.focus();
    }),
  );

  /** puts a server field error on the form-js field */
  const placeField = (field: string, message: string) => {
    const id = ids.get(field);
    if (!id) return false;
    const state = form._getState();
    form._setState({ errors: { ...state.errors, [id]: [message] } });
    return true;
  };

  const complete = async (decision?: string) => {
    clearErrors(root);
    const { data, errors } = form.submit();
    if (Object.keys(errors).length) {
      showError(new ApiError(422, 'form-invalid', '表单填写不完整或有误，请按提示修改'), root);
      return;
    }
    const variables: Record<string, unknown> = { ...data };
    if (decision !== undefined) {
      variables.decision = decision;
      if (opinion) variables.opinion = opinion.value.trim();
    }
    busy(true);
    try {
      await api('POST', `/api/tasks/${taskId}/complete`, { variables });
      window.location.assign(`/tasks?completed=${encodeURIComponent(taskId)}`);
    } catch (err) {
      showError(err, root, placeField);
      busy(false);
    }
  };
  root.querySelectorAll<HTMLButtonElement>('[data-decision]').forEach((b) => b.addEventListener('click', () => complete(b.dataset.decision)));
  root.querySelector<HTMLButtonElement>('[data-action="complete"]')?.addEventListener('click', () => complete());
});

/** where the page goes after an operation: the list when the task is no longer the user's, else the task again */
const AFTER: Record<string, (taskId: string, answer: { task?: { id?: number } | null }) => string> = {
  transfer: () => '/tasks?op=transfer',
  delegate: (id) => `/tasks/${id}?op=delegate`,
  'add-signer': (id) => `/tasks/${id}?op=add-signer`,
  sign: (id) => `/tasks/${id}?op=sign`,
  return: () => '/tasks?op=return',
  withdraw: (id, a) => `/tasks/${a.task?.id ?? id}?op=withdraw`,
  cc: (id) => `/tasks/${id}?op=cc`,
  urge: (id) => `/tasks/${id}?op=urge`,
};

/**
 * 审批操作: each `form[data-op]` posts to /api/tasks/:id/<op> (转办 委派 加签 签署 退回 撤回 抄送 催办);
 * a refusal is shown inside that form (a field's message at the field), nothing else on the page moves.
 */
function bindOperations(root: HTMLElement, taskId: string, busy: (on: boolean) => void) {
  root.querySelectorAll<HTMLFormElement>('form[data-op]').forEach((form) =>
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const op = form.dataset.op!;
      const data = new FormData(form);
      const text = (name: string) => String(data.get(name) ?? '').trim();
      const body: Record<string, unknown> = {};
      if (data.has('opinion')) body.opinion = text('opinion');
      if (op === 'cc') body.to = data.getAll('to').map(String);
      else if (data.has('to')) body.to = text('to');
      if (data.has('toActivityId')) body.toActivityId = text('toActivityId');
      clearErrors(form);
      busy(true);
      try {
        const answer = await api<{ task?: { id?: number } | null }>('POST', `/api/tasks/${taskId}/${op}`, body);
        window.location.assign(AFTER[op]?.(taskId, answer ?? {}) ?? `/tasks/${taskId}`);
      } catch (err) {
        showError(err, form);
        busy(false);
      }
    }),
  );
}
