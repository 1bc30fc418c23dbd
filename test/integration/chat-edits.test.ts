/**
 * Chat edits and withdrawals (PRODUCT.md §11) on the real server (SQLite,
 * port 0, the server's ManualClock): the author edits or withdraws within 24
 * hours; everyone sees the new state live, the citizen without the earlier
 * texts, staff with them; the refusals; recovery by socket.io and by seq.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, MissedSince, RoomJoined } from '../../shared/protocol/events.js';
import { ManualClock } from '../../server/lib/clock.js';
import { clientId, closeAllSockets, collect, connect, next, ok, request, until, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
const HOUR = 3_600_000;
let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let appealId: string;
let operatorPrefix: string;

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

beforeAll(async () => {
  server = await startTestServer({ clock });
  citizen = await loginAs(server, 'citizen');
  const cats = await citizen.get('/api/categories');
  const deps = await citizen.get('/api/departments');
  const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
  const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
  operatorPrefix = prefixOf('operator', own.code);
  operator = await loginAs(server, operatorPrefix);
  appealId = (await fileAppeal(citizen)).appeal.id;
  expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
});

afterEach(() => {
  closeAllSockets();
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

async function joined(client: TestClient, since?: { chatSeq: number; historySeq: number }): Promise<{ socket: ClientSocket; room: RoomJoined }> {
  const socket = await connect(server.url, client);
  const room = await ok<RoomJoined>(socket, 'room:join', { appealId, ...(since ? { since } : {}) });
  return { socket, room };
}

const send = (socket: ClientSocket, text: string, internal = false): Promise<ChatMessage> =>
  ok<ChatMessage>(socket, 'chat:send', { appealId, clientId: clientId(), text, internal });

const history = (socket: ClientSocket): Promise<ChatMessage[]> =>
  ok<ChatMessage[]>(socket, 'chat:history', { appealId, beforeSeq: Number.MAX_SAFE_INTEGER, limit: 200 });

describe('editing and withdrawing one’s own message', () => {
  it('an edit reaches the room live as chat:edited: the citizen gets the new text only, staff the earlier text too; history shows the current text', async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const sent = await send(c.socket, 'Счётчик сломан 5 марта');
    const atOperator = next<ChatMessage>(o.socket, 'chat:edited');
    const editedAt = clock.now();
    const ack = await ok<ChatMessage>(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Счётчик сломан 4 марта' });
    expect(ack).toMatchObject({ editOf: sent.seq, text: 'Счётчик сломан 4 марта', editedAt, editSeq: ack.seq, authorId: citizen.user.id });
    expect(ack.seq).toBeGreaterThan(sent.seq);
    expect(ack.revisions).toBeUndefined();
    expect(JSON.stringify(ack)).not.toContain('5 марта');

    const live = await atOperator;
    expect(live).toMatchObject({
      seq: ack.seq,
      editOf: sent.seq,
      text: 'Счётчик сломан 4 марта',
      revisions: [{ text: 'Счётчик сломан 5 марта', at: sent.at }],
    });

    const mine = await history(c.socket);
    const shown = mine.find((m) => m.seq === sent.seq);
    expect(shown).toMatchObject({ text: 'Счётчик сломан 4 марта', editedAt, editSeq: ack.seq });
    expect(shown?.revisions).toBeUndefined();
    expect(JSON.stringify(mine)).not.toContain('5 марта');
    const staff = (await history(o.socket)).find((m) => m.seq === sent.seq);
    expect(staff?.revisions).toEqual([{ text: 'Счётчик сломан 5 марта', at: sent.at }]);
  });

  it('a withdrawal empties the text for everyone and keeps every earlier text for staff; the citizen’s socket never carries them', async () => {
    const o = await joined(operator);
    const c = await joined(citizen);
    const atCitizen = collect<ChatMessage>(c.socket, 'chat:edited');
    const sent = await send(o.socket, 'Ответ будет завтра');
    await ok(o.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Ответ будет в пятницу' });
    const withdrawn = await ok<ChatMessage>(o.socket, 'chat:withdraw', { appealId, seq: sent.seq, clientId: clientId() });
    expect(withdrawn).toMatchObject({ editOf: sent.seq, text: '', withdrawn: true });
    expect(withdrawn.revisions?.map((r) => r.text)).toEqual(['Ответ будет завтра', 'Ответ будет в пятницу']);

    await until(() => atCitizen.length === 2, 3000, 'both edits at the citizen');
    expect(atCitizen.map((m) => [m.editOf, m.text, m.withdrawn ?? false])).toEqual([
      [sent.seq, 'Ответ будет в пятницу', false],
      [sent.seq, '', true],
    ]);
    expect(JSON.stringify(atCitizen)).not.toContain('завтра');
    const mine = (await history(c.socket)).filter((m) => m.seq === sent.seq || m.editOf === sent.seq);
    expect(mine.map((m) => [m.seq, m.text, m.withdrawn])).toEqual([
      [sent.seq, '', true],
      [sent.seq + 1, '', true],
      [sent.seq + 2, '', true],
    ]);
    expect(JSON.stringify(mine)).not.toMatch(/завтра|пятницу/);
  });

  it('an edit of an internal note goes to the staff room only', async () => {
    const o = await joined(operator);
    const c = await joined(citizen);
    const atCitizen = collect<ChatMessage>(c.socket, 'chat:edited');
    const note = await send(o.socket, 'Проверить договор', true);
    await ok(o.socket, 'chat:edit', { appealId, seq: note.seq, clientId: clientId(), text: 'Проверить договор и акт' });
    const marker = next<ChatMessage>(c.socket, 'chat:message', (m) => m.text === 'Маркер');
    await send(o.socket, 'Маркер');
    await marker;
    expect(atCitizen).toEqual([]);
    expect(JSON.stringify(await history(c.socket))).not.toContain('договор');
  });

  it('a resend with the same client id returns the same entry and broadcasts nothing', async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const atOperator = collect<ChatMessage>(o.socket, 'chat:edited');
    const sent = await send(c.socket, 'Первый текст');
    const id = clientId();
    const first = await ok<ChatMessage>(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: id, text: 'Второй текст' });
    const again = await ok<ChatMessage>(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: id, text: 'Второй текст' });
    expect(again).toEqual(first);
    const marker = next<ChatMessage>(o.socket, 'chat:message', (m) => m.text === 'Маркер повтора');
    await send(c.socket, 'Маркер повтора');
    await marker;
    expect(atOperator.map((m) => m.seq)).toEqual([first.seq]);
  });
});

describe('refusals', () => {
  it('refuses an edit or a withdrawal of someone else’s message with FORBIDDEN and a message', async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const sent = await send(o.socket, 'Сообщение сотрудника');
    const edit = await request(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Подмена' });
    expect(edit).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'Изменить или отозвать можно только своё сообщение' } });
    const withdraw = await request(c.socket, 'chat:withdraw', { appealId, seq: sent.seq, clientId: clientId() });
    expect(withdraw).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await history(o.socket)).find((m) => m.seq === sent.seq)).not.toHaveProperty('editedAt');
  });

  it('refuses a note the citizen may not see, an edit entry, a withdrawn message and a bad payload', async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const note = await send(o.socket, 'Служебное', true);
    expect(await request(c.socket, 'chat:edit', { appealId, seq: note.seq, clientId: clientId(), text: 'x' })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'Сообщение не найдено' },
    });
    const sent = await send(c.socket, 'Исходный');
    const entry = await ok<ChatMessage>(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Исправленный' });
    expect(await request(c.socket, 'chat:edit', { appealId, seq: entry.seq, clientId: clientId(), text: 'y' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    await ok(c.socket, 'chat:withdraw', { appealId, seq: sent.seq, clientId: clientId() });
    expect(await request(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Снова' })).toEqual({
      ok: false,
      error: { code: 'CONFLICT', message: 'Сообщение уже отозвано' },
    });
    expect(await request(c.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: '   ' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', fields: { text: expect.any(String) } },
    });
  });

  it('refuses an edit and a withdrawal more than 24 hours after sending; within 24 hours both are allowed', async () => {
    const c = await joined(citizen);
    const early = await send(c.socket, 'Отправлено утром');
    const late = await send(c.socket, 'Отправлено следом');
    clock.advance(24 * HOUR - 1);
    citizen = await loginAs(server, 'citizen');
    const again = await joined(citizen);
    await ok(again.socket, 'chat:edit', { appealId, seq: early.seq, clientId: clientId(), text: 'Отправлено утром (уточнено)' });
    clock.advance(2);
    // Sessions lapse after 12 hours without a request: a new login for each side.
    citizen = await loginAs(server, 'citizen');
    operator = await loginAs(server, operatorPrefix);
    const later = await joined(citizen);
    const message = 'Сообщение можно изменить или отозвать только в течение 24 часов после отправки';
    expect(await request(later.socket, 'chat:edit', { appealId, seq: late.seq, clientId: clientId(), text: 'Поздно' })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message },
    });
    expect(await request(later.socket, 'chat:withdraw', { appealId, seq: late.seq, clientId: clientId() })).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message },
    });
  });
});

describe('recovery', () => {
  it('a citizen away while a message is edited and withdrawn gets both entries in order, replayed after a dropped transport and by seq on a new connection', async () => {
    const o = await joined(operator);
    const sent = await send(o.socket, 'Предварительный ответ');
    const c = await joined(citizen);
    const socket = c.socket;
    const edited: ChatMessage[] = [];
    socket.on('chat:edited', (m) => edited.push(m));
    const dropped = new Promise<void>((r) =>
      socket.once('disconnect', () => {
        r();
      }),
    );
    socket.io.engine.close();
    await dropped;

    const edit = await ok<ChatMessage>(o.socket, 'chat:edit', { appealId, seq: sent.seq, clientId: clientId(), text: 'Уточнённый ответ' });
    const withdraw = await ok<ChatMessage>(o.socket, 'chat:withdraw', { appealId, seq: sent.seq, clientId: clientId() });

    const reconnected = new Promise<void>((r) =>
      socket.once('connect', () => {
        r();
      }),
    );
    socket.connect();
    await reconnected;
    expect(socket.recovered).toBe(true);
    await until(() => edited.length >= 2, 3000, 'replayed edits');
    expect(edited.map((m) => [m.seq, m.text, m.withdrawn ?? false])).toEqual([
      [edit.seq, 'Уточнённый ответ', false],
      [withdraw.seq, '', true],
    ]);

    // A new connection catches up by seq: both entries, in order, with the message's current state.
    const fresh = await joined(citizen, { chatSeq: sent.seq, historySeq: 0 });
    expect(fresh.room.messages.map((m) => [m.seq, m.editOf, m.text, m.withdrawn])).toEqual([
      [edit.seq, sent.seq, '', true],
      [withdraw.seq, sent.seq, '', true],
    ]);
    const sync = await ok<MissedSince>(fresh.socket, 'room:sync', { appealId, afterChatSeq: sent.seq, afterHistorySeq: 0 });
    expect(sync.messages.map((m) => m.seq)).toEqual([edit.seq, withdraw.seq]);
    expect(JSON.stringify(sync.messages)).not.toContain('ответ');
  });
});
