/**
 * The chat baseline: a socket.io server that only relays — no auth, no
 * validation, no storage. Same event names and acks as ours.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { commonHandlers, serveIpc } from '../proc.js';

type Ack = (r: { ok: true; data: unknown }) => void;
const http = createServer();
const io = new Server(http, { serveClient: false });
const seqs = new Map<string, number>();
const versions = new Map<string, number>();
io.on('connection', (socket) => {
  socket.on('room:join', (p: { appealId: string }, ack: Ack) => {
    void socket.join(p.appealId);
    ack({ ok: true, data: { appealId: p.appealId } });
  });
  socket.on('chat:send', (p: { appealId: string; clientId: string; text: string }, ack: Ack) => {
    const seq = (seqs.get(p.appealId) ?? 0) + 1;
    seqs.set(p.appealId, seq);
    const message = { ...p, seq, at: Date.now() };
    ack({ ok: true, data: message });
    socket.to(p.appealId).emit('chat:message', message);
  });
  socket.on('status:change', (p: { appealId: string; action: string }, ack: Ack) => {
    const version = (versions.get(p.appealId) ?? 0) + 1;
    versions.set(p.appealId, version);
    ack({ ok: true, data: { version } });
    io.to(p.appealId).emit('status:changed', { appealId: p.appealId, version, entry: { action: p.action } });
  });
});

const ipc = serveIpc({ ...commonHandlers }, () => new Promise<void>((resolve) => {
  io.disconnectSockets(true);
  void io.close(() => { resolve(); });
}));
http.listen(0, '127.0.0.1', () => { ipc.emit('ready', { port: (http.address() as AddressInfo).port }); });
