/**
 * The Yjs endpoint's limits against the real server and stock y-websocket
 * clients: what a connection says about its own caret is rate-limited, the
 * peers' carets a client echoes back (y-websocket re-sends every awareness
 * change it receives) cost it nothing, so no one is closed because of what
 * others do; every documented close code is sent exactly; refused frames write
 * a bounded number of warning lines and one summary per window.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { capturingLogger } from '../helpers/logger.js';
import { presenceMessage } from '../../server/transport/collab/room-presence.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { closeAllYjs, openRaw, openYjs, waitFor, type YjsClient } from '../helpers/yjs.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;

/** An awareness frame with the given [clientID, clock, state] entries. */
const awarenessFrame = (entries: [number, number, unknown][]): Uint8Array =>
  presenceMessage(entries.map(([clientId, clock, state]) => ({ clientId, clock, state: JSON.stringify(state) })));

async function takeAppeal(): Promise<string> {
  const id = (await fileAppeal(citizen)).appeal.id as string;
  const taken = await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' });
  expect(taken.status).toBe(200);
  return id;
}

/** Every close a stock client heard (y-websocket v3 reconnects on 45xx, so `closed` alone misses those). */
function closesOf(client: YjsClient): { code: number }[] {
  const seen: { code: number }[] = [];
  client.provider.on('connection-close', (event) => {
    if (event) seen.push({ code: event.code });
  });
  return seen;
}

/** Moves the client's caret `perSecond` times a second until stopped. */
function moveCaret(client: YjsClient, perSecond: number): () => void {
  let k = 0;
  const timer = setInterval(() => {
    k++;
    client.provider.awareness.setLocalStateField('cursor', { anchor: k % 40, head: k % 40 });
  }, 1000 / perSecond);
  return () => {
    clearInterval(timer);
  };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
});
afterEach(() => {
  closeAllYjs();
});
afterAll(async () => {
  closeAllYjs();
  await server.stop();
});

describe('awareness limits', () => {
  it('keeps 8 stock clients moving carets at 15/s connected: the peers’ carets each one echoes are not counted', async () => {
    const room = await takeAppeal();
    // Parties only: a supervisor who has not taken the appeal is an observer, whose caret reaches nobody.
    const cookies = [citizen, operator, citizen, operator, citizen, operator, citizen, operator].map((c) => c.cookie);
    const clients = await Promise.all(cookies.map((cookie) => openYjs(server.url, cookie, room)));
    const closes = clients.map(closesOf);
    // Before the fix each client sent 15 + 7 × 15 = 120 messages/s against 50/s (burst 200): closed after about 3 s.
    const stops = clients.map((c) => moveCaret(c, 15));
    await pause(8000);
    for (const stop of stops) stop();
    expect(closes.flat()).toEqual([]);
    for (const c of clients) expect(c.provider.wsconnected).toBe(true);
    await waitFor(() => clients.every((c) => c.provider.awareness.getStates().size === clients.length), 3000, 'every caret seen by everyone');
  }, 30_000);

  it('closes a connection that floods its own caret with 4429, alone: the peers echoing its 200-message burst stay', async () => {
    const room = await takeAppeal();
    const peers = await Promise.all([openYjs(server.url, operator.cookie, room), openYjs(server.url, citizen.cookie, room)]);
    const closes = peers.map(closesOf);
    const flooder = await openRaw(server.url, citizen.cookie, room);
    for (let clock = 1; clock <= 200; clock++) flooder.ws.send(awarenessFrame([[9100, clock, { cursor: clock }]]));
    await waitFor(() => peers.every((p) => p.provider.awareness.getStates().get(9100)?.cursor === 200), 3000, 'the burst relayed');
    await pause(1000);
    expect(closes.flat()).toEqual([]);
    for (let clock = 201; clock <= 600; clock++) flooder.ws.send(awarenessFrame([[9100, clock, { cursor: clock }]]));
    expect((await flooder.closed).code).toBe(CLOSE_CODES.RATE_LIMITED);
    await pause(1000);
    expect(closes.flat()).toEqual([]);
    for (const p of peers) expect(p.provider.wsconnected).toBe(true);
  });

  it('closes with 4429 a connection sending entries of others it was never sent', async () => {
    const room = await takeAppeal();
    const peer = await openYjs(server.url, operator.cookie, room);
    const closes = closesOf(peer);
    const raw = await openRaw(server.url, citizen.cookie, room);
    raw.ws.send(awarenessFrame([[9200, 1, { cursor: 0 }]]));
    await waitFor(() => peer.provider.awareness.getStates().has(9200), 3000, 'own caret');
    const strangers = Array.from({ length: 50 }, (_, i): [number, number, unknown] => [50_000 + i, 1, { cursor: i }]);
    for (let i = 0; i < 20; i++) raw.ws.send(awarenessFrame(strangers));
    const timeout = pause(3000).then(() => ({ code: 0 }));
    expect((await Promise.race([raw.closed, timeout])).code).toBe(CLOSE_CODES.RATE_LIMITED);
    expect(closes).toEqual([]);
  });

  it('refuses an awareness state over 8 KiB with 4422', async () => {
    const room = await takeAppeal();
    const raw = await openRaw(server.url, citizen.cookie, room);
    raw.ws.send(awarenessFrame([[9300, 1, { cursor: 'x'.repeat(9 * 1024) }]]));
    expect((await raw.closed).code).toBe(CLOSE_CODES.BAD_MESSAGE);
  });

  it('keeps a peer connected that echoes a state just under 8 KiB (grown by the server’s user field)', async () => {
    const room = await takeAppeal();
    const peer = await openYjs(server.url, operator.cookie, room);
    const closes = closesOf(peer);
    let isSeen = false;
    peer.provider.awareness.on('change', () => {
      isSeen ||= peer.provider.awareness.getStates().has(9400);
    });
    const raw = await openRaw(server.url, citizen.cookie, room);
    // Under 8 KiB as sent; over it once the server has put its `user` in, which is what the peer echoes.
    raw.ws.send(awarenessFrame([[9400, 1, { cursor: 'x'.repeat(8 * 1024 - 20) }]]));
    await waitFor(() => isSeen, 3000, 'the large caret');
    await pause(500);
    expect(closes).toEqual([]);
    expect(peer.provider.wsconnected).toBe(true);
  });
});

describe('close codes', () => {
  it('closes every Yjs connection with 4503 when the server shuts down', async () => {
    const own = await startTestServer();
    try {
      const who = await loginAs(own, 'citizen');
      const id = (await fileAppeal(who)).appeal.id as string;
      const stock = await openYjs(own.url, who.cookie, id);
      const closes = closesOf(stock);
      const raw = await openRaw(own.url, who.cookie, id);
      await own.close();
      expect((await raw.closed).code).toBe(CLOSE_CODES.SHUTTING_DOWN);
      await waitFor(() => closes.length > 0, 3000, 'the stock client hears the close');
      expect(closes[0]?.code).toBe(CLOSE_CODES.SHUTTING_DOWN);
      stock.destroy();
    } finally {
      await own.stop().catch(() => undefined);
    }
  });
});

describe('refusal log', () => {
  it('writes a bounded number of lines for thousands of refused frames, then one summary per window with counts by reason', async () => {
    const logger = capturingLogger();
    const own = await startTestServer({ logger, collab: { refusalLog: { windowMs: 1500, perUser: 3, perWindow: 10 } } });
    try {
      const people = [await loginAs(own, 'citizen'), await loginAs(own, 'operator.portal')];
      const id = (await fileAppeal(people[0]!)).appeal.id as string;
      expect((await people[1]!.post(`/api/appeals/${id}/transitions`, { action: 'take' })).status).toBe(200);
      const frames = [new Uint8Array([9, 9, 9]), new Uint8Array([0, 7, 0]), new Uint8Array([3, 1])];
      const total = 2000;
      const started = Date.now();
      let sent = 0;
      while (sent < total) {
        const batch = Array.from({ length: Math.min(50, total - sent) }, async (_, i) => {
          const raw = await openRaw(own.url, people[(sent + i) % 2]!.cookie, id);
          raw.ws.send(frames[(sent + i) % frames.length]!);
          return raw.closed;
        });
        const codes = await Promise.all(batch);
        for (const { code } of codes) expect(code).toBe(CLOSE_CODES.BAD_MESSAGE);
        sent += batch.length;
      }
      const summaries = (): typeof logger.lines => logger.lines.filter((l) => l.msg === 'yjs refused frames suppressed');
      const refused = logger.lines.filter((l) => l.msg === 'yjs message refused');
      await waitFor(() => refused.length + summaries().reduce((n, l) => n + Number(l.fields.suppressed), 0) === total, 5000, 'every refusal logged or counted');
      // Each window: at most 3 lines per user (two users here), 10 in all, and one summary.
      const windows = Math.ceil((Date.now() - started) / 1500) + 1;
      expect(refused.length).toBeLessThanOrEqual(6 * windows);
      expect(summaries().length).toBeLessThanOrEqual(windows);
      expect(logger.lines.filter((l) => l.level === 'warn').length).toBeLessThanOrEqual(7 * windows);
      const byReason: Record<string, number> = {};
      for (const s of summaries())
        for (const [reason, n] of Object.entries(s.fields.byReason as Record<string, number>)) byReason[reason] = (byReason[reason] ?? 0) + n;
      expect(Object.keys(byReason).sort()).toEqual(['trailing bytes', 'unknown message type', 'unknown sync message']);
    } finally {
      await own.stop();
    }
  }, 120_000);
});
