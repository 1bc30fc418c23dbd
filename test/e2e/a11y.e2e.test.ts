/**
 * axe-core on the main pages, as each role sees them, in Chromium: no serious
 * or critical violations (the others are printed for information).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { launchBrowser, loginThroughUi, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('accessibility: axe on the main pages (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let anonymous: BrowserContext;
  let citizen: BrowserContext;
  let operator: BrowserContext;
  let supervisor: BrowserContext;
  let appeal: { id: string; number: string; accessCode: string };

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const citizenApi = await loginAs(server, 'citizen');
    const filed = await fileAppeal(citizenApi, 'portal_issues');
    appeal = { id: filed.appeal.id, number: filed.appeal.number, accessCode: filed.accessCode };
    // A second appeal taken by the operator, so the queue shows both states.
    const taken = await fileAppeal(citizenApi, 'portal_issues', { subject: 'Не приходит СМС с кодом' });
    const operatorApi = await loginAs(server, 'operator.portal');
    expect((await operatorApi.post(`/api/appeals/${taken.appeal.id}/transitions`, { action: 'take' })).status).toBe(200);

    anonymous = await newContext(browser, 'anonymous', { bypassCSP: true });
    citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    operator = await newContext(browser, 'operator', { bypassCSP: true });
    supervisor = await newContext(browser, 'supervisor', { bypassCSP: true });
    await signInContext(citizen, server, demoAccount(server, 'citizen'));
    await signInContext(operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(supervisor, server, demoAccount(server, 'supervisor.portal'));
  });

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  /** Opens `path` in a fresh page of `context`, waits for `ready`, runs axe, expects no serious/critical violations. */
  async function audit(
    context: BrowserContext,
    label: string,
    path: string,
    ready: (page: Page) => Promise<unknown>,
    then?: (page: Page) => Promise<unknown>,
  ): Promise<Page> {
    const page = await context.newPage();
    await page.goto(server.url + path);
    await ready(page);
    if (then) await then(page);
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
    return page;
  }

  const h1 = (name: string | RegExp) => (page: Page) => page.getByRole('heading', { level: 1, name }).waitFor();

  it('landing page', async () => {
    await audit(anonymous, 'landing', '/', h1('Совместное решение вопросов'));
  });

  it('status lookup, with a result shown', async () => {
    await audit(anonymous, 'status lookup', '/status', h1('Статус обращения'), async (page) => {
      await page.getByLabel('Номер обращения').fill(appeal.number);
      await page.getByLabel('Код доступа').fill(appeal.accessCode);
      await page.getByRole('button', { name: 'Показать статус' }).click();
      await page.getByRole('heading', { name: `Обращение ${appeal.number}` }).waitFor();
    });
  });

  it('login, with the form errors shown', async () => {
    await audit(anonymous, 'login', '/login', h1('Вход'), async (page) => {
      await page.getByRole('button', { name: 'Войти', exact: true }).click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
    });
  });

  it('registration, with the form errors shown', async () => {
    await audit(anonymous, 'registration', '/register', h1('Регистрация'), async (page) => {
      await page.getByRole('button', { name: 'Зарегистрироваться' }).last().click();
      await page.locator('[aria-invalid="true"]').first().waitFor();
    });
  });

  it('my appeals (citizen, signed in through the login form)', async () => {
    const context = await newContext(browser, 'citizen-ui', { bypassCSP: true });
    const page = await context.newPage();
    await loginThroughUi(page, server, demoAccount(server, 'citizen'));
    await page.getByRole('heading', { level: 1, name: 'Мои обращения' }).waitFor();
    await page.getByText(appeal.number).first().waitFor();
    expect(await seriousAxeViolations(page, 'my appeals')).toEqual([]);
    await context.close();
  });

  it('new-appeal wizard: the first step with errors, then the documents step', async () => {
    const page = await audit(citizen, 'wizard step 1 (errors)', '/appeals/new', h1('Новое обращение'), async (page) => {
      await page.getByRole('button', { name: 'Далее' }).click();
      await page.getByText(/Исправьте ошибки в форме/).waitFor();
    });
    await page.getByLabel('Кратко о проблеме').fill('Не работает кнопка оплаты');
    await page.getByLabel('Описание').fill('При нажатии на кнопку «Оплатить» страница зависает.');
    await page.getByLabel('Категория').selectOption({ label: 'Технические проблемы портала' });
    await page.getByLabel('Тип обращения').selectOption({ label: 'Жалоба' });
    await page.getByRole('button', { name: 'Далее' }).click();
    await page.getByRole('heading', { name: /Шаг 2 из 5/ }).waitFor();
    expect(await seriousAxeViolations(page, 'wizard step 2')).toEqual([]);
    await screenshot(page, 'a11y-wizard-step2');
  });

  it('operator queue', async () => {
    await audit(operator, 'queue', '/queue', h1('Очередь обращений'), (page) => page.getByText(appeal.number).first().waitFor());
  });

  /** The live room is ready: online, with its editor and chat. */
  const roomReady = async (page: Page): Promise<void> => {
    await page.getByRole('heading', { level: 1, name: new RegExp(appeal.number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await page.getByTestId('editor').waitFor();
    await page.getByTestId('chat-list').waitFor();
  };

  it('the room: citizen, then the operator with a status form open', async () => {
    await audit(citizen, 'room (citizen)', `/appeals/${appeal.id}`, roomReady, async (page) => {
      await page.getByTestId('chat-input').fill('Здравствуйте, жду ответа.');
      await page.getByTestId('chat-send').click();
      await page.getByTestId('chat-message').filter({ hasText: 'Здравствуйте, жду ответа.' }).first().waitFor();
    });
    await audit(operator, 'room (operator)', `/appeals/${appeal.id}`, roomReady, async (page) => {
      await page.getByTestId('action-take').click();
      await page.getByTestId('action-request_info').waitFor();
      await page.getByTestId('action-request_info').click();
      await page.getByTestId('action-comment').waitFor();
    });
  });

  it('the room at 360 px wide', async () => {
    const phone = await newContext(browser, 'citizen-phone', { width: 360, height: 780, bypassCSP: true });
    await signInContext(phone, server, demoAccount(server, 'citizen'));
    // Tabbed at this width (test/e2e/room-phone.e2e.test.ts audits each tab): the case is shown first.
    const phoneReady = async (page: Page): Promise<void> => {
      await page.getByRole('heading', { level: 1, name: new RegExp(appeal.number) }).waitFor();
      await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
      await page.getByRole('tablist', { name: 'Разделы дела' }).waitFor();
      await page.getByTestId('room-status').waitFor();
    };
    await audit(phone, 'room (citizen, 360 px)', `/appeals/${appeal.id}`, phoneReady);
    await phone.close();
  });

  it('the supervisor wall', async () => {
    await audit(supervisor, 'wall', '/wall', h1('Стена обращений'), (page) => page.locator(`[data-testid="wall-row"][data-appeal="${appeal.id}"]`).waitFor());
  });

  it('admin: the categories, departments and users tables', async () => {
    const admin = await newContext(browser, 'admin', { bypassCSP: true });
    await signInContext(admin, server, demoAccount(server, 'admin'));
    const table = (name: string) => (page: Page) => page.getByRole('table', { name }).getByRole('row').nth(1).waitFor();
    await audit(admin, 'admin categories', '/admin?tab=categories', table('Категории'));
    await audit(admin, 'admin departments', '/admin?tab=departments', table('Ведомства'));
    await audit(admin, 'admin users', '/admin?tab=users', table('Пользователи и роли'));
    await admin.close();
  });

  it('supervisor queue', async () => {
    await audit(supervisor, 'queue (supervisor)', '/queue', h1('Очередь обращений'), (page) => page.getByText(appeal.number).first().waitFor());
  });
});
