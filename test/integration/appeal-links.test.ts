/**
 * Linked appeals and the kinds with flows of their own (docs/after-decision.md),
 * over REST against the real server on SQLite: a repeat of a completed appeal
 * (pre-filled, linked both ways, the same department, the original's decision
 * beside it), an escalation to the department above (the higher department's
 * appeal, the original room read-only for its staff, the answer back in the
 * original case, each step journalled, all or nothing), a complaint routed to
 * the body it names, a suggestion answered and marked; and every refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, RoomJoined } from '../../shared/protocol/events.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { clientId, connect, next, ok, request } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let housingOperator: TestClient;
let housingSupervisor: TestClient;
let ministryOperator: TestClient;
let ministrySupervisor: TestClient;
let portalOperator: TestClient;
let socialSupervisor: TestClient;
let stranger: TestClient;
const dep: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  housingOperator = await loginAs(server, 'operator.housing');
  housingSupervisor = await loginAs(server, 'supervisor.housing');
  ministryOperator = await loginAs(server, 'operator.minstroy');
  ministrySupervisor = await loginAs(server, 'supervisor.minstroy');
  portalOperator = await loginAs(server, 'operator.portal');
  socialSupervisor = await loginAs(server, 'supervisor.social');
  const admin = await loginAs(server, 'admin');
  const deps = await admin.get('/api/departments');
  for (const d of deps.body.items as { id: string; code: string }[]) dep[d.code] = d.id;
  // A second citizen: registered directly in the store is enough to be refused.
  stranger = await loginAs(server, 'expert');
});
afterAll(async () => {
  await server.stop();
});

/** A housing appeal of the citizen with one file, taken and completed (proposed, then confirmed). */
async function completedHousingAppeal(): Promise<{ id: string; number: string }> {
  const { appeal } = await fileAppeal(citizen, 'housing_billing');
  const up = await citizen.request('POST', `/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'квитанция.pdf', bytes: pdfBytes('receipt') }]));
  expect(up.status).toBe(201);
  expect((await housingOperator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
  const proposed = await housingOperator.post(`/api/appeals/${appeal.id}/transitions`, {
    action: 'propose_resolution',
    comment: 'Перерасчёт выполнен в марте',
  });
  expect(proposed.status).toBe(200);
  expect((await citizen.post(`/api/appeals/${appeal.id}/transitions`, { action: 'confirm' })).status).toBe(200);
  return { id: appeal.id, number: appeal.number };
}

describe('repeat appeal', () => {
  it('files a new appeal with its own number, pre-filled, in the same department, linked both ways, with the original decision beside it', async () => {
    const original = await completedHousingAppeal();
    const before = (await citizen.get(`/api/appeals/${original.id}`)).body.appeal;
    const links = await citizen.get(`/api/appeals/${original.id}/links`);
    expect(links.status).toBe(200);
    expect(links.body.canRepeat).toBe(true);

    const res = await citizen.post(`/api/appeals/${original.id}/repeat`, { text: 'Перерасчёт так и не пришёл в квитанции' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const repeat = res.body.appeal;
    expect(repeat.number).toMatch(/^77-\d{4}-\d{6}$/);
    expect(repeat.number).not.toBe(original.number);
    expect(res.body.accessCode).toMatch(/^[A-Z2-9]{8}$/);
    expect(repeat.status).toBe('registered');
    expect(repeat.repeatOfId).toBe(original.id);
    expect(repeat.departmentId).toBe(dep.housing);
    expect(repeat.categoryId).toBe(before.categoryId);
    expect(repeat.type).toBe(before.type);
    expect(repeat.subject).toBe(before.subject);
    expect(repeat.extra).toStrictEqual(before.extra);
    expect(repeat.description).toContain('Перерасчёт так и не пришёл в квитанции');
    expect(repeat.description).toContain(`Повторное обращение по обращению № ${original.number}.`);
    expect(repeat.description).toContain('Файлы исходного обращения: квитанция.pdf.');

    // Linked both ways; the officer of the department sees the original's decision beside the repeat.
    const fromRepeat = await housingOperator.get(`/api/appeals/${repeat.id}/links`);
    expect(fromRepeat.status).toBe(200);
    expect(fromRepeat.body.repeatOf).toMatchObject({
      id: original.id,
      number: original.number,
      status: 'completed',
      decisionText: 'Перерасчёт выполнен в марте',
    });
    expect(fromRepeat.body.repeatOf.attachments.map((a: { fileName: string }) => a.fileName)).toStrictEqual(['квитанция.pdf']);
    const fromOriginal = await citizen.get(`/api/appeals/${original.id}/links`);
    expect(fromOriginal.body.repeats.map((r: { id: string }) => r.id)).toStrictEqual([repeat.id]);

    // Marked as a repeat in the lists (the queue and «Мои обращения»).
    const queue = await housingOperator.get('/api/queue?limit=100');
    expect(queue.body.items.find((a: { id: string }) => a.id === repeat.id).repeatOfId).toBe(original.id);
    const mine = await citizen.get('/api/appeals/mine?limit=100');
    expect(mine.body.items.find((a: { id: string }) => a.id === repeat.id).repeatOfId).toBe(original.id);

    const journal = await server.store.audit.list(0, 10_000);
    expect(journal.some((e) => e.action === 'appeal.repeat_created' && e.subjectId === repeat.id && e.details.repeatOfId === original.id)).toBe(true);
  });

  it('refuses a repeat of an appeal that is neither completed nor rejected, and anyone but its owner', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    const refused = await citizen.post(`/api/appeals/${appeal.id}/repeat`, { text: 'Ещё раз' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'INVALID_TRANSITION', message: 'Повторно подать можно только завершённое или отклонённое обращение' });
    expect((await citizen.get(`/api/appeals/${appeal.id}/links`)).body.canRepeat).toBe(false);

    const done = await completedHousingAppeal();
    expect((await citizen.post(`/api/appeals/${done.id}/repeat`, { text: '  ' })).status).toBe(400);
    expect((await housingOperator.post(`/api/appeals/${done.id}/repeat`, { text: 'Повтор' })).status).toBe(403);
    expect((await stranger.post(`/api/appeals/${done.id}/repeat`, { text: 'Повтор' })).status).toBe(404);
    const mine = await citizen.get('/api/appeals/mine?limit=100');
    expect(mine.body.items.filter((a: { repeatOfId: string | null }) => a.repeatOfId === done.id)).toHaveLength(0);
  });

  it('repeats a rejected appeal too', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    expect((await housingSupervisor.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Не приложена квитанция' })).status).toBe(200);
    const res = await citizen.post(`/api/appeals/${appeal.id}/repeat`, { text: 'Прилагаю квитанцию' });
    expect(res.status).toBe(201);
    const links = await housingOperator.get(`/api/appeals/${res.body.appeal.id}/links`);
    expect(links.body.repeatOf).toMatchObject({ id: appeal.id, status: 'rejected', decisionText: 'Не приложена квитанция' });
  });
});

describe('escalation to a higher authority', () => {
  it('creates the linked appeal in the department above; its staff read the original room and act in none of it; the answer comes back', async () => {
    const original = await completedHousingAppeal();
    const files = await citizen.get(`/api/appeals/${original.id}/attachments`);
    const evidenceId = files.body.items[0].id as string;
    const links = await citizen.get(`/api/appeals/${original.id}/links`);
    expect(links.body.escalationTargets).toStrictEqual([{ id: dep.minstroy, name: expect.stringContaining('Министерство строительства'), level: 'federal' }]);

    const res = await citizen.post(`/api/appeals/${original.id}/escalations`, {
      departmentId: dep.minstroy,
      reason: 'Департамент не выполнил перерасчёт',
      evidenceIds: [evidenceId],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const escalatedId = res.body.appealId as string;
    expect(res.body.number).toMatch(/^77-\d{4}-\d{6}$/);
    expect(res.body.accessCode).toMatch(/^[A-Z2-9]{8}$/);

    // Notified: the higher department's supervisors have work, with the new appeal's number.
    const topics = async (client: TestClient, appealId: string): Promise<string[]> =>
      ((await client.get('/api/notifications?limit=50')).body.items as { appealId: string | null; topic: string }[])
        .filter((n) => n.appealId === appealId)
        .map((n) => n.topic);
    await expect.poll(() => topics(ministrySupervisor, escalatedId)).toContain('action.escalated_in');
    const notice = ((await ministrySupervisor.get('/api/notifications?limit=50')).body.items as { topic: string; title: string; body: string }[]).find(
      (n) => n.topic === 'action.escalated_in',
    );
    expect(notice).toMatchObject({
      title: 'Обращение из нижестоящего ведомства',
      body: `В ведомство направлено обращение № ${res.body.number} из нижестоящего ведомства.`,
    });

    // The higher department's queue has it, with its origin.
    const queue = await ministryOperator.get('/api/queue?limit=100');
    const row = queue.body.items.find((a: { id: string }) => a.id === escalatedId);
    expect(row).toMatchObject({ status: 'registered', departmentId: dep.minstroy, number: res.body.number });
    expect(row.escalation).toMatchObject({
      fromAppealId: original.id,
      fromNumber: original.number,
      reason: 'Департамент не выполнил перерасчёт',
      evidenceIds: [evidenceId],
      byRole: 'citizen',
      answer: null,
    });

    // The original: read by the higher department's staff, never written or moved.
    const seen = await ministryOperator.get(`/api/appeals/${original.id}`);
    expect(seen.status).toBe(200);
    expect(seen.body.appeal).toMatchObject({ roomRole: 'observer', canWrite: false, actions: [], citizen: null });
    expect((await ministryOperator.get(`/api/appeals/${original.id}/history`)).status).toBe(200);
    expect((await ministryOperator.get(`/api/appeals/${original.id}/attachments`)).body.items).toHaveLength(1);
    const moved = await ministrySupervisor.post(`/api/appeals/${original.id}/transitions`, { action: 'reopen', comment: 'Пересмотреть' });
    expect(moved.status).toBe(403);
    const upload = await ministryOperator.request('POST', `/api/appeals/${original.id}/attachments`, formWith([{ name: 'x.pdf', bytes: pdfBytes('x') }]));
    expect(upload.status).toBe(403);
    // Another department still does not know it exists.
    expect((await portalOperator.get(`/api/appeals/${original.id}`)).status).toBe(404);
    // The citizen sees both; the original lists the escalation.
    const fromOriginal = await citizen.get(`/api/appeals/${original.id}/links`);
    expect(fromOriginal.body.escalations.map((e: { id: string }) => e.id)).toStrictEqual([escalatedId]);
    expect(fromOriginal.body.escalationTargets).toStrictEqual([]);
    const fromEscalated = await ministryOperator.get(`/api/appeals/${escalatedId}/links`);
    expect(fromEscalated.body.escalatedFrom).toMatchObject({ id: original.id, decisionText: 'Перерасчёт выполнен в марте' });

    // A second escalation to the same department is refused.
    const again = await citizen.post(`/api/appeals/${original.id}/escalations`, { departmentId: dep.minstroy, reason: 'Ещё раз' });
    expect(again.status).toBe(409);

    // The higher department answers with an explanatory note: the escalated appeal is completed, the original shows it.
    expect((await ministryOperator.post(`/api/appeals/${escalatedId}/transitions`, { action: 'take' })).status).toBe(200);
    const viewed = (await ministryOperator.get(`/api/appeals/${escalatedId}`)).body.appeal;
    expect(viewed.actions).not.toContain('propose_resolution');
    const noProposal = await ministryOperator.post(`/api/appeals/${escalatedId}/transitions`, { action: 'propose_resolution', comment: 'x' });
    expect(noProposal.status).toBe(409);
    const answered = await ministryOperator.post(`/api/appeals/${escalatedId}/escalation/answer`, {
      kind: 'note',
      text: 'Перерасчёт поручен департаменту до 1 мая',
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.appeal.status).toBe('completed');
    expect(answered.body.appeal.escalation.answer).toMatchObject({ kind: 'note', text: 'Перерасчёт поручен департаменту до 1 мая' });
    // The citizen is told of the answer on the escalated appeal, the original's officer in the original case.
    await expect.poll(() => topics(citizen, escalatedId)).toContain('status.answered');
    await expect.poll(() => topics(housingOperator, original.id)).toContain('status.escalation_answered');
    const back = await housingOperator.get(`/api/appeals/${original.id}/links`);
    expect(back.body.escalations[0]).toMatchObject({ id: escalatedId, status: 'completed', attachments: [] });
    expect(back.body.escalations[0].escalationAnswer).toMatchObject({ kind: 'note', text: 'Перерасчёт поручен департаменту до 1 мая' });

    const journal = await server.store.audit.list(0, 10_000);
    const escalated = journal.find((e) => e.action === 'appeal.escalated' && e.subjectId === original.id);
    expect(escalated?.details).toStrictEqual({ toAppealId: escalatedId, toDepartmentId: dep.minstroy, byRole: 'citizen', evidence: 1 });
    expect(journal.some((e) => e.action === 'appeal.answer' && e.subjectId === escalatedId)).toBe(true);
  });

  it('lets the department supervisor escalate; refuses no reason, a department that is not higher, foreign evidence, an operator and a stale version, and then stores nothing', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    const count = async (): Promise<number> => (await ministryOperator.get('/api/queue?limit=100')).body.total as number;
    const before = await count();

    const noReason = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: '   ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    expect(noReason.body.error.fields.reason).toBe('укажите причину обращения в вышестоящую инстанцию');
    const notHigher = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.portal, reason: 'Причина' });
    expect(notHigher.status).toBe(400);
    expect(notHigher.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Обратиться можно только в вышестоящее ведомство' });
    const sideways = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.social, reason: 'Причина' });
    expect(sideways.status).toBe(400);
    const other = await fileAppeal(citizen, 'housing_billing');
    const foreign = await citizen.request('POST', `/api/appeals/${other.appeal.id}/attachments`, formWith([{ name: 'чужой.pdf', bytes: pdfBytes('other') }]));
    const foreignEvidence = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, {
      departmentId: dep.minstroy,
      reason: 'Причина',
      evidenceIds: [foreign.body.items[0].id],
    });
    expect(foreignEvidence.status).toBe(400);
    expect((await housingOperator.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: 'Причина' })).status).toBe(403);
    expect((await portalOperator.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: 'Причина' })).status).toBe(404);
    const stale = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: 'Причина', version: 0 });
    expect(stale.status).toBe(409);
    expect(await count()).toBe(before);
    expect((await housingSupervisor.get(`/api/appeals/${appeal.id}`)).body.appeal.escalations).toStrictEqual([]);

    const ok = await housingSupervisor.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: 'Нужны полномочия министерства' });
    expect(ok.status).toBe(201);
    expect(ok.body.accessCode).toBeNull();
    expect(await count()).toBe(before + 1);
    const escalated = (await ministryOperator.get(`/api/appeals/${ok.body.appealId}`)).body.appeal;
    expect(escalated.escalation.byRole).toBe('supervisor');
    // The citizen owns the escalated appeal too: it is in «Мои обращения».
    const mine = await citizen.get('/api/appeals/mine?limit=100');
    expect(mine.body.items.some((a: { id: string }) => a.id === ok.body.appealId)).toBe(true);
    // The answer is the higher department's: the original's department cannot give it.
    expect((await housingOperator.post(`/api/appeals/${appeal.id}/escalation/answer`, { kind: 'decision', text: 'x' })).status).toBe(409);
  });

  it('the higher department reads the original room over the socket, internal notes included, and cannot write or move it', async () => {
    const { appeal } = await fileAppeal(citizen, 'housing_billing');
    expect((await housingOperator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const officer = await connect(server.url, housingOperator);
    await ok(officer, 'room:join', { appealId: appeal.id });
    await ok(officer, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Служебная заметка: перерасчёт не сделан', internal: true });
    await ok(officer, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Проверяем начисления', internal: false });
    // The room hears of the escalation at once (it reads its links again).
    const heard = next<{ appealId: string; changed: string[] }>(officer, 'appeal:updated', (p) => p.appealId === appeal.id);
    expect((await citizen.post(`/api/appeals/${appeal.id}/escalations`, { departmentId: dep.minstroy, reason: 'Долго нет ответа' })).status).toBe(201);
    expect(await heard).toStrictEqual({ appealId: appeal.id, changed: ['links'] });

    const reader = await connect(server.url, ministryOperator);
    const joined = await ok<RoomJoined>(reader, 'room:join', { appealId: appeal.id });
    expect(joined).toMatchObject({ canWrite: false, isStaff: true, status: 'in_progress' });
    const read = await ok<ChatMessage[]>(reader, 'chat:history', { appealId: appeal.id });
    expect(read.map((m) => [m.text, m.internal])).toStrictEqual([
      ['Служебная заметка: перерасчёт не сделан', true],
      ['Проверяем начисления', false],
    ]);
    const send = await request(reader, 'chat:send', { appealId: appeal.id, clientId: clientId(), text: 'Пишем из министерства', internal: false });
    expect(send).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const moved = await request(reader, 'status:change', { appealId: appeal.id, action: 'request_info', comment: 'Уточните' });
    expect(moved).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // The citizen's view of the original still has no internal note.
    const mine = await connect(server.url, citizen);
    await ok<RoomJoined>(mine, 'room:join', { appealId: appeal.id });
    const citizenRead = await ok<ChatMessage[]>(mine, 'chat:history', { appealId: appeal.id });
    expect(citizenRead.map((m) => m.text)).toStrictEqual(['Проверяем начисления']);
    for (const s of [officer, reader, mine]) s.disconnect();
  });

  it('keeps a department parent higher than the department (admin)', async () => {
    const admin = await loginAs(server, 'admin');
    const down = await admin.patch(`/api/admin/departments/${dep.minstroy}`, { parentId: dep.housing });
    expect(down.status).toBe(400);
    expect(down.body.error.fields.parentId).toBe('вышестоящее ведомство должно быть выше по уровню');
    const self = await admin.patch(`/api/admin/departments/${dep.social}`, { parentId: dep.social });
    expect(self.status).toBe(400);
    const deps = await admin.get('/api/departments');
    expect(deps.body.items.find((d: { id: string }) => d.id === dep.housing).parentId).toBe(dep.minstroy);
  });
});

describe('complaints and suggestions', () => {
  it('routes a complaint to the body it names, to that body’s supervisor; the queue filters by kind', async () => {
    const { appeal } = await fileAppeal(citizen, 'portal_issues', {
      type: 'complaint',
      complaint: { conduct: 'inaction', concerned: 'Отдел назначения пособий, инспектор Смирнова', departmentId: dep.social },
    });
    expect(appeal.departmentId).toBe(dep.social);
    expect(appeal.assigneeId).toBe(socialSupervisor.user.id);
    expect(appeal.complaint).toStrictEqual({ conduct: 'inaction', concerned: 'Отдел назначения пособий, инспектор Смирнова', departmentId: dep.social });
    const complaints = await socialSupervisor.get('/api/queue?type=complaint&limit=100');
    expect(complaints.body.items.map((a: { id: string }) => a.id)).toContain(appeal.id);
    const suggestions = await socialSupervisor.get('/api/queue?type=suggestion&limit=100');
    expect(suggestions.body.items.map((a: { id: string }) => a.id)).not.toContain(appeal.id);
    expect((await socialSupervisor.get('/api/queue?type=nonsense')).status).toBe(400);
    const bad = await citizen.post('/api/appeals', {
      type: 'complaint',
      complaint: { conduct: 'action', concerned: 'Кто-то', departmentId: 'AAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(bad.status).toBe(400);
  });

  it('answers a suggestion with a reply and a mark (no decision to confirm), and the mark can change', async () => {
    const { appeal } = await fileAppeal(citizen, 'portal_issues', { type: 'suggestion', subject: 'Добавить тёмную тему портала' });
    expect((await portalOperator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    const taken = (await portalOperator.get(`/api/appeals/${appeal.id}`)).body.appeal;
    expect(taken.actions).not.toContain('propose_resolution');
    const proposal = await portalOperator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'propose_resolution', comment: 'Решение' });
    expect(proposal.status).toBe(409);
    expect(proposal.body.error.code).toBe('INVALID_TRANSITION');
    expect((await portalOperator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'answer', comment: 'x' })).status).toBe(409);
    const noMark = await portalOperator.post(`/api/appeals/${appeal.id}/suggestion/answer`, { text: 'Спасибо' });
    expect(noMark.status).toBe(400);

    const answered = await portalOperator.post(`/api/appeals/${appeal.id}/suggestion/answer`, {
      text: 'Спасибо, передали разработчикам',
      mark: 'under_consideration',
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(answered.body.appeal).toMatchObject({ status: 'completed', suggestionMark: 'under_consideration' });
    expect(answered.body.appeal.actions).not.toContain('confirm');
    const history = await citizen.get(`/api/appeals/${appeal.id}/history`);
    expect(history.body.items.at(-1)).toMatchObject({ action: 'answer', from: 'in_progress', to: 'completed', comment: 'Спасибо, передали разработчикам' });

    expect((await citizen.put(`/api/appeals/${appeal.id}/suggestion/mark`, { mark: 'taken_into_account' })).status).toBe(403);
    const marked = await portalOperator.put(`/api/appeals/${appeal.id}/suggestion/mark`, { mark: 'taken_into_account' });
    expect(marked.status).toBe(200);
    expect(marked.body.appeal.suggestionMark).toBe('taken_into_account');
    expect((await citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.suggestionMark).toBe('taken_into_account');

    // A reply with a mark is for suggestions only.
    const { appeal: plain } = await fileAppeal(citizen, 'portal_issues', { type: 'application' });
    await portalOperator.post(`/api/appeals/${plain.id}/transitions`, { action: 'take' });
    expect((await portalOperator.post(`/api/appeals/${plain.id}/suggestion/answer`, { text: 'Ответ', mark: 'taken_into_account' })).status).toBe(409);
    const journal = await server.store.audit.list(0, 10_000);
    expect(journal.some((e) => e.action === 'appeal.suggestion_marked' && e.subjectId === appeal.id && e.details.mark === 'taken_into_account')).toBe(true);
  });
});
