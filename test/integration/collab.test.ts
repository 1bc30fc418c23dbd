/**
 * The shared description over the y-websocket protocol, against the real server
 * with real WebsocketProvider clients: concurrent edits converge and are durable,
 * the handshake refuses outsiders before loading anything, observers cannot
 * write, malformed and crafted frames never reach the document, sessions that
 * end are cut off, idle rooms are unloaded, and versions restore for everyone.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { updateMessage } from '../../server/transport/collab/protocol.js';
import { presenceMessage } from '../../server/transport/collab/room-presence.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, handshakeStatus, openRaw, openYjs, waitFor, type YjsClient } from '../helpers/yjs.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let foreignOperator: TestClient;
let outsider: TestClient;
let appealId: string;
/** The echo threshold of this file's server (10 s in production). */
const ECHO_AFTER_IDLE_MS = 1000;
const SEED = 'При нажатии на кнопку «Оплатить» страница зависает.';

const loaded = (): number => server.collab.description.loadedCount();

/** An awareness frame with the given [clientID, clock, state] entries. */
const awarenessFrame = (entries: [number, number, unknown][]): Uint8Array =>
  presenceMessage(entries.map(([clientId, clock, state]) => ({ clientId, clock, state: JSON.stringify(state) })));

/** The clientIDs in an awareness message (none for any other message). */
function caretIds(message: Uint8Array): number[] {
  const d = decoding.createDecoder(message);
  if (decoding.readVarUint(d) !== 1) return [];
  const update = decoding.createDecoder(decoding.readVarUint8Array(d));
  const ids: number[] = [];
  for (let n = decoding.readVarUint(update); n > 0; n--) {
    ids.push(decoding.readVarUint(update));
    decoding.readVarUint(update);
    decoding.readVarString(update);
  }
  return ids;
}

/** An update that claims 2^31 structs for one client in a handful of bytes (yjs issue 687). */
function structBomb(): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1); // one client
  encoding.writeVarUint(e, 2 ** 31); // structs claimed
  encoding.writeVarUint(e, 12345); // client
  encoding.writeVarUint(e, 0); // clock
  encoding.writeUint8(e, 0); // a GC struct…
  encoding.writeVarUint(e, 1); // …of length 1, then nothing
  return encoding.toUint8Array(e);
}

async function takeAppeal(): Promise<string> {
  const id = (await fileAppeal(citizen)).appeal.id as string;
  const taken = await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' });
  expect(taken.status).toBe(200);
  return id;
}

/** Random inserts and deletes in the first paragraph's text. */
function edit(client: YjsClient, ops: number, tag: string): void {
  const text = (client.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
  for (let i = 0; i < ops; i++) {
    if (text.length > 5 && randomInt(0, 3) === 0) text.delete(randomInt(0, text.length - 2), randomInt(1, 3));
    else text.insert(randomInt(0, text.length + 1), `${tag}${i % 10}`);
  }
}

beforeAll(async () => {
  server = await startTestServer({ collab: { echoAfterIdleMs: ECHO_AFTER_IDLE_MS } });
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  foreignOperator = await loginAs(server, 'operator.housing');
  const admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'outsider@example.ru',
    phone: '+79990003344',
    password: 'чужой-пароль-77',
    fullName: 'Посторонний',
    role: 'citizen',
  });
  expect(created.status).toBe(201);
  outsider = await new TestClient(server.url).login('outsider@example.ru', 'чужой-пароль-77');
  appealId = await takeAppeal();
});
afterEach(() => {
  closeAllYjs();
});
afterAll(async () => {
  closeAllYjs();
  await server.stop();
});

describe('Yjs endpoint', () => {
  it('starts from the appeal text; citizen and operator edit concurrently and converge; the appeal text follows', async () => {
    const a = await openYjs(server.url, citizen.cookie, appealId);
    const b = await openYjs(server.url, operator.cookie, appealId);
    expect(a.text()).toBe(SEED);
    expect(b.text()).toBe(SEED);
    for (let round = 0; round < 10; round++) {
      edit(a, 15, 'a');
      edit(b, 15, 'b');
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => a.text() === b.text() && a.text() !== SEED, 5000, 'convergence');
    const fresh = await openYjs(server.url, operator.cookie, appealId);
    expect(fresh.text()).toBe(a.text());
    const expected = a.text();
    await waitFor(() => false, 2600).catch(() => undefined); // the plain-text debounce
    const appeal = await citizen.get(`/api/appeals/${appealId}`);
    expect(appeal.body.appeal.description).toBe(expected);
  });

  it('binds awareness to the session: peers see the server’s name, role and colour, never the claimed ones', async () => {
    const a = await openYjs(server.url, citizen.cookie, appealId);
    const b = await openYjs(server.url, operator.cookie, appealId);
    a.provider.awareness.setLocalStateField('user', { name: 'Администратор', role: 'admin', colour: '#000' });
    await waitFor(() => b.provider.awareness.getStates().get(a.doc.clientID)?.user !== undefined, 3000, 'awareness');
    const seen = b.provider.awareness.getStates().get(a.doc.clientID)?.user;
    expect(seen.name).toBe('Иванов Иван Иванович');
    expect(seen.role).toBe('citizen');
    expect(seen.colour).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('lets one connection publish one awareness identity; a newcomer gets the room’s carets; a leaver’s caret goes', async () => {
    const watcher = await openYjs(server.url, operator.cookie, appealId);
    const first = await openRaw(server.url, citizen.cookie, appealId);
    // Two entries in one message: only the first clientID becomes this connection's.
    first.ws.send(
      awarenessFrame([
        [7001, 1, { cursor: 'mine', user: { name: 'Министр' } }],
        [7002, 1, { cursor: 'stolen' }],
      ]),
    );
    await waitFor(() => watcher.provider.awareness.getStates().has(7001), 3000, 'first caret');
    const seen = watcher.provider.awareness.getStates();
    expect(seen.get(7001)).toMatchObject({ cursor: 'mine', user: { name: 'Иванов Иван Иванович', role: 'citizen' } });
    expect(seen.has(7002)).toBe(false);
    // Another connection cannot take a clientID someone in the room holds, nor a stale clock win.
    const second = await openRaw(server.url, supervisor.cookie, appealId);
    second.ws.send(awarenessFrame([[7001, 5, { cursor: 'hijacked' }]]));
    first.ws.send(awarenessFrame([[7001, 1, { cursor: 'replayed' }]]));
    first.ws.send(awarenessFrame([[7001, 2, { cursor: 'moved' }]]));
    await waitFor(() => watcher.provider.awareness.getStates().get(7001)?.cursor === 'moved', 3000, 'caret moved');
    const newcomer = await openYjs(server.url, operator.cookie, appealId);
    await waitFor(() => newcomer.provider.awareness.getStates().has(7001), 3000, 'greeting');
    expect(newcomer.provider.awareness.getStates().get(7001)).toMatchObject({ cursor: 'moved', user: { role: 'citizen' } });
    first.ws.close();
    await waitFor(() => !watcher.provider.awareness.getStates().has(7001), 3000, 'caret removed');
    await waitFor(() => !newcomer.provider.awareness.getStates().has(7001), 3000, 'caret removed for the newcomer');
  });

  it('echoes a connection’s own caret only once the server has sent it nothing for a while', async () => {
    const room = await takeAppeal(); // alone in it: nothing else is sent to the typist
    const typist = await openRaw(server.url, citizen.cookie, room);
    await waitFor(() => typist.messages.length > 0, 3000, 'greeting');
    const echoes = (): number => typist.messages.filter((m) => caretIds(m).includes(7300)).length;
    typist.ws.send(awarenessFrame([[7300, 1, { cursor: 1 }]]));
    await new Promise((r) => setTimeout(r, 300));
    expect(echoes()).toBe(0);
    await new Promise((r) => setTimeout(r, ECHO_AFTER_IDLE_MS));
    typist.ws.send(awarenessFrame([[7300, 2, { cursor: 2 }]]));
    await waitFor(() => echoes() === 1, 3000, 'echo after idle');
    expect(caretIds(typist.messages.at(-1)!)).toEqual([7300]);
  });

  it('relays a caret after the update sent before it, never ahead of the text it points into', async () => {
    const room = await takeAppeal(); // its own: new paragraphs go in front
    const peer = await openRaw(server.url, operator.cookie, room);
    const typist = await openRaw(server.url, citizen.cookie, room);
    await waitFor(() => peer.messages.length > 0 && typist.messages.length > 0, 3000, 'greetings');
    for (let k = 0; k < 5; k++) {
      const doc = new Y.Doc();
      doc.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
      const from = peer.messages.length;
      typist.ws.send(updateMessage(Y.encodeStateAsUpdate(doc)));
      typist.ws.send(awarenessFrame([[7100, k + 1, { cursor: k }]]));
      await waitFor(() => peer.messages.slice(from).some((m) => m[0] === 1), 3000, 'caret');
      const kinds = peer.messages.slice(from).map((m) => (m[0] === 0 ? 'update' : 'caret'));
      expect(kinds).toEqual(['update', 'caret']);
    }
  });

  it('refuses outsiders, other departments, foreign origins and missing sessions before loading anything', async () => {
    const other = await takeAppeal();
    const before = loaded();
    const origin = server.url;
    expect(await handshakeStatus(server.url, other, { origin })).toBe(401);
    expect(await handshakeStatus(server.url, other, { origin, cookie: outsider.cookie })).toBe(404);
    expect(await handshakeStatus(server.url, other, { origin, cookie: foreignOperator.cookie })).toBe(404);
    expect(await handshakeStatus(server.url, other, { origin: 'https://evil.example', cookie: citizen.cookie })).toBe(403);
    expect(await handshakeStatus(server.url, other, { cookie: citizen.cookie })).toBe(403);
    expect(await handshakeStatus(server.url, 'not-an-id!', { origin, cookie: citizen.cookie })).toBe(404);
    expect(loaded()).toBe(before);
    expect(await handshakeStatus(server.url, other, { origin, cookie: citizen.cookie })).toBe(101);
  });

  it('lets a supervisor observe but closes them with BAD_MESSAGE when they try to change the text', async () => {
    const writer = await openYjs(server.url, citizen.cookie, appealId);
    const before = writer.text();
    const observer = await openYjs(server.url, supervisor.cookie, appealId);
    expect(observer.text()).toBe(before);
    edit(writer, 3, 'w');
    await waitFor(() => observer.text() === writer.text(), 3000, 'observer sees edits');
    const synced = writer.text();
    edit(observer, 5, 'S');
    expect((await observer.closed).code).toBe(CLOSE_CODES.BAD_MESSAGE);
    const check = await openYjs(server.url, operator.cookie, appealId);
    expect(check.text()).toBe(synced);
    expect(writer.text()).toBe(synced);
  });

  it('survives random bytes, truncated, oversized and crafted frames with the document unchanged', async () => {
    const watcher = await openYjs(server.url, citizen.cookie, appealId);
    const before = watcher.text();
    const state = Y.encodeStateAsUpdate(watcher.doc);

    const attempts: { frame: Uint8Array; code: number }[] = [
      { frame: new Uint8Array(randomBytes(200)), code: CLOSE_CODES.BAD_MESSAGE },
      { frame: updateMessage(state).subarray(0, 40), code: CLOSE_CODES.BAD_MESSAGE },
      { frame: updateMessage(state.subarray(0, state.length - 3)), code: CLOSE_CODES.BAD_MESSAGE },
      { frame: updateMessage(structBomb()), code: CLOSE_CODES.BAD_MESSAGE },
      { frame: new Uint8Array([0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x0f]), code: CLOSE_CODES.BAD_MESSAGE },
      // A query for awareness is the type byte alone (random bytes once began with it and were kept open).
      { frame: new Uint8Array([3, 0x41, 0x42, 0x43]), code: CLOSE_CODES.BAD_MESSAGE },
      { frame: new Uint8Array(300 * 1024), code: 1009 },
    ];
    for (const { frame, code } of attempts) {
      const raw = await openRaw(server.url, citizen.cookie, appealId);
      raw.ws.send(frame);
      expect((await raw.closed).code).toBe(code);
    }
    for (let i = 0; i < 30; i++) {
      const raw = await openRaw(server.url, citizen.cookie, appealId);
      raw.ws.send(updateMessage(new Uint8Array(randomBytes(randomInt(1, 64)))));
      setTimeout(() => {
        raw.ws.close();
      }, 500); // the rare random update that is valid and empty is simply a no-op
      const { code } = await raw.closed;
      expect([CLOSE_CODES.BAD_MESSAGE, 1000, 1005]).toContain(code);
    }
    const after = await openYjs(server.url, operator.cookie, appealId);
    expect(after.text()).toBe(before);
    expect(watcher.text()).toBe(before);
  });

  it('rate-limits updates per connection', async () => {
    const raw = await openRaw(server.url, citizen.cookie, appealId);
    const empty = updateMessage(Y.encodeStateAsUpdate(new Y.Doc()));
    for (let i = 0; i < 400; i++) raw.ws.send(empty);
    expect((await raw.closed).code).toBe(CLOSE_CODES.RATE_LIMITED);
  });

  it('closes a session’s connections within a second of logout', async () => {
    const second = await loginAs(server, 'citizen');
    const client = await openYjs(server.url, second.cookie, appealId);
    const started = Date.now();
    expect((await second.post('/api/auth/logout')).status).toBe(204);
    expect((await client.closed).code).toBe(CLOSE_CODES.ACCESS_REVOKED);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('unloads an idle room and keeps a version; restore converges on every client', async () => {
    closeAllYjs();
    await waitFor(() => loaded() === 0, 3000, 'idle rooms unloaded');
    const a = await openYjs(server.url, citizen.cookie, appealId);
    const b = await openYjs(server.url, operator.cookie, appealId);
    const old = a.text();
    edit(a, 20, 'N');
    await waitFor(() => a.text() === b.text(), 3000, 'convergence');
    expect(a.text()).not.toBe(old);

    const list = await citizen.get(`/api/appeals/${appealId}/description/versions`);
    expect(list.status).toBe(200);
    let target: string | null = null;
    for (const v of list.body.items) {
      const one = await citizen.get(`/api/appeals/${appealId}/description/versions/${v.id}`);
      expect(one.status).toBe(200);
      if (one.body.version.text === old) target = v.id;
    }
    expect(target).not.toBeNull();
    expect(list.body.items[0].authors.length).toBeGreaterThan(0);
    expect((await outsider.get(`/api/appeals/${appealId}/description/versions`)).status).toBe(404);
    expect((await supervisor.post(`/api/appeals/${appealId}/description/versions/${target}/restore`)).status).toBe(403);

    const restored = await operator.post(`/api/appeals/${appealId}/description/versions/${target}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.text).toBe(old);
    await waitFor(() => a.text() === old && b.text() === old, 3000, 'restore converges');
    const after = await citizen.get(`/api/appeals/${appealId}/description/versions`);
    expect(after.body.items.length).toBeGreaterThan(list.body.items.length);
  });

  it('keeps the document across a server close and restart on the same DATA_DIR', async () => {
    const a = await openYjs(server.url, citizen.cookie, appealId);
    edit(a, 10, 'D');
    const text = a.text();
    await waitFor(() => false, 300).catch(() => undefined);
    const creds = demoAccount(server, 'citizen');
    a.destroy();
    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir: server.dataDir });
    citizen = await new TestClient(server.url).login(creds.login, creds.password);
    const b = await openYjs(server.url, citizen.cookie, appealId);
    expect(b.text()).toBe(text);
  });
});
