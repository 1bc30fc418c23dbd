/**
 * RecoveryAdapter with a real socket.io server and clients on 127.0.0.1: missed
 * packets are replayed in order and filtered by room, only once the middleware
 * has let the socket in; packets leave memory once the window has passed, and
 * a forgotten session or a foreign offset gets a new connection instead of a
 * replay.
 */
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { RecoveryAdapter } from '../../server/transport/realtime/recovery-adapter.js';
import { until } from '../helpers/realtime.js';

interface Setup {
  io: Server;
  http: HttpServer;
  url: string;
  adapter: RecoveryAdapter;
}

let open: Setup | null = null;
const clients: ClientSocket[] = [];

afterEach(async () => {
  holdMiddleware = null;
  for (const c of clients.splice(0)) c.close();
  if (open) {
    const { io } = open;
    open = null;
    await new Promise<void>((r) => {
      void io.close(() => {
        r();
      });
    });
  }
});

/** Set by a test to hold the middleware of the next connection (an auth check that takes time). */
let holdMiddleware: Promise<void> | null = null;
/** Connections that reached the middleware. */
let entered = 0;

async function serve(windowMs: number): Promise<Setup> {
  const http = createServer();
  const io = new Server(http, {
    connectionStateRecovery: { maxDisconnectionDuration: windowMs, skipMiddlewares: false },
    adapter: RecoveryAdapter,
  });
  io.use((_socket, next) => {
    entered++;
    void (holdMiddleware ?? Promise.resolve()).then(() => {
      next();
    });
  });
  io.on('connection', (socket) => {
    // As the gateway does: the replay comes first, once the middleware has let the socket in.
    const adapter = io.of('/').adapter;
    if (socket.recovered && adapter instanceof RecoveryAdapter) adapter.replay(socket.id, socket.handshake.auth.offset, socket.rooms);
    // As our auth middleware does: the login session the socket belongs to.
    (socket.data as { sessionId?: string }).sessionId = 'login-1';
    socket.on('join', (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const adapter = io.of('/').adapter;
  if (!(adapter instanceof RecoveryAdapter)) throw new Error('adapter not taken');
  open = { io, http, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, adapter };
  return open;
}

async function client(s: Setup, room: string): Promise<{ socket: ClientSocket; got: string[] }> {
  const socket = connectClient(s.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(socket);
  const got: string[] = [];
  socket.on('msg', (text: string) => {
    got.push(text);
  });
  await new Promise<void>((r) =>
    socket.once('connect', () => {
      r();
    }),
  );
  await socket.emitWithAck('join', room);
  return { socket, got };
}

async function drop(socket: ClientSocket): Promise<void> {
  const gone = new Promise<void>((r) =>
    socket.once('disconnect', () => {
      r();
    }),
  );
  socket.io.engine.close();
  await gone;
}

async function reconnect(socket: ClientSocket): Promise<void> {
  const back = new Promise<void>((r) =>
    socket.once('connect', () => {
      r();
    }),
  );
  socket.connect();
  await back;
}

/** A client in room r1 that received one packet, then lost its transport (the server has persisted its session). */
async function droppedAfterOne(windowMs: number): Promise<{ s: Setup; a: { socket: ClientSocket; got: string[] } }> {
  const s = await serve(windowMs);
  const a = await client(s, 'r1');
  s.io.to('r1').emit('msg', 'seen');
  await until(() => a.got.length === 1, 2000, 'first packet');
  await drop(a.socket);
  await until(() => s.io.of('/').sockets.size === 0, 2000, 'server saw the drop');
  return { s, a };
}

describe('RecoveryAdapter', () => {
  it('replays the packets of its rooms that a dropped client missed, in order, and only those', async () => {
    const { s, a } = await droppedAfterOne(60_000);
    for (let i = 0; i < 5; i++) s.io.to('r1').emit('msg', `missed ${i}`);
    s.io.to('r2').emit('msg', 'other room');
    await reconnect(a.socket);
    expect(a.socket.recovered).toBe(true);
    await until(() => a.got.length === 6, 2000, 'replay');
    expect(a.got).toEqual(['seen', 'missed 0', 'missed 1', 'missed 2', 'missed 3', 'missed 4']);
    // The restored socket is back in its room.
    s.io.to('r1').emit('msg', 'after');
    await until(() => a.got.length === 7, 2000, 'live packet');
    expect(a.got.at(-1)).toBe('after');
  });

  it('sends nothing missed before the middleware has let the restored socket in, then all of it before any live packet', async () => {
    const { s, a } = await droppedAfterOne(60_000);
    s.io.to('r1').emit('msg', 'missed');
    let release = (): void => undefined;
    holdMiddleware = new Promise<void>((r) => {
      release = r;
    });
    const frames: string[] = [];
    a.socket.io.on('packet', (p: { type: number; data?: unknown }) => {
      frames.push(JSON.stringify(p));
    });
    const before = entered;
    a.socket.connect();
    await until(() => entered === before + 1, 2000, 'restored socket waiting in the middleware');
    // Broadcast while it waits: in the log, not on the wire.
    s.io.to('r1').emit('msg', 'while waiting');
    await new Promise((r) => setTimeout(r, 50));
    expect(frames).toEqual([]);
    expect(a.got).toEqual(['seen']);
    release();
    await until(() => a.got.length === 3, 2000, 'replay');
    s.io.to('r1').emit('msg', 'live');
    await until(() => a.got.length === 4, 2000, 'live packet');
    expect(a.socket.recovered).toBe(true);
    expect(a.got).toEqual(['seen', 'missed', 'while waiting', 'live']);
  });

  it('lets packets go once the window has passed, and a late client is a new connection', async () => {
    const s = await serve(300);
    const a = await client(s, 'r1');
    s.io.to('r1').emit('msg', 'one');
    await until(() => a.got.length === 1, 2000, 'first packet');
    await drop(a.socket);
    s.io.to('r1').emit('msg', 'two');
    expect(s.adapter.heldPackets).toBe(2);
    await new Promise((r) => setTimeout(r, 400));
    // Pruned on the next broadcast: only the new packet is held.
    s.io.to('r1').emit('msg', 'three');
    expect(s.adapter.heldPackets).toBe(1);
    await reconnect(a.socket);
    expect(a.socket.recovered).toBe(false);
  });

  it('relays what is broadcast here (not what came from another instance), and keeps a relayed packet for recovery under its own offset', async () => {
    const relayed: string[] = [];
    const { s, a } = await droppedAfterOne(60_000);
    s.adapter.relayTo((payload) => {
      relayed.push(payload);
    });
    s.io.to('r1').emit('msg', 'made here');
    expect(relayed).toHaveLength(1);
    expect(JSON.parse(relayed[0]!)).toMatchObject({ data: ['msg', 'made here'], rooms: ['r1'], except: [] });

    // As another instance relays it: kept and sent here, never relayed back.
    const remote = JSON.stringify({ data: ['msg', 'made there'], rooms: ['r1'], except: [], flags: {} });
    expect(s.adapter.receiveRemote(remote)).toBe(true);
    expect(relayed).toHaveLength(1);
    for (const bad of [
      'not json',
      '{}',
      JSON.stringify({ data: [42], rooms: ['r1'], except: [], flags: {} }),
      JSON.stringify({ data: ['msg'], rooms: 'r1', except: [], flags: {} }),
    ]) {
      expect(s.adapter.receiveRemote(bad)).toBe(false);
    }
    await reconnect(a.socket);
    expect(a.socket.recovered).toBe(true);
    await until(() => a.got.length === 3, 2000, 'replay');
    expect(a.got).toEqual(['seen', 'made here', 'made there']);
  });

  for (const [what, forget] of [
    [
      'its login session ended',
      (ad: RecoveryAdapter) => {
        ad.forgetSessions(['login-1']);
      },
    ],
    [
      "its room's access changed",
      (ad: RecoveryAdapter) => {
        ad.forgetRoom('r1');
      },
    ],
  ] as const) {
    it(`does not replay to a persisted session once ${what}`, async () => {
      const { s, a } = await droppedAfterOne(60_000);
      s.io.to('r1').emit('msg', 'secret');
      forget(s.adapter);
      await reconnect(a.socket);
      expect(a.socket.recovered).toBe(false);
      await new Promise((r) => setTimeout(r, 100));
      expect(a.got).toEqual(['seen']);
    });
  }

  it('sends a kept packet in any namespace intact, its offset last; a volatile one goes out unkept', async () => {
    const s = await serve(60_000);
    const nsp = s.io.of('/wall');
    nsp.on('connection', (socket) => {
      void socket.join('w');
    });
    const adapter = nsp.adapter;
    if (!(adapter instanceof RecoveryAdapter)) throw new Error('adapter not taken');
    const payload = { text: 'Иванов «кавычки» \u2028 \\ "q"', n: [1, 2.5, null, { deep: [true] }], at: 1_700_000_000_000 };
    const socket = connectClient(`${s.url}/wall`, { transports: ['websocket'], reconnection: false, forceNew: true });
    clients.push(socket);
    const got: unknown[][] = [];
    socket.on('room', (...args: unknown[]) => {
      got.push(args);
    });
    await new Promise<void>((r) =>
      socket.once('connect', () => {
        r();
      }),
    );
    await until(() => (nsp.adapter.rooms.get('w')?.size ?? 0) === 1, 2000, 'joined');
    nsp.to('w').emit('room', payload);
    await until(() => got.length === 1, 2000, 'packet');
    const offset = (socket as unknown as { _lastOffset?: string })._lastOffset;
    expect(got[0]).toEqual([payload, offset]);
    expect(adapter.heldPackets).toBe(1);
    nsp.to('w').volatile.emit('room', 'v');
    await until(() => got.length === 2, 2000, 'volatile packet');
    expect(got[1]).toEqual(['v']);
    expect(adapter.heldPackets).toBe(1);
  });

  it('numbers packets on across thousands that left the window, and replays the right ones', async () => {
    const s = await serve(300);
    for (let i = 0; i < 3000; i++) s.io.to('elsewhere').emit('msg', `old ${i}`);
    expect(s.adapter.heldPackets).toBe(3000);
    await new Promise((r) => setTimeout(r, 350));
    const a = await client(s, 'r1');
    s.io.to('r1').emit('msg', 'seen');
    await until(() => a.got.length === 1, 2000, 'first packet');
    expect(s.adapter.heldPackets).toBe(1);
    await drop(a.socket);
    s.io.to('r1').emit('msg', 'missed');
    s.io.to('elsewhere').emit('msg', 'not for it');
    await reconnect(a.socket);
    expect(a.socket.recovered).toBe(true);
    await until(() => a.got.length === 2, 2000, 'replay');
    await new Promise((r) => setTimeout(r, 50));
    expect(a.got).toEqual(['seen', 'missed']);
  });

  it('refuses an offset it did not issue (another process, or made up)', async () => {
    const { s, a } = await droppedAfterOne(60_000);
    s.io.to('r1').emit('msg', 'missed');
    // The client sends its offset back on reconnect; make it one from elsewhere.
    (a.socket as unknown as { _lastOffset: string })._lastOffset = 'AAAAAAAA.0';
    await reconnect(a.socket);
    expect(a.socket.recovered).toBe(false);
  });
});
