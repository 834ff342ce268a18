import { api, clearErrors, mount, showError } from '../api';

/**
 * Instance migration on a version's page (issue 9 item 7): one instance (`data-instance`, from the 故障
 * page's "迁移") or every unended instance of the version. A dry run comes first and lists each active
 * element's fate (保持 / 映射 / 拒绝) per instance; 执行迁移 is enabled only after a dry run of the same
 * choices, and migrates for real (a refused instance is left unchanged).
 */
interface Move { from: string; to: string | null; fate: 'kept' | 'mapped' | 'refused'; name: string | null; targetName: string | null; reason?: string }
interface One { instanceId: string; businessKey?: string | null; from: number; to: number; moves: Move[]; problems: { message: string }[]; migrated: boolean }
interface Batch { total: number; ok: number; refused: number; dryRun: boolean; instances: One[] }

const FATE: Record<Move['fate'], string> = { kept: '保持', mapped: '映射', refused: '拒绝' };

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  if (text !== undefined) n.textContent = text;
  return n;
};

/** `A = B` / `A → B` / `A:B`, one per line: source element id → target element id. */
function parseMapping(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([^\s=→:>-]+)\s*(?:=|→|->|:)\s*(\S+)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

function movesTable(moves: Move[]): HTMLElement {
  if (!moves.length) return el('p', { class: 'hint' }, '没有活动环节');
  const table = el('table', { class: 'list moves' });
  table.append(el('thead'));
  table.tHead!.append(el('tr'));
  for (const h of ['当前环节', '目标环节', '结果', '说明']) table.tHead!.rows[0].append(el('th', {}, h));
  const body = el('tbody');
  for (const m of moves) {
    const tr = el('tr', { 'data-move': m.from, 'data-fate': m.fate });
    tr.append(el('td', { 'data-label': '当前环节' }, m.name ?? m.from), el('td', { 'data-label': '目标环节' }, m.to ? (m.targetName ?? m.to) : '—'), el('td', { 'data-label': '结果', class: m.fate === 'refused' ? 'overdue-tag' : '' }, FATE[m.fate]), el('td', { 'data-label': '说明' }, m.reason ?? ''));
    body.append(tr);
  }
  table.append(body);
  return table;
}

mount('migrate', (root) => {
  const key = root.dataset.key!;
  const version = root.dataset.version!;
  const instance = root.dataset.instance || '';
  const target = root.querySelector<HTMLSelectElement>('[data-target]')!;
  const mapping = root.querySelector<HTMLTextAreaElement>('[data-mapping]')!;
  const dry = root.querySelector<HTMLButtonElement>('[data-action="dry-run"]')!;
  const go = root.querySelector<HTMLButtonElement>('[data-action="migrate"]')!;
  const result = root.querySelector<HTMLElement>('[data-result]')!;
  let checked = '';
  const choice = () => JSON.stringify([target.value, mapping.value]);
  const url = instance ? `/api/process-instances/${encodeURIComponent(instance)}/migrate` : `/api/process-definitions/${encodeURIComponent(key)}/versions/${version}/migrate`;

  for (const input of [target, mapping]) input.addEventListener('input', () => (go.disabled = choice() !== checked));

  function render(answer: One | Batch, dryRun: boolean) {
    result.replaceChildren();
    const list: One[] = 'instances' in answer ? answer.instances : [answer];
    const ok = list.filter((x) => !x.problems.length).length;
    const summary = el('p', { class: 'notice', role: 'status', 'data-summary': '' }, `${dryRun ? '试迁移' : '迁移'}：共 ${list.length} 个实例，${dryRun ? '可迁移' : '已迁移'} ${ok} 个，拒绝 ${list.length - ok} 个（拒绝的实例保持不变）。`);
    result.append(summary);
    for (const one of list) {
      const sec = el('section', { class: 'migration', 'data-instance-result': one.instanceId, 'data-ok': String(!one.problems.length) });
      const h = el('h3');
      const a = el('a', { href: `/instances/${encodeURIComponent(one.instanceId)}` }, one.businessKey ? `${one.businessKey}（${one.instanceId.slice(0, 8)}）` : one.instanceId);
      h.append(a, document.createTextNode(` v${one.from} → v${one.to}：${one.problems.length ? '拒绝' : dryRun ? '可迁移' : '已迁移'}`));
      sec.append(h, movesTable(one.moves));
      if (one.problems.length) {
        const ul = el('ul', { class: 'problems' });
        for (const p of one.problems) ul.append(el('li', {}, p.message));
        sec.append(ul);
      }
      result.append(sec);
    }
  }

  async function send(dryRun: boolean) {
    clearErrors(root);
    const body = { targetVersion: Number(target.value), mapping: parseMapping(mapping.value), dryRun };
    try {
      const answer = await api<One | Batch>('POST', url, body);
      render(answer, dryRun);
      if (dryRun) {
        checked = choice();
        go.disabled = false;
      } else go.disabled = true;
      root.dataset.done = dryRun ? 'dry-run' : 'migrated';
    } catch (err) {
      showError(err, root);
      root.dataset.done = 'error';
    }
  }
  dry.addEventListener('click', () => void send(true));
  go.addEventListener('click', () => void send(false));
});
