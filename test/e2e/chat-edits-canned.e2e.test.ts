/**
 * Chat edits and canned replies in Chromium against the real server: a
 * supervisor writes the department's canned reply on «Шаблоны ответов» (an
 * unknown placeholder refused beside the field); the operator inserts it
 * with «/» in the chat and with the picker in a request for information, its
 * placeholders expanded; the citizen edits and withdraws a message, the
 * operator sees «изменено», «отозвано» and the earlier texts, the citizen
 * none of them. axe runs on each new screen and state; a supervisor
 * watching the room without bypassing the CSP reports no violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('chat edits and canned replies (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenApi: TestClient;
  let operatorApi: TestClient;
  const contexts: Record<'citizen' | 'operator' | 'supervisor' | 'observer', BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizenApi = await loginAs(server, 'citizen');
    operatorApi = await loginAs(server, 'operator.portal');
    // axe is injected with an inline script: the contexts it runs in bypass the CSP; the observer's keeps it.
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator', { bypassCSP: true });
    contexts.supervisor = await newContext(browser, 'supervisor', { bypassCSP: true });
    contexts.observer = await newContext(browser, 'observer');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.portal'));
    await signInContext(contexts.observer, server, demoAccount(server, 'supervisor.portal'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  async function openRoom(context: BrowserContext, appeal: { id: string; number: string }): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appeal.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appeal.number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    return page;
  }

  it('a supervisor keeps a canned reply; the operator inserts it with «/» in the chat and with the picker in a request for information', async () => {
    const screen = await contexts.supervisor.newPage();
    await screen.goto(`${server.url}/canned`);
    await screen.getByRole('heading', { level: 1, name: 'Шаблоны ответов отдела' }).waitFor();
    await screen.getByLabel('Название').fill('Запрос акта');
    await screen.getByLabel('Текст').fill('Уважаемый {фио}, пришлите акт.');
    await screen.getByTestId('canned-save').click();
    await expect.poll(() => screen.getByTestId('canned-text-error').textContent()).toBe('Неизвестная подстановка {фио}. Доступны: {имя}, {номер}, {срок}');
    await expectAxeClean(screen, 'canned replies: unknown placeholder refused');
    await screen.getByLabel('Текст').fill('Здравствуйте, ');
    await screen.getByRole('button', { name: 'Вставить {имя}' }).click();
    await screen.getByLabel('Текст').press('End');
    await screen.getByLabel('Текст').pressSequentially('! По обращению {номер} пришлите акт до {срок}.');
    await screen.getByTestId('canned-save').click();
    await expect.poll(() => screen.getByTestId('canned-status').textContent()).toContain('Шаблон «Запрос акта» сохранён.');
    expect(await screen.getByTestId('canned-row').first().textContent()).toContain('Здравствуйте, {имя}! По обращению {номер} пришлите акт до {срок}.');
    await expectAxeClean(screen, 'canned replies: saved');
    await screenshot(screen, 'canned-replies');

    const { appeal } = await fileAppeal(citizenApi);
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const view = (await operatorApi.get(`/api/appeals/${appeal.id}`)).body.appeal as { number: string; citizen: { fullName: string }; deadlineAt: number };
    // The client's formatDate in Russian (the context's time zone is UTC).
    const deadline = new Intl.DateTimeFormat('ru-RU', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(view.deadlineAt);
    const expanded = `Здравствуйте, ${view.citizen.fullName}! По обращению ${view.number} пришлите акт до ${deadline}.`;

    const operator = await openRoom(contexts.operator, appeal);
    const citizen = await openRoom(contexts.citizen, appeal);
    await operator.getByTestId('chat-input').fill('/акт');
    await operator.getByTestId('canned-list').getByTestId('canned-item').first().waitFor();
    expect(await operator.getByTestId('canned-item').allTextContents()).toEqual(['Запрос акта']);
    await expectAxeClean(operator, 'room: «/» opens the canned replies');
    await operator.getByTestId('chat-input').press('Enter');
    expect(await operator.getByTestId('chat-input').inputValue()).toBe(expanded);
    await operator.getByTestId('chat-send').click();
    await expect.poll(() => citizen.getByTestId('chat-message').last().textContent()).toContain(expanded);
    expect(await citizen.getByTestId('canned-open').count()).toBe(0);

    await operator.getByTestId('action-request_info').click();
    await operator.getByTestId('action-comment').waitFor();
    await operator.locator('.action-form').getByTestId('canned-open').click();
    await operator.locator('.action-form').getByTestId('canned-item').click();
    expect(await operator.getByTestId('action-comment').inputValue()).toBe(expanded);
    await expectAxeClean(operator, 'room: canned reply in a request for information');
    await operator.getByTestId('action-confirm').click();
    await expect.poll(() => citizen.getByTestId('chat-status').last().textContent()).toContain(expanded);
    await citizen.close();
    await operator.close();
  });

  it('the citizen edits and withdraws a message: everyone sees «изменено», then «отозвано»; only staff see the earlier texts', async () => {
    const { appeal } = await fileAppeal(citizenApi);
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const citizen = await openRoom(contexts.citizen, appeal);
    const operator = await openRoom(contexts.operator, appeal);
    const observer = await openRoom(contexts.observer, appeal);

    await citizen.getByTestId('chat-input').fill('Счётчик сломан 5 марта');
    await citizen.getByTestId('chat-send').click();
    const mine = citizen.getByTestId('chat-message').last();
    await mine.getByTestId('chat-edit').waitFor();
    await expect.poll(() => operator.getByTestId('chat-message').last().textContent()).toContain('Счётчик сломан 5 марта');
    expect(await operator.getByTestId('chat-message').last().getByTestId('chat-edit').count()).toBe(0);

    await mine.getByTestId('chat-edit').click();
    const input = citizen.getByTestId('chat-edit-input');
    await expect.poll(() => input.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await expectAxeClean(citizen, 'room: editing one’s message');
    await input.fill('Счётчик сломан 4 марта');
    await citizen.getByTestId('chat-edit-save').click();

    const theirs = operator.getByTestId('chat-message').last();
    await expect.poll(() => theirs.getByTestId('chat-text').textContent()).toBe('Счётчик сломан 4 марта');
    expect(await theirs.getAttribute('data-state')).toBe('edited');
    expect(await theirs.getByTestId('chat-mark').textContent()).toContain('изменено');
    await theirs.getByTestId('chat-revisions').locator('summary').click();
    expect(await theirs.getByTestId('chat-revisions').textContent()).toContain('Счётчик сломан 5 марта');
    await expect.poll(() => mine.getByTestId('chat-mark').textContent()).toContain('изменено');
    expect(await mine.getByTestId('chat-revisions').count()).toBe(0);
    await expectAxeClean(operator, 'room: an edited message with its earlier text');

    await mine.getByTestId('chat-withdraw').click();
    await expectAxeClean(citizen, 'room: asked to confirm the withdrawal');
    await mine.getByTestId('chat-withdraw-yes').click();
    await expect.poll(() => theirs.getAttribute('data-state')).toBe('withdrawn');
    expect(await theirs.getByTestId('chat-text').textContent()).toBe('Сообщение отозвано автором.');
    expect(await theirs.getByTestId('chat-mark').textContent()).toContain('отозвано');
    expect(await theirs.getByTestId('chat-revisions').locator('summary').textContent()).toBe('Прежние версии (2)');
    await expect.poll(() => mine.getAttribute('data-state')).toBe('withdrawn');
    expect(await mine.getByTestId('chat-edit').count()).toBe(0);
    expect(await citizen.getByTestId('chat-list').textContent()).not.toMatch(/5 марта|4 марта/);
    await expect.poll(() => observer.getByTestId('chat-message').last().getAttribute('data-state')).toBe('withdrawn');
    await expectAxeClean(citizen, 'room: a withdrawn message');
    await screenshot(operator, 'chat-withdrawn-staff');

    // A reload shows the same state from history.
    await citizen.reload();
    await citizen.getByTestId('chat-message').last().waitFor();
    expect(await citizen.getByTestId('chat-message').last().getAttribute('data-state')).toBe('withdrawn');
    expect(await citizen.getByTestId('chat-list').textContent()).not.toMatch(/5 марта|4 марта/);
    expect(cspViolations).toEqual([]);
  });

  it('linked appeals: the operator links a suggested duplicate, writes a note and takes one decision for both; the citizen’s room shows no group', async () => {
    const text = { subject: 'Не открывается личный кабинет', description: 'После входа личный кабинет показывает пустую страницу и ошибку загрузки.' };
    const { appeal: first } = await fileAppeal(citizenApi, 'portal_issues', { type: 'application', ...text });
    const { appeal: second } = await fileAppeal(citizenApi, 'portal_issues', { type: 'application', ...text });
    for (const a of [first, second]) expect((await operatorApi.post(`/api/appeals/${a.id}/transitions`, { action: 'take' })).status).toBe(200);
    const operator = await openRoom(contexts.operator, first);
    const panel = operator.getByTestId('group-panel');
    await panel.getByTestId('group-duplicate').first().waitFor();
    expect(await panel.getByTestId('group-duplicate').first().textContent()).toContain(second.number);
    expect(await panel.getByTestId('group-duplicate').first().textContent()).toContain('похожий текст');
    await expectAxeClean(operator, 'room: duplicates suggested');
    await panel.getByTestId('group-duplicate').filter({ hasText: second.number }).getByTestId('group-link').click();
    await expect.poll(() => panel.getByTestId('group-members').textContent()).toContain(second.number);
    await panel.getByTestId('group-note').fill('Одна причина: сбой авторизации');
    await panel.getByTestId('group-note-add').click();
    await expect.poll(() => panel.getByTestId('group-notes').textContent()).toContain('Одна причина: сбой авторизации');
    await panel.getByTestId('group-action').selectOption('request_info');
    await panel.getByTestId('group-comment').fill('Укажите браузер и время входа');
    await panel.getByTestId('group-decide').click();
    await expect.poll(() => panel.getByTestId('group-done').textContent()).toContain('Решение применено к обращениям группы: 2.');
    for (const a of [first, second]) expect((await operatorApi.get(`/api/appeals/${a.id}`)).body.appeal.status).toBe('info_requested');
    await expect.poll(() => panel.getByTestId('group-members').textContent()).toContain('Требуются сведения');
    await expectAxeClean(operator, 'room: a group with a note, decided');
    await screenshot(operator, 'linked-appeals-staff');

    const citizen = await openRoom(contexts.citizen, first);
    expect(await citizen.getByTestId('group-panel').count()).toBe(0);
    expect(await citizen.locator('main').textContent()).not.toContain('Одна причина');
    await citizen.close();
    await operator.close();
  });
});
