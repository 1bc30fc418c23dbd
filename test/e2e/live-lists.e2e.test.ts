/**
 * Lists that stay live, and the silent observer, in several browsers at once
 * against the real server and the built client (Chromium):
 * - a new appeal appears in the operator's queue, on the supervisor's wall and
 *   in the citizen's «Мои обращения» without a reload, and a take moves all three;
 * - the operator who loses a simultaneous «Взять в работу» is told who won;
 * - a reassignment updates the former assignee's open room at once;
 * - a supervisor watching a room is marked as an observer for the operator and
 *   is not in the citizen's «Сейчас в деле».
 * axe checks each changed screen in the state the test leaves it in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle } from './helpers.js';

/** How long a pushed change may take to show in another browser. */
const LIVE_MS = 5000;

describe.skipIf(skipReason !== null)(suiteTitle('live lists and observers in several browsers (Chromium)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenApi: TestClient;
  let operatorApi: TestClient;
  let operator2Api: TestClient;
  let supervisorApi: TestClient;
  const second = { login: 'second.operator@example.ru', password: 'второй-пароль-43', fullName: 'Кузнецов Олег Игоревич' };
  const contexts: Record<'citizen' | 'operator' | 'operator2' | 'supervisor', BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizenApi = await loginAs(server, 'citizen');
    operatorApi = await loginAs(server, 'operator.portal');
    supervisorApi = await loginAs(server, 'supervisor.portal');
    const admin = await loginAs(server, 'admin');
    const made = await admin.post('/api/admin/users', {
      email: second.login,
      phone: '+79990003344',
      password: second.password,
      fullName: second.fullName,
      role: 'operator',
      departmentId: operatorApi.user.departmentId,
    });
    expect(made.status).toBe(201);
    operator2Api = await new TestClient(server.url).login(second.login, second.password);
    // axe injects a script: these contexts bypass the CSP (registration.e2e checks the CSP itself).
    for (const who of ['citizen', 'operator', 'operator2', 'supervisor'] as const) contexts[who] = await newContext(browser, who, { bypassCSP: true });
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.portal'));
    await signInContext(contexts.operator2, server, second);
    await signInContext(contexts.supervisor, server, demoAccount(server, 'supervisor.portal'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  async function open(context: BrowserContext, path: string, ready: (page: Page) => Locator): Promise<Page> {
    const page = await context.newPage();
    await page.goto(server.url + path);
    await ready(page).waitFor();
    return page;
  }

  const queueRow = (page: Page, id: string): Locator => page.locator(`[data-testid="queue-row"][data-appeal="${id}"]`);
  const wallRow = (page: Page, id: string): Locator => page.locator(`[data-testid="wall-row"][data-appeal="${id}"]`);
  const mineItem = (page: Page, subject: string): Locator => page.locator('li.appeal-item', { hasText: subject });
  const assigneeOf = (room: Page): Locator => room.locator('dt', { hasText: /^Исполнитель$/ }).locator('xpath=following-sibling::dd[1]');

  /** Opens the room and waits until it is joined and live. */
  async function openRoom(context: BrowserContext, id: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${server.url}/appeals/${id}`);
    await page.getByTestId('room-status').waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    return page;
  }

  it('a new appeal appears in the queue, on the wall and in «Мои обращения» without a reload; a take moves all three', async () => {
    const queue = await open(contexts.operator, '/queue', (p) => p.getByRole('heading', { level: 1, name: 'Очередь обращений' }));
    const wall = await open(contexts.supervisor, '/wall', (p) => p.getByRole('heading', { level: 1, name: 'Стена обращений' }));
    const mine = await open(contexts.citizen, '/appeals', (p) => p.getByRole('heading', { level: 1, name: 'Мои обращения' }));
    // The pages have subscribed once their connection is up.
    for (const page of [queue, wall, mine]) await page.waitForLoadState('networkidle');

    const subject = `Не открывается личный кабинет ${Date.now().toString(36)}`;
    const started = Date.now();
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { subject });
    await Promise.all([
      queueRow(queue, appeal.id).waitFor({ timeout: LIVE_MS }),
      wallRow(wall, appeal.id).waitFor({ timeout: LIVE_MS }),
      mineItem(mine, subject).waitFor({ timeout: LIVE_MS }),
    ]);
    console.info(`[e2e lists] a new appeal reached the queue, the wall and «Мои обращения» in ${Date.now() - started} ms`);
    await expect.poll(() => wallRow(wall, appeal.id).getByTestId('wall-assignee').textContent()).toBe('не назначен');
    await expect.poll(() => queueRow(queue, appeal.id).getByTestId('queue-assignee').textContent()).toBe('не назначен');

    // The operator takes it from the queue: the row, the wall and the citizen's list follow.
    await queueRow(queue, appeal.id)
      .getByRole('button', { name: `Взять в работу обращение ${appeal.number}` })
      .click();
    const name = operatorApi.user.fullName as string;
    await expect.poll(() => queueRow(queue, appeal.id).getByTestId('queue-assignee').textContent(), { timeout: LIVE_MS }).toBe(name);
    await expect.poll(() => wallRow(wall, appeal.id).getByTestId('wall-assignee').textContent(), { timeout: LIVE_MS }).toBe(name);
    await expect.poll(() => mineItem(mine, subject).textContent(), { timeout: LIVE_MS }).toContain('В работе');
    // The wall explains its columns.
    const legend = wall.getByTestId('wall-legend');
    expect(await legend.locator('dt').allTextContents()).toEqual([
      'Обращение',
      'Статус',
      'Исполнитель',
      'В деле сейчас',
      'Последняя активность',
      'Без ответа',
      'Ожидает',
      'До срока',
    ]);

    // A closed appeal leaves the wall without a reload.
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Повторное обращение' })).status).toBe(200);
    await wallRow(wall, appeal.id).waitFor({ state: 'detached', timeout: LIVE_MS });

    await expectAxeClean(queue, 'queue (live)');
    await expectAxeClean(wall, 'wall (live, legend, assignee column)');
    await expectAxeClean(mine, 'my appeals (live)');
    await screenshot(wall, 'live-wall');
    for (const page of [queue, wall, mine]) await page.close();
  });

  it('the operator who loses a simultaneous «Взять в работу» is told who won, and the queue shows it', async () => {
    const subject = `Двойной платёж ${Date.now().toString(36)}`;
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { subject });
    const queue = await open(contexts.operator, '/queue', (p) => queueRow(p, appeal.id));
    const queue2 = await open(contexts.operator2, '/queue', (p) => queueRow(p, appeal.id));
    // The other operator's take lands just before this one reaches the server: as if both pressed at once.
    await queue.route(`**/api/appeals/${appeal.id}/transitions`, async (route) => {
      expect((await operator2Api.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
      await route.continue();
    });
    await queueRow(queue, appeal.id)
      .getByRole('button', { name: `Взять в работу обращение ${appeal.number}` })
      .click();
    await expect
      .poll(() => queue.getByRole('alert').allTextContents(), { timeout: LIVE_MS })
      .toContain(`Обращение уже взял в работу другой сотрудник: ${second.fullName}.`);
    await expect.poll(() => queueRow(queue, appeal.id).getByTestId('queue-assignee').textContent(), { timeout: LIVE_MS }).toBe(second.fullName);
    expect(
      await queueRow(queue, appeal.id)
        .getByRole('button', { name: /Взять в работу/ })
        .count(),
    ).toBe(0);
    // The winner's queue shows it as theirs too.
    await expect.poll(() => queueRow(queue2, appeal.id).getByTestId('queue-assignee').textContent(), { timeout: LIVE_MS }).toBe(second.fullName);
    await expectAxeClean(queue, 'queue (lost take)');
    await queue.close();
    await queue2.close();
  });

  it("a reassignment updates the former assignee's open room at once: no «Исполнитель: вы», no buttons that would fail", async () => {
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { subject: `Переназначение ${Date.now().toString(36)}` });
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const [former, citizenRoom, supervisorRoom] = await Promise.all([
      openRoom(contexts.operator, appeal.id),
      openRoom(contexts.citizen, appeal.id),
      openRoom(contexts.supervisor, appeal.id),
    ]);
    expect(await assigneeOf(former).textContent()).toBe('вы');
    for (const action of ['request_info', 'propose_resolution', 'reject']) await former.getByTestId(`action-${action}`).waitFor();

    // The supervisor reassigns from the room.
    await supervisorRoom.getByTestId('assignee-id').selectOption(operator2Api.user.id as string);
    await supervisorRoom.getByTestId('reassign').click();
    const started = Date.now();
    await expect.poll(() => assigneeOf(former).textContent(), { timeout: LIVE_MS }).toBe(second.fullName);
    console.info(`[e2e lists] the former assignee's room showed the new assignee ${Date.now() - started} ms after the click`);
    for (const action of ['request_info', 'propose_resolution', 'reject']) {
      await expect.poll(() => former.getByTestId(`action-${action}`).count(), { timeout: LIVE_MS }).toBe(0);
    }
    await expect.poll(() => assigneeOf(citizenRoom).textContent(), { timeout: LIVE_MS }).toBe(second.fullName);
    await expectAxeClean(former, 'room (former assignee after reassignment)');
    for (const page of [former, citizenRoom, supervisorRoom]) await page.close();
  });

  it('a supervisor watching is marked as an observer for the operator and is not in the citizen’s «Сейчас в деле»', async () => {
    const { appeal } = await fileAppeal(citizenApi, 'portal_issues', { subject: `Наблюдение ${Date.now().toString(36)}` });
    expect((await operatorApi.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const [citizenRoom, operatorRoom] = await Promise.all([openRoom(contexts.citizen, appeal.id), openRoom(contexts.operator, appeal.id)]);
    const people = (page: Page): Locator => page.getByTestId('presence').locator('li');
    await expect.poll(() => people(citizenRoom).count(), { timeout: LIVE_MS }).toBe(2);
    const observerRoom = await openRoom(contexts.supervisor, appeal.id);

    const supervisorName = supervisorApi.user.fullName as string;
    await expect.poll(() => people(operatorRoom).count(), { timeout: LIVE_MS }).toBe(3);
    const marked = operatorRoom.getByTestId('presence').locator('li[data-room-role="observer"]');
    expect(await marked.count()).toBe(1);
    expect(await marked.locator('.visually-hidden').textContent()).toBe(`${supervisorName} — Руководитель, наблюдает`);
    // The observer sees themself marked too.
    await expect.poll(() => observerRoom.getByTestId('presence').locator('li[data-room-role="observer"]').count(), { timeout: LIVE_MS }).toBe(1);
    // The citizen: still two people, neither of them the supervisor — now and after a reload.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await people(citizenRoom).count()).toBe(2);
    expect(await citizenRoom.getByTestId('presence').textContent()).not.toContain(supervisorName);
    await citizenRoom.reload();
    await citizenRoom.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    await expect.poll(() => people(citizenRoom).count(), { timeout: LIVE_MS }).toBe(2);
    expect(await citizenRoom.getByTestId('presence').textContent()).not.toContain(supervisorName);

    await expectAxeClean(operatorRoom, 'room (operator, an observer present)');
    await expectAxeClean(citizenRoom, 'room (citizen, an observer present)');
    await screenshot(operatorRoom, 'room-observer-marked');
    for (const page of [citizenRoom, operatorRoom, observerRoom]) await page.close();
  });
});
