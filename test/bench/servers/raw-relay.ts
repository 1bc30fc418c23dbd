/**
 * The floor: a `ws` server that forwards every message, as bytes, to the other
 * sockets of the same room (the URL path) without decoding anything.
 *
 * With `BENCH_RELAY_PERSIST=1` it is the **persisting raw relay**: a message
 * that carries a Yjs update (y-websocket sync step 2 or update) is first
 * appended through our SQLite Store (`store.yjs.append`, with the durability
 * our rooms use: acknowledged at COMMIT, the WAL synced within 50 ms), then
 * forwarded as bytes; nothing is decoded beyond the message's header and no
 * document is held. It measures what persisting every update costs here
 * before any of our room's work (validation, the document, carets, ordering).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as decoding from 'lib0/decoding';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { commonHandlers, serveIpc } from '../proc.js';
import { relayStore } from './relay-store.js';

const persisting = await relayStore('bench-raw-relay-');
const store = persisting?.store ?? null;

/** The update a y-websocket message carries (sync step 2 or update), or null. */
function updateOf(data: Uint8Array): Uint8Array | null {
  const d = decoding.createDecoder(data);
  if (decoding.readVarUint(d) !== 0) return null;
  const sub = decoding.readVarUint(d);
  return sub === 1 || sub === 2 ? decoding.readVarUint8Array(d) : null;
}

const rooms = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => {
  res.end('relay');
});
const wss = new WebSocketServer({ server: http });
wss.on('connection', (ws, req) => {
  const name = req.url ?? '/';
  let room = rooms.get(name);
  if (!room) {
    room = new Set();
    rooms.set(name, room);
  }
  const peers = room;
  peers.add(ws);
  const forward = (data: RawData, isBinary: boolean): void => {
    for (const p of peers) if (p !== ws && p.readyState === p.OPEN) p.send(data, { binary: isBinary });
  };
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const update = store && Buffer.isBuffer(data) ? updateOf(data) : null;
    if (!store || !update) {
      forward(data, isBinary);
      return;
    }
    // Appends of a room resolve in the order made, so forwarding keeps the order.
    store.yjs.append(name, update, null, Date.now(), { durability: 'process' }).then(
      () => {
        forward(data, isBinary);
      },
      (err: unknown) => {
        console.error('persisting raw relay: append failed', err);
        ws.close(1011);
      },
    );
  });
  ws.on('close', () => {
    peers.delete(ws);
    if (peers.size === 0) rooms.delete(name);
  });
});

const ipc = serveIpc({ ...commonHandlers, docs: () => rooms.size }, async () => {
  await new Promise<void>((resolve) => {
    for (const c of wss.clients) c.terminate();
    http.close(() => {
      resolve();
    });
  });
  await persisting?.close();
});
http.listen(0, '127.0.0.1', () => {
  ipc.emit('ready', { port: (http.address() as AddressInfo).port });
});
