/**
 * Connection state recovery never hands a room's traffic to anyone before the
 * connection is authorised: at the wire level, a socket.io CONNECT that names
 * another person's recovery session (`40{"pid","offset"}`) gets no frame
 * before its refusal, and the rightful session that lost the room while away
 * gets none of that room's packets. The victim's pid and offset come from a
 * real socket.io-client; the attacker speaks raw Engine.IO over `ws`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clientId, closeAllSockets, connect, ok, type ClientSocket } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let stranger: TestClient;
let expert: TestClient;
let appealId: string;

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  const cats = await citizen.get('/api/categories');
  const deps = await citizen.get('/api/departments');
  const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
  const other = deps.body.items.find((d: { id: string }) => d.id !== category.departmentId);
  const own = deps.body.items.find((d: { id: string }) => d.id === category.departmentId);
  operator = await loginAs(server, prefixOf('operator', own.code));
  stranger = await loginAs(server, prefixOf('operator', other.code));
  expert = await loginAs(server, 'expert');
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

interface Away {
  pid: string;
  offset: string;
  secret: string;
}

/**
 * `victim` joins the room, loses its transport (the server keeps its session
 * for recovery), and the operator posts a message it has not seen.
 */
async function victimAway(victim: TestClient): Promise<Away> {
  const socket = await connect(server.url, victim);
  await ok(socket, 'room:join', { appealId });
  const o = await connect(server.url, operator);
  await ok(o, 'room:join', { appealId });
  // One packet the victim receives, so that it holds an offset.
  const seen = new Promise<void>((r) =>
    socket.once('chat:message', () => {
      r();
    }),
  );
  await ok(o, 'chat:send', { appealId, clientId: clientId(), text: 'видно всем', internal: false });
  await seen;
  const raw = socket as unknown as { _pid?: string; _lastOffset?: string };
  const { _pid: pid, _lastOffset: offset } = raw;
  if (!pid || !offset) throw new Error('the victim has no recovery session');
  const dropped = new Promise<void>((r) =>
    socket.once('disconnect', () => {
      r();
    }),
  );
  socket.io.engine.close();
  await dropped;
  const secret = `секрет ${clientId()}`;
  await ok(o, 'chat:send', { appealId, clientId: clientId(), text: secret, internal: false });
  o.disconnect();
  return { pid, offset, secret };
}

interface Attempt {
  /** Engine.IO frames of socket.io events (`42…`) received before the CONNECT answer. */
  before: string[];
  /** The CONNECT answer: `40…` (connected) or `44…` (refused). */
  answer: string;
  /** Event frames after the answer, within `listenMs`. */
  after: string[];
}

/** A raw Engine.IO websocket that sends `40{pid, offset}` with the given cookie (or none). */
async function rawRecover(cookie: string | null, away: Away, listenMs = 300): Promise<Attempt> {
  const url = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
  const ws = new WebSocket(url, { headers: { origin: server.url, ...(cookie ? { cookie } : {}) } });
  const attempt: Attempt = { before: [], answer: '', after: [] };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('no CONNECT answer'));
    }, 5000);
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const frame = data.toString('utf8');
      if (frame.startsWith('0')) ws.send(`40${JSON.stringify({ pid: away.pid, offset: away.offset })}`);
      else if (frame === '2') ws.send('3');
      else if (attempt.answer && frame.startsWith('42')) attempt.after.push(frame);
      else if (frame.startsWith('40') || frame.startsWith('44')) {
        attempt.answer = frame;
        clearTimeout(timer);
        setTimeout(resolve, listenMs);
      } else if (frame.startsWith('42')) attempt.before.push(frame);
    });
  });
  ws.close();
  return attempt;
}

describe('recovery of a dropped connection', () => {
  it('with no cookie: refused, and not one frame before the refusal', async () => {
    const away = await victimAway(citizen);
    const attempt = await rawRecover(null, away);
    expect(attempt.before).toEqual([]);
    expect(attempt.answer.startsWith('44')).toBe(true);
    expect(attempt.answer).toContain('UNAUTHENTICATED');
    expect(attempt.after).toEqual([]);
  });

  it('with the cookie of an operator of another department: refused, and not one frame before the refusal', async () => {
    const away = await victimAway(citizen);
    const attempt = await rawRecover(stranger.cookie, away);
    expect(attempt.before).toEqual([]);
    expect(attempt.answer.startsWith('44')).toBe(true);
    expect(attempt.after.join('\n')).not.toContain(away.secret);
  });

  it('with the cookie of the same person but another login session: refused, nothing before', async () => {
    const away = await victimAway(citizen);
    const second = await loginAs(server, 'citizen');
    const attempt = await rawRecover(second.cookie, away);
    expect(attempt.before).toEqual([]);
    expect(attempt.answer.startsWith('44')).toBe(true);
  });

  it('the rightful session gets what it missed, after it is let in', async () => {
    const away = await victimAway(citizen);
    const attempt = await rawRecover(citizen.cookie, away);
    expect(attempt.before).toEqual([]);
    expect(attempt.answer).toMatch(/^40\{"sid":/);
    expect(attempt.after.some((f) => f.includes(away.secret))).toBe(true);
  });

  it('an expert removed while away (through the API) gets nothing of the room', async () => {
    expect((await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
    const away = await victimAway(expert);
    expect((await operator.request('DELETE', `/api/appeals/${appealId}/experts/${expert.user.id}`)).status).toBe(200);
    const attempt = await rawRecover(expert.cookie, away);
    expect(attempt.before).toEqual([]);
    expect([...attempt.before, ...attempt.after].join('\n')).not.toContain(away.secret);
  });

  it('an expert whose access went while away with no event heard here is taken out of the room before any replay, and told', async () => {
    expect((await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
    const away = await victimAway(expert);
    // As if another instance changed the record and its event never arrived.
    const stored = await server.store.appeals.get(appealId);
    if (!stored) throw new Error('appeal gone');
    expect(await server.store.appeals.update(appealId, stored.version, { expertIds: [] })).not.toBeNull();
    const attempt = await rawRecover(expert.cookie, away);
    expect(attempt.before).toEqual([]);
    expect(attempt.answer).toMatch(/^40\{"sid":/);
    const frames = [...attempt.before, ...attempt.after].join('\n');
    expect(frames).not.toContain(away.secret);
    expect(frames).not.toContain('presence:changed');
    expect(attempt.after.filter((f) => f.includes('room:revoked'))).toHaveLength(1);
  });
});

describe('the expert removal endpoint', () => {
  it('an officer removes an invited expert: their socket gets room:revoked and leaves the room; others may not remove', async () => {
    expect((await operator.post(`/api/appeals/${appealId}/experts`, { expertId: expert.user.id })).status).toBe(200);
    const socket: ClientSocket = await connect(server.url, expert);
    await ok(socket, 'room:join', { appealId });
    const revoked = new Promise<{ appealId: string }>((r) => socket.once('room:revoked', r));
    expect((await citizen.request('DELETE', `/api/appeals/${appealId}/experts/${expert.user.id}`)).body.error.code).toBe('FORBIDDEN');
    expect((await stranger.request('DELETE', `/api/appeals/${appealId}/experts/${expert.user.id}`)).status).toBe(404);
    const res = await operator.request('DELETE', `/api/appeals/${appealId}/experts/${expert.user.id}`);
    expect(res.status).toBe(200);
    expect(res.body.appeal.expertIds).toEqual([]);
    expect(await revoked).toEqual({ appealId });
    expect((await expert.get(`/api/appeals/${appealId}`)).status).toBe(404);
    expect((await operator.request('DELETE', `/api/appeals/${appealId}/experts/${expert.user.id}`)).status).toBe(404);
  });
});
