/**
 * The tab's one socket.io connection (same origin; the session cookie
 * authenticates), created on first use so public pages never load it, and a
 * promise wrapper around acknowledged events.
 */
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../../shared/protocol/events';
import { ApiError } from '../api';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: RealtimeSocket | null = null;

/**
 * The shared connection of this tab. One the server ended (a logout in another
 * tab) does not reconnect by itself: the next view that asks for it after a new
 * login connects it again, with the new session's cookie.
 */
export function realtimeSocket(): RealtimeSocket {
  socket ??= io({ transports: ['websocket'], withCredentials: true });
  if (!socket.active) socket.connect();
  return socket;
}

/** Events answered with an ack (every client event except `typing:set`). */
export type AckEvent = Exclude<keyof ClientToServerEvents, 'typing:set'>;
/** The payload of an acknowledged event. */
export type PayloadOf<E extends AckEvent> = Parameters<ClientToServerEvents[E]>[0];
/** The data of a successful ack of `E`. */
export type AckDataOf<E extends AckEvent> = Parameters<ClientToServerEvents[E]>[1] extends (a: Ack<infer T>) => void ? T : never;

type LooseEmit = (event: string, payload: unknown, ack: (a: Ack<unknown>) => void) => void;

/** Default wait for an ack; socket.io buffers emits while disconnected, so this bounds the wait. */
export const ACK_TIMEOUT_MS = 10_000;

/**
 * Sends `event` and resolves with the ack's data; an error ack rejects with an
 * ApiError carrying the catalogue code, a missing ack rejects as a network error.
 */
export function request<E extends AckEvent>(s: RealtimeSocket, event: E, payload: PayloadOf<E>, timeoutMs = ACK_TIMEOUT_MS): Promise<AckDataOf<E>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new ApiError(0, 'INTERNAL', 'timeout'));
    }, timeoutMs);
    const emit = s.emit.bind(s) as unknown as LooseEmit;
    emit(event, payload, (ack) => {
      clearTimeout(timer);
      if (ack.ok) resolve(ack.data as AckDataOf<E>);
      else reject(new ApiError(400, ack.error.code, ack.error.message, ack.error.fields ?? {}));
    });
  });
}
