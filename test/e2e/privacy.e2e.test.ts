/**
 * Personal data in Chromium against the real server (docs/privacy.md): the
 * citizen is told in the room, without a reload, that an expert joined; the
 * citizen allows experts to see their contacts on this appeal and the expert's
 * open room shows them at once, and hides them again when the citizen takes it
 * back; the citizen reads on /profile who viewed their data (the assignee and
 * the expert, by name and role); the supervisor finds the same reads on
 * /access-log by the appeal's number. axe on each screen; the expert's context
 * keeps the CSP and must report no violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('personal data: the expert visibility choice and the access log (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let appealId = '';
  let appealNumber = '';
  let operatorApi: TestClient;
  let expertApi: TestClient;
  const contexts: Record<'citizen' | 'expert' | 'supervisor', BrowserContext> = {} as never;
  const pages: Record<'citizen' | 'expert', Page> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const citizenApi = await loginAs(server, 'citizen');
    const filed = await fileAppeal(citizenApi, 'housing_billing', { details: { service: 'Личный кабинет ЕИРЦ', replyContact: 'ivanov.otvet@example.ru' } });
    appealId = filed.appeal.id;
    appealNumber = filed.appeal.number;
    operatorApi = await loginAs(server, 'operator.housing');
    expertApi = await loginAs(server, 'expert');
    expect((await operatorApi.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.supervisor = await newContext(browser, 'supervisor', { bypassCSP: true });
    contexts.expert = await newContext(browser, 'expert');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.housing'));
    await signInContext(contexts.expert, server, demoAccount(server, 'expert'));
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
    await page.getByTestId('case-file').waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  const text = async (page: Page, testId: string): Promise<string> => ((await page.getByTestId(testId).textContent()) ?? '').replace(/\s+/g, ' ').trim();

  it('tells the citizen in the room, live, that an expert joined; the history keeps it', async () => {
    pages.citizen = await openRoom(contexts.citizen);
    expect(await text(pages.citizen, 'experts-joined')).toBe('Экспертов в обращении пока нет.');
    expect(await pages.citizen.getByTestId('experts-see-contacts').isChecked()).toBe(false);
    await expectAxeClean(pages.citizen, 'room: experts and my data (citizen)');

    expect((await operatorApi.post(`/api/appeals/${appealId}/experts`, { expertId: expertApi.user.id })).status).toBe(200);
    await expect
      .poll(() => text(pages.citizen, 'experts-joined'), { timeout: 5000 })
      .toMatch(new RegExp(`^К обращению подключён эксперт: ${expertApi.user.fullName as string} — `));
    // The same line in the room's history.
    await pages.citizen.getByText('История статусов').click();
    expect(await pages.citizen.getByTestId('timeline').textContent()).toContain(`К обращению подключён эксперт: ${expertApi.user.fullName as string}`);
    await screenshot(pages.citizen, 'privacy-expert-joined');
  });

  it('the citizen allows experts to see the contacts: the expert’s open room shows them at once, and hides them when taken back', async () => {
    pages.expert = await openRoom(contexts.expert);
    const contacts = pages.expert.getByTestId('case-file-contacts');
    expect(await contacts.getByTestId('case-file-note').textContent()).toBe('Заявитель не разрешил показывать эксперту свои контактные данные.');
    expect(await pages.expert.content()).not.toContain('citizen@demo.local');

    await pages.citizen.getByLabel('Приглашённые эксперты видят мои контактные данные и идентификаторы').check();
    await expect.poll(() => pages.expert.locator('[data-field="citizen.email"]').count(), { timeout: 5000 }).toBe(1);
    expect(await pages.expert.locator('[data-field="citizen.email"]').textContent()).toBe('citizen@demo.local');
    expect(await pages.expert.locator('[data-field="details.replyContact"]').textContent()).toBe('ivanov.otvet@example.ru');
    expect(await text(pages.citizen, 'expert-visibility')).toContain(
      'Эксперты этого обращения видят ваши ФИО, телефон, электронную почту и контакт для ответа.',
    );

    await pages.citizen.getByLabel('Приглашённые эксперты видят мои контактные данные и идентификаторы').uncheck();
    await expect.poll(() => pages.expert.locator('[data-field="citizen.email"]').count(), { timeout: 5000 }).toBe(0);
    expect(await contacts.getByTestId('case-file-note').textContent()).toBe('Заявитель не разрешил показывать эксперту свои контактные данные.');
    expect(cspViolations.filter((v) => v.startsWith('expert'))).toEqual([]);
  });

  it('the citizen sees on /profile who viewed their data, the supervisor on /access-log', async () => {
    const profile = await contexts.citizen.newPage();
    await profile.goto(`${server.url}/profile`);
    const section = profile.getByTestId('access-log-section');
    await section.getByRole('heading', { level: 2, name: 'Кто просматривал мои данные' }).waitFor();
    await section.getByTestId('access-log-table').waitFor();
    const rows = await section.locator('tbody tr').allTextContents();
    const flat = rows.map((r) => r.replace(/\s+/g, ' ').trim());
    expect(
      flat.some((r) => r.includes(`${operatorApi.user.fullName as string} (Сотрудник ведомства)`) && r.includes(appealNumber) && r.includes('эл. почта')),
    ).toBe(true);
    expect(flat.some((r) => r.includes(`${expertApi.user.fullName as string} (Эксперт)`) && r.includes('карточка обращения'))).toBe(true);
    await expectAxeClean(profile, 'profile with the access log (citizen)');
    await screenshot(profile, 'privacy-profile-access-log');

    const page = await contexts.supervisor.newPage();
    await page.goto(`${server.url}/access-log`);
    await page.getByRole('heading', { level: 1, name: 'Журнал доступа к персональным данным' }).waitFor();
    await page.getByLabel('Номер обращения').fill(appealNumber);
    await page.getByRole('button', { name: 'Показать', exact: true }).click();
    await expect
      .poll(async () => (await page.locator('[data-testid="access-log-table"] tbody tr').allTextContents()).every((r) => r.includes(appealNumber)), {
        timeout: 5000,
      })
      .toBe(true);
    const lines = (await page.locator('[data-testid="access-log-table"] tbody tr').allTextContents()).map((r) => r.replace(/\s+/g, ' '));
    expect(lines.some((r) => r.includes(`${expertApi.user.fullName as string} (Эксперт)`))).toBe(true);
    await page.getByLabel('Номер обращения').fill('77-2026-999999');
    await page.getByRole('button', { name: 'Показать', exact: true }).click();
    await page.getByTestId('access-log-empty').waitFor();
    await expectAxeClean(page, 'access log (supervisor)');
  });
});
