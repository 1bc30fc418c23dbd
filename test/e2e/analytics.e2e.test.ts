/**
 * Analytics in Chromium against the real server and the built client: a
 * supervisor opens «Аналитика», the four charts are drawn by Chart.js (loaded
 * on this page only) under the server's CSP with no violation, the figures
 * count the appeals filed here, a figure drills down to exactly those
 * appeals, and the tables' CSV (made in the browser) and the list's CSV
 * (streamed by the server) are read back: UTF-8 with a BOM, Cyrillic intact,
 * the expected rows. axe checks both pages.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Download, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

/** What the test reads of a canvas (the tests are type-checked without the DOM library). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** Parses our CSV (`;`, CRLF, quotes doubled); returns the rows after checking the BOM. */
function parseCsv(text: string): string[][] {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ';') {
      row.push(field);
      field = '';
    } else if (c === '\r') continue;
    else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const d: Download = download;
  const file = await d.path();
  return { name: d.suggestedFilename(), text: await readFile(file, 'utf8') };
}

describe.skipIf(skipReason !== null)(suiteTitle('analytics: charts, drill-down and CSV (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  const numbers: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    for (const subject of ['Не работает оплата пошлины', 'Ошибка в личном кабинете', 'Не приходит код подтверждения']) {
      const { appeal } = await fileAppeal(citizen, 'portal_issues', { subject });
      numbers.push(appeal.number as string);
      if (numbers.length === 1) expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    }
  }, 60_000);

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  it('a supervisor sees the charts, drills down from a figure to its appeals and exports CSV that reads back', async () => {
    // The server's CSP applies in this context (no bypass): Chart.js must draw without a violation.
    const context = await newContext(browser, 'supervisor', { width: 1400, height: 1000 });
    await signInContext(context, server, demoAccount(server, 'supervisor.portal'));
    const page = await context.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(r.url());
    });

    // Chart.js is not loaded by other pages.
    await page.goto(`${server.url}/queue`);
    await page.getByRole('link', { name: 'Аналитика' }).waitFor();
    const beforeAnalytics = scripts.length;
    await page.getByRole('link', { name: 'Аналитика' }).click();
    await page.getByRole('heading', { level: 1, name: 'Аналитика' }).waitFor();
    for (const id of ['chart-trend', 'chart-breakdown', 'chart-ratings', 'chart-backlog']) {
      await expect.poll(() => page.getByTestId(id).getAttribute('data-rendered')).toBe('true');
    }
    expect(scripts.length).toBeGreaterThan(beforeAnalytics);
    await expect.poll(() => page.getByTestId('fig-received').textContent()).toBe('3');
    expect(await page.getByTestId('fig-backlog').textContent()).toBe('3');
    // The canvas has pixels drawn (not a blank box).
    const drawn = await page.getByTestId('chart-breakdown').evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
      return { width: c.width, painted };
    });
    expect(drawn.width).toBeGreaterThan(100);
    expect(drawn.painted).toBeGreaterThan(500);
    // The table beside the chart says the same: the one category, 3 received.
    const breakdown = page.getByTestId('table-breakdown');
    expect(await breakdown.locator('tbody tr').count()).toBe(1);
    expect(await breakdown.locator('tbody tr td').first().textContent()).toBe('3');
    await screenshot(page, 'analytics-supervisor');

    // A table to CSV, made in the browser: BOM, Cyrillic header, the row.
    const csv = await downloaded(page, () => page.getByTestId('csv-breakdown').click());
    expect(csv.name).toMatch(/^analytics-by-category-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parseCsv(csv.text);
    expect(rows[0]).toEqual(['Категория', 'Поступило', 'Завершено', 'Отклонено', 'Решено в срок', 'Средняя оценка']);
    expect(rows.slice(1).map((r) => r.slice(1))).toEqual([['3', '0', '0', '—', '—']]);
    const figures = parseCsv((await downloaded(page, () => page.getByTestId('csv-figures').click())).text);
    expect(figures).toContainEqual(['Поступило', '3']);
    expect(figures).toContainEqual(['Открыто сейчас', '3']);

    // Drill down from «Поступило» to the appeals behind it.
    await page.getByTestId('drill-received').click();
    await page.getByTestId('drill-table').waitFor();
    expect(await page.getByTestId('drill-total').textContent()).toBe('Всего обращений: 3');
    const shown = await page.getByTestId('drill-table').locator('tbody tr th a').allTextContents();
    expect([...shown].sort()).toEqual([...numbers].sort());
    // The list as CSV, streamed by the server.
    const listCsv = parseCsv((await downloaded(page, () => page.getByTestId('drill-csv').click())).text);
    expect(listCsv[0]).toEqual(['Номер', 'Тема', 'Статус', 'Вид', 'Категория', 'Регион', 'Поступило', 'Срок']);
    expect(
      listCsv
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([...numbers].sort());
    expect(
      listCsv
        .slice(1)
        .map((r) => r[1])
        .sort(),
    ).toEqual(['Не приходит код подтверждения', 'Не работает оплата пошлины', 'Ошибка в личном кабинете']);
    // A row opens the appeal's room.
    await page.getByTestId('drill-table').locator('tbody tr th a').first().click();
    await page.waitForURL(/\/appeals\/[A-Za-z0-9_-]+$/);
    expect(cspViolations).toEqual([]);
    await context.close();

    // axe on both pages (its script needs the CSP bypassed).
    const a11y = await newContext(browser, 'supervisor-axe', { bypassCSP: true });
    await signInContext(a11y, server, demoAccount(server, 'supervisor.portal'));
    const p2 = await a11y.newPage();
    await p2.goto(`${server.url}/analytics`);
    await expect.poll(() => p2.getByTestId('chart-backlog').getAttribute('data-rendered')).toBe('true');
    expect(await seriousAxeViolations(p2, 'analytics')).toEqual([]);
    await p2.getByTestId('drill-backlog').click();
    await p2.getByTestId('drill-table').waitFor();
    expect(await seriousAxeViolations(p2, 'analytics drill-down')).toEqual([]);
    await a11y.close();
  });

  it('refuses a period that runs backwards, one over 5 years, an unknown dimension, and another department', async () => {
    const supervisor = await loginAs(server, 'supervisor.portal');
    const backwards = await supervisor.get('/api/analytics?from=2026-05-01&to=2026-04-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.fields.to).toBe('Период задан в обратном порядке: конец раньше начала');
    const long = await supervisor.get('/api/analytics?from=2020-01-01&to=2025-01-01');
    expect(long.status).toBe(400);
    expect(long.body.error.fields.to).toBe('Период длиннее 5 лет');
    expect((await supervisor.get('/api/analytics?from=2020-01-02&to=2025-01-01')).status).toBe(200);
    const dimension = await supervisor.get('/api/analytics?from=2026-01-01&to=2026-02-01&groupBy=citizen');
    expect(dimension.status).toBe(400);
    expect(dimension.body.error.fields.groupBy).toBe('Неизвестное измерение: допустимы department, category, type, region');
    const deps = await supervisor.get('/api/departments');
    const other = deps.body.items.find((d: { id: string }) => d.id !== supervisor.user.departmentId);
    const foreign = await supervisor.get(`/api/analytics?from=2026-01-01&to=2026-02-01&departmentId=${other.id as string}`);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toBe('Руководителю доступна аналитика своего ведомства');
    const citizen = await loginAs(server, 'citizen');
    expect((await citizen.get('/api/analytics?from=2026-01-01&to=2026-02-01')).status).toBe(403);
    // The server is still up and answers.
    expect((await supervisor.get('/api/health')).status).toBe(200);
  });
});
