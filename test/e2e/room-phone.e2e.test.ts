/**
 * The room on a phone, 360 × 740 in Chromium, against the real server: the
 * citizen's room is tabbed — «Дело», «Описание», «Чат», «Файлы» — as ARIA tabs
 * (click, arrows, Home, End), the chat tab is on the first screen and stays
 * there while the page scrolls, and its badge counts the operator's messages
 * that arrive while another tab is shown, until the chat is opened. The
 * operator, in a desktop browser at the same time, sees every part at once
 * and no tabs. axe finds nothing serious in any tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

const PHONE = { width: 360, height: 740 };

describe.skipIf(skipReason !== null)(suiteTitle('the room on a 360 px phone: tabs, the chat badge (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let appealId = '';
  let appealNumber = '';
  const contexts: Record<'citizen' | 'operator' | 'expert', BrowserContext> = {} as never;
  let phone: Page;
  let desk: Page;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const citizenApi = await loginAs(server, 'citizen');
    const filed = await fileAppeal(citizenApi, 'portal_issues');
    appealId = filed.appeal.id;
    appealNumber = filed.appeal.number;
    const operatorApi = await loginAs(server, 'operator.portal');
    const expertApi = await loginAs(server, 'expert');
    expect((await operatorApi.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
    expect((await operatorApi.post(`/api/appeals/${appealId}/experts`, { expertId: expertApi.user.id })).status).toBe(200);
    // The citizen's phone bypasses the CSP only so that axe can be injected.
    contexts.citizen = await newContext(browser, 'citizen', { ...PHONE, bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator');
    contexts.expert = await newContext(browser, 'expert', PHONE);
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(contexts.expert, server, demoAccount(server, 'expert'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  const tab = (page: Page, name: string): Locator => page.getByRole('tablist', { name: 'Разделы дела' }).getByRole('tab', { name: new RegExp(`^${name}`) });
  const panelOf = async (page: Page, name: string): Promise<Locator> => page.locator(`#${await tab(page, name).getAttribute('aria-controls')}`);
  const chatBadge = (page: Page): Locator => tab(page, 'Чат').getByTestId('unread');

  async function openRoom(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appealId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appealNumber) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    return page;
  }

  /** Only `name`'s panel of the four is shown, and only its tab is selected (and in the tab order). */
  async function expectShown(page: Page, name: string): Promise<void> {
    for (const other of ['Дело', 'Описание', 'Чат', 'Файлы']) {
      const isIt = other === name;
      const t = tab(page, other);
      expect(await t.getAttribute('aria-selected'), other).toBe(String(isIt));
      expect(await t.getAttribute('tabindex'), other).toBe(isIt ? '0' : '-1');
      const panel = await panelOf(page, other);
      expect(await panel.getAttribute('role'), other).toBe('tabpanel');
      expect(await panel.getAttribute('aria-labelledby'), other).toBe(await t.getAttribute('id'));
      expect(await panel.isVisible(), `${other} panel visible while ${name} is selected`).toBe(isIt);
    }
  }

  async function axeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  async function operatorSays(text: string): Promise<void> {
    await desk.getByTestId('chat-input').fill(text);
    await desk.getByTestId('chat-send').click();
    await desk.locator('[data-testid="chat-message"]', { hasText: text }).waitFor();
  }

  it('opens tabbed on the phone, on «Дело», with the chat tab on the first screen; the desktop shows every part and no tabs', async () => {
    [phone, desk] = await Promise.all([openRoom(contexts.citizen), openRoom(contexts.operator)]);
    const names = await phone.getByRole('tablist', { name: 'Разделы дела' }).getByRole('tab').allTextContents();
    expect(names.map((n) => n.trim())).toEqual(['Дело', 'Описание', 'Чат', 'Файлы']);
    await expectShown(phone, 'Дело');
    expect(await phone.getByTestId('room-status').isVisible()).toBe(true);
    expect(await phone.getByTestId('chat-input').isVisible()).toBe(false);

    // One tap away: the chat tab is inside the first screen, and nothing is wider than the phone.
    const box = await tab(phone, 'Чат').boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    expect(box!.height).toBeGreaterThanOrEqual(40);
    expect(
      await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
    ).toBe(PHONE.width);

    // The desktop: no tablist, the editor and the chat side by side.
    expect(await desk.getByRole('tablist').count()).toBe(0);
    expect(await desk.getByRole('tabpanel').count()).toBe(0);
    await desk.locator('[data-testid="editor"][contenteditable="true"]').waitFor();
    expect(await desk.getByTestId('chat-input').isVisible()).toBe(true);
    expect(await desk.getByTestId('attachments').isVisible()).toBe(true);
    await axeClean(phone, 'phone room: Дело');
    await screenshot(phone, 'room-phone-case');
  });

  it('switches tabs by tap, by the arrow keys, Home and End', async () => {
    await tab(phone, 'Чат').click();
    await expectShown(phone, 'Чат');
    expect(await phone.getByTestId('chat-input').isVisible()).toBe(true);
    await tab(phone, 'Описание').click();
    await expectShown(phone, 'Описание');
    await phone.locator('[data-testid="editor"][contenteditable="true"]').waitFor();
    expect(await phone.getByTestId('editor').textContent()).toContain('Оплатить');

    // Keyboard: the selected tab has the focus; arrows wrap round, Home and End go to the ends.
    await tab(phone, 'Описание').focus();
    const focusedTab = (): Promise<string> =>
      phone.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent?.trim() ?? '',
      );
    await phone.keyboard.press('ArrowRight');
    await expectShown(phone, 'Чат');
    expect(await focusedTab()).toMatch(/^Чат/);
    await phone.keyboard.press('ArrowRight');
    await expectShown(phone, 'Файлы');
    expect(await phone.getByTestId('attachments').isVisible()).toBe(true);
    await phone.keyboard.press('ArrowRight');
    await expectShown(phone, 'Дело');
    expect(await focusedTab()).toBe('Дело');
    await phone.keyboard.press('ArrowLeft');
    await expectShown(phone, 'Файлы');
    await phone.keyboard.press('Home');
    await expectShown(phone, 'Дело');
    await phone.keyboard.press('End');
    await expectShown(phone, 'Файлы');
    expect(await focusedTab()).toBe('Файлы');
    // Tab leaves the tablist for the panel (one stop for the whole list).
    await phone.keyboard.press('Tab');
    expect(
      await phone.evaluate(() =>
        (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute(
          'role',
        ),
      ),
    ).toBe('tabpanel');
    await axeClean(phone, 'phone room: Файлы');
  });

  it('counts on the chat tab the messages that arrive while another tab is shown, and clears when the chat is opened', async () => {
    await tab(phone, 'Файлы').click();
    expect(await chatBadge(phone).count()).toBe(0);
    const first = `Добрый день! Уточните, пожалуйста, номер платежа. ${Date.now().toString(36)}`;
    await operatorSays(first);
    await expect.poll(() => chatBadge(phone).textContent(), { timeout: 5000 }).toContain('1');
    expect(await chatBadge(phone).textContent()).toBe('1 Непрочитанных сообщений: 1');
    const second = `И приложите снимок экрана с ошибкой. ${Date.now().toString(36)}`;
    await operatorSays(second);
    await expect.poll(() => chatBadge(phone).locator('[aria-hidden="true"]').textContent(), { timeout: 5000 }).toBe('2');
    // The tab's name carries the count for screen readers.
    expect(await tab(phone, 'Чат').getAttribute('aria-selected')).toBe('false');
    await expect.poll(() => phone.getByRole('tab', { name: /^Чат\s+Непрочитанных сообщений: 2$/ }).count()).toBe(1);
    await axeClean(phone, 'phone room: Файлы, 2 unread');
    await screenshot(phone, 'room-phone-badge');

    // Opening the chat shows both messages and clears the badge; the operator sees them read.
    await tab(phone, 'Чат').click();
    await phone.locator('[data-testid="chat-message"]', { hasText: second }).waitFor();
    expect(await phone.locator('[data-testid="chat-message"]', { hasText: first }).isVisible()).toBe(true);
    await expect.poll(() => chatBadge(phone).count(), { timeout: 5000 }).toBe(0);
    await desk.locator('[data-testid="chat-message"]', { hasText: second }).getByText('прочитано').waitFor({ timeout: 5000 });
    await axeClean(phone, 'phone room: Чат');

    // A message read while the chat is shown, and the citizen's own reply, never count: on another tab the next message makes 1.
    const seen = `Спасибо, ждём. ${Date.now().toString(36)}`;
    await operatorSays(seen);
    await phone.locator('[data-testid="chat-message"]', { hasText: seen }).waitFor();
    const reply = `Номер платежа 4417-2291. ${Date.now().toString(36)}`;
    await phone.getByTestId('chat-input').fill(reply);
    await phone.getByTestId('chat-send').click();
    await phone.locator('[data-testid="chat-message"]', { hasText: reply }).waitFor();
    await tab(phone, 'Дело').click();
    expect(await chatBadge(phone).count()).toBe(0);
    const third = `Платёж нашли, проверяем. ${Date.now().toString(36)}`;
    await operatorSays(third);
    await expect.poll(() => chatBadge(phone).locator('[aria-hidden="true"]').textContent(), { timeout: 5000 }).toBe('1');
  });

  it("keeps the tabs on screen while a tab's content scrolls, and the expert's phone is tabbed too", async () => {
    await tab(phone, 'Дело').click();
    await phone.evaluate(() => {
      (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 10_000);
    });
    const box = await tab(phone, 'Чат').boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y).toBeGreaterThanOrEqual(0);
    expect(box!.y + box!.height).toBeLessThanOrEqual(PHONE.height);
    await tab(phone, 'Чат').click();
    await expectShown(phone, 'Чат');

    const expert = await openRoom(contexts.expert);
    await expectShown(expert, 'Дело');
    await tab(expert, 'Чат').click();
    // The expert reads everything said so far: no badge once the chat is open.
    await expect.poll(() => chatBadge(expert).count(), { timeout: 5000 }).toBe(0);
    expect(await expert.getByTestId('chat-message').count()).toBeGreaterThanOrEqual(5);
    expect(cspViolations).toEqual([]);
  });
});
