/**
 * Rules that used to hold only by reading the code: each test here fails when
 * the line that enforces its rule is deleted or inverted (checked by making
 * that change and running the file). The real server on 127.0.0.1:0, real
 * HTTP, real socket.io-client and y-websocket clients.
 *
 * The socket.io Origin is checked twice: by Engine.IO's `allowRequest` at the
 * handshake, and by the socket.io middleware at CONNECT. With the first in
 * place no foreign Origin ever reaches the second (the middleware reads the
 * handshake request), so the second is tested on a connection the first was
 * made to let through: `allowRequestFrom` is wrapped here so one test can
 * switch it to "allow all"; otherwise it is the real function.
 */
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Y from 'yjs';
import type { ChatMessage } from '../../shared/protocol/events.js';
import type * as AuthMiddleware from '../../server/transport/realtime/auth.middleware.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { clientId, closeAllSockets, collect, connect, next, ok, request, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

const engine = vi.hoisted(() => ({ letEveryOriginThrough: false }));
vi.mock('../../server/transport/realtime/auth.middleware.js', async (importOriginal) => {
  const real = await importOriginal<typeof AuthMiddleware>();
  return {
    ...real,
    allowRequestFrom: (allowedOrigins: () => string[]): ReturnType<typeof real.allowRequestFrom> => {
      const check = real.allowRequestFrom(allowedOrigins);
      return (req, callback) => {
        if (engine.letEveryOriginThrough) callback(null, true);
        else check(req, callback);
      };
    },
  };
});

const FOREIGN = 'http://evil.example';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let secondOperator: TestClient;
let supervisor: TestClient;
let foreignOperator: TestClient;

const act = (c: TestClient, id: string, action: string, comment?: string) =>
  c.post(`/api/appeals/${id}/transitions`, comment === undefined ? { action } : { action, comment });

/** A filed appeal taken by `by`. */
async function takenBy(by: TestClient): Promise<string> {
  const id = (await fileAppeal(citizen)).appeal.id as string;
  expect((await act(by, id, 'take')).status).toBe(200);
  return id;
}

/** A socket of `client` that has joined the appeal's room. */
async function inRoom(client: TestClient, appealId: string): Promise<ClientSocket> {
  const socket = await connect(server.url, client);
  await ok(socket, 'room:join', { appealId });
  return socket;
}

/** A round trip on `socket`: every packet the server wrote to it before has arrived once this resolves. */
async function roundTrip(socket: ClientSocket): Promise<void> {
  await request(socket, 'wall:watch', {});
}

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  foreignOperator = await loginAs(server, 'operator.housing');
  const admin = await loginAs(server, 'admin');
  const portal = (await admin.get('/api/departments')).body.items.find((d: { code: string }) => d.code === 'portal');
  const created = await admin.post('/api/admin/users', {
    email: 'second.operator@example.ru',
    phone: '+79990004455',
    password: 'второй-оператор-77',
    fullName: 'Петров Пётр Петрович',
    role: 'operator',
    departmentId: portal.id,
  });
  expect(created.status).toBe(201);
  secondOperator = await new TestClient(server.url).login('second.operator@example.ru', 'второй-оператор-77');
});
afterEach(() => {
  closeAllSockets();
  closeAllYjs();
});
afterAll(async () => {
  await server.stop();
});

describe('transitions', () => {
  it('an operator cannot move an appeal another operator has taken, over REST or the socket; the assignee and a supervisor can', async () => {
    const id = await takenBy(operator);
    const refused = await act(secondOperator, id, 'request_info', 'Приложите снимок экрана');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const socket = await inRoom(secondOperator, id);
    const overSocket = await request(socket, 'status:change', { appealId: id, action: 'propose_resolution', comment: 'Готово' });
    expect(overSocket).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await operator.get(`/api/appeals/${id}`)).body.appeal.status).toBe('in_progress');

    expect((await act(operator, id, 'request_info', 'Приложите снимок экрана')).body.appeal.status).toBe('info_requested');
    // A supervisor acts on any appeal of the department without taking it.
    expect((await act(supervisor, id, 'resume')).body.appeal).toMatchObject({ status: 'in_progress', assigneeId: operator.user.id });
  });
});

describe('chat client ids', () => {
  it('refuses a clientId another person already used with CONFLICT, without their message; the author’s resend gets the original', async () => {
    const id = await takenBy(operator);
    const mine = await inRoom(citizen, id);
    const theirs = await inRoom(operator, id);
    const taken = clientId();
    const first = await ok<ChatMessage>(mine, 'chat:send', { appealId: id, clientId: taken, text: 'Мой паспорт 4510 123456' });

    const clash = await request<ChatMessage>(theirs, 'chat:send', { appealId: id, clientId: taken, text: 'Другой текст' });
    expect(clash).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(JSON.stringify(clash)).not.toContain('4510');

    expect(await ok<ChatMessage>(mine, 'chat:send', { appealId: id, clientId: taken, text: 'повтор' })).toEqual(first);
    const history = await ok<ChatMessage[]>(theirs, 'chat:history', { appealId: id });
    expect(history.map((m) => [m.clientId, m.authorId, m.text])).toEqual([[taken, citizen.user.id, 'Мой паспорт 4510 123456']]);
  });
});

describe('socket.io Origin', () => {
  const polling = (origin: string | null, cookie = '') =>
    fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { ...(origin === null ? {} : { origin }), ...(cookie ? { cookie } : {}) },
    });
  /** The websocket handshake's status and, when refused, the body. */
  const websocket = (origin: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin } });
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          ws.terminate();
        });
      });
      ws.on('open', () => {
        resolve({ status: 101, body: '' });
        ws.close();
      });
      ws.on('error', reject);
    });

  it('refuses the Engine.IO handshake with a foreign or missing Origin, over polling and over a websocket', async () => {
    expect((await polling(FOREIGN)).status).toBe(403);
    expect((await polling(null)).status).toBe(403);
    // Engine.IO answers every refused upgrade with 400, naming the reason.
    expect(await websocket(FOREIGN)).toEqual({ status: 400, body: 'origin not allowed' });
    // The server's own origin opens both.
    const own = await polling(server.url);
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/^0\{"sid":/);
    expect((await websocket(server.url)).status).toBe(101);
  });

  it('refuses a socket.io CONNECT with a foreign Origin on an Engine.IO connection that got through', async () => {
    engine.letEveryOriginThrough = true;
    try {
      // The Engine.IO connection opens (polling), then its CONNECT packet is refused by the middleware.
      const handshake = await polling(FOREIGN, citizen.cookie);
      expect(handshake.status).toBe(200);
      const sid = (JSON.parse((await handshake.text()).slice(1)) as { sid: string }).sid;
      const at = `${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`;
      const headers = { origin: FOREIGN, cookie: citizen.cookie, 'content-type': 'text/plain;charset=UTF-8' };
      expect((await fetch(at, { method: 'POST', headers, body: '40' })).status).toBe(200);
      const answer = await (await fetch(at, { headers })).text();
      expect(answer).toMatch(/^44/);
      expect(JSON.parse(answer.slice(2))).toMatchObject({ data: { code: 'CSRF_FAILED' } });

      // The same over a websocket with the real client, carrying a valid session.
      const err = await connect(server.url, citizen, { origin: FOREIGN }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ data: { code: 'CSRF_FAILED' } });
      expect((await connect(server.url, citizen)).connected).toBe(true);
    } finally {
      engine.letEveryOriginThrough = false;
    }
  });
});

describe('reassignment', () => {
  it('only a supervisor reassigns: an operator gets FORBIDDEN, even the assignee, and the assignee stays', async () => {
    const id = await takenBy(operator);
    for (const by of [operator, secondOperator]) {
      const res = await by.post(`/api/appeals/${id}/assign`, { assigneeId: secondOperator.user.id });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await citizen.get(`/api/appeals/${id}`)).body.appeal.assigneeId).toBe(operator.user.id);
    expect((await supervisor.post(`/api/appeals/${id}/assign`, { assigneeId: secondOperator.user.id })).body.appeal.assigneeId).toBe(secondOperator.user.id);
  });

  // appeal.policy.ts: an operator of the department is an officer of every
  // room there, writes and sees internal notes whether assigned or not; only
  // the assignee-only transitions (appeal.service.ts) follow the assignment.
  it('the former operator assignee keeps the room, the chat and the internal notes, and loses the assignee-only transitions', async () => {
    const id = await takenBy(operator);
    const former = await inRoom(operator, id);
    const revoked = collect(former, 'room:revoked');
    const newAssignee = await inRoom(secondOperator, id);
    expect((await supervisor.post(`/api/appeals/${id}/assign`, { assigneeId: secondOperator.user.id })).status).toBe(200);

    const note = next<ChatMessage>(former, 'chat:message');
    await ok(newAssignee, 'chat:send', { appealId: id, clientId: clientId(), text: 'Служебно: беру на себя', internal: true });
    expect(await note).toMatchObject({ internal: true, authorId: secondOperator.user.id });
    expect(revoked).toEqual([]);
    expect(await ok<ChatMessage>(former, 'chat:send', { appealId: id, clientId: clientId(), text: 'Передал коллеге' })).toMatchObject({
      authorId: operator.user.id,
    });
    expect((await operator.get(`/api/appeals/${id}`)).body.appeal).toMatchObject({ roomRole: 'officer', canWrite: true, actions: [] });
    expect((await secondOperator.get(`/api/appeals/${id}`)).body.appeal.actions).toEqual(['request_info', 'propose_resolution', 'reject']);

    expect((await act(operator, id, 'propose_resolution', 'Решено')).status).toBe(403);
    expect(await request(former, 'status:change', { appealId: id, action: 'reject', comment: 'Нет оснований' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect((await act(secondOperator, id, 'propose_resolution', 'Решено')).body.appeal.status).toBe('awaiting_confirmation');
  });

  it('a status change on a remembered grant that went stale is decided on the stored record and refused, over REST and the socket', async () => {
    const id = await takenBy(operator);
    const socket = await inRoom(operator, id);
    // The connection holds a grant now (chat goes through it); then the appeal changes hands with no event heard here.
    await ok(socket, 'chat:send', { appealId: id, clientId: clientId(), text: 'Работаю' });
    const stored = await server.store.appeals.get(id);
    expect(await server.store.appeals.update(id, stored!.version, { assigneeId: secondOperator.user.id })).not.toBeNull();
    expect(await request(socket, 'status:change', { appealId: id, action: 'propose_resolution', comment: 'Решено' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN', message: 'Обращение назначено другому сотруднику' },
    });
    expect((await act(operator, id, 'propose_resolution', 'Решено')).body.error).toMatchObject({ code: 'FORBIDDEN' });
    expect(await server.store.appeals.get(id)).toMatchObject({ status: 'in_progress', assigneeId: secondOperator.user.id });
  });

  it('a supervisor who hands over the appeal they had taken becomes a silent observer at once', async () => {
    const id = await takenBy(supervisor);
    const socket = await inRoom(supervisor, id);
    await ok(socket, 'chat:send', { appealId: id, clientId: clientId(), text: 'Взял в работу' });
    expect((await supervisor.post(`/api/appeals/${id}/assign`, { assigneeId: operator.user.id })).status).toBe(200);

    expect(await request(socket, 'chat:send', { appealId: id, clientId: clientId(), text: 'Ещё одно' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect((await supervisor.get(`/api/appeals/${id}`)).body.appeal).toMatchObject({ roomRole: 'officer', canWrite: false, assigneeId: operator.user.id });
    // Still watching: the room's messages reach the observer.
    const seen = next<ChatMessage>(socket, 'chat:message');
    const citizenSocket = await inRoom(citizen, id);
    await ok(citizenSocket, 'chat:send', { appealId: id, clientId: clientId(), text: 'Спасибо' });
    expect((await seen).authorId).toBe(citizen.user.id);
  });
});

describe('typing', () => {
  it('typing:set reaches the others in the room as typing:changed, never the typist or anyone outside the room', async () => {
    const id = await takenBy(operator);
    const typist = await inRoom(citizen, id);
    const colleague = await inRoom(operator, id);
    const notJoined = await connect(server.url, supervisor); // may enter, has not joined
    const outsider = await connect(server.url, foreignOperator);
    const heard = {
      typist: collect(typist, 'typing:changed'),
      colleague: collect(colleague, 'typing:changed'),
      notJoined: collect(notJoined, 'typing:changed'),
      outsider: collect(outsider, 'typing:changed'),
    };

    // A flag from a socket that has not joined the room goes nowhere.
    notJoined.emit('typing:set', { appealId: id, isTyping: true });
    await roundTrip(notJoined);
    await roundTrip(colleague);
    expect(heard.colleague).toEqual([]);

    const started = next(colleague, 'typing:changed');
    typist.emit('typing:set', { appealId: id, isTyping: true });
    expect(await started).toEqual({ appealId: id, userId: citizen.user.id, name: citizen.user.fullName, isTyping: true });
    const stopped = next(colleague, 'typing:changed');
    typist.emit('typing:set', { appealId: id, isTyping: false });
    expect(await stopped).toEqual({ appealId: id, userId: citizen.user.id, name: citizen.user.fullName, isTyping: false });

    // Every packet the server wrote to these sockets before has arrived after a round trip.
    await Promise.all([roundTrip(typist), roundTrip(notJoined), roundTrip(outsider)]);
    expect(heard.typist).toEqual([]);
    expect(heard.notJoined).toEqual([]);
    expect(heard.outsider).toEqual([]);
    expect(heard.colleague).toHaveLength(2);
  });
});

describe('restores', () => {
  it('a supervisor observing the room may not restore a description version; a writer may', async () => {
    const id = await takenBy(operator);
    const editor = await openYjs(server.url, citizen.cookie, id);
    const peer = await openYjs(server.url, operator.cookie, id);
    const original = editor.text();
    ((editor.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Правка. ');
    await waitFor(() => peer.text() === `Правка. ${original}`, 5000, 'the edit relayed');
    editor.destroy();
    peer.destroy();
    // Unloading the room keeps a version of the edited text.
    await waitFor(() => server.collab.description.loadedCount() === 0, 5000, 'room unloaded');
    const versions = (await citizen.get(`/api/appeals/${id}/description/versions`)).body.items as { id: string }[];
    let seedVersion: string | null = null;
    for (const v of versions) {
      if ((await citizen.get(`/api/appeals/${id}/description/versions/${v.id}`)).body.version.text === original) seedVersion = v.id;
    }
    expect(seedVersion).not.toBeNull();

    const refused = await supervisor.post(`/api/appeals/${id}/description/versions/${seedVersion}/restore`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect((await openYjs(server.url, citizen.cookie, id)).text()).toBe(`Правка. ${original}`);
    closeAllYjs();

    const restored = await operator.post(`/api/appeals/${id}/description/versions/${seedVersion}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.text).toBe(original);
  });

  it('restoring the current version of an attachment changes nothing: no journal entry, no event', async () => {
    const id = await takenBy(operator);
    const watcher = await inRoom(operator, id);
    const events = collect<{ kind: string }>(watcher, 'attachment:changed');
    const up = await citizen.post(`/api/appeals/${id}/attachments`, formWith([{ name: 'скан.pdf', bytes: pdfBytes('v1') }]));
    expect(up.status).toBe(201);
    const attId = up.body.items[0].id as string;
    const base = `/api/appeals/${id}/attachments/${attId}`;
    const journal = async (): Promise<number> =>
      (await server.store.audit.list(0, 100_000)).filter((e) => e.action === 'attachment.restored' && e.subjectId === attId).length;

    const same = await citizen.post(`${base}/restore`, { version: 1 });
    expect(same.status).toBe(200);
    expect(same.body.attachment).toEqual(up.body.items[0]);
    expect(await journal()).toBe(0);

    // The next event the room hears is the new version, so the restore sent none.
    expect((await citizen.post(`${base}/versions`, formWith([{ name: 'скан.pdf', bytes: pdfBytes('v2') }]))).status).toBe(201);
    await waitFor(() => events.length >= 2, 5000, 'the version event');
    expect(events.map((e) => e.kind)).toEqual(['added', 'version']);

    // Restoring an older one does change it: a version of its own (3, from 1), with its entry and event.
    const restored = (await citizen.post(`${base}/restore`, { version: 1 })).body.attachment;
    expect(restored.currentVersion).toBe(3);
    expect(restored.versions.find((v: { version: number }) => v.version === 3)?.restoredFrom).toBe(1);
    await waitFor(() => events.length >= 3, 5000, 'the restore event');
    expect(events.map((e) => e.kind)).toEqual(['added', 'version', 'restored']);
    expect(await journal()).toBe(1);
  });
});

describe('REST rules', () => {
  it('a PATCH with a stale version answers 409 CONFLICT and changes nothing', async () => {
    const draft = (await citizen.post('/api/appeals', { subject: 'Первая тема' })).body.appeal as { id: string; version: number };
    const edited = await citizen.patch(`/api/appeals/${draft.id}`, { version: draft.version, subject: 'Вторая тема' });
    expect(edited.status).toBe(200);
    expect(edited.body.appeal.version).toBe(draft.version + 1);

    const stale = await citizen.patch(`/api/appeals/${draft.id}`, { version: draft.version, subject: 'Третья тема' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect((await citizen.get(`/api/appeals/${draft.id}`)).body.appeal).toMatchObject({ subject: 'Вторая тема', version: draft.version + 1 });
  });

  it('GET history?after= returns only the entries after that seq, in order', async () => {
    const id = await takenBy(operator);
    await act(operator, id, 'request_info', 'Уточните браузер');
    await act(citizen, id, 'provide_info', 'Chrome 130');
    const all = (await citizen.get(`/api/appeals/${id}/history`)).body.items as { seq: number; action: string }[];
    expect(all.map((h) => h.action)).toEqual(['submit', 'take', 'request_info', 'provide_info']);
    const cut = all[1]!.seq;
    const after = (await citizen.get(`/api/appeals/${id}/history?after=${cut}`)).body.items as { seq: number; action: string }[];
    expect(after).toEqual(all.slice(2));
    expect((await citizen.get(`/api/appeals/${id}/history?after=${all[3]!.seq}`)).body.items).toEqual([]);
  });

  it('the public lookup answers the 21st request in a minute with 429 RATE_LIMITED and Retry-After', async () => {
    const { appeal, accessCode } = await fileAppeal(citizen);
    const anonymous = new TestClient(server.url);
    const lookup = (code: string) => anonymous.post('/api/public/status', { number: appeal.number, accessCode: code });
    expect((await lookup(accessCode)).status).toBe(200);
    for (let i = 1; i < 20; i++) expect((await lookup('AAAAAAAA')).status).toBe(404);

    const limited = await lookup(accessCode);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });
});
