/**
 * Search in Chromium against the real server (docs/search.md): an operator
 * types a word in another form into the queue's search box and, on /search,
 * finds the appeal with the matching words marked (<mark> elements built by
 * Svelte), narrows it with a filter, and never sees another department's
 * appeal; the citizen finds their own appeal by its number from «Мои
 * обращения». Keyboard only; axe on each screen (its script needs the CSP
 * bypassed); a supervisor's context keeps the CSP on the results and must
 * report no violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

describe.skipIf(skipReason !== null)(suiteTitle('search across appeals (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let heatingNumber = '';
  let portalNumber = '';
  const contexts: Record<'citizen' | 'operator' | 'supervisor', BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const citizenApi = await loginAs(server, 'citizen');
    heatingNumber = (
      await fileAppeal(citizenApi, 'housing_outage', {
        subject: 'Нет отопления в подъезде',
        description: 'Третью неделю батареи холодные, в подъезде сыро.',
        extra: { propertyAddress: 'ул. Лесная, д. 7', outageSince: '2026-02-20' },
      })
    ).appeal.number as string;
    portalNumber = (await fileAppeal(citizenApi, 'portal_issues', { subject: 'Оплата отопления не проходит' })).appeal.number as string;
    await server.searchIndex.idle();
    contexts.operator = await newContext(browser, 'operator', { bypassCSP: true });
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.supervisor = await newContext(browser, 'supervisor');
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.housing'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.housing'));
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  const hitTitles = async (page: Page): Promise<string[]> =>
    (await page.locator('[data-testid="search-hit"] .appeal-title').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());

  it('an operator searches from the queue by another form of the word, sees the marked words, and filters', async () => {
    const page = await contexts.operator.newPage();
    await page.goto(`${server.url}/queue`);
    await page.getByRole('heading', { level: 1, name: 'Очередь обращений' }).waitFor();
    await expectAxeClean(page, 'queue with the search box');
    // Keyboard only: the search field is reached by its label, typed into, sent with Enter.
    await page.getByLabel('Номер обращения или слова').focus();
    await page.keyboard.type('отоплению подъезда');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=/);
    await page.getByRole('heading', { level: 1, name: 'Поиск по обращениям' }).waitFor();
    await expect.poll(() => hitTitles(page)).toEqual(['Нет отопления в подъезде']);
    expect(await page.locator('[data-testid="search-hit"] .appeal-title mark').allTextContents()).toEqual(['отопления', 'подъезде']);
    expect(await page.getByTestId('search-fragment-body').first().locator('mark').allTextContents()).toEqual(['подъезде']);
    await expect.poll(() => page.getByTestId('search-count').textContent()).toContain('Найдено: 1');
    await expectAxeClean(page, 'search results (operator)');
    await screenshot(page, 'search-operator');

    // A filter combined with the query: no appeal of this department is completed.
    await page.getByLabel('Статус').selectOption({ label: 'Завершено' });
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.waitForURL(/status=completed/);
    await expect.poll(() => hitTitles(page)).toEqual([]);
    await expect.poll(() => page.getByTestId('search-count').textContent()).toContain('Найдено: 0');

    // The portal's appeal has the word too, but it is another department's.
    await page.goto(`${server.url}/search?q=${encodeURIComponent('оплата отопления')}`);
    await expect.poll(() => page.getByTestId('search-count').textContent()).toContain('Найдено: 0');
    expect(await page.content()).not.toContain(portalNumber);
  });

  it('shows the results under the CSP with no violation (the supervisor, the name marked)', async () => {
    const page = await contexts.supervisor.newPage();
    await page.goto(`${server.url}/search?q=${encodeURIComponent('Иванова отопление')}`);
    await expect.poll(() => hitTitles(page)).toEqual(['Нет отопления в подъезде']);
    expect(await page.getByTestId('search-fragment-name').locator('mark').allTextContents()).toEqual(['Иванов']);
    expect(cspViolations).toEqual([]);
  });

  it('the citizen finds their own appeal by its number from «Мои обращения»', async () => {
    const page = await contexts.citizen.newPage();
    await page.goto(`${server.url}/appeals`);
    await page.getByRole('heading', { level: 1, name: 'Мои обращения' }).waitFor();
    await page.getByLabel('Номер обращения или слова').fill(heatingNumber);
    await page.getByRole('button', { name: 'Найти' }).click();
    await expect.poll(() => hitTitles(page)).toEqual(['Нет отопления в подъезде']);
    expect(await page.getByTestId('search-fragment-number').textContent()).toContain(heatingNumber);
    expect(await page.getByTestId('search-fragment-number').locator('mark').count()).toBe(3);
    await expectAxeClean(page, 'search results (citizen)');
    await page.locator('[data-testid="search-hit"] .appeal-title').click();
    await page.waitForURL(/\/appeals\/[A-Za-z0-9_-]+$/);
  });
});
