/**
 * The socket.io gateway end to end: the real server on 127.0.0.1 port 0 with
 * SQLite in a temp DATA_DIR, demo accounts logged in over REST, and real
 * socket.io-client connections over WebSocket carrying the cookie and Origin.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, HistoryEntry, MissedSince, RoomJoined, WallRoom } from '../../shared/protocol/events.js';
import { clientId, closeAllSockets, collect, connect, next, ok, request, socketFor, until, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let expert: TestClient;
let supervisor: TestClient;
let stranger: TestClient;
let admin: TestClient;
let appealId: string;

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  const cats = await citizen.get('/api/categories');
  const deps = await citizen.get('/api/departments');
  const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
  const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
  const other = deps.body.items.find((d: { id: string }) => d.id !== category.departmentId);
  operator = await loginAs(server, prefixOf('operator', own.code));
  supervisor = await loginAs(server, prefixOf('supervisor', own.code));
  stranger = await loginAs(server, prefixOf('operator', other.code));
  expert = await loginAs(server, 'expert');
  admin = await loginAs(server, 'admin');
  appealId = (await fileAppeal(citizen)).appeal.id;
  expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
  expect((await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
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

/** Sends and, when rate limited, retries with the same client id (the client's protocol). */
async function send(socket: ClientSocket, text: string, internal = false, id = clientId()): Promise<ChatMessage> {
  for (;;) {
    const ack = await request<ChatMessage>(socket, 'chat:send', { appealId, clientId: id, text, internal });
    if (ack.ok) return ack.data;
    if (ack.error.code !== 'RATE_LIMITED') throw new Error(`chat:send: ${ack.error.code}`);
    await new Promise((r) => setTimeout(r, 120));
  }
}

const lastHistorySeq = async (): Promise<number> => {
  const res = await citizen.get(`/api/appeals/${appealId}/history`);
  return (res.body.items as HistoryEntry[]).at(-1)?.seq ?? 0;
};

describe('chat', () => {
  it('citizen, operator and expert chat with server-assigned seq in order; a resend returns the first ack and broadcasts nothing', async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const e = await joined(expert);
    expect(c.room.isStaff).toBe(false);
    expect(o.room.isStaff).toBe(true);
    expect(e.room.canWrite).toBe(true);
    expect(e.room.presence.map((p) => p.userId)).toEqual(expect.arrayContaining([citizen.user.id, operator.user.id, expert.user.id]));

    const atOperator = collect<ChatMessage>(o.socket, 'chat:message');
    const atExpert = collect<ChatMessage>(e.socket, 'chat:message');
    const atCitizen = collect<ChatMessage>(c.socket, 'chat:message');

    const id = clientId();
    const first = await send(c.socket, 'Здравствуйте, кнопка всё ещё не работает', false, id);
    const second = await send(o.socket, 'Проверяем, спасибо');
    const third = await send(e.socket, 'Похоже на ошибку в платёжном шлюзе');
    expect([second.seq, third.seq]).toEqual([first.seq + 1, first.seq + 2]);
    expect(first.authorName).toBe(citizen.user.fullName);
    expect(first.authorRole).toBe('citizen');

    const again = await send(c.socket, 'другой текст, тот же id', false, id);
    expect(again).toEqual(first);

    await until(() => atExpert.length >= 2 && atOperator.length >= 2 && atCitizen.length >= 2, 3000, 'broadcasts');
    await new Promise((r) => setTimeout(r, 200));
    // Each socket hears the others' messages once each, in seq order; nobody hears the resend.
    expect(atOperator.map((m) => m.seq)).toEqual([first.seq, third.seq]);
    expect(atExpert.map((m) => m.seq)).toEqual([first.seq, second.seq]);
    expect(atCitizen.map((m) => m.seq)).toEqual([second.seq, third.seq]);

    const page = await ok<ChatMessage[]>(c.socket, 'chat:history', { appealId, afterSeq: first.seq - 1 });
    expect(page.map((m) => m.seq)).toEqual([first.seq, second.seq, third.seq]);

    await ok(o.socket, 'chat:read', { appealId, seq: third.seq });
    const marks = (await ok<RoomJoined>(c.socket, 'room:join', { appealId })).readMarks;
    expect(marks[operator.user.id]).toBe(third.seq);
  });

  it('acknowledges a message once committed, not after the disk sync: it is readable the moment the ack arrives', async () => {
    const c = await joined(citizen);
    const append = vi.spyOn(server.store.chat, 'append');
    try {
      const sent = await send(c.socket, 'Сохранено до подтверждения?');
      expect(append).toHaveBeenCalledWith(expect.objectContaining({ clientId: sent.clientId }), { durability: 'process' });
      const stored = await server.store.chat.list(appealId, { afterSeq: sent.seq - 1, limit: 1, includeInternal: false });
      expect(stored.map((m) => [m.seq, m.text])).toEqual([[sent.seq, 'Сохранено до подтверждения?']]);
    } finally {
      append.mockRestore();
    }
  });

  it("a citizen's socket never receives an internal note, while staff sockets in the same room do", async () => {
    const c = await joined(citizen);
    const o = await joined(operator);
    const e = await joined(expert);
    const s = await joined(supervisor);
    const atCitizen = collect<ChatMessage>(c.socket, 'chat:message');
    const atExpert = collect<ChatMessage>(e.socket, 'chat:message');
    const atSupervisor = collect<ChatMessage>(s.socket, 'chat:message');

    const note = await send(o.socket, 'Служебно: заявитель уже обращался', true);
    expect(note.internal).toBe(true);
    // A public message after the note: once the citizen has it, the note would have come before.
    const publicMsg = await send(o.socket, 'Мы работаем над вашим обращением');
    await until(() => atCitizen.some((m) => m.seq === publicMsg.seq), 3000, 'public message at citizen');
    await until(() => atExpert.some((m) => m.seq === publicMsg.seq) && atSupervisor.some((m) => m.seq === publicMsg.seq), 3000, 'staff');

    expect(atCitizen.some((m) => m.internal || m.seq === note.seq)).toBe(false);
    expect(atExpert.map((m) => m.seq)).toContain(note.seq);
    expect(atSupervisor.map((m) => m.seq)).toContain(note.seq);

    // Neither history, sync nor join-since hands it to the citizen; nor may the citizen write one.
    const history = await ok<ChatMessage[]>(c.socket, 'chat:history', { appealId, limit: 200 });
    expect(history.some((m) => m.internal)).toBe(false);
    const sync = await ok<MissedSince>(c.socket, 'room:sync', { appealId, afterChatSeq: 0, afterHistorySeq: 0 });
    expect(sync.messages.some((m) => m.internal)).toBe(false);
    expect((await ok<MissedSince>(e.socket, 'room:sync', { appealId, afterChatSeq: note.seq - 1, afterHistorySeq: 0 })).messages[0]?.seq).toBe(note.seq);
    const refused = await request(c.socket, 'chat:send', { appealId, clientId: clientId(), text: 'я тоже хочу', internal: true });
    expect(refused).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('limits chat:send per connection with RATE_LIMITED', async () => {
    const { socket } = await joined(expert);
    const acks = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(socket, 'chat:send', { appealId, clientId: clientId(), text: `сообщение ${i}` })),
    );
    const limited = acks.filter((a) => !a.ok && a.error.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(20);
  });
});

describe('authorisation of every message', () => {
  it('once the appeal is completed, chat:send is refused at once on sockets that were just sending', async () => {
    const id = (await fileAppeal(citizen)).appeal.id;
    expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
    const c = await connect(server.url, citizen);
    const o = await connect(server.url, operator);
    await ok(c, 'room:join', { appealId: id });
    await ok(o, 'room:join', { appealId: id });
    const say = (s: ClientSocket, text: string): ReturnType<typeof request<ChatMessage>> =>
      request<ChatMessage>(s, 'chat:send', { appealId: id, clientId: clientId(), text, internal: false });
    // Both have sent (and so hold a remembered grant) before the status changes.
    expect(await say(c, 'Есть новости?')).toMatchObject({ ok: true });
    expect(await say(o, 'Решение готово')).toMatchObject({ ok: true });
    expect((await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: 'Исправлено' })).status).toBe(200);
    expect(await say(c, 'Ещё в работе')).toMatchObject({ ok: true });
    expect((await citizen.post(`/api/appeals/${id}/transitions`, { action: 'confirm' })).status).toBe(200);
    // The very next send, without waiting for any push: refused, nothing stored.
    expect(await say(c, 'После закрытия')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await say(o, 'После закрытия')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const history = await ok<ChatMessage[]>(c, 'chat:history', { appealId: id, afterSeq: 0, limit: 50 });
    expect(history.map((m) => m.text)).toEqual(['Есть новости?', 'Решение готово', 'Ещё в работе']);
  });
});

describe('who may connect and join', () => {
  it('refuses a socket without a session, with a foreign Origin, or without an Origin', async () => {
    await expect(connect(server.url, null)).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    await expect(connect(server.url, citizen, { origin: 'https://evil.example' })).rejects.toThrow();
    await expect(connect(server.url, citizen, { cookie: 'cr_session=' + 'x'.repeat(43) })).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
    const noOrigin = socketFor(server.url, citizen, { origin: '' });
    await expect(
      new Promise<void>((resolve, reject) => {
        noOrigin.once('connect', () => {
          resolve();
        });
        noOrigin.once('connect_error', reject);
      }),
    ).rejects.toThrow();
  });

  it('refuses room:join and chat to a user of another department and to an unrelated user, as not found', async () => {
    for (const client of [stranger, admin]) {
      const socket = await connect(server.url, client);
      expect(await request(socket, 'room:join', { appealId })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await request(socket, 'chat:send', { appealId, clientId: clientId(), text: 'привет' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(await request(socket, 'room:sync', { appealId, afterChatSeq: 0, afterHistorySeq: 0 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(socket.connected).toBe(true);
    }
  });

  it('a supervisor who has not taken the appeal observes: joins, reads internal notes, may not write', async () => {
    const { socket, room } = await joined(supervisor);
    expect(room).toMatchObject({ canWrite: false, isStaff: true });
    expect(await request(socket, 'chat:send', { appealId, clientId: clientId(), text: 'наблюдаю' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('status pushes', () => {
  it('a status change over REST arrives once as status:changed on every socket of the room', async () => {
    const sockets = await Promise.all([citizen, operator, expert, supervisor].map(async (c) => (await joined(c)).socket));
    const seen = sockets.map((s) => collect<{ appealId: string; status: string; entry: HistoryEntry }>(s, 'status:changed'));
    const res = await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Пришлите снимок экрана' });
    expect(res.status).toBe(200);
    await until(() => seen.every((list) => list.length === 1), 3000, 'status:changed everywhere');
    await new Promise((r) => setTimeout(r, 150));
    for (const list of seen) {
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({
        appealId,
        status: 'info_requested',
        entry: { action: 'request_info', actorName: operator.user.fullName, to: 'info_requested' },
      });
    }
    // And back over the socket: the same service, the same push.
    const [citizenSocket] = sockets;
    const back = next<{ status: string }>(sockets[1]!, 'status:changed');
    const ack = await ok<{ status: string }>(citizenSocket!, 'status:change', { appealId, action: 'provide_info', comment: 'Снимок приложен' });
    expect(ack.status).toBe('in_progress');
    expect((await back).status).toBe('in_progress');
    expect(await request(citizenSocket!, 'status:change', { appealId, action: 'take' })).toMatchObject({ ok: false });
  });
});

describe('recovery', () => {
  it('a client away while 50 messages and 2 status changes happen gets all of them after rejoining with since, in order, once', async () => {
    const away = await joined(citizen);
    const lastSeq = (await ok<ChatMessage[]>(away.socket, 'chat:history', { appealId, limit: 1, beforeSeq: Number.MAX_SAFE_INTEGER })).at(-1)?.seq ?? 0;
    const historySeq = await lastHistorySeq();
    away.socket.disconnect();

    const o = await joined(operator);
    const sent: number[] = [];
    for (let i = 0; i < 50; i++) {
      sent.push((await send(o.socket, `Сообщение ${i + 1}`)).seq);
      if (i === 20)
        expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Уточните дату' })).status).toBe(200);
      if (i === 40) expect((await citizen.post(`/api/appeals/${appealId}/transitions`, { action: 'provide_info', comment: 'Вчера' })).status).toBe(200);
    }

    const back = await joined(citizen, { chatSeq: lastSeq, historySeq });
    expect(back.room.messages.map((m) => m.seq)).toEqual(sent);
    expect(back.room.messages.map((m) => m.text)).toEqual(sent.map((_, i) => `Сообщение ${i + 1}`));
    expect(back.room.history.map((h) => h.action)).toEqual(['request_info', 'provide_info']);
    expect(back.room.history.map((h) => h.seq)).toEqual([historySeq + 1, historySeq + 2]);
    expect(back.room.status).toBe('in_progress');
    // room:sync gives the same "after" data.
    const sync = await ok<MissedSince>(back.socket, 'room:sync', { appealId, afterChatSeq: lastSeq, afterHistorySeq: historySeq });
    expect(sync.messages.map((m) => m.seq)).toEqual(sent);
    expect(sync.history.map((h) => h.seq)).toEqual([historySeq + 1, historySeq + 2]);
  });

  it('after a dropped transport, connection state recovery replays what was missed and room:sync fills any gap; merged by seq there are no duplicates', async () => {
    const c = await joined(citizen);
    const socket = c.socket;
    const log = new Map<number, ChatMessage>();
    const statuses: HistoryEntry[] = [];
    let events = 0;
    socket.on('chat:message', (m) => {
      events++;
      if (!log.has(m.seq)) log.set(m.seq, m);
    });
    socket.on('status:changed', (p) => {
      if (!statuses.some((h) => h.seq === p.entry.seq)) statuses.push(p.entry);
    });
    const lastSeq = (await ok<ChatMessage[]>(socket, 'chat:history', { appealId, limit: 1, beforeSeq: Number.MAX_SAFE_INTEGER })).at(-1)?.seq ?? 0;
    const historySeq = await lastHistorySeq();

    const dropped = new Promise<void>((r) =>
      socket.once('disconnect', () => {
        r();
      }),
    );
    socket.io.engine.close();
    await dropped;

    const o = await joined(operator);
    const sent: number[] = [];
    for (let i = 0; i < 50; i++) {
      sent.push((await send(o.socket, `Пока вас не было ${i + 1}`)).seq);
      if (i === 10) await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Нужен номер договора' });
      if (i === 30) await citizen.post(`/api/appeals/${appealId}/transitions`, { action: 'provide_info', comment: 'Договор 42' });
    }

    const reconnected = new Promise<void>((r) =>
      socket.once('connect', () => {
        r();
      }),
    );
    socket.connect();
    await reconnected;
    expect(socket.recovered).toBe(true);
    await until(() => events >= 50 && statuses.length >= 2, 3000, 'replayed packets');
    const sync = await ok<MissedSince>(socket, 'room:sync', { appealId, afterChatSeq: lastSeq, afterHistorySeq: historySeq });
    for (const m of sync.messages) if (!log.has(m.seq)) log.set(m.seq, m);
    for (const h of sync.history) if (!statuses.some((x) => x.seq === h.seq)) statuses.push(h);

    expect(events).toBe(50);
    expect([...log.keys()].sort((a, b) => a - b)).toEqual(sent);
    expect(sync.messages.map((m) => m.seq)).toEqual(sent);
    expect(statuses.map((h) => h.action)).toEqual(['request_info', 'provide_info']);
  });
});

describe('malformed input', () => {
  it('answers invalid payloads with VALIDATION_FAILED and stays up', async () => {
    const { socket } = await joined(operator);
    const longText = 'я'.repeat(4001);
    const bad: [string, unknown][] = [
      ['chat:send', 'not an object'],
      ['chat:send', 42],
      ['chat:send', null],
      ['chat:send', []],
      ['chat:send', {}],
      ['chat:send', { appealId: 123, clientId: clientId(), text: 'x' }],
      ['chat:send', { appealId, clientId: 'short', text: 'x' }],
      ['chat:send', { appealId, clientId: clientId() }],
      ['chat:send', { appealId, clientId: clientId(), text: longText }],
      ['chat:send', { appealId, clientId: clientId(), text: '   ' }],
      ['chat:send', { appealId, clientId: clientId(), text: 'x', internal: 'yes' }],
      ['room:join', { appealId: '../../etc/passwd' }],
      ['room:join', { appealId, since: { chatSeq: -1, historySeq: 0 } }],
      ['chat:history', { appealId, limit: 'all' }],
      ['chat:read', { appealId, seq: 1.5 }],
      ['status:change', { appealId, action: 'teleport' }],
      ['wall:watch', { extra: true }],
    ];
    for (const [event, payload] of bad) {
      const ack = await request(socket, event, payload);
      expect(ack, `${event} ${JSON.stringify(payload).slice(0, 60)}`).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    // No ack function, an unknown event, typing garbage: nothing breaks.
    (socket as unknown as { emit: (...a: unknown[]) => void }).emit('chat:send', { nonsense: true });
    (socket as unknown as { emit: (...a: unknown[]) => void }).emit('no:such', 1, 2, 3);
    (socket as unknown as { emit: (...a: unknown[]) => void }).emit('typing:set', 'x');
    expect((await ok<ChatMessage>(socket, 'chat:send', { appealId, clientId: clientId(), text: 'всё ещё работаю' })).seq).toBeGreaterThan(0);
  });

  it('answers every acknowledged event sent with an extra argument through its ack, once, with VALIDATION_FAILED', async () => {
    const { socket } = await joined(supervisor);
    const events: [string, unknown][] = [
      ['room:join', { appealId }],
      ['room:leave', { appealId }],
      ['room:sync', { appealId, afterChatSeq: 0, afterHistorySeq: 0 }],
      ['chat:send', { appealId, clientId: clientId(), text: 'лишний аргумент' }],
      ['chat:history', { appealId, limit: 10 }],
      ['chat:read', { appealId, seq: 1 }],
      ['status:change', { appealId, action: 'take' }],
      ['wall:watch', {}],
    ];
    const raw = socket as unknown as { emit: (...a: unknown[]) => void };
    for (const [event, payload] of events) {
      const calls: unknown[] = [];
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${event}: the ack was never called`));
        }, 3000);
        raw.emit(event, payload, 'extra', (a: unknown) => {
          calls.push(a);
          clearTimeout(timer);
          resolve();
        });
      });
      await answered;
      // One more round trip: a second call of the same ack would have arrived by now.
      await ok(socket, 'chat:history', { appealId, limit: 1 });
      expect(calls, event).toHaveLength(1);
      expect(calls[0], event).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    }
    const messages = await ok<ChatMessage[]>(socket, 'chat:history', { appealId, limit: 100 });
    expect(messages.some((m) => m.text === 'лишний аргумент')).toBe(false);
  });

  it('closes a connection that sends a frame over the size limit; others are unaffected', async () => {
    const { socket } = await joined(operator);
    const other = await joined(citizen);
    const closed = new Promise<string>((r) =>
      socket.once('disconnect', (reason) => {
        r(reason);
      }),
    );
    socket.emit('chat:send', { appealId, clientId: clientId(), text: 'я'.repeat(200_000), internal: false }, () => undefined);
    expect(await closed).toBe('transport close');
    expect((await ok<ChatMessage>(other.socket, 'chat:send', { appealId, clientId: clientId(), text: 'я на месте' })).seq).toBeGreaterThan(0);
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
  });
});

describe('sessions and the wall', () => {
  it('logging out disconnects the session’s sockets within a second, and the cookie no longer connects', async () => {
    const again = await loginAs(server, 'citizen');
    const { socket } = await joined(again);
    const disconnected = new Promise<number>((r) =>
      socket.once('disconnect', () => {
        r(Date.now());
      }),
    );
    const t0 = Date.now();
    const cookie = again.cookie;
    expect((await again.post('/api/auth/logout')).status).toBeLessThan(300);
    expect((await disconnected) - t0).toBeLessThan(1000);
    await expect(connect(server.url, null, { cookie })).rejects.toMatchObject({ data: { code: 'UNAUTHENTICATED' } });
  });

  it('a supervisor watching the wall gets a wall:room update when a citizen writes', async () => {
    const s = await connect(server.url, supervisor);
    const wall = await ok<WallRoom[]>(s, 'wall:watch', {});
    expect(wall.map((r) => r.appealId)).toContain(appealId);
    const c = await joined(citizen);
    const o = await joined(operator);
    // A staff answer first, so the count starts from zero.
    const answered = next<WallRoom>(s, 'wall:room', (r) => r.appealId === appealId && r.unanswered === 0);
    await send(o.socket, 'Здравствуйте, чем помочь?');
    expect((await answered).waitingSince).toBeNull();

    const update = next<WallRoom>(s, 'wall:room', (r) => r.appealId === appealId && r.unanswered === 1);
    const msg = await send(c.socket, 'Когда будет ответ?');
    const row = await update;
    expect(row.waitingSince).toBe(msg.at);
    expect(row.lastActivityAt).toBeGreaterThanOrEqual(msg.at);
    expect(row.online.map((p) => p.userId)).toEqual(expect.arrayContaining([citizen.user.id, operator.user.id]));
    expect(row.status).toBe('in_progress');
    // Only supervisors watch walls.
    expect(await request(c.socket, 'wall:watch', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
