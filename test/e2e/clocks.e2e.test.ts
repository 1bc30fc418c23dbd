/**
 * The law's clocks in Chromium against the real server (its clock fixed at
 * Monday 2 March 2026, 12:00 Moscow time): the citizen and the officer see
 * the clocks block in the room; the supervisor extends the answer term with
 * a reason and the citizen's open room shows the new deadline without a
 * reload; the admin's calendar screen. axe runs on each new state; the
 * operator's context keeps the CSP and must report no violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '../../server/lib/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('the clocks in the room and the working-day calendar (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let appealId = '';
  let appealNumber = '';
  const contexts: Record<'citizen' | 'operator' | 'supervisor' | 'admin', BrowserContext> = {} as never;
  const pages: Record<'citizen' | 'operator' | 'supervisor', Page> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ clock: new ManualClock(Date.parse('2026-03-02T09:00:00Z')) }), launchBrowser()]);
    const citizenApi = await loginAs(server, 'citizen');
    const filed = await fileAppeal(citizenApi, 'portal_issues', { subject: 'Не приходит код подтверждения' });
    appealId = filed.appeal.id;
    appealNumber = filed.appeal.number;
    const operatorApi = await loginAs(server, 'operator.portal');
    expect((await operatorApi.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.supervisor = await newContext(browser, 'supervisor', { bypassCSP: true });
    contexts.admin = await newContext(browser, 'admin', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.portal'));
    await signInContext(contexts.admin, server, demoAccount(server, 'admin'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function openRoom(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appealId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appealNumber) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await page.getByTestId('clocks').waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  const text = async (page: Page, testId: string): Promise<string> => ((await page.getByTestId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim();

  it('shows the citizen and the officer every clock: the deadline, the days left; the officer also the redirect term', async () => {
    [pages.citizen, pages.operator, pages.supervisor] = await Promise.all([
      openRoom(contexts.citizen),
      openRoom(contexts.operator),
      openRoom(contexts.supervisor),
    ]);

    const clocks = pages.citizen.getByTestId('clocks');
    expect(await clocks.getByRole('heading', { level: 2 }).textContent()).toBe('Сроки рассмотрения');
    // Times in the browser's zone (the contexts run in UTC).
    expect(await text(pages.citizen, 'clock-registration')).toBe('до 5 марта 2026 г. выполнено в срок: 2 мар. 2026 г., 09:00');
    // 2 March + 10 days (the portal's term) = 12 March; working days 3–6 and 10–12 March.
    expect(await text(pages.citizen, 'clock-answer')).toBe('до 12 марта 2026 г. осталось 10 дн., из них рабочих: 7');
    expect(await pages.citizen.getByTestId('clock-redirect').count()).toBe(0);
    expect(await pages.citizen.getByTestId('extend-open').count()).toBe(0);
    await expectAxeClean(pages.citizen, 'room with the clocks (citizen)');
    await screenshot(pages.citizen, 'clocks-citizen');

    expect(await pages.operator.getByTestId('clock-answer').getAttribute('data-due')).toBe('2026-03-12');
    expect(await text(pages.operator, 'clock-redirect')).toBe('до 10 марта 2026 г. осталось 8 дн., из них рабочих: 5');
    // The operator redirects but does not extend.
    expect(await pages.operator.getByTestId('redirect-open').count()).toBe(1);
    expect(await pages.operator.getByTestId('extend-open').count()).toBe(0);
  });

  it('the supervisor extends with a reason; the citizen’s open room shows the new deadline at once', async () => {
    const sup = pages.supervisor;
    await sup.getByTestId('extend-open').click();
    // Nothing typed: each field says what is missing.
    await sup.getByTestId('extend-submit').click();
    await sup.locator('#extend-days-error').waitFor();
    await sup.locator('#extend-reason-error').waitFor();
    await expectAxeClean(sup, 'room with the extension form (supervisor)');
    await sup.locator('#extend-days').fill('7');
    await sup.locator('#extend-reason').fill('Запрошены сведения у оператора связи');
    await sup.getByTestId('extend-submit').click();
    expect(await sup.getByTestId('clocks-message').textContent()).toBe('Срок ответа продлён. Заявитель уведомлён.');

    // 2 March + 17 days = 19 March, pushed to the citizen's open room.
    await pages.citizen.locator('[data-testid="clock-answer"][data-due="2026-03-19"]').waitFor({ timeout: 5000 });
    expect(await text(pages.citizen, 'clock-answer')).toBe('до 19 марта 2026 г. осталось 17 дн., из них рабочих: 12');
    expect(await text(pages.citizen, 'clock-extensions')).toBe('2 марта 2026 г.: продлён на 7 дн., до 19 марта 2026 г. Запрошены сведения у оператора связи');
    await pages.operator.locator('[data-testid="clock-answer"][data-due="2026-03-19"]').waitFor({ timeout: 5000 });
    await expectAxeClean(pages.citizen, 'room after the extension (citizen)');
    await screenshot(pages.citizen, 'clocks-extended-citizen');
  });

  it('the admin sees the 2026 calendar with its decree on the calendar screen', async () => {
    const page = await contexts.admin.newPage();
    await page.goto(`${server.url}/admin?tab=calendar`);
    await page.getByTestId('calendar-form').waitFor();
    expect(await page.getByRole('textbox', { name: 'Постановление о переносе выходных дней' }).inputValue()).toContain('№ 1466');
    expect(await text(page, 'calendar-source')).toBe('Данные поставки. Рабочих дней в году: 247');
    expect(await page.locator('.calendar-day').count()).toBe(18);
    await expectAxeClean(page, 'calendar (admin)');
    await screenshot(page, 'calendar-admin');
  });

  it('reported no CSP violation in the context that keeps the CSP', () => {
    expect(cspViolations.filter((v) => v.startsWith('operator'))).toEqual([]);
  });
});
