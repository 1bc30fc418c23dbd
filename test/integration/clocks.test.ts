/**
 * The law's clocks over HTTP and socket.io on the real server (SQLite, port 0,
 * the server's ManualClock at Monday 2 March 2026, 12:00 Moscow time): the
 * clocks in the appeal view for the citizen and the officer, the extension
 * and redirect endpoints with their authorisation and validation, the live
 * push of a new deadline into an open room, and the admin's calendar.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { closeAllSockets, collect, connect, next, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

/** The end of a Moscow date. */
const endOf = (date: string): number => Date.parse(`${date}T23:59:59.999+03:00`);

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let foreignSupervisor: TestClient;
let foreignOperator: TestClient;
let expert: TestClient;
let admin: TestClient;
let departments: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ clock });
  const as = (prefix: string): Promise<TestClient> => loginAs(server, prefix);
  citizen = await as('citizen');
  operator = await as('operator.portal');
  supervisor = await as('supervisor.portal');
  foreignSupervisor = await as('supervisor.social');
  foreignOperator = await as('operator.social');
  expert = await as('expert');
  admin = await as('admin');
  departments = Object.fromEntries(((await citizen.get('/api/departments')).body.items as { code: string; id: string }[]).map((d) => [d.code, d.id]));
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

/** A portal appeal (term 10 days), filed now. */
const filePortal = async (): Promise<string> => (await fileAppeal(citizen)).appeal.id as string;

describe('the clocks in the appeal view', () => {
  it('shows the citizen registration met at submission and the answer term with the days left; the officer also the redirect clock', async () => {
    const id = await filePortal();
    const mine = (await citizen.get(`/api/appeals/${id}`)).body.appeal;
    // 2 March + 10 days = Thursday 12 March; working days 3–6 and 10–12 March (9 March is the 8 March transfer).
    expect(mine.deadlineAt).toBe(endOf('2026-03-12'));
    expect(mine.clocks).toMatchObject({
      registration: { kind: 'registration', state: 'met', dueDate: '2026-03-05', doneAt: clock.now() },
      answer: { kind: 'answer', state: 'running', dueDate: '2026-03-12', daysLeft: 10, workingDaysLeft: 7 },
      redirect: null,
      extensions: [],
      extensionDaysLeft: 30,
      redirects: [],
      waitingMs: 0,
      canExtend: false,
      canRedirect: false,
    });
    const theirs = (await operator.get(`/api/appeals/${id}`)).body.appeal;
    expect(theirs.clocks).toMatchObject({ redirect: { kind: 'redirect', state: 'running', dueDate: '2026-03-10' }, canExtend: false, canRedirect: true });
    expect((await supervisor.get(`/api/appeals/${id}`)).body.appeal.clocks).toMatchObject({ canExtend: true, canRedirect: true });
    // Its reminders wait in the store as jobs: 5 working days before 12 March is 4 March (9 March is off), 1 before is 11 March.
    const runAt = async (job: string) => (await server.store.jobs.get(`clock:${id}:answer:${job}`))?.runAt;
    await expect.poll(() => runAt('missed'), { timeout: 5000 }).toBe(endOf('2026-03-12') + 1);
    expect(await runAt('remind-5')).toBe(Date.parse('2026-03-04T09:00:00+03:00'));
    expect(await runAt('remind-1')).toBe(Date.parse('2026-03-11T09:00:00+03:00'));
  });
});

describe('POST /api/appeals/:id/extensions', () => {
  it('lets a supervisor of the department extend with a reason; the citizen’s open room hears of it at once', async () => {
    const id = await filePortal();
    const socket = await connect(server.url, citizen);
    await ok(socket, 'room:join', { appealId: id });
    const pushed = next<{ appealId: string; changed: string[] }>(socket, 'appeal:updated', (p) => p.appealId === id);
    const res = await supervisor.post(`/api/appeals/${id}/extensions`, { days: 7, reason: 'Запрошены сведения у оператора связи' });
    expect(res.status).toBe(200);
    // 2 March + 17 days = Thursday 19 March.
    expect(res.body.appeal).toMatchObject({ deadlineAt: endOf('2026-03-19'), clocks: { answer: { dueDate: '2026-03-19' }, extensionDaysLeft: 23 } });
    expect(await pushed).toEqual({ appealId: id, changed: ['clocks'] });
    const seen = (await citizen.get(`/api/appeals/${id}`)).body.appeal.clocks;
    expect(seen.extensions).toEqual([{ at: clock.now(), days: 7, reason: 'Запрошены сведения у оператора связи', byName: null, dueDate: '2026-03-19' }]);
  });

  it('is FORBIDDEN to the department’s operator and the citizen, NOT_FOUND to another department and for a malformed id', async () => {
    const id = await filePortal();
    const body = { days: 5, reason: 'Сложный случай' };
    expect((await operator.post(`/api/appeals/${id}/extensions`, body)).body.error.code).toBe('FORBIDDEN');
    expect((await citizen.post(`/api/appeals/${id}/extensions`, body)).body.error.code).toBe('FORBIDDEN');
    const foreign = await foreignSupervisor.post(`/api/appeals/${id}/extensions`, body);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'NOT_FOUND']);
    expect((await supervisor.post('/api/appeals/not-an-id/extensions', body)).status).toBe(404);
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.deadlineAt).toBe(endOf('2026-03-12'));
  });

  it('refuses bad bodies with VALIDATION_FAILED naming the field, and more than 30 days in all', async () => {
    const id = await filePortal();
    const refused = async (body: unknown) => {
      const res = await supervisor.post(`/api/appeals/${id}/extensions`, body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      return res.body.error.fields as Record<string, string>;
    };
    expect(await refused({ reason: 'Сложный случай' })).toEqual({ days: 'число дней' });
    expect(await refused({ days: 31, reason: 'Сложный случай' })).toEqual({ days: 'не больше чем на 30 дней' });
    expect(await refused({ days: 0, reason: 'Сложный случай' })).toEqual({ days: 'хотя бы на 1 день' });
    expect(await refused({ days: 2.5, reason: 'Сложный случай' })).toEqual({ days: 'целое число дней' });
    expect(await refused({ days: 5, reason: '  ' })).toEqual({ reason: 'укажите причину (не короче 5 символов)' });
    expect(await refused({ days: 5 })).toEqual({ reason: 'укажите причину' });
    expect((await supervisor.post(`/api/appeals/${id}/extensions`, { days: 25, reason: 'Первое продление' })).status).toBe(200);
    expect(await refused({ days: 6, reason: 'Второе продление' })).toEqual({ days: 'можно продлить ещё не больше чем на 5 дн.' });
  });
});

describe('POST /api/appeals/:id/redirect', () => {
  it('hands the whole case to the competent department and ends the sender’s access at once', async () => {
    const id = await filePortal();
    await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' });
    const citizenSocket = await connect(server.url, citizen);
    await ok(citizenSocket, 'room:join', { appealId: id });
    await ok(citizenSocket, 'chat:send', { appealId: id, clientId: 'c-redirect-0001', text: 'Прошу ускорить рассмотрение', internal: false });
    const operatorSocket = await connect(server.url, operator);
    await ok(operatorSocket, 'room:join', { appealId: id });
    const revoked = next<{ appealId: string }>(operatorSocket, 'room:revoked', (p) => p.appealId === id);
    const statuses = collect<{ appealId: string; status: string }>(citizenSocket, 'status:changed');

    const res = await operator.post(`/api/appeals/${id}/redirect`, { departmentId: departments.social, reason: 'Вопрос о пособии — компетенция соцзащиты' });
    expect(res.status).toBe(200);
    expect(res.body.redirected).toEqual({
      appealId: id,
      number: expect.stringMatching(/^77-2026-\d{6}$/),
      toDepartment: expect.stringContaining('социальной защиты'),
      at: clock.now(),
    });
    expect(await revoked).toEqual({ appealId: id });
    expect((await operator.get(`/api/appeals/${id}`)).status).toBe(404);
    expect((await supervisor.get(`/api/appeals/${id}`)).status).toBe(404);
    await expect.poll(() => statuses.map((s) => s.status), { timeout: 5000 }).toEqual(['registered']);

    // The receiving department: in its queue, registered and unassigned, with the chat and the history.
    const queue = (await foreignOperator.get('/api/queue?status=registered')).body.items.map((a: { id: string }) => a.id);
    expect(queue).toContain(id);
    expect((await operator.get('/api/queue')).body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    const view = (await foreignOperator.get(`/api/appeals/${id}`)).body.appeal;
    expect(view).toMatchObject({ departmentId: departments.social, status: 'registered', assigneeId: null });
    // Received on Monday 2 March: registered there by 5 March; the answer term starts at registration.
    expect(view.clocks).toMatchObject({ registration: { state: 'running', dueDate: '2026-03-05' }, answer: { state: 'pending', startedAt: null } });
    expect(view.clocks.redirects).toEqual([
      {
        at: clock.now(),
        fromDepartment: expect.stringContaining('портала'),
        toDepartment: expect.stringContaining('социальной защиты'),
        reason: 'Вопрос о пособии — компетенция соцзащиты',
      },
    ]);
    const history = (await foreignOperator.get(`/api/appeals/${id}/history`)).body.items;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['submit', 'take', 'redirect']);
    const socket = await connect(server.url, foreignOperator);
    const joined = await ok<{ messages: { text: string }[] }>(socket, 'room:join', { appealId: id, since: { chatSeq: 0, historySeq: 0 } });
    expect(joined.messages.map((m) => m.text)).toEqual(['Прошу ускорить рассмотрение']);
    // The citizen still sees it, and where it went.
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.clocks.redirects).toHaveLength(1);
  });

  it('is NOT_FOUND to another department, FORBIDDEN to an expert and to an operator the appeal is not assigned to', async () => {
    const id = await filePortal();
    const body = { departmentId: departments.social, reason: 'Не наша компетенция' };
    const foreign = await foreignOperator.post(`/api/appeals/${id}/redirect`, body);
    expect([foreign.status, foreign.body.error.code]).toEqual([404, 'NOT_FOUND']);
    await supervisor.post(`/api/appeals/${id}/experts`, { expertId: expert.user.id });
    expect((await expert.post(`/api/appeals/${id}/redirect`, body)).body.error.code).toBe('FORBIDDEN');
    await supervisor.post(`/api/appeals/${id}/transitions`, { action: 'take' });
    expect((await operator.post(`/api/appeals/${id}/redirect`, body)).body.error.code).toBe('FORBIDDEN');
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.departmentId).toBe(departments.portal);
  });

  it('refuses bad bodies with VALIDATION_FAILED naming the field', async () => {
    const id = await filePortal();
    const refused = async (body: unknown) => {
      const res = await operator.post(`/api/appeals/${id}/redirect`, body);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      return res.body.error.fields as Record<string, string>;
    };
    expect(await refused({ reason: 'Не наша компетенция' })).toEqual({ departmentId: 'выберите ведомство' });
    expect(await refused({ departmentId: 'x', reason: 'Не наша компетенция' })).toEqual({ departmentId: 'некорректный идентификатор' });
    expect(await refused({ departmentId: departments.social, reason: 'нет' })).toEqual({ reason: 'укажите причину (не короче 5 символов)' });
    expect(await refused({ departmentId: departments.portal, reason: 'Не наша компетенция' })).toEqual({ departmentId: 'обращение уже в этом ведомстве' });
    expect(await refused({ departmentId: 'AAAAAAAAAAAAAAAAAAAAAA', reason: 'Не наша компетенция' })).toEqual({ departmentId: 'нет такого ведомства' });
  });
});

describe('the working-day calendar (admin)', () => {
  it('shows the shipped 2026 with its decree; another role is FORBIDDEN', async () => {
    const res = await admin.get('/api/admin/calendar?year=2026');
    expect(res.status).toBe(200);
    expect(res.body.calendar).toMatchObject({ year: 2026, source: 'shipped', workingDays: 247, decree: expect.stringContaining('№ 1466') });
    expect(res.body.years).toEqual([2026, 2027]);
    expect((await admin.get('/api/admin/calendar?year=2031')).body.calendar).toMatchObject({ source: 'statutory', decree: null });
    expect((await supervisor.get('/api/admin/calendar?year=2026')).body.error.code).toBe('FORBIDDEN');
    expect((await admin.get('/api/admin/calendar?year=1999')).body.error).toMatchObject({ code: 'VALIDATION_FAILED', fields: { year: 'год от 2000' } });
  });

  it('refuses a bad day naming it, and after a good edit moves the deadlines of open appeals', async () => {
    const id = await filePortal();
    const current = (await admin.get('/api/admin/calendar?year=2026')).body.calendar;
    const bad = await admin.put('/api/admin/calendar', {
      year: 2026,
      decree: current.decree,
      days: [...current.days, { date: '2026-03-14', kind: 'day_off' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual({ [`days.${current.days.length}.date`]: 'суббота и воскресенье и так выходные' });

    // Thursday 12 March made a day off: the portal appeal's 10 days now end on Friday the 13th.
    const days = [...current.days, { date: '2026-03-12', kind: 'day_off', note: 'Пример правки' }];
    const saved = await admin.put('/api/admin/calendar', { year: 2026, decree: current.decree, days });
    expect(saved.status).toBe(200);
    expect(saved.body.calendar).toMatchObject({ source: 'edited', workingDays: 246, updatedByName: expect.any(String) });
    const view = (await citizen.get(`/api/appeals/${id}`)).body.appeal;
    expect(view.deadlineAt).toBe(endOf('2026-03-13'));
    expect(view.clocks.answer.dueDate).toBe('2026-03-13');
    // Put back, for the other tests of this file.
    expect((await admin.put('/api/admin/calendar', { year: 2026, decree: current.decree, days: current.days })).status).toBe(200);
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.deadlineAt).toBe(endOf('2026-03-12'));
  });
});
