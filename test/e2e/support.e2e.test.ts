/**
 * Help and support in Chromium against the real server (docs/support.md):
 * a signed-out visitor who opens «Написать в поддержку» is asked to log in
 * and comes back to the form; the citizen writes to support in one step and
 * lands in the conversation's room; the support operator, whose queue is
 * open in a second browser, sees it arrive live, opens it and answers in the
 * chat, and each side reads the other's message without a reload. The FAQ's
 * search finds an inflected word; axe is clean on /help, /help/faq, the
 * support form, the support queue and the support room; the support
 * operator's browser keeps the CSP and reports any violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('help, FAQ and a support conversation answered live by support staff (Chromium, two browsers)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenContext: BrowserContext;
  let supportContext: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    // axe is injected with an inline script: the citizen's context bypasses the CSP for it; the support operator's keeps it.
    citizenContext = await newContext(browser, 'citizen', { bypassCSP: true });
    supportContext = await newContext(browser, 'support');
    await signInContext(supportContext, server, demoAccount(server, 'operator.support'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  it('the help shows every topic with its screenshot and alt text, and the FAQ search finds an inflected word', async () => {
    const page = await citizenContext.newPage();
    await page.goto(`${server.url}/`);
    // The landing page links help, the FAQ and support; the header links help, the footer all three.
    const landingHelp = page.getByRole('region', { name: 'Помощь и поддержка' });
    expect(await landingHelp.getByRole('link').allTextContents()).toEqual(['Как пользоваться сервисом', 'Частые вопросы', 'Написать в поддержку']);
    expect(await page.getByRole('navigation', { name: 'Основная навигация' }).getByRole('link', { name: 'Помощь' }).count()).toBe(1);
    expect(await page.locator('.site-footer').getByRole('link').allTextContents()).toEqual(['Помощь', 'Частые вопросы', 'Написать в поддержку']);
    await expectAxeClean(page, '/ (landing)');
    await page.getByRole('link', { name: 'Как пользоваться сервисом' }).click();
    await page.getByRole('heading', { level: 1, name: 'Помощь' }).waitFor();
    const titles = await page.getByTestId('help-article').getByRole('heading', { level: 2 }).allTextContents();
    expect(titles).toEqual([
      'Как зарегистрироваться',
      'Как подать обращение',
      'Как следить за статусом',
      'Как дополнить обращение',
      'Как оценить решение',
      'Как подать повторное обращение',
      'Как обратиться в вышестоящую инстанцию',
    ]);
    const images = page.getByTestId('help-article').locator('img');
    expect(await images.count()).toBe(7);
    for (const alt of await images.evaluateAll((els) => els.map((e) => e.getAttribute('alt') ?? ''))) expect(alt.length).toBeGreaterThan(30);
    // Each screenshot is served as a PNG.
    const shot = await page.request.get(`${server.url}/help/register.png`);
    expect(shot.status()).toBe(200);
    expect(shot.headers()['content-type']).toBe('image/png');
    await expectAxeClean(page, '/help');

    await page.getByRole('link', { name: 'Частые вопросы' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Частые вопросы' }).waitFor();
    const search = page.getByLabel('Поиск по частым вопросам');
    await search.fill('ПАРОЛЯ');
    await expect.poll(() => page.getByTestId('faq-list').locator('summary').allTextContents()).toEqual(['Я забыл пароль. Как восстановить доступ?']);
    expect(await page.getByTestId('faq-count').textContent()).toContain('Найдено: 1 вопрос');
    await search.fill('скана');
    await expect.poll(() => page.getByTestId('faq-list').locator('summary').allTextContents()).toEqual(['Какие документы и файлы можно прикладывать?']);
    await search.fill('налоговый вычет');
    await expect.poll(() => page.getByTestId('faq-list').locator('summary').count()).toBe(0);
    expect(await page.getByTestId('faq-count').textContent()).toContain('Ничего не нашлось');
    await search.fill('');
    await expectAxeClean(page, '/help/faq');
    // In English the FAQ is the English one, searched the same way.
    await page.getByRole('button', { name: /EN/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Frequently asked questions' }).waitFor();
    await page.getByLabel('Search the frequently asked questions').fill('passwords');
    await expect.poll(() => page.getByTestId('faq-list').locator('summary').allTextContents()).toEqual(['I forgot my password. How do I get access back?']);
    await page.getByRole('button', { name: /RU/ }).click();
    await page.close();
  });

  it('a visitor logs in first; the citizen writes to support; support staff see it arrive, answer live and read the reply', async () => {
    const queue = await supportContext.newPage();
    await queue.goto(`${server.url}/support/queue`);
    await queue.getByRole('heading', { level: 1, name: 'Обращения в службу поддержки' }).waitFor();
    await queue.getByText('Обращений в поддержку нет.').waitFor();

    const citizen = await citizenContext.newPage();
    await citizen.goto(`${server.url}/`);
    await citizen.getByRole('link', { name: 'Написать в поддержку' }).first().click();
    // Signed out: the login form, then back to the support form.
    const account = demoAccount(server, 'citizen');
    await citizen.getByLabel('Электронная почта или телефон').fill(account.login);
    await citizen.getByLabel('Пароль').fill(account.password);
    await citizen.getByRole('button', { name: 'Войти', exact: true }).click();
    await citizen.getByRole('heading', { level: 1, name: 'Служба поддержки портала' }).waitFor();
    expect(new URL(citizen.url()).pathname).toBe('/support');
    await expectAxeClean(citizen, '/support');

    // The form refuses a short message beside its field, then sends.
    await citizen.getByLabel('Тема').fill('Не загружается файл');
    await citizen.getByLabel('Сообщение').fill('Ошибка');
    await citizen.getByRole('button', { name: 'Отправить' }).click();
    await citizen.locator('#support-message-error').waitFor();
    expect(await citizen.locator('#support-message-error').textContent()).toContain('Не короче 10 символов');
    await citizen.getByLabel('Сообщение').fill('При загрузке скана паспорта в формате PDF появляется «ошибка сети».');
    await citizen.getByRole('button', { name: 'Отправить' }).click();
    await citizen.waitForURL(/\/appeals\/[\w-]+$/);
    const heading = citizen.getByRole('heading', { level: 1, name: /ПД-\d{4}-\d{6} · Не загружается файл/ });
    await heading.waitFor();
    const number = /ПД-\d{4}-\d{6}/.exec((await heading.textContent()) ?? '')?.[0] ?? '';
    // No law clock: the room says the 59-ФЗ terms do not apply instead of a deadline.
    expect(await citizen.getByTestId('support-no-term').textContent()).toBe('сроки 59-ФЗ не применяются');
    await citizen.getByText('Поддержка', { exact: true }).first().waitFor();
    await citizen.getByTestId('chat-list').getByTestId('chat-message').filter({ hasText: 'появляется «ошибка сети»' }).waitFor();
    await citizen.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();

    // Live in the support queue, without a reload.
    const row = queue.getByTestId('support-queue').getByRole('link', { name: new RegExp(`${number} · Не загружается файл`) });
    await row.waitFor({ timeout: 5000 });
    await screenshot(queue, 'support-queue');
    await row.click();
    await queue.getByRole('heading', { level: 1, name: new RegExp(number) }).waitFor();
    await queue.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await queue.getByRole('button', { name: 'Взять в работу' }).click();
    await queue.getByTestId('chat-input').fill('Здравствуйте! Уменьшите файл до 10 МБ и попробуйте снова.');
    await queue.getByTestId('chat-send').click();

    // The citizen reads support's answer live, and answers back.
    await citizen.getByTestId('chat-list').getByTestId('chat-message').filter({ hasText: 'Уменьшите файл до 10 МБ' }).waitFor({ timeout: 5000 });
    await citizen.getByTestId('chat-input').fill('Спасибо, получилось!');
    await citizen.getByTestId('chat-send').click();
    await queue.getByTestId('chat-list').getByTestId('chat-message').filter({ hasText: 'Спасибо, получилось!' }).waitFor({ timeout: 5000 });
    await screenshot(citizen, 'support-room-citizen');
    await expectAxeClean(citizen, 'support room (citizen)');

    // The citizen's list of support conversations has it.
    await citizen.goto(`${server.url}/support`);
    await citizen
      .getByTestId('support-mine')
      .getByRole('link', { name: new RegExp(number) })
      .waitFor();
    await expectAxeClean(citizen, '/support with a conversation');
    expect(cspViolations).toEqual([]);
  });

  it('the support queue is axe-clean for support staff (a page in a context that bypasses the CSP for axe)', async () => {
    const context = await newContext(browser, 'support-axe', { bypassCSP: true });
    await signInContext(context, server, demoAccount(server, 'operator.support'));
    const page = await context.newPage();
    await page.goto(`${server.url}/support/queue`);
    await page.getByTestId('support-queue').waitFor();
    await page.getByRole('link', { name: 'Поддержка' }).waitFor();
    await expectAxeClean(page, '/support/queue');
    await context.close();
  });
});
