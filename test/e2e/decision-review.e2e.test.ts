/**
 * After the decision, in Chromium against the real server, three browsers at
 * once (citizen, operator, supervisor): the operator proposes a resolution,
 * the citizen confirms it and downloads the decision's PDF; the citizen rates
 * it 2 stars; the supervisor starts the review and a re-examination with a
 * checklist; the citizen sees the review's state and the checklist live; the
 * supervisor, now the assignee, proposes the new resolution, and the
 * citizen's confirmation issues decision № 2, which completes the review.
 * axe runs on each new state. The decision's and the case's PDFs are read
 * back to text and kept in test/e2e/screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { formWith, pdfBytes } from '../helpers/files.js';
import { pdfText } from '../helpers/pdf.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import {
  cspViolations,
  launchBrowser,
  newContext,
  screenshot,
  SCREENSHOT_DIR,
  seriousAxeViolations,
  signInContext,
  skipReason,
  suiteTitle,
} from './helpers.js';

const FIRST = 'Платёж зачислен, квитанция отправлена на почту.';
const SECOND = 'По выписке банка платёж зачислен дважды: излишек 350 ₽ возвращён на карту.';
/** How long a change may take to reach the other browsers. */
const LIVE_MS = 8000;

describe.skipIf(skipReason !== null)(suiteTitle('decision, rating, review and re-examination (Chromium, three browsers)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenApi: TestClient;
  let operatorApi: TestClient;
  let supervisorApi: TestClient;
  const contexts: Record<'citizen' | 'operator' | 'supervisor', BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizenApi = await loginAs(server, 'citizen');
    operatorApi = await loginAs(server, 'operator.portal');
    supervisorApi = await loginAs(server, 'supervisor.portal');
    // axe is injected with an inline script, so the contexts it runs in bypass the CSP; the
    // operator's, where it does not run, keeps it and reports any violation of the new parts.
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator');
    contexts.supervisor = await newContext(browser, 'supervisor', { bypassCSP: true });
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.portal'));
  }, 60_000);

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function openRoom(context: BrowserContext, appeal: { id: string; number: string }): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appeal.id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appeal.number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await page.getByTestId('outcome').waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  /** Proposes a resolution through the status bar, with files of the case ticked for the decision. */
  async function propose(page: Page, text: string, files: string[] = []): Promise<void> {
    await page.getByTestId('action-propose_resolution').click();
    await page.getByTestId('action-comment').fill(text);
    for (const name of files) await page.getByTestId('decision-files').getByLabel(name).check();
    await page.getByTestId('action-confirm').click();
    await page.locator('[data-testid="room-status"][data-status="awaiting_confirmation"]').waitFor({ timeout: LIVE_MS });
  }

  /** The citizen confirms the proposed resolution in the prompt and its dialog. */
  async function confirm(page: Page): Promise<void> {
    await page.getByTestId('prompt-confirm').click({ timeout: LIVE_MS });
    await page.getByTestId('confirm-dialog-yes').click();
    await page.locator('[data-testid="room-status"][data-status="completed"]').waitFor({ timeout: LIVE_MS });
  }

  /** Downloads a link's file and returns its bytes. */
  async function downloadFrom(page: Page, testId: string, index = 0): Promise<Uint8Array> {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).nth(index).click()]);
    return new Uint8Array(readFileSync(await download.path()));
  }

  it('completion with a decision PDF → a rating of 2 → the supervisor’s review → re-examination → a new decision', async () => {
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { type: 'application', subject: 'Оплата госпошлины списана дважды' });
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const upload = await operatorApi.post(`/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'Выписка по платежу.pdf', bytes: pdfBytes('выписка') }]));
    expect(upload.status).toBe(201);
    const [operator, supervisor, citizen] = await Promise.all([
      openRoom(contexts.operator, appeal),
      openRoom(contexts.supervisor, appeal),
      openRoom(contexts.citizen, appeal),
    ]);

    // Completion: the proposal is shown to the citizen as a draft decision, the confirmation issues it.
    await propose(operator, FIRST, ['Выписка по платежу.pdf']);
    await citizen.getByTestId('decision').filter({ hasText: 'Проект решения № 1' }).waitFor({ timeout: LIVE_MS });
    await confirm(citizen);
    const first = citizen.getByTestId('decision').filter({ hasText: 'Решение № 1 от' });
    await first.waitFor({ timeout: LIVE_MS });
    expect(await first.textContent()).toContain(FIRST);
    const decisionPdf = await downloadFrom(citizen, 'decision-pdf');
    const decisionText = await pdfText(decisionPdf);
    expect(decisionText).toContain(`Решение № 1 по обращению № ${String(appeal.number)}`);
    expect(decisionText).toContain(FIRST);
    expect(decisionText).toContain(operatorApi.user.fullName as string);
    expect(decisionText).toContain('Выписка по платежу.pdf');
    expect(await first.textContent()).toContain('Приложения к решению: Выписка по платежу.pdf');
    writeFileSync(path.join(SCREENSHOT_DIR, 'decision-1.pdf'), decisionPdf);

    // The citizen rates it 2 stars: a review opens for the department's supervisor.
    await citizen.getByTestId('rate-form').waitFor();
    await expectAxeClean(citizen, 'room: rating form');
    await citizen.getByTestId('star-2').check();
    await citizen.getByTestId('rate-category').selectOption('service');
    await citizen.getByTestId('rate-remarks').fill('Вторую оплату не вернули, ответ не по существу.');
    await citizen.getByTestId('rate-submit').click();
    await citizen.locator('[data-testid="review-state"][data-state="pending"]').waitFor({ timeout: LIVE_MS });
    expect(await citizen.getByTestId('rating-stars').textContent()).toBe('2 из 5');
    await screenshot(citizen, 'rating-review-pending');

    // The supervisor finds it above the queue, with a link to the room.
    const queue = await contexts.supervisor.newPage();
    await queue.goto(`${server.url}/queue`);
    const item = queue.getByTestId('review-item').filter({ hasText: String(appeal.number) });
    await item.waitFor({ timeout: LIVE_MS });
    expect(await item.textContent()).toContain('Ожидает проверки руководителем');
    expect(await item.getByRole('link').getAttribute('href')).toBe(`/appeals/${String(appeal.id)}`);
    await expectAxeClean(queue, 'queue: feedback to review');
    await queue.close();

    // The supervisor sees it live, starts the review, then the re-examination with a checklist.
    await supervisor.locator('[data-testid="review-state"][data-state="pending"]').waitFor({ timeout: LIVE_MS });
    await supervisor.getByTestId('review-start').click();
    await supervisor.locator('[data-testid="review-state"][data-state="in_review"]').waitFor({ timeout: LIVE_MS });
    await citizen.locator('[data-testid="review-state"][data-state="in_review"]').waitFor({ timeout: LIVE_MS });
    expect(await citizen.getByTestId('rating-change').count()).toBe(0);
    await supervisor.getByTestId('review-re-examine').click();
    await supervisor.getByTestId('reexam-assignee').selectOption(String(supervisorApi.user.id));
    await supervisor.getByTestId('reexam-comment').fill('Ответ не учёл выписку банка.');
    await supervisor.getByTestId('reexam-checklist').fill('Запросить выписку банка\nПересчитать сумму платежа');
    await expectAxeClean(supervisor, 'room: re-examination form');
    await screenshot(supervisor, 're-examination-form');
    await supervisor.getByTestId('reexam-submit').click();
    await supervisor.locator('[data-testid="room-status"][data-status="in_progress"]').waitFor({ timeout: LIVE_MS });

    // The citizen sees the re-examination and what will be redone, in the same room.
    await citizen.locator('[data-testid="review-state"][data-state="re_examination"]').waitFor({ timeout: LIVE_MS });
    await citizen.locator('[data-testid="room-status"][data-status="in_progress"]').waitFor({ timeout: LIVE_MS });
    const checklist = citizen.getByTestId('review-checklist');
    await checklist.getByText('Запросить выписку банка').waitFor();
    expect(await checklist.textContent()).toContain('Пересчитать сумму платежа');
    await expectAxeClean(citizen, 'room: re-examination in progress');
    await screenshot(citizen, 're-examination-citizen');

    // The supervisor ticks an item, proposes the new resolution; the citizen confirms: decision № 2 completes the review.
    await supervisor.getByTestId('review-checklist').getByLabel('Запросить выписку банка').check();
    await citizen
      .getByTestId('review-log')
      .locator('li')
      .filter({ hasText: 'Выполнено: Запросить выписку банка' })
      .waitFor({ state: 'attached', timeout: LIVE_MS });
    await propose(supervisor, SECOND);
    await confirm(citizen);
    const second = citizen.getByTestId('decision').filter({ hasText: 'Решение № 2 от' });
    await second.waitFor({ timeout: LIVE_MS });
    expect(await second.textContent()).toContain('по результатам пересмотра');
    await citizen.locator('[data-testid="review-state"][data-state="completed"]').waitFor({ timeout: LIVE_MS });
    await operator.locator('[data-testid="review-state"][data-state="completed"]').waitFor({ timeout: LIVE_MS });
    await expectAxeClean(citizen, 'room: re-examination completed');
    await screenshot(citizen, 'decision-2-citizen');
    const newPdf = await pdfText(await downloadFrom(citizen, 'decision-pdf', 1));
    expect(newPdf).toContain(`Решение № 2 по обращению № ${String(appeal.number)}`);
    expect(newPdf).toContain('по результатам пересмотра');
    expect(newPdf).toContain(SECOND);

    // The whole case, as the citizen may see it.
    const casePdf = await downloadFrom(citizen, 'case-pdf');
    const caseText = await pdfText(casePdf);
    expect(caseText).toContain('Пересмотр завершён');
    expect(caseText).toContain(SECOND);
    writeFileSync(path.join(SCREENSHOT_DIR, 'case-citizen-after-review.pdf'), casePdf);

    // «Мои обращения»: the last decision's PDF, the rating and the review's state.
    await citizen.goto(`${server.url}/appeals`);
    const line = citizen.locator('.appeal-item').filter({ hasText: 'Оплата госпошлины списана дважды' });
    await line.getByTestId('mine-decision').filter({ hasText: 'Решение № 2 (PDF)' }).waitFor();
    expect(await line.getByTestId('mine-review').textContent()).toBe('Пересмотр: Пересмотр завершён');
    await expectAxeClean(citizen, 'my appeals: decision and rating');
    expect(cspViolations).toEqual([]);
  }, 120_000);
});
