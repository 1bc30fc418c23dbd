/**
 * The floor: a `ws` server that forwards every message, as bytes, to the other
 * sockets of the same room (the URL path) without decoding anything.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { commonHandlers, serveIpc } from '../proc.js';

const rooms = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => { res.end('relay'); });
const wss = new WebSocketServer({ server: http });
wss.on('connection', (ws, req) => {
  const name = req.url ?? '/';
  let room = rooms.get(name);
  if (!room) { room = new Set(); rooms.set(name, room); }
  const peers = room;
  peers.add(ws);
  ws.on('message', (data: RawData, isBinary: boolean) => {
    for (const p of peers) if (p !== ws && p.readyState === p.OPEN) p.send(data, { binary: isBinary });
  });
  ws.on('close', () => {
    peers.delete(ws);
    if (peers.size === 0) rooms.delete(name);
  });
});

const ipc = serveIpc({ ...commonHandlers, docs: () => rooms.size }, () => new Promise<void>((resolve) => {
  for (const c of wss.clients) c.terminate();
  http.close(() => { resolve(); });
}));
http.listen(0, '127.0.0.1', () => { ipc.emit('ready', { port: (http.address() as AddressInfo).port }); });
