/**
 * socket.io clients for tests: a real socket.io-client over WebSocket with the
 * session cookie and Origin a browser would send, typed with the shared event
 * table, plus small helpers to await acks and events. Every socket opened here
 * is closed by `closeAllSockets()` (call it in afterAll/afterEach).
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../shared/protocol/events.js';
import type { TestClient } from './session.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const open = new Set<Socket>();

export interface ConnectOptions {
  /** Origin header; the server's own by default. */
  origin?: string;
  /** Cookie header; the client's session by default ('' for none). */
  cookie?: string;
  /** Extra socket.io-client options. */
  reconnection?: boolean;
}

/** A socket for `client`, not yet awaited (for tests of refusals). */
export function socketFor(baseUrl: string, client: TestClient | null, o: ConnectOptions = {}): ClientSocket {
  const headers: Record<string, string> = { origin: o.origin ?? baseUrl };
  const cookie = o.cookie ?? client?.cookie ?? '';
  if (cookie) headers.cookie = cookie;
  const socket: ClientSocket = io(baseUrl, {
    transports: ['websocket'],
    extraHeaders: headers,
    reconnection: o.reconnection ?? false,
    forceNew: true,
    timeout: 5000,
  });
  open.add(socket);
  return socket;
}

/** A connected socket for `client`; rejects with the connect_error. */
export async function connect(baseUrl: string, client: TestClient | null, o: ConnectOptions = {}): Promise<ClientSocket> {
  const socket = socketFor(baseUrl, client, o);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => {
      resolve();
    });
    socket.once('connect_error', (err) => {
      reject(err);
    });
  });
  return socket;
}

/** Emits any event with any payload (valid or not) and resolves with the ack. */
export function request<T = unknown>(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Ack<T>> {
  const raw = socket as unknown as Socket;
  return raw.timeout(5000).emitWithAck(event, ...args) as Promise<Ack<T>>;
}

/** The data of a successful ack, or an error naming the code. */
export async function ok<T = unknown>(socket: ClientSocket, event: string, payload: unknown): Promise<T> {
  const ack = await request<T>(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** Collects every payload of `event` from now on. */
export function collect<T = unknown>(socket: ClientSocket, event: keyof ServerToClientEvents): T[] {
  const items: T[] = [];
  (socket as unknown as Socket).on(event, (p: T) => items.push(p));
  return items;
}

/** The next payload of `event` that satisfies `match`. */
export function next<T = unknown>(
  socket: ClientSocket,
  event: keyof ServerToClientEvents,
  match: (p: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  const raw = socket as unknown as Socket;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      raw.off(event, on);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (p: T): void => {
      if (!match(p)) return;
      clearTimeout(timer);
      raw.off(event, on);
      resolve(p);
    };
    raw.on(event, on);
  });
}

/** Waits until `check` holds, polling. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A client id as the real client makes them. */
export function clientId(): string {
  return `c${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

export function closeAllSockets(): void {
  for (const s of open) s.disconnect();
  open.clear();
}
