import { mount } from '../api';

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
  root.querySelectorAll<HTMLElement>('[data-href]').forEach((row) => {
    row.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).closest('a, button, input, select')) return;
      window.location.assign(row.dataset.href!);
    });
  });
});
