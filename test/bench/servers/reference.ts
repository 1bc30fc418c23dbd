/**
 * The y-websocket reference server: y-websocket v2's bin/utils.cjs
 * (`setupWSConnection`) on a `ws` server, as its bin/server.cjs does.
 * No persistence (YPERSISTENCE needs y-leveldb, which is not installed): by
 * default every document stays in memory after its last client leaves. The
 * `unloadMode` command installs a no-op persistence through `setPersistence`,
 * which makes the library destroy a document when its last connection closes
 * (its persisted path) without storing anything — the "with persistence"
 * memory behaviour, minus the disk.
 */
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { commonHandlers, serveIpc } from '../proc.js';

const require = createRequire(import.meta.url);
const utils = require('y-websocket-v2/bin/utils') as {
  setupWSConnection(conn: WebSocket, req: IncomingMessage, opts?: { docName?: string; gc?: boolean }): void;
  setPersistence(p: { provider: unknown; bindState(name: string, doc: unknown): void; writeState(name: string, doc: unknown): Promise<unknown> } | null): void;
  docs: Map<string, unknown>;
};

const http = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('okay');
});
const wss = new WebSocketServer({ noServer: true });
wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
  utils.setupWSConnection(ws, req);
});
http.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    wss.emit('connection', ws, req);
  });
});

const ipc = serveIpc(
  {
    ...commonHandlers,
    docs: () => utils.docs.size,
    unloadMode: () => {
      utils.setPersistence({ provider: null, bindState: () => undefined, writeState: () => Promise.resolve() });
      return true;
    },
  },
  () =>
    new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      http.close(() => {
        resolve();
      });
    }),
);

http.listen(0, '127.0.0.1', () => {
  ipc.emit('ready', { port: (http.address() as AddressInfo).port });
});
