/**
 * A new person's whole walk in the browser: registration form (filled by its
 * labels), both confirmation codes read from the dev outbox, then the
 * new-appeal wizard up to the number and the access code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { cspViolations, launchBrowser, newContext, outboxCode, PNG_1X1, screenshot, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('registration → confirmation codes → wizard → number (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
  });

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  it('registers through the UI, confirms both codes from the outbox and files an appeal up to its number and access code', async () => {
    const context = await newContext(browser, 'newcomer');
    const page = await context.newPage();
    const uniq = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
    const email = `newcomer-${uniq}@mail.ru`;
    const phone = `+79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;

    // 1. Registration form, reached from the landing page.
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Зарегистрироваться' }).first().click();
    await page.waitForURL('**/register');
    await page.getByLabel('ФИО').fill('Петрова Анна Сергеевна');
    await page.getByLabel('Электронная почта').fill(email);
    await page.getByLabel('Телефон').fill(phone);
    await page.getByLabel('Пароль').fill('correct horse 42');
    await page.getByLabel('Дата рождения').fill('1990-05-17');
    await page.getByLabel('ИНН').fill('500100732259');
    await page.getByLabel('Адрес регистрации').fill('г. Москва, ул. Тверская, д. 1');
    await page.getByLabel('Я даю согласие на обработку моих персональных данных').check();
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();

    // 2. Both codes, from the dev outbox (<dataDir>/outbox.log).
    await page.waitForURL('**/register/confirm');
    const emailBox = page.getByRole('region', { name: 'Электронная почта' });
    const phoneBox = page.getByRole('region', { name: 'Телефон' });
    await emailBox.getByLabel('Код из 6 цифр').fill(await outboxCode(server, 'email', email));
    await emailBox.getByRole('button', { name: 'Подтвердить' }).click();
    await expect.poll(() => emailBox.getByText('Подтверждено').isVisible()).toBe(true);
    await phoneBox.getByLabel('Код из 6 цифр').fill(await outboxCode(server, 'sms', phone));
    await phoneBox.getByRole('button', { name: 'Подтвердить' }).click();

    // Confirmed: the citizen's home, "Мои обращения".
    await page.waitForURL((u) => u.pathname === '/appeals');
    await page.getByRole('heading', { name: 'Мои обращения', level: 1 }).waitFor();

    // 3. The wizard.
    await page.getByRole('navigation', { name: 'Основная навигация' }).getByRole('link', { name: 'Новое обращение' }).click();
    await page.waitForURL('**/appeals/new');
    await page.getByLabel('Кратко о проблеме').fill('Не работает кнопка оплаты на портале');
    await page.getByLabel('Описание').fill('При нажатии на кнопку «Оплатить» страница портала зависает и ничего не происходит.');
    // Category suggestion from the typed text, when the server offers it; else the plain choice.
    const suggestion = page.getByRole('button', { name: 'Технические проблемы портала' });
    await suggestion.waitFor({ timeout: 3000 }).then(
      () => suggestion.click(),
      () => page.getByLabel('Категория').selectOption({ label: 'Технические проблемы портала' }),
    );
    await expect.poll(() => page.locator('#w-categoryId option:checked').textContent()).toBe('Технические проблемы портала');
    await page.getByLabel('Тип обращения').selectOption({ label: 'Жалоба' });
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 2: documents and a file (sent right after submission).
    await page.getByRole('heading', { name: /Шаг 2 из 5/ }).waitFor();
    await page.locator('input[type="file"]').setInputFiles({ name: 'screenshot.png', mimeType: 'image/png', buffer: PNG_1X1 });
    await page.getByText(/^screenshot\.png \(/).waitFor();
    await screenshot(page, 'wizard-documents');
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 3: details and the applicant.
    await page.getByRole('heading', { name: /Шаг 3 из 5/ }).waitFor();
    await page.getByLabel('Услуга или страница').fill('Оплата госпошлины');
    await page.getByLabel('Ожидаемый результат').fill('Платёж проходит');
    await page.getByLabel('Фактический результат').fill('Страница зависает');
    await page.getByRole('radio', { name: 'Физическое лицо' }).check();
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 4: the summary, then submit.
    await page.getByRole('heading', { name: /Шаг 4 из 5/ }).waitFor();
    await expect.poll(() => page.getByText('Оплата госпошлины').isVisible()).toBe(true);
    await screenshot(page, 'wizard-summary');
    await page.getByRole('button', { name: 'Подать обращение' }).click();

    // Step 5: the number and the access code.
    const number = page.getByTestId('appeal-number');
    await number.waitFor();
    expect(await number.textContent()).toMatch(/^[\dA-Z]+-\d{4}-\d{6}$/);
    expect(await page.getByTestId('access-code').textContent()).toMatch(/^[A-Z0-9]{8}$/);
    await expect.poll(() => page.getByText('Загружен').isVisible(), { timeout: 10_000 }).toBe(true);
    await screenshot(page, 'wizard-done');

    // The appeal is in "Мои обращения".
    const shownNumber = (await number.textContent())!;
    await page.getByRole('link', { name: 'Мои обращения' }).last().click();
    await page.getByText(shownNumber).first().waitFor();
    await context.close();
  });

  it('runs under the strict CSP with no violation reported', () => {
    expect(cspViolations).toEqual([]);
  });
});
