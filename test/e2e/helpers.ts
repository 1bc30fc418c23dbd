/**
 * Browser-test helpers: the Debian Chromium through playwright-core, signing in
 * (through the UI, or by putting a REST session cookie on a context), axe runs,
 * screenshots and the dev outbox.
 *
 * The tests need /usr/bin/chromium and the client build (dist/client/index.html,
 * made by `npm run build`); without either they are reported skipped with the
 * reason (see `skipReason`), never passed silently; where the run requires
 * Chromium (`.ci/run`), its absence fails instead (test/helpers/parts.ts).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { skipUnlessPresent } from '../helpers/parts.js';
import { TestClient } from '../helpers/session.js';
import type { TestServer } from '../helpers/server.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** The Debian Chromium; CHROMIUM_PATH overrides it (e.g. to check the skip report). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(repoRoot, 'test/e2e/screenshots');

/** Why the browser tests cannot run here, or null when they can. */
export const skipReason: string | null = skipUnlessPresent(
  'chromium',
  !existsSync(CHROMIUM_PATH)
    ? `${CHROMIUM_PATH} not installed`
    : !existsSync(path.join(repoRoot, 'dist/client/index.html'))
      ? 'dist/client/index.html missing (run `npm run build`)'
      : null,
);

/** The describe title, carrying the skip reason when there is one (and warning once on the console). */
export function suiteTitle(title: string): string {
  if (skipReason === null) return title;
  console.warn(`[e2e] ${title}: skipped: ${skipReason}`);
  return `${title} (skipped: ${skipReason})`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** A context whose pages print their console errors and uncaught exceptions (prefixed with `who`). */
export async function newContext(browser: Browser, who: string, opts: { width?: number; height?: number; bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    // The server's CSP (script-src 'self') forbids the inline script axe is injected with; a11y contexts bypass it.
    bypassCSP: opts.bypassCSP ?? false,
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
    locale: 'ru-RU',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(10_000);
  context.on('page', (page) => {
    watchPage(page, who);
  });
  return context;
}

/** Every Content-Security-Policy violation a watched page reported (the browser logs each as a console error). */
export const cspViolations: string[] = [];

function watchPage(page: Page, who: string): void {
  page.on('pageerror', (err) => {
    console.warn(`[e2e ${who}] page error: ${err.message}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.warn(`[e2e ${who}] console error: ${msg.text()}`);
    if (msg.text().includes('Content Security Policy')) cspViolations.push(`${who}: ${msg.text()}`);
  });
}

/** Logs in over REST and puts the session cookie on the context; returns the REST client (same session). */
export async function signInContext(context: BrowserContext, server: TestServer, account: { login: string; password: string }): Promise<TestClient> {
  const client = await new TestClient(server.url).login(account.login, account.password);
  const [name, ...rest] = client.cookie.split('=');
  const url = new URL(server.url);
  await context.addCookies([{ name: name!, value: rest.join('='), domain: url.hostname, path: '/', httpOnly: true, sameSite: 'Lax' }]);
  return client;
}

/** Signs in through the login form (labels from ru.ts) and waits to leave /login. */
export async function loginThroughUi(page: Page, server: TestServer, account: { login: string; password: string }): Promise<void> {
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Электронная почта или телефон').fill(account.login);
  await page.getByLabel('Пароль').fill(account.password);
  await page.getByRole('button', { name: 'Войти', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/login');
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

const axeSource: string = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core in the page; returns (and prints) the serious and critical violations. */
export async function seriousAxeViolations(page: Page, label: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeSource });
  const { violations, passes } = await page.evaluate(async () => {
    // Runs in the page (this file is compiled without the DOM library, hence the casts).
    const w = globalThis as unknown as {
      document: unknown;
      axe: { run(ctx: unknown, opts: object): Promise<{ violations: AxeViolation[]; passes: unknown[] }> };
    };
    const result = await w.axe.run(w.document, { resultTypes: ['violations'] });
    return {
      passes: result.passes.length,
      violations: result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })),
      })),
    };
  });
  // A run that checked nothing (axe not really loaded, empty page) must not count as clean.
  if (passes === 0) throw new Error(`[axe ${label}] no rule passed: axe did not really run on ${page.url()}`);
  console.info(`[axe ${label}] ${passes} rules passed, ${violations.length} violated`);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations) {
    const line = `[axe ${label}] ${v.impact}: ${v.id} — ${v.help} (${v.nodes.length} node(s))`;
    if (bad.includes(v)) {
      console.error(line);
      for (const n of v.nodes.slice(0, 5))
        console.error(`    ${JSON.stringify(n.target)} ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`);
    } else {
      console.info(line);
    }
  }
  return bad;
}

/** Saves a full-page screenshot as test/e2e/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

interface OutboxLine {
  channel: 'email' | 'sms';
  to: string;
  text: string;
}

/** Reads the newest 6-digit code sent to `to` through the dev outbox (<dataDir>/outbox.log), waiting for it. */
export async function outboxCode(server: TestServer, channel: 'email' | 'sms', to: string, timeoutMs = 5000): Promise<string> {
  const file = path.join(server.dataDir, 'outbox.log');
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as OutboxLine);
      const msg = lines.filter((l) => l.channel === channel && l.to === to).at(-1);
      const code = msg && /\b(\d{6})\b/.exec(msg.text)?.[1];
      if (code) return code;
    }
    if (Date.now() > until) throw new Error(`no ${channel} code to ${to} in ${file}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A small valid PNG (1×1, red). */
export const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

/** A small valid PDF with one empty page. */
export function tinyPdf(): Buffer {
  const objects = [
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
    '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n',
    '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>\nendobj\n',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const o of objects) {
    offsets.push(body.length);
    body += o;
  }
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
