/**
 * The help's screenshots (docs/support.md), taken from the real flows in
 * Chromium against the real server: registration, the new-appeal wizard,
 * «Мои обращения», a supplement, the rating of a completed appeal, a repeat
 * appeal and an escalation. Each is written to client/public/help/<topic>.png
 * — 1000 px wide, the viewport at the part of the page the article is about —
 * which the build copies into dist/client and the server serves at
 * /help/<topic>.png. Re-running this test refreshes them (then commit them and
 * build again). The test checks each file: a PNG, 1000 × 700, under 200 KB.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { HELP_TOPICS, type HelpTopic } from '../../client/src/views/help/content/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { launchBrowser, newContext, signInContext, skipReason, suiteTitle } from './helpers.js';

const HELP_DIR = path.resolve(import.meta.dirname, '../../client/public/help');
const WIDTH = 1000;
const HEIGHT = 700;

describe.skipIf(skipReason !== null)(suiteTitle('help screenshots from the real flows (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let visitor: BrowserContext;
  let citizen: BrowserContext;
  let citizenApi: TestClient;
  let operatorApi: TestClient;
  const written = new Set<HelpTopic>();

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    mkdirSync(HELP_DIR, { recursive: true });
    visitor = await newContext(browser, 'visitor', { width: WIDTH, height: HEIGHT });
    citizen = await newContext(browser, 'citizen', { width: WIDTH, height: HEIGHT });
    citizenApi = await signInContext(citizen, server, demoAccount(server, 'citizen'));
    operatorApi = await loginAs(server, 'operator.housing');
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  /** The viewport with `target` at its top (the page's top when none), as client/public/help/<topic>.png. */
  async function shoot(page: Page, topic: HelpTopic, target?: Locator): Promise<void> {
    if (target) {
      await target.evaluate((el) => {
        (el as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' });
      });
    }
    // No caret blinking or hover state in the picture.
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(HELP_DIR, `${topic}.png`), animations: 'disabled', caret: 'hide' });
    written.add(topic);
  }

  /** A housing appeal filed, taken, resolved and confirmed: completed, as the rating, repeat and escalation start from. */
  async function completedAppeal(subject: string): Promise<{ id: string; number: string }> {
    const filed = await fileAppeal(citizenApi, 'housing_billing', {
      type: 'complaint',
      subject,
      description: 'В квитанции за февраль начислено отопление по нормативу, хотя в доме стоит общедомовой счётчик.',
      extra: { accountNumber: '7701234567', propertyAddress: 'г. Москва, ул. Лесная, д. 5, кв. 12' },
    });
    const id = filed.appeal.id as string;
    expect((await operatorApi.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    const proposed = await operatorApi.post(`/api/appeals/${id}/transitions`, {
      action: 'propose_resolution',
      comment: 'Перерасчёт выполнен: сумма за февраль уменьшена.',
    });
    expect(proposed.status).toBe(200);
    expect((await citizenApi.post(`/api/appeals/${id}/transitions`, { action: 'confirm' })).status).toBe(200);
    return { id, number: filed.appeal.number as string };
  }

  async function openRoom(id: string, number: string): Promise<Page> {
    const page = await citizen.newPage();
    await page.goto(`${server.url}/appeals/${id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    return page;
  }

  it('registration: the form filled in', async () => {
    const page = await visitor.newPage();
    await page.goto(`${server.url}/register`);
    await page.locator('#reg-fullName').fill('Иванова Анна Сергеевна');
    await page.locator('#reg-email').fill('ivanova@example.ru');
    await page.locator('#reg-phone').fill('+79001234567');
    await shoot(page, 'register', page.getByRole('heading', { level: 1 }));
  });

  it('filing: the wizard suggests a topic for the typed text', async () => {
    const page = await citizen.newPage();
    await page.goto(`${server.url}/appeals/new`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.locator('input').first().fill('Неверное начисление за отопление');
    await page.locator('textarea').first().fill('В квитанции за февраль неверно начислено отопление, прошу сделать перерасчёт.');
    // The topic suggested for the text.
    await page.locator('#suggest-label').waitFor();
    await shoot(page, 'submit', page.getByRole('heading', { level: 1 }));
  });

  it('supplementing: the room with the supplement form open', async () => {
    const filed = await fileAppeal(citizenApi, 'portal_issues', { subject: 'Ошибка при оплате госпошлины', type: 'complaint' });
    const page = await openRoom(filed.appeal.id as string, filed.appeal.number as string);
    await page.getByTestId('supplement-open').click();
    const entries = page.getByTestId('case-entries');
    await entries.locator('textarea').first().fill('Прикладываю чек об оплате и снимок экрана с ошибкой.');
    await shoot(page, 'supplement', entries);
  });

  it('rating: the decision and its rating form', async () => {
    const a = await completedAppeal('Перерасчёт за отопление');
    const page = await openRoom(a.id, a.number);
    const outcome = page.getByTestId('outcome');
    await outcome.getByTestId('rate-form').waitFor();
    await shoot(page, 'rate', outcome);
  });

  it('repeating and escalating: the links of a completed appeal', async () => {
    const a = await completedAppeal('Перерасчёт не выполнен');
    const page = await openRoom(a.id, a.number);
    const links = page.getByTestId('links');
    await page.getByTestId('repeat-open').click();
    await links.locator('textarea').first().fill('Перерасчёт так и не отражён в квитанции за март.');
    await shoot(page, 'repeat', links);
    await page.reload();
    await page.getByTestId('escalate-open').click();
    await page.getByTestId('links').locator('textarea').first().fill('Не согласен с ответом: перерасчёт выполнен не полностью.');
    await shoot(page, 'escalate', page.getByTestId('links'));
  });

  it('tracking: «Мои обращения» with the appeals filed above, in several statuses', async () => {
    await fileAppeal(citizenApi, 'portal_issues', { subject: 'Не приходит SMS с кодом', type: 'info_request' });
    const page = await citizen.newPage();
    await page.goto(`${server.url}/appeals`);
    await page.getByRole('heading', { level: 1, name: 'Мои обращения' }).waitFor();
    await page
      .getByRole('link', { name: /Не приходит SMS с кодом/ })
      .first()
      .waitFor();
    await shoot(page, 'track', page.getByRole('heading', { level: 1 }));
  });

  it('wrote every topic: PNGs 1000 × 700, each under 200 KB', () => {
    expect([...written].sort()).toEqual([...HELP_TOPICS].sort());
    for (const topic of HELP_TOPICS) {
      const file = path.join(HELP_DIR, `${topic}.png`);
      const bytes = readFileSync(file);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([WIDTH, HEIGHT]);
      expect(statSync(file).size).toBeLessThan(200 * 1024);
    }
  });
});
