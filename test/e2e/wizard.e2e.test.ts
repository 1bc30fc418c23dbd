/**
 * The new-appeal wizard in Chromium against the real server: the step in the
 * URL (a reload on step 4 keeps the place and the chosen files; back and
 * forward move between steps), the category's own questions on step 3, dates
 * in the language's format, the number and the access code copied and
 * printed; an anonymous page load without a console error; the touch wording
 * of the file area.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, loginAs } from '../helpers/session.js';
import { launchBrowser, newContext, PNG_1X1, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle, tinyPdf } from './helpers.js';

/** Collects the page's console errors and uncaught exceptions. */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

async function expectAxeClean(page: Page, label: string): Promise<void> {
  const bad = await seriousAxeViolations(page, label);
  expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

describe.skipIf(skipReason !== null)(suiteTitle('the new-appeal wizard, the session probe and the file area (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizen: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    await signInContext(citizen, server, demoAccount(server, 'citizen'));
  });

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  const stepHeading = (page: Page, n: number) => page.getByRole('heading', { level: 2, name: new RegExp(`^Шаг ${n} из 5`) }).waitFor();
  const stepOfUrl = (page: Page): string | null => new URL(page.url()).searchParams.get('step');

  it('keeps the place and the files over a reload on step 4, moves with back and forward, and asks the category its own questions', async () => {
    const page = await citizen.newPage();
    const errors = errorsOf(page);
    await page.goto(`${server.url}/appeals/new`);
    await page.getByRole('heading', { level: 1, name: 'Новое обращение' }).waitFor();
    await page.getByLabel('Кратко о проблеме').fill('Начислили вдвое больше за отопление');
    await page.getByLabel('Описание').fill('В квитанции за март начисление за отопление вдвое больше, чем в феврале.');
    await page.getByLabel('Категория').selectOption({ label: 'ЖКХ — начисления' });
    await page.getByLabel('Тип обращения').selectOption({ label: 'Жалоба' });
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 2: the draft and the step are in the URL; the files are listed with sizes in Russian units.
    await stepHeading(page, 2);
    expect(stepOfUrl(page)).toBe('documents');
    const draftId = new URL(page.url()).searchParams.get('draft');
    expect(draftId).toMatch(/^[\w-]{22}$/);
    await page.getByLabel('Лицевой счёт').fill('1234567890');
    await page.getByLabel('Адрес помещения').fill('г. Москва, ул. Тверская, д. 1, кв. 5');
    await page.locator('#w-files-input').setInputFiles([
      { name: 'Квитанция.pdf', mimeType: 'application/pdf', buffer: tinyPdf() },
      { name: 'Фото.png', mimeType: 'image/png', buffer: PNG_1X1 },
    ]);
    expect(await page.getByText(/^Квитанция\.pdf \(/).textContent()).toBe('Квитанция.pdf (1 КБ)');
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 3: the questions of «ЖКХ — начисления», not the help desk's.
    await stepHeading(page, 3);
    expect(stepOfUrl(page)).toBe('details');
    await page.getByLabel('За какую услугу спорное начисление').fill('Отопление');
    await page.getByLabel('Сколько начислено').fill('8 400 ₽');
    const receiptDate = page.getByLabel('Дата квитанции');
    expect(await receiptDate.getAttribute('placeholder')).toBe('ДД.ММ.ГГГГ');
    await receiptDate.fill('31.03.2026');
    expect(await page.getByLabel('Текст сообщения об ошибке').count()).toBe(0);
    await expectAxeClean(page, 'wizard step 3');
    await page.getByRole('button', { name: 'Далее' }).click();

    // Step 4: the summary with the date in Russian and the files chosen.
    await stepHeading(page, 4);
    expect(stepOfUrl(page)).toBe('summary');
    const summary = page.locator('form.card');
    await summary.getByText('31 марта 2026 г.').waitFor();
    await summary.getByText('Квитанция.pdf, Фото.png').waitFor();
    await expectAxeClean(page, 'wizard step 4');

    // A reload keeps the step, the answers and the files (kept in IndexedDB under the draft).
    await page.reload();
    await stepHeading(page, 4);
    expect(new URL(page.url()).searchParams.get('draft')).toBe(draftId);
    await summary.getByText('Квитанция.pdf, Фото.png').waitFor();
    await summary.getByText('Отопление', { exact: true }).waitFor();
    await summary.getByText('31 марта 2026 г.').waitFor();

    // Back and forward move between the steps, each with its values.
    await page.goBack();
    await stepHeading(page, 3);
    expect(await page.getByLabel('За какую услугу спорное начисление').inputValue()).toBe('Отопление');
    expect(await page.getByLabel('Дата квитанции').inputValue()).toBe('31.03.2026');
    await page.goBack();
    await stepHeading(page, 2);
    expect(await page.getByLabel('Лицевой счёт').inputValue()).toBe('1234567890');
    await page.getByText(/^Фото\.png \(/).waitFor();
    await page.goForward();
    await stepHeading(page, 3);
    await page.goForward();
    await stepHeading(page, 4);
    expect(stepOfUrl(page)).toBe('summary');
    await screenshot(page, 'wizard-summary-after-reload');

    // Submission: «done» replaces the summary in the history; the files go up.
    await page.getByRole('button', { name: 'Подать обращение' }).click();
    const number = page.getByTestId('appeal-number');
    await number.waitFor();
    expect(stepOfUrl(page)).toBe('done');
    const shownNumber = (await number.textContent()) ?? '';
    const code = (await page.getByTestId('access-code').textContent()) ?? '';
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{8}$/);
    await page.getByText('В коде только заглавные латинские буквы и цифры, кроме I, O, 0, 1').waitFor();
    await expect.poll(() => page.locator('.upload-item.upload-done').count(), { timeout: 10_000 }).toBe(2);
    await expectAxeClean(page, 'wizard step 5');
    await screenshot(page, 'wizard-done-copy-print');

    // Copy: into the clipboard, with a message.
    await citizen.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    const readClipboard = (): Promise<string> =>
      page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
    await page.getByRole('button', { name: 'Скопировать номер обращения' }).click();
    await page.getByTestId('copy-status').getByText('Скопировано: номер обращения.').waitFor();
    expect(await readClipboard()).toBe(shownNumber);
    await page.getByRole('button', { name: 'Скопировать код доступа' }).click();
    await page.getByTestId('copy-status').getByText('Скопировано: код доступа.').waitFor();
    expect(await readClipboard()).toBe(code);

    // Print: the page's header and the buttons are left out, the number and the code are printed.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.site-header').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Распечатать' }).isVisible()).toBe(false);
    expect(await number.isVisible()).toBe(true);
    expect(await page.getByTestId('access-code').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });

    // The server has both files; a reload of «done» shows the number again and sends nothing twice.
    const api = await loginAs(server, 'citizen');
    const appealId = draftId ?? '';
    const names = async (): Promise<string[]> =>
      ((await api.get(`/api/appeals/${appealId}/attachments`)).body.items as { fileName: string }[]).map((a) => a.fileName).sort();
    expect(await names()).toEqual(['Квитанция.pdf', 'Фото.png']);
    await page.reload();
    await number.waitFor();
    expect(await number.textContent()).toBe(shownNumber);
    await page.getByText('Код доступа показывался один раз, при подаче обращения.', { exact: false }).waitFor();
    expect(await page.getByTestId('access-code').count()).toBe(0);
    expect(await names()).toEqual(['Квитанция.pdf', 'Фото.png']);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a draft from its URL on a later step only as far as the steps before it are complete', async () => {
    const api = await loginAs(server, 'citizen');
    const cats = (await api.get('/api/categories')).body.items as { id: string; code: string }[];
    const billing = cats.find((c) => c.code === 'housing_billing')!;
    const draft = await api.post('/api/appeals', {
      categoryId: billing.id,
      type: 'complaint',
      subject: 'Неверный тариф',
      description: 'Тариф в квитанции не совпадает с утверждённым.',
    });
    expect(draft.status).toBe(201);
    const page = await citizen.newPage();
    await page.goto(`${server.url}/appeals/new?draft=${draft.body.appeal.id}&step=summary`);
    // The required «Лицевой счёт» is empty: step 2 opens, and the URL says so.
    await stepHeading(page, 2);
    await expect.poll(() => stepOfUrl(page)).toBe('documents');
    await page.close();
  });

  it('asks to choose files, not to drag them, on a touch screen', async () => {
    const api = await loginAs(server, 'citizen');
    const cats = (await api.get('/api/categories')).body.items as { id: string; code: string }[];
    const portal = cats.find((c) => c.code === 'portal_issues')!;
    const draft = await api.post('/api/appeals', {
      categoryId: portal.id,
      type: 'complaint',
      subject: 'Не открывается страница',
      description: 'Страница оплаты не открывается с телефона.',
    });
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: 'ru-RU', timezoneId: 'UTC' });
    await signInContext(phone, server, demoAccount(server, 'citizen'));
    const page = await phone.newPage();
    await page.goto(`${server.url}/appeals/new?draft=${draft.body.appeal.id}&step=documents`);
    await stepHeading(page, 2);
    expect(await page.getByText('Выберите файлы', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText('Перетащите файлы в эту область').isVisible()).toBe(false);
    await phone.close();

    const desk = await citizen.newPage();
    await desk.goto(`${server.url}/appeals/new?draft=${draft.body.appeal.id}&step=documents`);
    await stepHeading(desk, 2);
    expect(await desk.getByText('Перетащите файлы в эту область').isVisible()).toBe(true);
    expect(await desk.getByText('Выберите файлы', { exact: true }).isVisible()).toBe(false);
    await desk.close();
  });

  it('loads a page for nobody signed in without a console error: /api/me answers 200 with user null', async () => {
    const context = await newContext(browser, 'anonymous');
    const page = await context.newPage();
    const errors = errorsOf(page);
    const probes: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/me') probes.push(r.status());
    });
    for (const path of ['/', '/status']) {
      await page.goto(server.url + path);
      await page.locator('.header-tools').getByRole('link', { name: 'Войти' }).waitFor();
    }
    expect(probes).toEqual([200, 200]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
