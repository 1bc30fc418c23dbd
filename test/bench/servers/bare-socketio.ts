/**
 * The chat baselines: a socket.io server that only relays — no auth, no
 * validation, no storage. Same event names and acks as ours.
 *
 * With `BENCH_RELAY_PERSIST=1` it is the **persisting relay**: the same relay,
 * but each chat message is first appended through our SQLite Store
 * (`store.chat.append`, the same durability as our chat: acknowledged at
 * COMMIT, group commit per loop turn, WAL synced within 50 ms), and acked and
 * broadcast once committed. It measures what persisting every message costs on
 * this machine before any of our handler path (session, grants, validation,
 * rate limits, recovery buffer, supervisors' wall). Status pushes stay bare.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { commonHandlers, serveIpc } from '../proc.js';
import { relayStore } from './relay-store.js';

type Ack = (r: { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }) => void;
interface ChatSend {
  appealId: string;
  clientId: string;
  text: string;
}

const persisting = await relayStore('bench-relay-');
const store = persisting?.store ?? null;

const http = createServer();
const io = new Server(http, { serveClient: false });
const seqs = new Map<string, number>();
const versions = new Map<string, number>();
let rows = 0;

io.on('connection', (socket) => {
  socket.on('room:join', (p: { appealId: string }, ack: Ack) => {
    void socket.join(p.appealId);
    ack({ ok: true, data: { appealId: p.appealId } });
  });
  socket.on('chat:send', (p: ChatSend, ack: Ack) => {
    if (!store) {
      const seq = (seqs.get(p.appealId) ?? 0) + 1;
      seqs.set(p.appealId, seq);
      const message = { ...p, seq, at: Date.now() };
      ack({ ok: true, data: message });
      socket.to(p.appealId).emit('chat:message', message);
      return;
    }
    store.chat
      .append(
        { appealId: p.appealId, clientId: p.clientId, authorId: socket.id, authorRole: 'citizen', text: p.text, internal: false, at: Date.now() },
        { durability: 'process' },
      )
      .then(
        ({ message, created }) => {
          ack({ ok: true, data: message });
          if (!created) return;
          rows++;
          socket.to(p.appealId).emit('chat:message', message);
        },
        (err: unknown) => {
          ack({ ok: false, error: { code: 'INTERNAL', message: String(err) } });
        },
      );
  });
  socket.on('status:change', (p: { appealId: string; action: string }, ack: Ack) => {
    const version = (versions.get(p.appealId) ?? 0) + 1;
    versions.set(p.appealId, version);
    ack({ ok: true, data: { version } });
    io.to(p.appealId).emit('status:changed', { appealId: p.appealId, version, entry: { action: p.action } });
  });
});

const ipc = serveIpc(
  {
    ...commonHandlers,
    /** Messages appended (persisting relay only; the plain relay has none). */
    chatRows: () => (store ? rows : null),
  },
  async () => {
    await new Promise<void>((resolve) => {
      io.disconnectSockets(true);
      void io.close(() => {
        resolve();
      });
    });
    await persisting?.close();
  },
);
http.listen(0, '127.0.0.1', () => {
  ipc.emit('ready', { port: (http.address() as AddressInfo).port });
});
