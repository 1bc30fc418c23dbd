/**
 * Notifications in the browser (Chromium, the built client, the real server):
 * - a status change made by the officer shows as a toast and a bell count in
 *   the citizen's open page, without a reload;
 * - the settings page saves, and what it saved takes effect: with the in-app
 *   channel of status notices turned off, the next status change shows no
 *   toast and leaves the bell as it was, while an action-required one still comes;
 * - the journal lists the notices with their deliveries; marking one read
 *   lowers the bell's count.
 * axe checks the journal and the settings page; no CSP violation is reported.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

const LIVE_MS = 5000;

describe.skipIf(skipReason !== null)(suiteTitle('notifications: toast, bell, journal and settings (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let strict: BrowserContext;
  let citizen: TestClient;
  let operator: TestClient;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizen = await loginAs(server, 'citizen');
    operator = await loginAs(server, 'operator.portal');
    // axe injects a script: this context bypasses the CSP; `strict` keeps it, to catch violations.
    context = await newContext(browser, 'citizen', { bypassCSP: true });
    strict = await newContext(browser, 'citizen-csp');
    await signInContext(context, server, demoAccount(server, 'citizen'));
    await signInContext(strict, server, demoAccount(server, 'citizen'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  async function unread(): Promise<number> {
    return (await citizen.get('/api/notifications/unread')).body.unread as number;
  }

  async function act(id: string, action: string, comment?: string): Promise<void> {
    const r = await operator.post(`/api/appeals/${id}/transitions`, { action, ...(comment ? { comment } : {}) });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  it('a status change shows a toast and the bell count in the citizen’s open page', async () => {
    const { appeal } = await fileAppeal(citizen);
    await expect.poll(unread).toBeGreaterThan(0);
    const page = await strict.newPage();
    await page.goto(`${server.url}/appeals`);
    const bell = page.getByTestId('bell');
    await bell.waitFor();
    const before = await unread();
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_MS }).toBe(`Уведомления: непрочитанных ${before}`);

    await act(appeal.id, 'take');
    const toast = page.getByTestId('toast').filter({ hasText: 'Обращение в работе' });
    await toast.waitFor({ timeout: LIVE_MS });
    expect(await toast.textContent()).toContain(`Сотрудник ведомства взял обращение № ${appeal.number} в работу.`);
    await expect.poll(() => page.getByTestId('bell-count').textContent(), { timeout: LIVE_MS }).toBe(String(before + 1));
    await expect.poll(() => bell.getAttribute('aria-label')).toBe(`Уведомления: непрочитанных ${before + 1}`);
    // The toast's link leads to the room; closing it removes it.
    expect(await toast.getByRole('link', { name: 'Открыть' }).getAttribute('href')).toBe(`/appeals/${appeal.id}`);
    await toast.getByRole('button', { name: /^Закрыть/ }).click();
    await expect.poll(() => toast.count()).toBe(0);
    await screenshot(page, 'notifications-toast');
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('the settings page saves; with in-app status notices off, a status change brings no toast, an action-required one still does', async () => {
    const { appeal } = await fileAppeal(citizen);
    await act(appeal.id, 'take');
    const page = await context.newPage();
    await page.goto(`${server.url}/notifications/settings`);
    const status = page.getByTestId('kind-status');
    await status.waitFor();
    await expectAxeClean(page, 'notification settings');
    // Action-required notices always go in-app and by e-mail: those boxes are checked and cannot be changed.
    const required = page.getByTestId('kind-action_required');
    expect(await required.getByLabel(/В личном кабинете/).isChecked()).toBe(true);
    expect(await required.getByLabel(/В личном кабинете/).isDisabled()).toBe(true);

    await status.getByLabel('В личном кабинете').uncheck();
    await page.getByRole('button', { name: 'Сохранить настройки' }).click();
    await page.getByTestId('settings-saved').waitFor();
    expect((await citizen.get('/api/notifications/settings')).body.kinds.status.channels).toEqual(['email']);
    // A filter that cannot match is refused with the reason, and nothing is saved.
    await status.getByLabel('Жалоба').uncheck();
    await status.getByLabel('Заявление').uncheck();
    await status.getByLabel('Информационный запрос').uncheck();
    await status.getByLabel('Предложение').uncheck();
    await page.getByRole('button', { name: 'Сохранить настройки' }).click();
    await expect
      .poll(() => page.getByTestId('settings-error').textContent())
      .toBe('Фильтр по типу обращения без единого типа не пропустит ни одного уведомления: отметьте хотя бы один тип или отключите каналы.');
    expect((await citizen.get('/api/notifications/settings')).body.kinds.status.appealTypes).toBeNull();
    await page.reload();
    await page.getByTestId('kind-status').waitFor();
    expect(await page.getByTestId('kind-status').getByLabel('В личном кабинете').isChecked()).toBe(false);
    await screenshot(page, 'notifications-settings');

    await page.goto(`${server.url}/appeals`);
    const bell = page.getByTestId('bell');
    await bell.waitFor();
    const before = await unread();
    await expect.poll(() => bell.getAttribute('aria-label'), { timeout: LIVE_MS }).toBe(`Уведомления: непрочитанных ${before}`);
    // A status notice: journalled (by e-mail only), no toast, the bell as it was.
    await act(appeal.id, 'request_info', 'Приложите скан договора');
    await page.getByTestId('toast').filter({ hasText: 'Требуются сведения' }).waitFor({ timeout: LIVE_MS });
    const afterAction = before + 1;
    await expect.poll(() => page.getByTestId('bell-count').textContent(), { timeout: LIVE_MS }).toBe(String(afterAction));
    await act(appeal.id, 'resume');
    await expect
      .poll(async () => ((await citizen.get('/api/notifications?limit=5')).body.items as { topic: string }[])[0]?.topic, { timeout: LIVE_MS })
      .toBe('status.resumed');
    const [latest] = (await citizen.get('/api/notifications?limit=1')).body.items as { deliveries: Record<string, unknown> }[];
    expect(Object.keys(latest!.deliveries)).toEqual(['email']);
    expect(await page.getByTestId('toast').filter({ hasText: 'Обращение снова в работе' }).count()).toBe(0);
    expect(await page.getByTestId('bell-count').textContent()).toBe(String(afterAction));
    await page.close();
  });

  it('the journal lists the notices with their deliveries; marking one read lowers the bell', async () => {
    const page = await context.newPage();
    await page.goto(`${server.url}/notifications`);
    const first = page.getByTestId('notice').first();
    await first.waitFor();
    await expectAxeClean(page, 'notification journal');
    const before = await unread();
    expect(before).toBeGreaterThan(0);
    const unreadNotice = page
      .getByTestId('notice')
      .filter({ has: page.getByRole('button', { name: /^Отметить прочитанным/ }) })
      .first();
    expect(await unreadNotice.textContent()).toMatch(/Электронная почта: (доставлено|ожидает отправки|не отправлялось)/);
    await unreadNotice.getByRole('button', { name: /^Отметить прочитанным/ }).click();
    await expect.poll(() => page.getByTestId('bell-count').textContent(), { timeout: LIVE_MS }).toBe(String(before - 1));
    expect(await unread()).toBe(before - 1);
    await page.getByRole('button', { name: 'Отметить все прочитанными' }).click();
    await expect.poll(() => page.getByTestId('bell-count').count(), { timeout: LIVE_MS }).toBe(0);
    expect(await unread()).toBe(0);
    await screenshot(page, 'notifications-journal');
    await page.close();
  });
});
