import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PASSWORD, startTestApp, type TestApp } from './app';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's chromium driven by playwright-core (no browser download). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS, headless: true });
}

/** Serves an express app on a loopback port for the browser. */
export async function serve(app: Express): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What a browser suite's tests read: live values, set by the hooks `browserSuite` registers. */
export interface BrowserSuite {
  /** the app (startTestApp) */
  readonly t: TestApp;
  /** where the app is served, `http://127.0.0.1:<port>` */
  readonly url: string;
  /** chromium (launchBrowser) */
  readonly browser: Browser;
}

/**
 * The fixture of a suite that drives a real browser, called at the top of its `describe`: registers a mocha `before`
 * that starts the app on a fresh database with `env` (startTestApp), serves it and launches chromium, and an `after`
 * that closes the browser, the server and the app, in that order. The `after` closes only what the `before` made (a
 * failed `before` leaves the rest undefined) and runs every close even when one throws, then rethrows the first error.
 * The getters throw when read before the `before` has run (or when it failed).
 *
 * Ordering: mocha runs a suite's `before` hooks in the order they were registered, and its `after` hooks too (not
 * reversed). So the suite's own setup (the clock, seeding) goes in its own `before`, registered after this call: it
 * runs with the app served and the browser up. Cleanup that needs the browser open (closing pages) goes in
 * `options.beforeClose`, which the `after` runs first; an `after` of the suite's own registered after this call would
 * run only once the browser, the server and the app are closed.
 */
export function browserSuite(env: Record<string, string> = {}, options: { beforeClose?: () => Promise<void> } = {}): BrowserSuite {
  let app: TestApp | undefined;
  let server: { url: string; close(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  before(async () => {
    app = await startTestApp(env);
    server = await serve(app.gf.app);
    browser = await launchBrowser();
  });
  after(async () => {
    const steps = [options.beforeClose, () => browser?.close(), () => server?.close(), () => app?.close()];
    const failures: unknown[] = [];
    for (const step of steps) {
      try {
        await step?.();
      } catch (e) {
        failures.push(e);
      }
    }
    if (failures.length) throw failures[0];
  });
  const live = <T>(value: T | undefined, name: string): T => {
    if (value === undefined) throw new Error(`browserSuite: ${name} is not ready (read before its before hook ran, or that hook failed)`);
    return value;
  };
  return {
    get t() {
      return live(app, 't');
    },
    get url() {
      return live(server, 'server').url;
    },
    get browser() {
      return live(browser, 'browser');
    },
  };
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };
const SHOTS = path.resolve(__dirname, '../../.tmp/screenshots');

/** A new page signed in as `username` (the seed's password) that lands on `next`; a script error on it fails the test. */
export async function signIn(browser: Browser, baseUrl: string, username: string, next: string, viewport: { width: number; height: number } = DESKTOP): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(`${baseUrl}${next}`);
  return page;
}

/** Fails when the page is wider than the screen (a phone must not scroll sideways). */
export async function noOverflow(page: Page): Promise<void> {
  const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  expect(scroll, 'page wider than the screen').to.be.at.most(width);
}

/** A full-page screenshot into .tmp/screenshots/<name>.png (for a person to look at). */
export async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}
