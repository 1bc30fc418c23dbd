/**
 * Linked appeals in Chromium against the real server, four browsers at once
 * (docs/after-decision.md): the citizen files a completed appeal again
 * («Подать повторно по тому же вопросу») and the new appeal opens pre-filled,
 * marked as a repeat and linked to the original, whose decision and files the
 * officer sees beside it; the citizen escalates to the department above, whose
 * officer finds the new appeal in the queue, reads the original room without
 * any way to act in it, and answers with an explanatory note that the citizen
 * then reads in the original case; an officer answers a suggestion with a
 * reply and the mark «Учтено», which the citizen sees with no decision to
 * confirm. axe on each new state; the ministry
 * supervisor's browser keeps the CSP and reports any violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { cspViolations, launchBrowser, newContext, screenshot, seriousAxeViolations, signInContext, skipReason, suiteTitle, tinyPdf } from './helpers.js';
import { formWith } from '../helpers/files.js';

type Who = 'citizen' | 'operator' | 'ministry' | 'ministrySupervisor';

describe.skipIf(skipReason !== null)(suiteTitle('repeat appeals and escalation to a higher authority (Chromium, four browsers)'), () => {
  let server: TestServer;
  let browser: Browser;
  let citizenApi: TestClient;
  let original = { id: '', number: '' };
  const contexts: Record<Who, BrowserContext> = {} as never;

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchBrowser()]);
    citizenApi = await loginAs(server, 'citizen');
    const operatorApi = await loginAs(server, 'operator.housing');
    const filed = await fileAppeal(citizenApi, 'housing_billing', {
      type: 'complaint',
      subject: 'Неверное начисление за отопление',
      extra: { accountNumber: '7701234567', propertyAddress: 'г. Москва, ул. Лесная, д. 5, кв. 12' },
    });
    original = { id: filed.appeal.id, number: filed.appeal.number };
    const up = await citizenApi.request('POST', `/api/appeals/${original.id}/attachments`, formWith([{ name: 'квитанция.pdf', bytes: tinyPdf() }]));
    expect(up.status).toBe(201);
    expect((await operatorApi.post(`/api/appeals/${original.id}/transitions`, { action: 'take' })).status).toBe(200);
    expect(
      (await operatorApi.post(`/api/appeals/${original.id}/transitions`, { action: 'propose_resolution', comment: 'Перерасчёт выполнен в марте' })).status,
    ).toBe(200);
    expect((await citizenApi.post(`/api/appeals/${original.id}/transitions`, { action: 'confirm' })).status).toBe(200);

    // axe is injected with an inline script: the contexts it runs in bypass the CSP; the ministry supervisor's keeps it.
    contexts.citizen = await newContext(browser, 'citizen', { bypassCSP: true });
    contexts.operator = await newContext(browser, 'operator', { bypassCSP: true });
    contexts.ministry = await newContext(browser, 'ministry', { bypassCSP: true });
    contexts.ministrySupervisor = await newContext(browser, 'ministry-supervisor');
    await signInContext(contexts.citizen, server, demoAccount(server, 'citizen'));
    await signInContext(contexts.operator, server, demoAccount(server, 'operator.housing'));
    await signInContext(contexts.ministry, server, demoAccount(server, 'operator.minstroy'));
    await signInContext(contexts.ministrySupervisor, server, demoAccount(server, 'supervisor.minstroy'));
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await (server as TestServer | undefined)?.stop();
  });

  async function openRoom(who: Who, id: string, number: string): Promise<Page> {
    const page = await contexts[who].newPage();
    await page.goto(`${server.url}/appeals/${id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(number) }).waitFor();
    await page.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    return page;
  }

  async function expectAxeClean(page: Page, label: string): Promise<void> {
    const bad = await seriousAxeViolations(page, label);
    expect(bad.map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)).toEqual([]);
  }

  it('files a repeat pre-filled and linked: marked in the room and the queue, the original decision and files beside it', async () => {
    const citizen = await openRoom('citizen', original.id, original.number);
    await citizen.getByTestId('repeat-open').click();
    await citizen.getByLabel('Что осталось нерешённым').waitFor();
    await expectAxeClean(citizen, 'repeat form');
    await citizen.getByTestId('repeat-submit').click();
    await expect.poll(() => citizen.locator('#repeat-text-error').textContent()).toBe('опишите, что осталось нерешённым');
    await citizen.getByLabel('Что осталось нерешённым').fill('Перерасчёт так и не пришёл в квитанции');
    await citizen.getByTestId('repeat-submit').click();
    const message = citizen.getByTestId('links-message');
    await expect.poll(() => message.textContent()).toMatch(/Повторное обращение № 77-\d{4}-\d{6} подано\. Код доступа: [A-Z2-9]{8}\./);
    const repeatNumber = /№ (77-\d{4}-\d{6})/.exec((await message.textContent()) ?? '')![1]!;
    expect(repeatNumber).not.toBe(original.number);
    // The original now lists its repeat.
    await expect.poll(() => citizen.getByTestId('repeats').textContent()).toContain(repeatNumber);

    await citizen.getByTestId('links-created').click();
    await citizen.getByRole('heading', { level: 1, name: new RegExp(repeatNumber) }).waitFor();
    expect(await citizen.getByRole('heading', { level: 1 }).textContent()).toContain('Неверное начисление за отопление');
    await citizen.getByTestId('repeat-mark').waitFor();
    expect(await citizen.getByTestId('kind-badges').first().textContent()).toMatch(/Жалоба\s*Повторное/);
    const repeatOf = citizen.getByTestId('repeat-of');
    await expect.poll(() => repeatOf.textContent()).toContain(`Открыть обращение № ${original.number}`);
    const repeatId = new URL(citizen.url()).pathname.split('/').at(-1)!;
    // Pre-filled: the category's fields and the reference to the original's files in the description.
    const view = (await citizenApi.get(`/api/appeals/${repeatId}`)).body.appeal;
    expect(view).toMatchObject({ repeatOfId: original.id, extra: { accountNumber: '7701234567', propertyAddress: 'г. Москва, ул. Лесная, д. 5, кв. 12' } });
    expect(view.description).toContain(`Повторное обращение по обращению № ${original.number}.\nФайлы исходного обращения: квитанция.pdf.`);
    await expectAxeClean(citizen, 'repeat room (citizen)');
    await screenshot(citizen, 'links-repeat-citizen');

    // The officer: the repeat marked in the queue; in its room, the original's decision and files beside it.
    const operator = await contexts.operator.newPage();
    await operator.goto(`${server.url}/queue`);
    const row = operator.locator(`[data-testid="queue-row"][data-appeal="${repeatId}"]`);
    await row.getByTestId('repeat-mark').waitFor();
    await operator.getByLabel('Вид обращения').selectOption({ label: 'Предложение' });
    await row.waitFor({ state: 'detached' });
    await operator.getByLabel('Вид обращения').selectOption({ label: 'Жалоба' });
    await row.waitFor();
    await expectAxeClean(operator, 'queue with the kind filter');
    const room = await openRoom('operator', repeatId, repeatNumber);
    const beside = room.getByTestId('repeat-of');
    await expect.poll(() => beside.getByTestId('linked-decision').textContent()).toContain('Перерасчёт выполнен в марте');
    expect(await beside.textContent()).toContain('Файлы исходного обращения: квитанция.pdf');
    await beside.getByRole('link', { name: `Открыть обращение № ${original.number}` }).waitFor();
    await expectAxeClean(room, 'repeat room (officer)');
  });

  it('escalates to the department above: the higher department gets the case and reads the original room read-only; its answer comes back', async () => {
    const citizen = await openRoom('citizen', original.id, original.number);
    await citizen.getByTestId('escalate-open').click();
    const to = citizen.getByLabel('Вышестоящее ведомство');
    await to.waitFor();
    expect(await to.locator('option:checked').textContent()).toContain(
      'Министерство строительства и жилищно-коммунального хозяйства Российской Федерации (федеральный уровень)',
    );
    await citizen.getByTestId('escalate-submit').click();
    await expect.poll(() => citizen.locator('#escalate-reason-error').textContent()).toBe('укажите причину обращения в вышестоящую инстанцию');
    await expectAxeClean(citizen, 'escalation form with its error');
    await citizen.getByLabel('Причина обращения').fill('Департамент не выполнил перерасчёт');
    await citizen.locator('#escalate-form').getByLabel('квитанция.pdf').check();
    await citizen.getByTestId('escalate-submit').click();
    const message = citizen.getByTestId('links-message');
    await expect.poll(() => message.textContent()).toMatch(/Обращение № 77-\d{4}-\d{6} направлено в вышестоящее ведомство\. Код доступа: [A-Z2-9]{8}\./);
    const escalatedNumber = /№ (77-\d{4}-\d{6})/.exec((await message.textContent()) ?? '')![1]!;
    await expect.poll(() => citizen.getByTestId('escalations').textContent()).toContain(escalatedNumber);

    // The higher department: the appeal in its queue, marked as coming from below, with the reason and the original.
    const ministry = await contexts.ministry.newPage();
    await ministry.goto(`${server.url}/queue`);
    const row = ministry.getByTestId('queue-row').filter({ hasText: escalatedNumber });
    await row.getByTestId('escalated-mark').waitFor();
    const escalatedId = (await row.getAttribute('data-appeal'))!;
    const escalatedRoom = await openRoom('ministry', escalatedId, escalatedNumber);
    await expect.poll(() => escalatedRoom.getByTestId('links').textContent()).toContain('Департамент не выполнил перерасчёт');
    await escalatedRoom
      .getByTestId('escalated-from')
      .getByRole('link', { name: `Открыть обращение № ${original.number}` })
      .click();

    // The original room, read-only: the notice, no status actions, no chat input, files and history readable.
    await escalatedRoom.getByRole('heading', { level: 1, name: new RegExp(original.number) }).waitFor();
    await escalatedRoom.getByTestId('links-read-only').waitFor();
    expect(await escalatedRoom.getByTestId('links-read-only').textContent()).toContain('вы читаете комнату без права действий');
    await escalatedRoom.locator('[data-testid="connection-state"][data-state="online"]').first().waitFor();
    expect(await escalatedRoom.locator('[data-testid^="action-"]').count()).toBe(0);
    expect(await escalatedRoom.getByTestId('chat-input').count()).toBe(0);
    await expect.poll(() => escalatedRoom.getByText('квитанция.pdf').count()).toBeGreaterThan(0);
    await expectAxeClean(escalatedRoom, 'original room read by the higher department');
    await screenshot(escalatedRoom, 'links-escalation-read-only');

    // The ministry supervisor's browser keeps the CSP: the same read-only room.
    const supervisor = await openRoom('ministrySupervisor', original.id, original.number);
    await supervisor.getByTestId('links-read-only').waitFor();
    expect(await supervisor.locator('[data-testid^="action-"]').count()).toBe(0);

    // The higher department answers with an explanatory note; it comes back into the original case.
    const answerRoom = await openRoom('ministry', escalatedId, escalatedNumber);
    await answerRoom.getByTestId('action-take').click();
    await answerRoom.locator('[data-testid="room-status"][data-status="in_progress"]').waitFor();
    await answerRoom.getByLabel('Пояснительная записка').check();
    await answerRoom.getByLabel('Текст ответа').fill('Перерасчёт поручен департаменту до 1 мая');
    await expectAxeClean(answerRoom, 'escalation answer form');
    await answerRoom.getByTestId('answer-submit').click();
    await answerRoom.locator('[data-testid="room-status"][data-status="completed"]').waitFor();
    await expect.poll(() => answerRoom.getByTestId('escalation-answer').textContent()).toContain('Перерасчёт поручен департаменту до 1 мая');

    // Live, without a reload: the original room reads its links again on `appeal:updated`.
    const answer = citizen.getByTestId('escalations').getByTestId('linked-answer');
    await expect.poll(() => answer.textContent()).toContain('Пояснительная записка');
    expect(await answer.textContent()).toContain('Перерасчёт поручен департаменту до 1 мая');
    await expectAxeClean(citizen, 'original room with the answer');
    expect(cspViolations).toEqual([]);
  });

  it('answers a suggestion with a reply and a mark: completed with no decision to confirm, the mark shown to the citizen', async () => {
    const portalApi = await loginAs(server, 'operator.portal');
    const filed = await fileAppeal(citizenApi, 'portal_issues', { type: 'suggestion', subject: 'Добавить тёмную тему портала' });
    const id = filed.appeal.id as string;
    const number = filed.appeal.number as string;
    expect((await portalApi.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    const portal = await newContext(browser, 'portal-operator', { bypassCSP: true });
    await signInContext(portal, server, demoAccount(server, 'operator.portal'));
    const page = await portal.newPage();
    await page.goto(`${server.url}/appeals/${id}`);
    await page.getByRole('heading', { level: 1, name: new RegExp(number) }).waitFor();
    expect(await page.getByTestId('action-propose_resolution').count()).toBe(0);
    await page.getByTestId('suggestion-submit').click();
    await expect.poll(() => page.locator('#suggestion-text-error').textContent()).toBe('напишите ответ на предложение');
    expect(await page.locator('#suggestion-mark-error').textContent()).toBe('отметьте: принято к рассмотрению или учтено');
    await expectAxeClean(page, 'suggestion reply form with its errors');
    await page.getByLabel('Ответ заявителю').fill('Спасибо, тёмная тема появится в следующем выпуске');
    await page.getByLabel('Учтено').check();
    await page.getByTestId('suggestion-submit').click();
    await page.locator('[data-testid="room-status"][data-status="completed"]').waitFor();
    await expect.poll(() => page.getByTestId('suggestion-mark').textContent()).toContain('Учтено');

    const citizen = await openRoom('citizen', id, number);
    await expect.poll(() => citizen.getByTestId('suggestion-mark').textContent()).toContain('Отметка: Учтено');
    expect(await citizen.getByTestId('action-confirm').count()).toBe(0);
    expect(await citizen.getByTestId('kind-badges').first().textContent()).toContain('Предложение');
    await expectAxeClean(citizen, 'answered suggestion (citizen)');
  });
});
