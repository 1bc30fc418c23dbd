/**
 * The admin's users table in Chromium against the real server: search by
 * name or e-mail; a change of role and department goes through a form and a
 * confirmation that lists what changes (the department an expert cannot have
 * is named before it goes), then says it saved; locking sign-in has its own
 * confirmation. axe runs with the form open and after saving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, loginAs, type TestClient } from '../helpers/session.js';
import { launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

interface UserRow {
  id: string;
  fullName: string;
  email: string;
  role: string;
  departmentId: string | null;
  locked: boolean;
}

async function expectAxeClean(page: Page, label: string): Promise<void> {
  const bad = await seriousAxeViolations(page, label);
  expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

describe.skipIf(skipReason !== null)(suiteTitle('admin: users edited through a form with a confirmation (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let adminApi: TestClient;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    adminApi = await loginAs(server, 'admin');
  });

  afterAll(async () => {
    // Either may be missing when beforeAll failed half-way.
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  const userByEmail = async (email: string): Promise<UserRow> => {
    const items = (await adminApi.get(`/api/admin/users?search=${encodeURIComponent(email)}`)).body.items as UserRow[];
    const user = items.find((u) => u.email === email);
    if (!user) throw new Error(`no user ${email}`);
    return user;
  };

  it('searches, changes an operator to an expert after a confirmation naming the department dropped, and locks sign-in', async () => {
    const operator = await userByEmail('operator.tax@demo.local');
    expect(operator.role).toBe('operator');
    const departments = (await adminApi.get('/api/departments')).body.items as { id: string; name: string }[];
    const departmentName = departments.find((d) => d.id === operator.departmentId)?.name ?? '';

    const context = await newContext(browser, 'admin', { bypassCSP: true });
    await signInContext(context, server, demoAccount(server, 'admin'));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server.url}/admin?tab=users`);
    const table = page.getByRole('table', { name: 'Пользователи и роли' });
    await table.waitFor();

    // Search by a part of the e-mail: one row.
    await page.getByLabel('Поиск по имени или e-mail').fill('OPERATOR.TAX');
    await page.getByRole('button', { name: 'Найти' }).click();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(1);
    const row = table.locator('tbody tr').first();
    await row.getByText(operator.fullName).waitFor();
    expect(await row.getByText('Сотрудник ведомства').isVisible()).toBe(true);

    // The form: nothing is saved while it changes.
    await page.getByRole('button', { name: `Изменить роль и ведомство: ${operator.fullName}` }).click();
    const dialog = page.getByRole('dialog', { name: `Роль и ведомство: ${operator.fullName}` });
    await dialog.waitFor();
    await dialog.getByLabel('Роль').selectOption({ label: 'Эксперт' });
    await dialog.getByText(`У роли «Эксперт» нет ведомства: ведомство «${departmentName}» будет снято.`).waitFor();
    expect((await userByEmail(operator.email)).role).toBe('operator');
    await expectAxeClean(page, 'admin users: edit form open');
    await screenshot(page, 'admin-users-edit-form');

    // The confirmation lists both changes; then the saved message.
    await dialog.getByRole('button', { name: 'Далее' }).click();
    const confirm = page.getByRole('dialog', { name: `Подтвердите изменения: ${operator.fullName}` });
    await confirm.getByText('Роль: Сотрудник ведомства → Эксперт').waitFor();
    await confirm.getByText(`Ведомство: ${departmentName} → нет`).waitFor();
    expect((await userByEmail(operator.email)).role).toBe('operator');
    await confirm.getByRole('button', { name: 'Подтвердить' }).click();
    await page.getByTestId('users-notice').getByText(`Изменения сохранены: ${operator.fullName}.`).waitFor();
    expect(await page.getByRole('dialog').count()).toBe(0);
    await row.getByText('Эксперт', { exact: true }).waitFor();
    expect(await userByEmail(operator.email)).toMatchObject({ role: 'expert', departmentId: null });
    await expectAxeClean(page, 'admin users: saved');

    // Locking sign-in: its own confirmation, then the row and the server agree.
    await page.getByRole('button', { name: `Заблокировать вход: ${operator.fullName}` }).click();
    const lock = page.getByRole('dialog', { name: `Заблокировать вход: ${operator.fullName}?` });
    await lock.getByText('Пользователь не сможет войти, а его открытые сеансы завершатся сразу.').waitFor();
    expect((await userByEmail(operator.email)).locked).toBe(false);
    await lock.getByRole('button', { name: 'Заблокировать вход', exact: true }).click();
    await page.getByTestId('users-notice').getByText(`Вход заблокирован: ${operator.fullName}.`).waitFor();
    await row.getByText('Заблокирован', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Разблокировать вход: ${operator.fullName}` }).waitFor();
    expect((await userByEmail(operator.email)).locked).toBe(true);
    await screenshot(page, 'admin-users-saved');

    // Cancelling saves nothing.
    await page.getByRole('button', { name: `Изменить роль и ведомство: ${operator.fullName}` }).click();
    await page.getByRole('dialog').getByLabel('Роль').selectOption({ label: 'Администратор' });
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect((await userByEmail(operator.email)).role).toBe('expert');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('requires a department for an operator before the confirmation', async () => {
    const expert = await userByEmail('expert@demo.local');
    const context = await newContext(browser, 'admin', { bypassCSP: true });
    await signInContext(context, server, demoAccount(server, 'admin'));
    const page = await context.newPage();
    await page.goto(`${server.url}/admin?tab=users`);
    await page.getByLabel('Поиск по имени или e-mail').fill('expert@demo');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByRole('button', { name: `Изменить роль и ведомство: ${expert.fullName}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Роль').selectOption({ label: 'Сотрудник ведомства' });
    await dialog.getByRole('button', { name: 'Далее' }).click();
    await dialog.getByText('Выберите ведомство').waitFor();
    expect(await dialog.getByLabel('Ведомство').getAttribute('aria-invalid')).toBe('true');
    await expectAxeClean(page, 'admin users: form with an error');
    expect((await userByEmail(expert.email)).role).toBe('expert');
    await context.close();
  });
});
