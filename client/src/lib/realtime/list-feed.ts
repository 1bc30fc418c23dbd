/**
 * A live list (the queue, «Мои обращения», the invitations): `lists:watch`
 * on every connection of the tab's socket, and on each `list:changed` hint a
 * refresh of the list through its REST route, gathered so that a burst of
 * hints costs one read. After each watch is acknowledged the list is read
 * again: a change made before the subscription (while the page loaded, or
 * while the connection was down) sent its hint to nobody.
 */
import type { ListChanged } from '../../../../shared/protocol/events';
import { realtimeSocket, request, type RealtimeSocket } from './socket';

/** Hints within this window are answered with one read. */
export const LIST_REFRESH_MS = 200;

export interface FollowOptions {
  /** The socket (the tab's shared one by default). */
  socket?: RealtimeSocket;
  /** Told of every hint (tests, a view that marks the changed line). */
  onHint?: (hint: ListChanged) => void;
}

/** Keeps a list live until the returned function is called. */
export function followList(refresh: () => Promise<void>, options: FollowOptions = {}): () => void {
  const socket = options.socket ?? realtimeSocket();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let isStopped = false;

  const schedule = (): void => {
    if (timer !== null || isStopped) return;
    timer = setTimeout(() => {
      timer = null;
      if (!isStopped) void refresh();
    }, LIST_REFRESH_MS);
  };
  const handleHint = (hint: ListChanged): void => {
    options.onHint?.(hint);
    schedule();
  };
  const watch = (): void => {
    request(socket, 'lists:watch', {}).then(schedule, () => undefined);
  };

  socket.on('list:changed', handleHint);
  socket.on('connect', watch);
  if (socket.connected) watch();
  return () => {
    isStopped = true;
    socket.off('list:changed', handleHint);
    socket.off('connect', watch);
    if (timer !== null) clearTimeout(timer);
  };
}
