/**
 * Two instances behind one Redis behave as one (ARCHITECTURE.md, "Realtime
 * rules": REDIS_URL). A real `redis-server` on loopback; two real servers in
 * this process, each on its own port, over one SQLite store — as two processes
 * would share one MongoDB (SQLite allows one server per DATA_DIR, and no
 * MongoDB server runs here). Clients connect to either instance.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { AttachmentSummary, ChatMessage, PresencePerson, RoomJoined, WallRoom } from '../../shared/protocol/events.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { clientId, closeAllSockets, collect, connect, next, ok, socketFor, until, type ClientSocket } from '../helpers/realtime.js';
import { findRedisServer, startRedis, type RedisProcess } from '../helpers/redis.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skipUnlessPresent } from '../helpers/parts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

const redisBinary = findRedisServer();
skipUnlessPresent('redis-server', redisBinary ? null : 'redis-server is not installed');
if (!redisBinary) console.warn('multi-instance tests skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)');

let redis: RedisProcess;
let a: TestServer;
let b: TestServer;
/** What beforeAll started, stopped in reverse order (whatever got started before a failure). */
const stops: (() => Promise<void>)[] = [];
let appealId: string;
/** Logged in through instance A; their cookies work on B too (one store, one secret). */
let citizen: TestClient;
let operator: TestClient;

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

async function login(server: TestServer, prefix: string): Promise<TestClient> {
  const { login: name, password } = demoAccount(a, prefix);
  return new TestClient(server.url).login(name, password);
}

async function joined(server: TestServer, client: TestClient): Promise<ClientSocket> {
  const socket = await connect(server.url, client);
  await ok<RoomJoined>(socket, 'room:join', { appealId });
  return socket;
}

describe.skipIf(!redisBinary)('two instances with REDIS_URL', () => {
  beforeAll(async () => {
    redis = await startRedis(redisBinary ?? '');
    stops.push(() => redis.stop());
    a = await startTestServer({ env: { REDIS_URL: redis.url } });
    stops.push(() => a.stop());
    // Same DATA_DIR for the session secret; the store is A's, so no second lock is taken.
    b = await startTestServer({ dataDir: a.dataDir, env: { REDIS_URL: redis.url }, store: a.store, blobs: a.blobs });
    stops.push(() => b.stop({ keepData: true }));
    citizen = await login(a, 'citizen');
    const cats = await citizen.get('/api/categories');
    const deps = await citizen.get('/api/departments');
    const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
    const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
    operator = await login(a, prefixOf('operator', own.code));
    appealId = (await fileAppeal(citizen)).appeal.id;
    expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
  });

  afterEach(() => {
    closeAllSockets();
    closeAllYjs();
  });

  afterAll(async () => {
    closeAllSockets();
    closeAllYjs();
    for (const stop of stops.reverse()) await stop();
  });

  it('a chat message sent on one instance reaches the room on the other; an internal note reaches staff there and never a citizen', async () => {
    const onA = await joined(a, operator);
    const citizenOnB = await joined(b, citizen);
    const staffOnB = await joined(b, operator);
    const citizenGot = collect<ChatMessage>(citizenOnB, 'chat:message');
    const staffGot = collect<ChatMessage>(staffOnB, 'chat:message');

    const text = `Добрый день, ${clientId()}`;
    const sent = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text });
    const note = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: 'Служебно: проверить платёж', internal: true });
    // A public message after the note: once it is in, the note would have been too.
    const after = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: 'Проверяем' });
    await until(() => citizenGot.some((m) => m.seq === after.seq) && staffGot.some((m) => m.seq === after.seq), 3000, 'messages on B');

    expect(citizenGot.map((m) => m.seq)).toEqual([sent.seq, after.seq]);
    expect(citizenGot[0]?.text).toBe(text);
    expect(staffGot.map((m) => m.seq)).toEqual([sent.seq, note.seq, after.seq]);
  });

  it('a status change made over REST on one instance is pushed once to the sockets of both', async () => {
    const onA = await joined(a, citizen);
    const onB = await joined(b, citizen);
    const seenA = collect<{ status: string }>(onA, 'status:changed');
    const seenB = collect<{ status: string }>(onB, 'status:changed');
    expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Уточните номер заказа' })).status).toBe(200);
    await until(() => seenA.length === 1 && seenB.length === 1, 3000, 'status:changed on both');
    // Nothing more comes: each instance told its own sockets, once.
    await new Promise((r) => setTimeout(r, 300));
    expect(seenA.map((s) => s.status)).toEqual(['info_requested']);
    expect(seenB.map((s) => s.status)).toEqual(['info_requested']);
    expect((await citizen.post(`/api/appeals/${appealId}/transitions`, { action: 'provide_info', comment: 'Заказ 42' })).status).toBe(200);
  });

  it('presence lists the people connected to either instance, and drops one who leaves', async () => {
    const onA = await joined(a, operator);
    const people = (p: { people: PresencePerson[] }): string[] => p.people.map((x) => x.userId).sort();
    const both = [citizen.user.id, operator.user.id].sort();
    const seenOnA = next<{ appealId: string; people: PresencePerson[] }>(onA, 'presence:changed', (p) => people(p).join() === both.join());
    const onB = await joined(b, citizen);
    await seenOnA;
    const gone = next<{ appealId: string; people: PresencePerson[] }>(onB, 'presence:changed', (p) => people(p).join() === citizen.user.id);
    onA.disconnect();
    await gone;
  });

  it('a supervisor watching the wall on one instance sees a citizen’s message sent on the other, and who is online on both', async () => {
    const deps = await citizen.get('/api/departments');
    const cats = await citizen.get('/api/categories');
    const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
    const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
    const supervisor = await login(b, prefixOf('supervisor', own.code));
    const watcher = await connect(b.url, supervisor);
    const wall = await ok<WallRoom[]>(watcher, 'wall:watch', {});
    expect(wall.map((r) => r.appealId)).toContain(appealId);

    const staff = await joined(a, operator);
    const answered = next<WallRoom>(watcher, 'wall:room', (r) => r.appealId === appealId && r.unanswered === 0);
    await ok<ChatMessage>(staff, 'chat:send', { appealId, clientId: clientId(), text: 'Здравствуйте, чем помочь?' });
    await answered;
    const onA = await joined(a, citizen);
    const waiting = next<WallRoom>(watcher, 'wall:room', (r) => r.appealId === appealId && r.unanswered === 1);
    const msg = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: 'Когда будет ответ?' });
    const line = await waiting;
    expect(line.waitingSince).toBe(msg.at);
    expect(line.online.map((p) => p.userId).sort()).toEqual([citizen.user.id, operator.user.id].sort());
  });

  it('an instance that shuts down takes its people out of the lists on the others at once', async () => {
    const c = await startTestServer({ dataDir: a.dataDir, env: { REDIS_URL: redis.url }, store: a.store, blobs: a.blobs });
    let stopped = false;
    try {
      const onA = await joined(a, operator);
      const arrived = next<{ people: PresencePerson[] }>(onA, 'presence:changed', (p) => p.people.some((x) => x.userId === citizen.user.id));
      await joined(c, citizen);
      await arrived;
      const left = next<{ people: PresencePerson[] }>(onA, 'presence:changed', (p) => !p.people.some((x) => x.userId === citizen.user.id), 2000);
      await c.stop({ keepData: true });
      stopped = true;
      await left;
    } finally {
      if (!stopped) await c.stop({ keepData: true });
    }
  });

  it('new versions of one file uploaded on both instances at once each get a number of their own, none lost', async () => {
    const up = await citizen.request('POST', `/api/appeals/${appealId}/attachments`, formWith([{ name: 'заявление.pdf', bytes: pdfBytes('первая') }]));
    expect(up.status).toBe(201);
    const id = (up.body.items as AttachmentSummary[])[0]!.id;
    const citizenOnB = Object.assign(new TestClient(b.url), { cookie: citizen.cookie, csrfToken: citizen.csrfToken, user: citizen.user });
    const replies = await Promise.all(
      [citizen, citizenOnB, citizen, citizenOnB].map((c, i) =>
        c.request('POST', `/api/appeals/${appealId}/attachments/${id}/versions`, formWith([{ name: `версия ${i}.pdf`, bytes: pdfBytes(`версия ${i}`) }])),
      ),
    );
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const list = await citizen.get<{ items: AttachmentSummary[] }>(`/api/appeals/${appealId}/attachments`);
    const file = list.body.items.find((x) => x.id === id);
    expect(file?.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(file?.versions.map((v) => v.fileName)).size).toBe(5);
  });

  it('logging out on one instance disconnects that session’s socket and Yjs connection on the other within a second', async () => {
    const again = await login(a, 'citizen');
    const socket = await joined(b, again);
    const yjs = await openYjs(b.url, again.cookie, appealId);
    const disconnected = new Promise<number>((r) =>
      socket.once('disconnect', () => {
        r(Date.now());
      }),
    );
    const yjsClosed = yjs.closed.then(() => Date.now());
    const t0 = Date.now();
    expect((await again.post('/api/auth/logout')).status).toBeLessThan(300);
    expect((await disconnected) - t0).toBeLessThan(1000);
    expect((await yjsClosed) - t0).toBeLessThan(1000);
  });

  it('edits made on two instances converge, are stored once, and a caret published on one is seen on the other', async () => {
    const onA = await openYjs(a.url, citizen.cookie, appealId);
    const onB = await openYjs(b.url, operator.cookie, appealId);
    const paragraph = (doc: Y.Doc): Y.XmlText => (doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
    for (let i = 0; i < 20; i++) {
      paragraph(onA.doc).insert(0, `a${i} `);
      paragraph(onB.doc).insert(paragraph(onB.doc).length, ` b${i}`);
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => onA.text() === onB.text() && onA.text().includes('a19') && onA.text().includes('b19'), 5000, 'both instances converge');

    onA.provider.awareness.setLocalStateField('cursor', { at: 3 });
    await waitFor(
      () => [...onB.provider.awareness.getStates().values()].some((s) => (s as { cursor?: { at: number } }).cursor?.at === 3),
      3000,
      'caret from A on B',
    );

    // Each update is stored by the instance it came in on, never again by the one it was relayed to.
    const rows = await a.store.yjs.load(appealId);
    const bytes = rows.map((r) => Buffer.from(r.update).toString('base64'));
    expect(rows.length).toBeGreaterThan(2);
    expect(new Set(bytes).size).toBe(bytes.length);

    // Both leave (both rooms unload and compact the shared log); a fresh client gets the same text.
    const text = onA.text();
    onA.destroy();
    onB.destroy();
    await waitFor(() => a.collab.description.loadedCount() === 0 && b.collab.description.loadedCount() === 0, 3000, 'rooms unloaded');
    const fresh = await openYjs(b.url, citizen.cookie, appealId);
    expect(fresh.text()).toBe(text);
  });

  it('a socket that drops its transport on one instance gets the messages sent on the other replayed on recovery', async () => {
    const socket = socketFor(b.url, citizen);
    await new Promise<void>((r) =>
      socket.once('connect', () => {
        r();
      }),
    );
    await ok<RoomJoined>(socket, 'room:join', { appealId });
    const got: number[] = [];
    socket.on('chat:message', (m) => {
      if (!got.includes(m.seq)) got.push(m.seq);
    });
    const dropped = new Promise<void>((r) =>
      socket.once('disconnect', () => {
        r();
      }),
    );
    socket.io.engine.close();
    await dropped;

    const onA = await joined(a, operator);
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) sent.push((await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: `Пока вас не было ${i}` })).seq);
    // B has had them relayed before the reconnect: a message sent after them on A reached a socket on B.
    const probe = await joined(b, operator);
    // Wait for the marker itself: a relay of the fifth message may still land on B after the probe joined.
    const markerId = clientId();
    const relayed = next<ChatMessage>(probe, 'chat:message', (m) => m.clientId === markerId);
    const marker = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: markerId, text: 'метка' });
    expect((await relayed).seq).toBe(marker.seq);

    const reconnected = new Promise<void>((r) =>
      socket.once('connect', () => {
        r();
      }),
    );
    socket.connect();
    await reconnected;
    expect(socket.recovered).toBe(true);
    await until(() => got.length >= 6, 3000, 'replayed packets');
    expect(got).toEqual([...sent, marker.seq]);
  });

  it('keeps serving while Redis is down, and relays again once it is back', async () => {
    const onA = await joined(a, operator);
    const onB = await joined(b, citizen);
    const port = redis.port;
    await redis.stop();
    // Down: each instance still answers and stores what it is sent.
    const during = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: 'Пока Redis недоступен' });
    expect(during.seq).toBeGreaterThan(0);
    expect((await fetch(`${b.url}/api/health`)).status).toBe(200);
    // Logging in still works: the limits count in memory meanwhile.
    expect((await login(b, 'admin')).user.role).toBe('admin');
    redis = await startRedis(redisBinary ?? '', port);
    // Back: both links reconnect and subscribe again by themselves; a message then crosses over.
    const got = collect<ChatMessage>(onB, 'chat:message');
    const deadline = Date.now() + 15_000;
    let crossed = false;
    while (!crossed && Date.now() < deadline) {
      const sent = await ok<ChatMessage>(onA, 'chat:send', { appealId, clientId: clientId(), text: 'Снова на связи' });
      await new Promise((r) => setTimeout(r, 200));
      crossed = got.some((m) => m.seq === sent.seq);
    }
    expect(crossed).toBe(true);
    // What was missed live is in the store: the catch-up by seq has it.
    const sync = await ok<{ messages: ChatMessage[] }>(onB, 'room:sync', { appealId, afterChatSeq: during.seq - 1, afterHistorySeq: 0 });
    expect(sync.messages.map((m) => m.seq)).toContain(during.seq);
  });

  it('the login failure budget is shared: failures on both instances lock the account on either', async () => {
    const { login: name } = demoAccount(a, 'expert');
    const attempt = (server: TestServer, password: string): Promise<number> =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url },
        body: JSON.stringify({ login: name, password }),
      }).then((r) => r.status);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await attempt(i % 2 === 0 ? a : b, 'неверный-пароль'));
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // Either instance alone has seen fewer than five: only a shared count locks now.
    expect(await attempt(b, demoAccount(a, 'expert').password)).toBe(429);
  });
});

describe('REDIS_URL that cannot be reached', () => {
  it('stops the start with a message naming the variable, within seconds', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-test-'));
    try {
      const t0 = Date.now();
      // Port 1 on loopback: nothing listens there.
      await expect(startTestServer({ dataDir, env: { REDIS_URL: 'redis://127.0.0.1:1' } })).rejects.toThrow(/REDIS_URL: cannot connect to Redis/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
