/**
 * Oversight in Chromium against the real server (docs/oversight.md): a
 * supervisor reads the department's audit journal, filters it by appeal
 * number and sees what changed; «Проверить целостность» says the chain is
 * intact, and after an entry is changed directly in SQLite names that entry.
 * The citizen publishes an appeal on Open311 from the room's checkbox. The
 * admin issues an API key, is refused a private-address webhook, registers a
 * loopback one, reads the delivery log and replays a delivery. axe on each
 * screen.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../server/store/sqlite/sqlite.store.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

async function expectAxeClean(page: Page, label: string): Promise<void> {
  const bad = await seriousAxeViolations(page, label);
  expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
}

describe.skipIf(skipReason !== null)(suiteTitle('oversight: the audit journal, Open311 publication, keys and webhooks (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizen: TestClient;
  let supervisor: TestClient;
  let operator: TestClient;
  let receiver: Server;
  let received = 0;
  let receiverUrl = '';

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer({ env: { WEBHOOKS_DEV_LOOPBACK: 'true' }, schedulerIntervalMs: 50 }), launchBrowser()]);
    citizen = await loginAs(server, 'citizen');
    supervisor = await loginAs(server, 'supervisor.portal');
    operator = await loginAs(server, 'operator.portal');
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
    (receiver as Server | undefined)?.close();
  });

  it('a supervisor filters the journal, sees what changed, and the integrity check names the entry tampered with in SQLite', async () => {
    const { appeal } = await fileAppeal(citizen, 'portal_issues');
    expect((await supervisor.post(`/api/appeals/${appeal.id}/assign`, { assigneeId: operator.user.id })).status).toBe(200);

    const context = await newContext(browser, 'supervisor', { bypassCSP: true });
    await signInContext(context, server, demoAccount(server, 'supervisor.portal'));
    const page = await context.newPage();
    await page.goto(`${server.url}/audit`);
    await page.getByRole('heading', { name: 'Журнал аудита', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Журнал аудита' });
    await table.waitFor();

    await page.getByLabel('Номер обращения').fill(appeal.number);
    await page.getByRole('button', { name: 'Показать' }).click();
    await expect
      .poll(async () => (await table.locator('tbody tr').allTextContents()).every((text) => text.includes(appeal.number)), { timeout: 10_000 })
      .toBe(true);
    const assigned = table.locator('tbody tr', { hasText: 'Назначен исполнитель' });
    await assigned.getByText(`Исполнитель: ${operator.user.fullName}`).waitFor();
    const seq = Number(await assigned.getAttribute('data-seq'));
    expect(seq).toBeGreaterThan(0);
    const submitted = table.locator('tbody tr', { hasText: 'Обращение подано' });
    await submitted.getByText('Статус: Черновик → Принято').waitFor();

    await page.getByLabel('Действие').selectOption({ label: 'Назначен исполнитель' });
    await page.getByRole('button', { name: 'Показать' }).click();
    await expect.poll(() => table.locator('tbody tr').count(), { timeout: 10_000 }).toBe(1);
    await expectAxeClean(page, 'audit journal: filtered');

    await page.getByRole('button', { name: 'Проверить целостность' }).click();
    await page.getByText(/^Журнал цел: проверено записей — \d+\.$/).waitFor();

    const db = new Database(path.join(server.dataDir, SQLITE_FILE));
    try {
      db.pragma('busy_timeout = 5000');
      expect(db.prepare("UPDATE audit SET actor_id = 'someone-else-0000' WHERE seq = ?").run(seq).changes).toBe(1);
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Проверить целостность' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Целостность нарушена' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe(`Целостность нарушена: запись № ${seq} — содержимое записи изменено.`);
    await expectAxeClean(page, 'audit journal: broken chain named');
    await screenshot(page, 'audit-journal-broken');
    await context.close();
  });

  it('the citizen publishes an appeal on Open311 from the room', async () => {
    const { appeal } = await fileAppeal(citizen, 'portal_issues');
    const context = await newContext(browser, 'citizen');
    await signInContext(context, server, demoAccount(server, 'citizen'));
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appeal.id}`);
    const box = page.getByLabel('Опубликовать обращение в открытых данных (Open311)');
    await expect.poll(() => box.isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await page.getByText('Обращение опубликовано в открытых данных.').waitFor();
    expect((await citizen.get(`/api/appeals/${appeal.id}/publicity`)).body).toEqual({ public: true });
    await context.close();
  });

  it('the admin issues an API key, registers a webhook (a private address refused), reads the delivery log and replays a delivery', async () => {
    const context = await newContext(browser, 'admin', { bypassCSP: true });
    await signInContext(context, server, demoAccount(server, 'admin'));
    const page = await context.newPage();
    await page.goto(`${server.url}/admin?tab=oversight`);
    await page.getByRole('heading', { name: 'Ключи Open311' }).waitFor();

    await page.getByLabel('Название').fill('Портал открытых данных');
    await page.getByRole('button', { name: 'Выпустить ключ' }).click();
    const shown = page.getByTestId('key-shown').locator('code');
    await shown.waitFor();
    const key = (await shown.textContent()) ?? '';
    expect(key).toMatch(/^cr311_/);
    expect((await fetch(`${server.url}/open311/v2/services.json`, { headers: { 'x-api-key': key } })).status).toBe(200);
    await page.getByRole('table', { name: 'Ключи Open311' }).getByText('действует').waitFor();

    await page.getByLabel('Адрес (https)').fill('https://10.0.0.1/hook');
    await page.getByRole('button', { name: 'Зарегистрировать' }).click();
    await page.getByTestId('hook-error').getByText('Адрес 10.0.0.1 — частный или служебный', { exact: false }).waitFor();

    await page.getByLabel('Адрес (https)').fill(receiverUrl);
    await page.getByRole('button', { name: 'Зарегистрировать' }).click();
    await page.getByTestId('hook-secret').locator('code').waitFor();
    await page.getByRole('table', { name: 'Вебхуки' }).getByText(receiverUrl).waitFor();

    await fileAppeal(citizen, 'portal_issues');
    await expect.poll(() => received, { timeout: 10_000 }).toBe(1);
    const log = page.getByRole('table', { name: 'Журнал доставок' });
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Обновить журнал' }).click();
          return log.locator('tbody tr[data-state="delivered"]').count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    await expectAxeClean(page, 'admin: Open311 keys and webhooks');
    await screenshot(page, 'admin-oversight');

    await log
      .getByRole('button', { name: /^Повторить доставку от / })
      .first()
      .click();
    await page.getByText('Доставка поставлена в очередь повторно.').waitFor();
    await expect.poll(() => received, { timeout: 10_000 }).toBe(2);
    expect(cspViolations).toEqual([]);
    await context.close();
  });
});
