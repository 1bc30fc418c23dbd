/**
 * The room as the people in it need it, in Chromium against the real server,
 * several browsers at once: the case file («Материалы дела») for the assigned
 * operator, and without the citizen's contacts for a colleague who has not
 * taken the appeal (PRODUCT.md §8); the citizen answering a request for
 * information from the top of the room; confirming a resolution through the
 * dialog, and disputing one; status changes in the chat among the messages;
 * a logout in another tab leaving one message and a read-only room. axe runs
 * on each new state, the dialog open included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

const COLLEAGUE = { login: 'colleague.housing@example.ru', password: 'коллега-пароль-55' };
const REPLY_CONTACT = 'ivanov.reply@example.ru';

describe.skipIf(skipReason !== null)(suiteTitle('the case file, the citizen’s prompts and the ended session (Chromium, up to five browsers)'), () => {
  let server: TestServer;
  let browser: Browser;
  let appealId = '';
  let appealNumber = '';
  let citizenPhone = '';
  const contexts: Record<'citizen' | 'operator' | 'colleague', BrowserContext> = {} as never;
  const pages: Record<'citizen' | 'operator' | 'colleague', Page> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    const admin = await loginAs(server, 'admin');
    const operatorApi = await loginAs(server, 'operator.housing');
    const created = await admin.post('/api/admin/users', {
      email: COLLEAGUE.login,
      phone: '+79990003344',
      password: COLLEAGUE.password,
      fullName: 'Коллегова Мария Сергеевна',
      role: 'operator',
      departmentId: operatorApi.user.departmentId,
    });
    expect(created.status).toBe(201);

    const citizenApi = await loginAs(server, 'citizen');
    citizenPhone = citizenApi.user.phone as string;
    const filed = await fileAppeal(citizenApi, 'housing_billing', {
      type: 'complaint',
      subject: 'Неверное начисление за отопление',
      extra: { accountNumber: '7701234567', propertyAddress: 'г. Москва, ул. Лесная, д. 5, кв. 12' },
      details: {
        happenedOn: '2026-02-28',
        stepsTaken: 'Звонил в ЕИРЦ, ответа нет',
        expected: 'Перерасчёт за февраль',
        actual: 'Начислено вдвое больше',
        replyContact: REPLY_CONTACT,
      },
      applicant: { kind: 'legal_entity', orgName: 'ООО «Ромашка»', orgInn: '7707083893', ogrn: '1027700132195' },
    });
    appealId = filed.appeal.id;
    appealNumber = filed.appeal.number;
    expect((await operatorApi.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);

    // axe is injected with an inline script, so the contexts it runs in bypass the CSP; the colleague's
    // context, where it does not run, keeps it and reports any violation of the new parts.
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator', { bypassCSP: true });
    contexts.colleague = await newContext(browser, 'colleague');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.housing'));
    await signInContext(contexts.colleague, server, COLLEAGUE);
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function openRoom(context: BrowserContext): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${appealId}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(appealNumber) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await page.getByTestId('chat-input').waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  /** The text of each field of the case file, by its key. */
  async function caseFileFields(page: Page): Promise<Record<string, string>> {
    const cells = page.getByTestId('case-file').locator('dd[data-field]');
    await cells.first().waitFor();
    const out: Record<string, string> = {};
    for (const cell of await cells.all()) out[(await cell.getAttribute('data-field')) ?? ''] = ((await cell.textContent()) ?? '').trim();
    return out;
  }

  /** The chat's list as `kind: text` lines, in the order shown. */
  async function chatLines(page: Page): Promise<string[]> {
    const items = page.getByTestId('chat-list').locator(':scope > li');
    const lines: string[] = [];
    for (const li of await items.all())
      lines.push(`${(await li.getAttribute('data-testid')) ?? ''}: ${((await li.textContent()) ?? '').replace(/\s+/g, ' ').trim()}`);
    return lines;
  }

  async function statusIs(page: Page, status: string): Promise<void> {
    await page.locator(`[data-testid="room-status"][data-status="${status}"]`).waitFor({ timeout: 5000 });
  }

  async function operatorTakes(action: 'request_info' | 'propose_resolution', comment: string): Promise<void> {
    await pages.operator.getByTestId(`action-${action}`).click();
    await pages.operator.getByTestId('action-comment').fill(comment);
    await pages.operator.getByTestId('action-confirm').click();
    await pages.operator.getByTestId('action-comment').waitFor({ state: 'detached', timeout: 5000 });
  }

  it('the assigned operator sees the case file with the contacts; a colleague who has not taken it sees it without them', async () => {
    [pages.operator, pages.colleague, pages.citizen] = await Promise.all([
      openRoom(contexts.operator),
      openRoom(contexts.colleague),
      openRoom(contexts.citizen),
    ]);

    const fields = await caseFileFields(pages.operator);
    expect(fields).toMatchObject({
      type: 'Жалоба',
      category: 'ЖКХ — начисления',
      'extra.accountNumber': '7701234567',
      'extra.propertyAddress': 'г. Москва, ул. Лесная, д. 5, кв. 12',
      'details.happenedOn': '28 февраля 2026 г.',
      'details.stepsTaken': 'Звонил в ЕИРЦ, ответа нет',
      'details.expected': 'Перерасчёт за февраль',
      'details.actual': 'Начислено вдвое больше',
      'applicant.kind': 'Представитель юридического лица',
      'applicant.orgName': 'ООО «Ромашка»',
      'applicant.orgInn': '7707083893',
      'applicant.ogrn': '1027700132195',
      'citizen.fullName': 'Иванов Иван Иванович',
      'citizen.email': 'citizen@demo.local',
      'citizen.phone': citizenPhone,
      'details.replyContact': REPLY_CONTACT,
    });
    // The category's own labels.
    const caseFile = pages.operator.getByTestId('case-file');
    expect(await caseFile.locator('dt').allTextContents()).toEqual(expect.arrayContaining(['Лицевой счёт', 'Адрес помещения']));
    await expectAxeClean(pages.operator, 'room with the case file (operator)');
    await screenshot(pages.operator, 'case-file-operator');

    const seen = await caseFileFields(pages.colleague);
    expect(seen['extra.accountNumber']).toBe('7701234567');
    expect(seen['applicant.orgName']).toBe('ООО «Ромашка»');
    expect(Object.keys(seen).filter((k) => k.startsWith('citizen.') || k === 'details.replyContact')).toEqual([]);
    expect(await pages.colleague.getByTestId('case-file-contacts').getByTestId('case-file-note').textContent()).toBe(
      'ФИО и контактные данные заявителя видят только исполнитель обращения и руководитель (152-ФЗ).',
    );
    const html = await pages.colleague.content();
    expect(html).not.toContain('citizen@demo.local');
    expect(html).not.toContain(REPLY_CONTACT);
  });

  it('the citizen answers a request for information from the top of the room; the status changes sit among the messages', async () => {
    const before = `Добрый день, квитанция у меня есть. ${Date.now().toString(36)}`;
    await pages.citizen.getByTestId('chat-input').fill(before);
    await pages.citizen.getByTestId('chat-send').click();
    await pages.operator.getByTestId('chat-message').filter({ hasText: before }).waitFor({ timeout: 5000 });

    const request = 'Приложите, пожалуйста, квитанцию за февраль и укажите номер платежа.';
    await operatorTakes('request_info', request);
    const prompt = pages.citizen.getByTestId('action-prompt');
    await prompt.waitFor({ timeout: 5000 });
    expect(await prompt.getByRole('heading', { level: 2 }).textContent()).toBe('Сотрудник запросил сведения');
    expect(await prompt.getByTestId('prompt-text').textContent()).toBe(request);
    // It comes before the status bar and the case file: the first thing in the room.
    expect(await pages.citizen.locator('.room .card').first().getAttribute('data-testid')).toBe('action-prompt');
    await expectAxeClean(pages.citizen, 'room with the information request (citizen)');
    await screenshot(pages.citizen, 'prompt-info-citizen');

    // On a phone too: above the tabs, readable, nothing wider than the screen.
    const phoneContext = await newContext(browser, 'citizen-phone', { width: 360, height: 780, bypassCSP: true });
    await signInContext(phoneContext, server, demoAccount(server, 'citizen'));
    const phone = await phoneContext.newPage();
    await phone.goto(`${server.url}/appeals/${appealId}`);
    await phone.getByTestId('action-prompt').getByTestId('prompt-text').filter({ hasText: request }).waitFor({ timeout: 5000 });
    expect(await phone.getByTestId('action-prompt').isVisible()).toBe(true);
    const widths = await phone.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return [root.scrollWidth, root.clientWidth];
    });
    expect(widths[0]).toBeLessThanOrEqual(widths[1] ?? 0);
    await expectAxeClean(phone, 'room with the information request (citizen, 360 px)');
    await screenshot(phone, 'prompt-info-citizen-360');
    await phoneContext.close();

    // An empty answer is refused in place; then the answer goes.
    await prompt.getByTestId('action-provide_info').click();
    await prompt.getByText('Напишите ответ — без него сведения не отправить.').waitFor();
    const answer = 'Квитанция приложена, номер платежа 4411-22.';
    await prompt.getByLabel('Ваш ответ').fill(answer);
    await prompt.getByTestId('action-provide_info').click();
    await statusIs(pages.operator, 'in_progress');
    await statusIs(pages.citizen, 'in_progress');
    await prompt.waitFor({ state: 'detached', timeout: 5000 });

    const after = `Спасибо, проверяю. ${Date.now().toString(36)}`;
    await pages.operator.getByTestId('chat-input').fill(after);
    await pages.operator.getByTestId('chat-send').click();
    for (const page of [pages.citizen, pages.operator, pages.colleague]) {
      await page.getByTestId('chat-message').filter({ hasText: after }).waitFor({ timeout: 5000 });
      // From the citizen's message on (the take before it is in the timeline too).
      const all = await chatLines(page);
      const lines = all.slice(all.findIndex((l) => l.includes(before)));
      expect(lines.map((l) => l.split(':')[0])).toEqual(['chat-message', 'chat-status', 'chat-status', 'chat-message']);
      expect(lines[1]).toContain('Статус: В работе → Требуются сведения');
      expect(lines[1]).toContain(request);
      expect(lines[2]).toContain('Статус: Требуются сведения → В работе');
      expect(lines[2]).toContain(answer);
    }
  });

  it('«Не согласен» needs a reason beside it; «Подтвердить решение» asks in a dialog first, and shows the auto-confirmation date', async () => {
    await operatorTakes('propose_resolution', 'Перерасчёт за февраль выполнен, сумма уменьшена на 4 300 ₽.');
    const prompt = pages.citizen.getByTestId('action-prompt');
    await prompt.getByTestId('prompt-text').filter({ hasText: 'Перерасчёт за февраль выполнен' }).waitFor({ timeout: 5000 });
    const { autoConfirmAt } = (await (await loginAs(server, 'citizen')).get(`/api/appeals/${appealId}`)).body.appeal as { autoConfirmAt: number };
    const expected = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(autoConfirmAt);
    expect(await prompt.getByTestId('auto-confirm-at').textContent()).toContain(`Если вы не ответите до ${expected}`);
    // The operator's room tells them the same date.
    expect(await pages.operator.getByTestId('auto-confirm-at').textContent()).toContain(expected);

    await prompt.getByTestId('prompt-dispute').click();
    await prompt.getByText('Напишите, с чем вы не согласны.').waitFor();
    await prompt.getByLabel('С чем вы не согласны').fill('Перерасчёт сделан только за половину месяца.');
    await prompt.getByTestId('prompt-dispute').click();
    await statusIs(pages.operator, 'in_progress');
    await pages.operator.getByTestId('chat-status').filter({ hasText: 'Перерасчёт сделан только за половину месяца.' }).waitFor({ timeout: 5000 });

    await operatorTakes('propose_resolution', 'Перерасчёт за весь февраль выполнен.');
    await prompt.getByTestId('prompt-text').filter({ hasText: 'за весь февраль' }).waitFor({ timeout: 5000 });
    const dialog = pages.citizen.getByRole('dialog', { name: 'Подтвердить решение?' });
    await prompt.getByTestId('prompt-confirm').click();
    await dialog.waitFor();
    // Nothing was sent yet, the focus is on the safe choice, and Escape closes it without a change.
    expect(await pages.citizen.locator(':focus').textContent()).toBe('Отмена');
    await expectAxeClean(pages.citizen, 'room with the confirmation dialog open (citizen)');
    await screenshot(pages.citizen, 'prompt-confirm-dialog');
    await pages.citizen.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await pages.operator.getByTestId('room-status').getAttribute('data-status')).toBe('awaiting_confirmation');

    await prompt.getByTestId('prompt-confirm').click();
    await dialog.getByRole('button', { name: 'Да, подтвердить' }).click();
    for (const page of Object.values(pages)) await statusIs(page, 'completed');
    await dialog.waitFor({ state: 'hidden' });
    await prompt.waitFor({ state: 'detached' });
  });

  it('a logout in another tab leaves the room with one clear message and a read-only editor', async () => {
    const room = pages.citizen;
    await room.locator('[data-testid="editor"][contenteditable="true"]').waitFor();
    const other = await contexts.citizen.newPage();
    await other.goto(`${server.url}/appeals`);
    await other.getByRole('button', { name: 'Выйти' }).click();
    await other.waitForURL((u) => u.pathname === '/');

    const ended = room.getByTestId('session-ended');
    await ended.waitFor({ timeout: 5000 });
    await room.locator('[data-testid="connection-state"][data-state="ended"]').waitFor();
    await room.locator('[data-testid="editor"][contenteditable="false"]').waitFor({ timeout: 5000 });
    // Give the Yjs link's close (4410) time to arrive too: it must not add a second message.
    await expect.poll(() => room.getByTestId('editor-access-lost').count(), { timeout: 1000 }).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    const alerts = (await room.getByRole('alert').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
    expect(alerts).toEqual([
      'Сеанс завершён: вы вышли из системы в другой вкладке, или сеанс истёк. Дело открыто только для просмотра, изменения больше не отправляются. Войти снова',
    ]);
    expect(await room.getByTestId('connection-state').textContent()).toContain('Сеанс завершён');
    expect(await room.getByText('Нет связи').count()).toBe(0);
    expect(await room.getByTestId('chat-input').count()).toBe(0);
    expect(await room.getByTestId('attachment-input').count()).toBe(0);
    // Typing changes nothing.
    const text = await room.getByTestId('editor').textContent();
    await room.getByTestId('editor').click();
    await room.keyboard.type('не должно попасть');
    expect(await room.getByTestId('editor').textContent()).toBe(text);
    await expectAxeClean(room, 'room after a logout in another tab');
    await screenshot(room, 'room-session-ended');
    expect(await room.getByRole('link', { name: 'Войти снова' }).getAttribute('href')).toBe(`/login?next=${encodeURIComponent(`/appeals/${appealId}`)}`);
  });

  it('reports no CSP violation', () => {
    expect(cspViolations).toEqual([]);
  });
});
