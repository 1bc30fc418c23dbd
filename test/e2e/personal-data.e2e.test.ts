/**
 * «Мои данные» on the profile page in Chromium (the built client, the real
 * server; docs/personal-data.md): the citizen prepares an export, sees it
 * become ready without a reload and downloads the ZIP by its link; an officer
 * locks their account after the confirmation and lands on the login page with
 * every session gone; the citizen deletes their account — the password and
 * the tick are asked for, each refusal said beside its field — and can no
 * longer sign in. axe finds nothing serious on the section; no CSP violation.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('my data: export, lock and delete on the profile page (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenCtx: BrowserContext;
  let operatorCtx: BrowserContext;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    await fileAppeal(await loginAs(server, 'citizen'));
    // axe injects a script: the citizen's context bypasses the CSP; the officer's keeps it, to catch violations.
    citizenCtx = await newContext(browser, 'citizen', { bypassCSP: true });
    operatorCtx = await newContext(browser, 'operator-csp');
    await signInContext(citizenCtx, server, demoAccount(server, 'citizen'));
    await signInContext(operatorCtx, server, demoAccount(server, 'operator.portal'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  it('prepares the export in the background and offers the ZIP by its link', async () => {
    const page = await citizenCtx.newPage();
    await page.goto(`${server.url}/profile`);
    const section = page.getByRole('region', { name: 'Мои данные', exact: true });
    await section.waitFor();
    await expectAxeClean(page, 'profile: my data');
    await section.getByRole('button', { name: 'Подготовить выгрузку' }).click();
    const link = section.getByRole('link', { name: /^Скачать архив/ });
    await link.waitFor({ timeout: 15_000 });
    expect(await section.getByRole('status').textContent()).toContain('Выгрузка готова, ссылка действует до');
    const href = (await link.getAttribute('href'))!;
    expect(href).toMatch(/^\/api\/me\/exports\/[A-Za-z0-9_-]+\/download$/);
    const zip = await citizenCtx.request.get(`${server.url}${href}`);
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');
    expect((await zip.body()).subarray(0, 2).toString('latin1')).toBe('PK');
    await expectAxeClean(page, 'profile: export ready');
    await screenshot(page, 'profile-my-data');
    await page.close();
  });

  it('locks the officer’s account after the confirmation: every session ends, the page goes to the login', async () => {
    const page = await operatorCtx.newPage();
    await page.goto(`${server.url}/profile`);
    const section = page.getByRole('region', { name: 'Мои данные', exact: true });
    await section.waitFor();
    // Staff are not offered self-deletion.
    expect(await section.getByText('Учётную запись сотрудника отключает администратор.').count()).toBe(1);
    await section.getByRole('button', { name: 'Заблокировать аккаунт' }).click();
    await section.getByText('Заблокировать аккаунт сейчас? Все сеансы, в том числе этот, будут завершены.').waitFor();
    await section.getByRole('button', { name: 'Да, заблокировать' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    const { login, password } = demoAccount(server, 'operator.portal');
    expect((await new TestClient(server.url).post('/api/auth/login', { login, password })).body.error.code).toBe('ACCOUNT_LOCKED');
    expect(cspViolations).toEqual([]);
    await page.close();
  });

  it('deletes the citizen’s account with the password and the tick, each refusal said beside its field', async () => {
    const page = await citizenCtx.newPage();
    await page.goto(`${server.url}/profile`);
    const form = page.locator('#profile-delete');
    await form.waitFor();
    await form.getByRole('button', { name: 'Удалить аккаунт' }).click();
    const tick = form.getByRole('checkbox', { name: 'Я понимаю, что аккаунт будет удалён безвозвратно' });
    expect(await tick.getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByText('Подтвердите удаление учётной записи').count()).toBe(1);
    await form.getByLabel('Пароль').fill('не тот пароль');
    await tick.check();
    await form.getByRole('button', { name: 'Удалить аккаунт' }).click();
    await form.getByText('Неверный пароль', { exact: true }).waitFor();
    await expectAxeClean(page, 'profile: delete refused');
    await form.getByLabel('Пароль').fill(demoAccount(server, 'citizen').password);
    await form.getByRole('button', { name: 'Удалить аккаунт' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    const { login, password } = demoAccount(server, 'citizen');
    expect((await new TestClient(server.url).post('/api/auth/login', { login, password })).body.error.code).toBe('INVALID_CREDENTIALS');
    await page.close();
  });
});
