/**
 * Support conversations (docs/support.md) on the real server (SQLite, port 0)
 * with real socket.io clients: a citizen writes to support in one step, the
 * support department's staff find it in their queue, both chat live and
 * attach files in its room; no other department, expert or admin may know it
 * exists; the law's clocks never run on it, and rejection, repeat, extension
 * and redirect are refused.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentSummary, ChatMessage, ListChanged, RoomJoined } from '../../shared/protocol/events.js';
import { pngBytes, formWith } from '../helpers/files.js';
import { clientId, closeAllSockets, collect, connect, ok, request, until } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let support: TestClient;
let supportSupervisor: TestClient;
let otherOperator: TestClient;
let expert: TestClient;
let admin: TestClient;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  support = await loginAs(server, 'operator.support');
  supportSupervisor = await loginAs(server, 'supervisor.portal');
  otherOperator = await loginAs(server, 'operator.housing');
  expert = await loginAs(server, 'expert');
  admin = await loginAs(server, 'admin');
});
afterEach(() => {
  closeAllSockets();
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

const open = (topic = 'Не приходит код подтверждения', message = 'Второй день не приходит SMS с кодом при входе, номер указан верно.') =>
  citizen.post('/api/support/conversations', { topic, message });

describe('opening a support conversation', () => {
  it('files it in one step: registered in the support department with a ПД number, the message first in its chat, no law clocks', async () => {
    const res = await open();
    expect(res.status).toBe(201);
    const appeal = res.body.appeal;
    expect(appeal).toMatchObject({
      kind: 'support',
      status: 'registered',
      subject: 'Не приходит код подтверждения',
      departmentId: support.user.departmentId,
      roomRole: 'owner',
      canWrite: true,
      clocks: null,
      deadlineAt: null,
      overdue: false,
    });
    expect(appeal.number).toMatch(/^ПД-\d{4}-\d{6}$/);
    const stored = await server.store.appeals.get(appeal.id);
    expect(stored).toMatchObject({ kind: 'support', clocks: null, deadlineAt: null, accessCodeHash: null });
    const history = (await citizen.get(`/api/appeals/${appeal.id}/history`)).body.items;
    expect(history.map((h: { from: string; to: string; action: string }) => [h.from, h.to, h.action])).toEqual([['draft', 'registered', 'submit']]);
    const socket = await connect(server.url, citizen);
    await ok<RoomJoined>(socket, 'room:join', { appealId: appeal.id });
    const messages = await ok<ChatMessage[]>(socket, 'chat:history', { appealId: appeal.id });
    expect(messages.map((m) => [m.text, m.authorId])).toEqual([['Второй день не приходит SMS с кодом при входе, номер указан верно.', citizen.user.id]]);
    // Among the citizen's conversations: «Мои обращения» and the support list.
    expect((await citizen.get('/api/appeals/mine?limit=100')).body.items.map((a: { id: string }) => a.id)).toContain(appeal.id);
    const mine = (await citizen.get('/api/support/conversations')).body;
    expect(mine.items.map((a: { id: string }) => a.id)).toContain(appeal.id);
    expect(mine.items.every((a: { kind: string }) => a.kind === 'support')).toBe(true);
  });

  it('refuses bad input with VALIDATION_FAILED naming the fields in Russian, and stores nothing', async () => {
    const before: number = (await citizen.get('/api/support/conversations?limit=100')).body.total;
    const res = await citizen.post('/api/support/conversations', { topic: 'a', message: 'коротко' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.fields).toMatchObject({ topic: 'тема — не короче 3 символов', message: 'опишите вопрос (не короче 10 символов)' });
    expect((await citizen.post('/api/support/conversations', { topic: 'Тема вопроса', message: 'Достаточно длинный текст', extra: 1 })).status).toBe(201);
    expect((await citizen.post('/api/support/conversations', 'строка')).status).toBe(400);
    expect((await citizen.get('/api/support/conversations?limit=100')).body.total).toBe(before + 1);
  });

  it('is for a signed-in citizen: a visitor gets UNAUTHENTICATED, staff FORBIDDEN', async () => {
    const visitor = new TestClient(server.url);
    await visitor.get('/api/me');
    const anon = await visitor.post('/api/support/conversations', { topic: 'Вопрос о входе', message: 'Не могу войти в кабинет' });
    expect(anon.status).toBe(401);
    const staff = await support.post('/api/support/conversations', { topic: 'Вопрос о входе', message: 'Не могу войти в кабинет' });
    expect(staff.status).toBe(403);
    expect(staff.body.error.message).toBe('Написать в поддержку может заявитель');
  });
});

describe('the support queue and its room', () => {
  it('support staff see it in their queue (live), chat both ways live, and attach files that appear in the room', async () => {
    const staffSocket = await connect(server.url, support);
    const hints = collect<ListChanged>(staffSocket, 'list:changed');
    expect(await ok(staffSocket, 'lists:watch', {})).toBeNull();
    const appeal = (await open('Ошибка при загрузке файла', 'Файл PDF 2 МБ не загружается, пишет «ошибка сети».')).body.appeal;
    await until(() => hints.some((h) => h.appealId === appeal.id && h.reason === 'created'), 5000, 'the queue hears of the new conversation');

    const queue = (await support.get('/api/support/queue')).body;
    expect(queue.items.map((a: { id: string }) => a.id)).toContain(appeal.id);
    expect(queue.items.every((a: { kind: string }) => a.kind === 'support')).toBe(true);
    const row = queue.items.find((a: { id: string }) => a.id === appeal.id);
    expect(row).toMatchObject({ roomRole: 'officer', unread: 1, actions: ['take'] });
    expect((await supportSupervisor.get('/api/support/queue')).body.items.map((a: { id: string }) => a.id)).toContain(appeal.id);

    expect((await support.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).body.appeal).toMatchObject({
      status: 'in_progress',
      assigneeId: support.user.id,
      clocks: null,
      deadlineAt: null,
    });

    const citizenSocket = await connect(server.url, citizen);
    await ok<RoomJoined>(citizenSocket, 'room:join', { appealId: appeal.id });
    const staffRoom = await ok<RoomJoined>(staffSocket, 'room:join', { appealId: appeal.id });
    expect(staffRoom.isStaff).toBe(true);
    const atCitizen = collect<ChatMessage>(citizenSocket, 'chat:message');
    const atStaff = collect<ChatMessage>(staffSocket, 'chat:message');
    const answer = await ok<ChatMessage>(staffSocket, 'chat:send', {
      appealId: appeal.id,
      clientId: clientId(),
      text: 'Пришлите, пожалуйста, снимок экрана.',
      internal: false,
    });
    await until(() => atCitizen.some((m) => m.seq === answer.seq), 5000, 'the citizen hears support');
    expect(atCitizen.find((m) => m.seq === answer.seq)).toMatchObject({ text: 'Пришлите, пожалуйста, снимок экрана.', authorId: support.user.id });
    const reply = await ok<ChatMessage>(citizenSocket, 'chat:send', {
      appealId: appeal.id,
      clientId: clientId(),
      text: 'Прикладываю снимок.',
      internal: false,
    });
    await until(() => atStaff.some((m) => m.seq === reply.seq), 5000, 'support hears the citizen');
    expect(reply.seq).toBe(answer.seq + 1);

    const files = collect<{ appealId: string; kind: string; attachment: AttachmentSummary }>(staffSocket, 'attachment:changed');
    const upload = await citizen.request('POST', `/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'снимок.png', bytes: pngBytes() }]));
    expect(upload.status).toBe(201);
    await until(() => files.some((f) => f.appealId === appeal.id && f.kind === 'added'), 5000, 'support sees the file appear');
    const listed = (await support.get(`/api/appeals/${appeal.id}/attachments`)).body.items as AttachmentSummary[];
    expect(listed).toHaveLength(1);
    const download = await support.get(`/api/appeals/${appeal.id}/attachments/${listed[0]!.id}/download`);
    expect(download.status).toBe(200);

    // Support answers and closes it: the citizen confirms; no law clock ever ran.
    const proposed = await support.post(`/api/appeals/${appeal.id}/transitions`, {
      action: 'propose_resolution',
      comment: 'Исправили ошибку загрузки, попробуйте снова.',
    });
    expect(proposed.body.appeal.status).toBe('awaiting_confirmation');
    const done = await citizen.post(`/api/appeals/${appeal.id}/transitions`, { action: 'confirm' });
    expect(done.body.appeal).toMatchObject({ status: 'completed', clocks: null, deadlineAt: null });
    expect((await server.store.appeals.get(appeal.id))?.clocks).toBeNull();
  });

  it('no one else may know it exists: another department, an expert, the admin get NOT_FOUND; the queue is refused to them', async () => {
    const appeal = (await open('Вопрос о личном кабинете', 'Не отображаются мои обращения в личном кабинете.')).body.appeal;
    for (const outsider of [otherOperator, expert, admin]) {
      expect((await outsider.get(`/api/appeals/${appeal.id}`)).status).toBe(404);
      expect((await outsider.get(`/api/appeals/${appeal.id}/attachments`)).status).toBe(404);
      const socket = await connect(server.url, outsider);
      const joined = await request(socket, 'room:join', { appealId: appeal.id });
      expect(joined.ok).toBe(false);
      if (!joined.ok) expect(joined.error.code).toBe('NOT_FOUND');
      const queue = await outsider.get('/api/support/queue');
      expect(queue.status).toBe(403);
    }
    expect((await citizen.get('/api/support/queue')).status).toBe(403);
    expect((await otherOperator.get('/api/queue?limit=100')).body.items.map((a: { id: string }) => a.id)).not.toContain(appeal.id);
    expect((await support.get('/api/support/conversations')).status).toBe(403);
    // Nor by the public lookup, which takes appeals' numbers only (and it has no access code).
    const visitor = new TestClient(server.url);
    await visitor.get('/api/me');
    const lookup = await visitor.post('/api/public/status', { number: appeal.number, accessCode: 'ABCDEFGH' });
    expect(lookup.status).toBe(400);
    expect(lookup.body.error.fields).toMatchObject({ number: 'номер вида 77-2026-000123' });
  });

  it('the law does not apply: no clocks, no extension or redirect, no rejection or repeat', async () => {
    const appeal = (await open('Как сменить телефон', 'Подскажите, как сменить номер телефона в профиле.')).body.appeal;
    const extend = await supportSupervisor.post(`/api/appeals/${appeal.id}/extensions`, { days: 5, reason: 'Нужна проверка' });
    expect(extend.status).toBe(409);
    const deps = (await citizen.get('/api/departments')).body.items as { id: string; code: string }[];
    const housing = deps.find((d) => d.code === 'housing')!;
    const redirect = await support.post(`/api/appeals/${appeal.id}/redirect`, { departmentId: housing.id, reason: 'Не по адресу' });
    expect(redirect.status).toBe(409);
    const taken = await support.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    expect(taken.body.appeal.actions).not.toContain('reject');
    // While it is open no clock job is armed for it, while an appeal filed beside it has its answer clock's.
    const control = (await fileAppeal(citizen)).appeal as { id: string };
    await expect.poll(async () => (await server.store.jobs.get(`clock:${control.id}:answer:missed`))?.kind ?? null, { timeout: 5000 }).not.toBeNull();
    for (const clock of ['registration', 'answer']) {
      for (const job of ['missed', 'remind-5', 'remind-1']) expect(await server.store.jobs.get(`clock:${appeal.id}:${clock}:${job}`)).toBeNull();
    }
    const reject = await support.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Не по теме' });
    expect(reject.status).toBe(409);
    expect(reject.body.error).toMatchObject({ code: 'INVALID_TRANSITION', message: 'Обращение в поддержку не отклоняют: на вопрос дают ответ' });
    await support.post(`/api/appeals/${appeal.id}/transitions`, { action: 'propose_resolution', comment: 'Профиль → Телефон → Изменить.' });
    await citizen.post(`/api/appeals/${appeal.id}/transitions`, { action: 'confirm' });
    const links = (await citizen.get(`/api/appeals/${appeal.id}/links`)).body;
    expect(links.canRepeat).toBe(false);
    const repeat = await citizen.post(`/api/appeals/${appeal.id}/repeat`, { text: 'Не помогло, номер не меняется' });
    expect(repeat.status).toBe(409);
    // Nothing for the clocks' jobs to do: no deadline was ever set.
    const stored = await server.store.appeals.get(appeal.id);
    expect(stored).toMatchObject({ clocks: null, deadlineAt: null, status: 'completed' });
    const overdue = await server.store.appeals.list({ kind: 'support', overdueAt: Date.now() + 400 * 24 * 3600_000, sort: 'created', limit: 100, offset: 0 });
    expect(overdue.total).toBe(0);
  });
});
