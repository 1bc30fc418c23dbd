/**
 * Yjs clients for tests: the real y-websocket `WebsocketProvider` over `ws`
 * with the cookie and Origin a browser would send, and a raw WebSocket for
 * hand-made frames. Everything opened here is closed by `closeAllYjs()`.
 */
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { plainTextOf } from '../../server/domain/description/description-text.js';

const providers = new Set<WebsocketProvider>();
const sockets = new Set<WebSocket>();

export interface YjsClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** The document's plain text (paragraphs joined with newlines). */
  text(): string;
  /** The first terminal close the server sent (4400–4499), if any. */
  closed: Promise<{ code: number; reason: string }>;
  destroy(): void;
}

const wsBase = (baseUrl: string): string => `${baseUrl.replace(/^http/, 'ws')}/yjs`;

/** Opens a provider for `appealId` with the given cookie; resolves once synced. */
export async function openYjs(baseUrl: string, cookie: string, appealId: string, o: { origin?: string; sync?: boolean } = {}): Promise<YjsClient> {
  const headers: Record<string, string> = { origin: o.origin ?? baseUrl };
  if (cookie) headers.cookie = cookie;
  class CookieSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsBase(baseUrl), appealId, doc, {
    WebSocketPolyfill: CookieSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: 300,
  });
  providers.add(provider);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    provider.on('closed', (event) => {
      resolve(event);
    });
  });
  const client: YjsClient = {
    doc,
    provider,
    closed,
    text: () => plainTextOf(doc.getXmlFragment('default')),
    destroy: () => {
      provider.destroy();
      providers.delete(provider);
      doc.destroy();
    },
  };
  if (o.sync !== false) await waitFor(() => provider.synced, 5000, 'provider did not sync');
  return client;
}

/** The HTTP status a handshake gets (101 when it opens). */
export function handshakeStatus(baseUrl: string, appealId: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase(baseUrl)}/${appealId}`, { headers });
    sockets.add(ws);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.close();
    });
    ws.on('error', (err) => {
      reject(err);
    });
  });
}

export interface RawYjs {
  ws: WebSocket;
  messages: Uint8Array[];
  closed: Promise<{ code: number; reason: string }>;
}

/** A bare, open WebSocket to the endpoint, collecting what the server sends. */
export async function openRaw(baseUrl: string, cookie: string, appealId: string): Promise<RawYjs> {
  const ws = new WebSocket(`${wsBase(baseUrl)}/${appealId}`, { headers: { origin: baseUrl, cookie } });
  sockets.add(ws);
  const messages: Uint8Array[] = [];
  ws.on('message', (data: Buffer) => {
    messages.push(new Uint8Array(data));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
    });
  });
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`refused: ${res.statusCode}`));
    });
  });
  return { ws, messages, closed };
}

/** Polls until `check` is true. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function closeAllYjs(): void {
  for (const p of providers) p.destroy();
  providers.clear();
  for (const s of sockets) s.terminate();
  sockets.clear();
}
