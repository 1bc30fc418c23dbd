/**
 * Accounts in the browser (docs/accounts.md): the consent at registration,
 * password recovery through the dev outbox, a new consent version asked at
 * the next login, and the profile page; axe on /profile, /forgot and /consent.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { INITIAL_CONSENT, publishConsent } from '../../server/domain/accounts/consent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, loginThroughUi, newContext, outboxCode, screenshot, seriousAxeViolations, skipReason, suiteTitle } from './helpers.js';

const AGREE = 'Я даю согласие на обработку моих персональных данных';

describe.skipIf(skipReason !== null)(suiteTitle('accounts: consent, password recovery, profile (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    // Every sign-in, recovery and unlock here comes from 127.0.0.1: the per-IP login budget is raised.
    [server, browser] = await Promise.all([startTestServer({ accountLimits: { loginPerIp: { points: 1000, durationSec: 60 } } }), launchBrowser()]);
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  afterEach(() => {
    publishConsent(INITIAL_CONSENT);
  });

  it('registration asks for the consent to the processing of personal data and records its version', async () => {
    const context = await newContext(browser, 'newcomer');
    const page = await context.newPage();
    const uniq = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
    const email = `consent-${uniq}@mail.ru`;
    const phone = `+79${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
    await page.goto(`${server.url}/register`);
    await page.getByText('Федеральным законом от 27.07.2006 № 152-ФЗ').waitFor();
    await page.getByLabel('ФИО').fill('Сидорова Ольга Петровна');
    await page.getByLabel('Электронная почта').fill(email);
    await page.getByLabel('Телефон').fill(phone);
    await page.getByLabel('Пароль').fill('correct horse 42');
    await page.getByLabel('Дата рождения').fill('1988-11-02');
    await page.getByLabel('ИНН').fill('500100732259');
    await page.getByLabel('Адрес регистрации').fill('г. Москва, ул. Тверская, д. 1');
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
    // Without the tick: refused in the page, beside the box, and nothing was sent.
    await page.getByText('Без согласия на обработку персональных данных продолжить нельзя').waitFor();
    expect(page.url()).toMatch(/\/register$/);
    expect(await server.store.users.findByLogin(email)).toBeNull();

    await page.getByLabel(AGREE).check();
    await page.getByRole('button', { name: 'Зарегистрироваться' }).click();
    await page.waitForURL('**/register/confirm');
    const stored = await server.store.users.findByLogin(email);
    expect(stored).toMatchObject({ consentVersion: INITIAL_CONSENT.version });
    expect(stored?.consentAcceptedAt).toBeGreaterThan(0);
    await context.close();
  });

  it('recovers a forgotten password through the code in the dev outbox; the old password then fails', async () => {
    const account = demoAccount(server, 'citizen');
    const other = await new TestClient(server.url).login(account.login, account.password);
    const context = await newContext(browser, 'forgetful', { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Электронная почта или телефон').fill(account.login);
    await page.getByRole('link', { name: 'Забыли пароль?' }).click();
    await page.waitForURL('**/forgot?login=*');
    await page.getByRole('heading', { name: 'Восстановление пароля', level: 1 }).waitFor();
    expect(await page.getByLabel('Электронная почта или телефон').inputValue()).toBe(account.login);
    await page.getByRole('button', { name: 'Получить код' }).click();
    await page.getByText(/код отправлен: c\*\*\*@demo\.local/).waitFor();
    expect(await seriousAxeViolations(page, '/forgot')).toEqual([]);
    await screenshot(page, 'forgot-password');

    await page.getByLabel('Код из сообщения').fill(await outboxCode(server, 'email', account.login));
    await page.getByLabel(/^Новый пароль/).fill('recovered secret 2026');
    await page.getByRole('button', { name: 'Сменить пароль и войти' }).click();
    await page.waitForURL((u) => u.pathname === '/appeals');

    // Every other session ended; the old password no longer signs in, the new one does.
    expect((await other.get('/api/me')).body.user).toBeNull();
    expect((await new TestClient(server.url).post('/api/auth/login', { login: account.login, password: account.password })).status).toBe(401);
    account.password = 'recovered secret 2026';
    expect((await new TestClient(server.url).post('/api/auth/login', { login: account.login, password: account.password })).status).toBe(200);
    await context.close();
  });

  it('a new consent version is asked at the next login before anything else; accepted, the person goes on', async () => {
    const account = demoAccount(server, 'citizen');
    publishConsent({
      version: '2027-02-01',
      ru: 'Новая редакция согласия на обработку персональных данных.\n\nВторой абзац.',
      en: 'The new consent.\n\nSecond paragraph.',
    });
    const context = await newContext(browser, 'returning', { bypassCSP: true });
    const page = await context.newPage();
    await loginThroughUi(page, server, account);
    await page.waitForURL('**/consent**');
    await page.getByText('Текст согласия на обработку персональных данных изменился').waitFor();
    await page.getByText('Новая редакция согласия на обработку персональных данных.').waitFor();
    expect(await seriousAxeViolations(page, '/consent')).toEqual([]);
    await screenshot(page, 'consent-new-version');

    // Any signed-in page sends the person back to the consent.
    await page.goto(`${server.url}/appeals`);
    await page.waitForURL('**/consent?next=%2Fappeals');
    await page.getByRole('button', { name: 'Принять и продолжить' }).click();
    await page.getByText('Без согласия на обработку персональных данных продолжить нельзя').waitFor();
    await page.getByLabel(AGREE).check();
    await page.getByRole('button', { name: 'Принять и продолжить' }).click();
    await page.waitForURL((u) => u.pathname === '/appeals');
    await page.getByRole('heading', { name: 'Мои обращения', level: 1 }).waitFor();
    expect(await server.store.users.findByLogin(account.login)).toMatchObject({ consentVersion: '2027-02-01' });
    await context.close();
  });

  it('a locked account is unlocked from the login page by a code from the dev outbox', async () => {
    const account = demoAccount(server, 'expert');
    const owner = await new TestClient(server.url).login(account.login, account.password);
    expect((await owner.post('/api/me/lock')).status).toBe(204);
    const context = await newContext(browser, 'locked', { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Электронная почта или телефон').fill(account.login);
    await page.getByLabel('Пароль').fill(account.password);
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    await page.getByRole('heading', { name: 'Разблокировка учётной записи', level: 2 }).waitFor();
    const unlock = page.getByRole('region', { name: 'Разблокировка учётной записи' });
    await unlock.getByRole('button', { name: 'Получить код' }).click();
    await unlock.getByLabel('Код из сообщения').fill(await outboxCode(server, 'email', account.login));
    await unlock.getByRole('button', { name: 'Разблокировать и войти' }).click();
    await page.waitForURL((u) => u.pathname === '/invited');
    expect(await server.store.users.findByLogin(account.login)).toMatchObject({ locked: false, lockedBy: null });
    await context.close();
  });

  it('the profile page: personal data saved with the ИНН checked, sessions listed with this one marked; axe clean', async () => {
    const account = demoAccount(server, 'citizen');
    // The test before accepted a version that is no longer in force: back to the one that is.
    const citizen = await server.store.users.findByLogin(account.login);
    await server.store.users.update(citizen?.id ?? '', { consentVersion: INITIAL_CONSENT.version });
    const context = await newContext(browser, 'profile', { bypassCSP: true });
    const page = await context.newPage();
    await loginThroughUi(page, server, account);
    await page.getByRole('navigation', { name: 'Основная навигация' }).getByRole('link', { name: 'Профиль' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('heading', { name: 'Профиль', level: 1 }).waitFor();
    await page.getByText('Этот сеанс').waitFor();
    expect(await seriousAxeViolations(page, '/profile')).toEqual([]);
    await screenshot(page, 'profile');

    const personal = page.getByRole('region', { name: 'Личные данные' });
    await personal.getByLabel('ИНН').fill('500100732258');
    await personal.getByRole('button', { name: 'Сохранить' }).click();
    await personal.getByText('ИНН не прошёл проверку контрольной суммы').waitFor();
    await personal.getByLabel('ИНН').fill('500100732259');
    await personal.getByLabel('Адрес регистрации').fill('г. Москва, ул. Арбат, д. 10');
    await personal.getByRole('button', { name: 'Сохранить' }).click();
    await personal.getByText('Личные данные сохранены.').waitFor();
    expect(await server.store.users.findByLogin(account.login)).toMatchObject({ address: 'г. Москва, ул. Арбат, д. 10', inn: '500100732259' });
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
