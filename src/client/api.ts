/**
 * What every island shares: mounting into the elements marked `data-island`, calls to our own API
 * with the session cookie and the page's CSRF token (the `X-CSRF-Token` header the server checks on
 * every write of a signed-in page), and showing the server's errors as they are — the message (the
 * rules' refusals cite their article), each field's error at its field, the rest in a list.
 */

export interface ErrorDetail {
  field?: string;
  /** the diagram element a deployment refusal names */
  elementId?: string;
  rule?: string;
  article?: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

/** The CSRF token the server put in the page (`<meta name="csrf-token">`). */
export function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';
}

/** A JSON (or multipart) request to our API; a non-2xx answer throws an ApiError with the server's message. */
export async function api<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', 'X-CSRF-Token': csrfToken() };
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', '无法连接服务器，请检查网络后重试');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const e = (json as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | null)?.error;
    const fallback = res.status === 413 ? '文件过大' : res.status === 401 ? '登录已过期，请重新登录' : `请求未能完成（${res.status}）`;
    throw new ApiError(res.status, e?.code ?? 'error', e?.message ?? fallback, Array.isArray(e?.details) ? e!.details : []);
  }
  return json as T;
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};

/** Removes the errors shown by showError inside `root`. */
export function clearErrors(root: ParentNode = document): void {
  root.querySelectorAll('[data-error-of]').forEach((n) => n.remove());
  root.querySelectorAll('[aria-invalid="true"]').forEach((n) => n.removeAttribute('aria-invalid'));
  root.querySelectorAll<HTMLElement>('[data-errors]').forEach((n) => {
    n.replaceChildren();
    n.hidden = true;
  });
}

/**
 * Shows an error in `root`: the message and every detail without a field in its `[data-errors]`
 * region; a detail with a field next to the element marked `data-field="<field>"` (when the page has
 * one). Returns the fields it placed. Messages are shown as the server wrote them.
 */
export function showError(err: unknown, root: ParentNode = document, placeField?: (field: string, message: string) => boolean): string[] {
  const region = root.querySelector<HTMLElement>('[data-errors]') ?? document.querySelector<HTMLElement>('[data-errors]');
  const e = err instanceof ApiError ? err : new ApiError(0, 'error', err instanceof Error ? err.message : String(err));
  const placed: string[] = [];
  const rest: ErrorDetail[] = [];
  for (const d of e.details) {
    const field = d.field;
    const target = field ? root.querySelector<HTMLElement>(`[data-field="${CSS.escape(field)}"]`) : null;
    if (field && target) {
      target.querySelector('input, textarea, select')?.setAttribute('aria-invalid', 'true');
      target.append(el('p', { class: 'field-error', 'data-error-of': field, role: 'alert' }, d.message));
      placed.push(field);
    } else if (field && placeField?.(field, d.message)) placed.push(field);
    else rest.push(d);
  }
  if (region) {
    region.replaceChildren(el('p', { class: 'error-message' }, e.message));
    const shown = rest.filter((d) => d.message !== e.message);
    if (shown.length) {
      const ul = el('ul');
      for (const d of shown) ul.append(el('li', {}, d.message));
      region.append(ul);
    }
    region.hidden = false;
    region.scrollIntoView?.({ block: 'nearest' });
  }
  return placed;
}

/** Runs `init` on every element marked `data-island="<name>"`, once the document is parsed. */
export function mount(name: string, init: (root: HTMLElement) => void | Promise<void>): void {
  const run = () => {
    document.querySelectorAll<HTMLElement>(`[data-island="${name}"]`).forEach(async (root) => {
      try {
        await init(root);
        root.dataset.islandReady = 'true';
      } catch (err) {
        showError(err, root);
        root.dataset.islandReady = 'failed';
      }
    });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else run();
}
