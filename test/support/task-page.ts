import { expect } from 'chai';
import type { Page } from 'playwright-core';

/**
 * Driving the task page (views/task.ejs + the task island) the way a clerk does: open a step from
 * 待办 by its name, wait for the island, send the page's own decision box or the form, and the
 * forms of the 审批操作 card. Shared by the browser tests of the approval chapter.
 */

/** Waits for the task island; fails with the page's own error text when it did not start. */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('[data-island=task][data-island-ready]', { state: 'attached' });
  const state = await page.getAttribute('[data-island=task]', 'data-island-ready');
  expect(state, (await page.textContent('[data-errors]')) ?? '').to.equal('true');
}

/** Opens the step from the user's 待办 by (part of) its name: it must be there exactly once. */
export async function openTodo(page: Page, baseUrl: string, step: string): Promise<number> {
  await page.goto(`${baseUrl}/tasks`);
  const row = page.locator('tr[data-task-id]', { hasText: step });
  expect(await row.count(), `${step} in 待办 of ${page.url()}`).to.equal(1);
  const id = await row.getAttribute('data-task-id');
  await Promise.all([page.waitForURL(`${baseUrl}/tasks/${id}`), row.locator('a').first().click()]);
  await ready(page);
  return Number(id);
}

/** Completes a step without a decision box (e.g. a form of its own) and lands on 待办 with the notice. */
export async function submit(page: Page): Promise<void> {
  await Promise.all([page.waitForURL(/\/tasks\?completed=/), page.click('[data-action="complete"]')]);
}

/** 同意 / 退回 / 不同意 with 审批意见 in the page's own box. */
export async function decide(page: Page, decision: 'approve' | 'return' | 'reject', opinion: string): Promise<void> {
  await page.fill('textarea[name=opinion]', opinion);
  await Promise.all([page.waitForURL(/\/tasks\?completed=/), page.click(`[data-decision="${decision}"]`)]);
}

/** Fills one operation's form of the 审批操作 card and sends it. */
export async function operate(page: Page, op: string, fill: { to?: string; cc?: string[]; toActivityId?: string; opinion?: string }, after: RegExp): Promise<void> {
  const form = page.locator(`form[data-op="${op}"]`);
  const details = page.locator('details.op', { has: form });
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  if (fill.to) await form.locator('select[name=to]').selectOption(fill.to);
  for (const u of fill.cc ?? []) await form.locator(`input[name=to][value="${u}"]`).check();
  if (fill.toActivityId) await form.locator('select[name=toActivityId]').selectOption(fill.toActivityId);
  if (fill.opinion !== undefined) await form.locator('textarea[name=opinion]').fill(fill.opinion);
  await Promise.all([page.waitForURL(after), form.locator('button[type=submit]').click()]);
}
