/**
 * What the citizen adds and corrects, in Chromium against the real server,
 * three browsers at once (citizen, operator, supervisor): a rejected appeal
 * corrected through «Исправить и подать повторно» and resubmitted, the
 * correction reaching the others and surviving reloads; «Дополнить
 * обращение» with a document reaching the operator and the supervisor live,
 * marked new until they have seen it; the journal of the case's files with
 * who uploaded what. axe runs on each new screen and state.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle, tinyPdf } from './helpers.js';

const ORIGINAL = 'При нажатии на кнопку «Оплатить» страница зависает.';
const CORRECTED = 'Chrome 130, Windows 11: после нажатия «Оплатить» бесконечно крутится индикатор загрузки.';
/** How long a change may take to reach the other browsers. */
const LIVE_MS = 5000;

describe.skipIf(skipReason !== null)(suiteTitle('corrections, supplements and the files journal (Chromium, three browsers)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenApi: TestClient;
  let operatorApi: TestClient;
  const contexts: Record<'citizen' | 'operator' | 'supervisor', BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizenApi = await loginAs(server, 'citizen');
    operatorApi = await loginAs(server, 'operator.portal');
    // axe is injected with an inline script, so the contexts it runs in bypass the CSP; the
    // supervisor's, where it does not run, keeps it and reports any violation of the new parts.
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator', { bypassCSP: true });
    contexts.supervisor = await newContext(browser, 'supervisor');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.portal'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function openRoom(context: BrowserContext, appeal: { id: string; number: string }): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appeal.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appeal.number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await page.getByTestId('case-entries').waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  const editor = (page: Page): Locator => page.getByTestId('editor');
  const entries = (page: Page): Locator => page.getByTestId('entry-list').getByTestId('entry');

  it('rejected → corrected → resubmitted: the correction reaches the operator and the supervisor and survives reloads', async () => {
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { description: ORIGINAL });
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Не указан браузер. Опишите шаги.' })).status).toBe(
      200,
    );

    const [operator, supervisor, citizen] = await Promise.all([
      openRoom(contexts.operator, appeal),
      openRoom(contexts.supervisor, appeal),
      openRoom(contexts.citizen, appeal),
    ]);
    // The citizen sees the reason and the way to correct; the staff do not get the form.
    await expect.poll(() => citizen.getByTestId('rejection-reason').textContent()).toBe('Не указан браузер. Опишите шаги.');
    expect(await operator.getByTestId('correction').count()).toBe(0);
    await expectAxeClean(citizen, 'room: rejected, correction offered');

    await citizen.getByTestId('correction-open').click();
    const description = citizen.locator('#correction-description');
    await expect.poll(() => description.inputValue()).toBe(ORIGINAL);
    await expectAxeClean(citizen, 'room: correction form');
    await screenshot(citizen, 'correction-form');
    await description.fill(CORRECTED);
    await citizen.locator('#correction-errorText').fill('504 Gateway Timeout');
    await citizen.getByTestId('correction-submit').click();

    // Resubmitted under the same number; the form is gone.
    await citizen.locator('[data-testid="room-status"][data-status="registered"]').waitFor({ timeout: LIVE_MS });
    expect(await citizen.getByTestId('correction').count()).toBe(0);

    // The others see the new status, the corrected text in the shared editor and the correction entry, marked new.
    const start = Date.now();
    await Promise.all(
      [operator, supervisor].map(async (page) => {
        await page.locator('[data-testid="room-status"][data-status="registered"]').waitFor({ timeout: LIVE_MS });
        await editor(page).filter({ hasText: CORRECTED }).waitFor({ timeout: LIVE_MS });
        const entry = entries(page).filter({ hasText: 'Исправление' });
        await entry.waitFor({ timeout: LIVE_MS });
        expect(await entry.getAttribute('data-new')).toBe('true');
        const described = entry.locator('tr[data-field="description"]');
        expect(await described.getByTestId('change-before').textContent()).toBe(ORIGINAL);
        expect(await described.getByTestId('change-after').textContent()).toBe(CORRECTED);
        expect(await entry.locator('tr[data-field="details.errorText"]').getByTestId('change-after').textContent()).toBe('504 Gateway Timeout');
      }),
    );
    console.info(`[e2e entries] the correction reached the operator and the supervisor in ${Date.now() - start} ms`);
    await expectAxeClean(operator, 'room: correction entry for the operator');

    // Nothing writes the old text back: after reloads, and on the server.
    await citizen.reload();
    await editor(citizen).filter({ hasText: CORRECTED }).waitFor();
    expect(await editor(citizen).textContent()).not.toContain('зависает');
    await expect.poll(async () => (await citizenApi.get(`/api/appeals/${appeal.id}`)).body.appeal.description, { timeout: 8000 }).toBe(CORRECTED);
    await operator.reload();
    await editor(operator).filter({ hasText: CORRECTED }).waitFor();
    // Seen on the last visit: no longer new.
    await expect.poll(() => entries(operator).first().getAttribute('data-new')).toBe('false');
    for (const page of [operator, supervisor, citizen]) await page.close();
  });

  it('«Дополнить обращение» with a document reaches the operator and the supervisor live; staff read the files journal', async () => {
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues');
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const [operator, supervisor, citizen] = await Promise.all([
      openRoom(contexts.operator, appeal),
      openRoom(contexts.supervisor, appeal),
      openRoom(contexts.citizen, appeal),
    ]);
    expect(await operator.getByTestId('supplement-open').count()).toBe(0);

    await citizen.getByTestId('supplement-open').click();
    const text = `Прикладываю снимок ошибки и квитанцию об оплате ${Date.now().toString(36)}`;
    await citizen.getByLabel('Что вы хотите добавить').fill(text);
    await citizen.getByTestId('supplement-files').setInputFiles({ name: 'Квитанция об оплате.pdf', mimeType: 'application/pdf', buffer: tinyPdf() });
    await expectAxeClean(citizen, 'room: supplement form');
    await screenshot(citizen, 'supplement-form');
    const start = Date.now();
    await citizen.getByTestId('supplement-send').click();

    await Promise.all(
      [operator, supervisor].map(async (page) => {
        await page.getByTestId('entries-notice').filter({ hasText: 'Новое дополнение обращения от' }).waitFor({ timeout: LIVE_MS });
        const entry = entries(page).filter({ hasText: text });
        await entry.waitFor({ timeout: LIVE_MS });
        expect(await entry.getAttribute('data-new')).toBe('true');
        expect(await entry.getByRole('link', { name: 'Квитанция об оплате.pdf' }).count()).toBe(1);
        expect(await entry.locator('time').textContent()).toMatch(/\d/);
      }),
    );
    console.info(`[e2e entries] the supplement reached the operator and the supervisor in ${Date.now() - start} ms`);
    // The citizen sees it in the history too, not as news to them; the document is among the case's files.
    const own = entries(citizen).filter({ hasText: text });
    await own.waitFor();
    expect(await own.getAttribute('data-new')).toBe('false');
    await citizen.getByTestId('attachments').getByText('Квитанция об оплате.pdf').first().waitFor();
    await expectAxeClean(operator, 'room: supplement arrived');

    // Staff open the journal of the case's files: date and time, person, file name, action.
    await operator.getByTestId('attachments').getByTestId('attachment-author').filter({ hasText: 'загрузка:' }).first().waitFor();
    await operator.getByTestId('journal-toggle').click();
    const row = operator.getByTestId('files-journal').locator('tbody tr').filter({ hasText: 'Квитанция об оплате.pdf' });
    await row.waitFor();
    expect(await row.getAttribute('data-action')).toBe('uploaded');
    expect(await row.textContent()).toContain(citizenApi.user.fullName as string);
    await expectAxeClean(operator, 'room: files journal');
    await screenshot(operator, 'files-journal');
    expect(await citizen.getByTestId('journal-toggle').count()).toBe(0);

    // After the operator has seen it, their next visit does not mark it new.
    await operator.reload();
    await entries(operator).filter({ hasText: text }).waitFor();
    await expect.poll(() => entries(operator).filter({ hasText: text }).getAttribute('data-new')).toBe('false');
    expect(cspViolations).toEqual([]);
  });
});
