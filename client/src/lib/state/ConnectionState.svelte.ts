/**
 * How the room is connected: the socket.io link (chat, status, presence) and
 * the Yjs provider (description) together, as one of online / reconnecting /
 * offline for a clear indicator, or ended once the server ended the session
 * (nothing reconnects until a new login).
 */
import type { RealtimeSocket } from '../realtime/socket';

export type LinkState = 'online' | 'reconnecting' | 'offline' | 'ended';
export type ProviderStatus = 'connected' | 'connecting' | 'disconnected';

export class ConnectionState {
  #socket = $state<LinkState>('reconnecting');
  #provider = $state<ProviderStatus | 'none'>('none');
  #isBrowserOnline = $state(typeof navigator === 'undefined' ? true : navigator.onLine);
  #isEnded = $state(false);

  get socket(): LinkState {
    return this.#socket;
  }

  get provider(): ProviderStatus | 'none' {
    return this.#provider;
  }

  /** The server ended the session (logout elsewhere, lock): no reconnect without a new login. */
  get isEnded(): boolean {
    return this.#isEnded;
  }

  /** One word for both links. */
  readonly state: LinkState = $derived.by(() => {
    if (this.#isEnded) return 'ended';
    if (!this.#isBrowserOnline) return 'offline';
    const yjs = this.#provider;
    if (this.#socket === 'online' && (yjs === 'connected' || yjs === 'none')) return 'online';
    if (this.#socket === 'offline' && yjs !== 'connected') return 'offline';
    return 'reconnecting';
  });

  /** Follows the socket's lifecycle; returns the stop function. */
  watchSocket(socket: RealtimeSocket): () => void {
    this.#socket = socket.connected ? 'online' : 'reconnecting';
    const handleConnect = (): void => {
      this.#socket = 'online';
      this.#isEnded = false;
    };
    const handleDisconnect = (reason: string): void => {
      if (reason === 'io server disconnect') this.#isEnded = true;
      this.#socket = reason === 'io client disconnect' || reason === 'io server disconnect' ? 'offline' : 'reconnecting';
    };
    const handleAttempt = (): void => {
      if (this.#socket !== 'online') this.#socket = 'reconnecting';
    };
    const handleFailed = (): void => {
      this.#socket = 'offline';
    };
    const handleConnectError = (): void => {
      // Still retrying (socket.io backs off); shown as reconnecting unless the browser is offline.
      this.#socket = socket.active ? 'reconnecting' : 'offline';
    };
    const handleOnline = (): void => {
      this.#isBrowserOnline = true;
    };
    const handleOffline = (): void => {
      this.#isBrowserOnline = false;
    };
    socket.on('connect', handleConnect);
    socket.on('disconnect', handleDisconnect);
    socket.on('connect_error', handleConnectError);
    socket.io.on('reconnect_attempt', handleAttempt);
    socket.io.on('reconnect_failed', handleFailed);
    window.addEventListener('online', handleOnline);
    window.addEventListener('offline', handleOffline);
    return () => {
      socket.off('connect', handleConnect);
      socket.off('disconnect', handleDisconnect);
      socket.off('connect_error', handleConnectError);
      socket.io.off('reconnect_attempt', handleAttempt);
      socket.io.off('reconnect_failed', handleFailed);
      window.removeEventListener('online', handleOnline);
      window.removeEventListener('offline', handleOffline);
    };
  }

  /** The Yjs provider's status (`none` when the room has no editor). */
  setProvider(status: ProviderStatus | 'none'): void {
    this.#provider = status;
  }
}
