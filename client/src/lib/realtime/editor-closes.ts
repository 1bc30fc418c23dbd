/**
 * What the description's Yjs link does when the server closes it, by close
 * code (shared/protocol/close-codes.ts, docs/realtime.md). y-websocket v3 stops
 * for good on every 44xx code and retries the others by itself (4503 at a
 * server's shutdown among them); here:
 * - 4429 (too many messages) pauses, then connects again: the limit refills
 *   and the edits made meanwhile are in the document, sent on the next sync;
 * - 4410 (access withdrawn or the session ended) stays closed and is
 *   reported, so the room can tell the person;
 * - any other 44xx (a refused frame) stays closed: reconnecting would repeat it.
 */
import type { WebsocketProvider } from 'y-websocket';
import { CLOSE_CODES } from '../../../../shared/protocol/close-codes';

/** Why the editor is not connected, as the room shows it. */
export type EditorCloseKind = 'paused' | 'access-lost' | 'refused';

/** The kind of a server close; null when y-websocket should simply retry. */
export function editorCloseKind(code: number): EditorCloseKind | null {
  switch (code) {
    case CLOSE_CODES.RATE_LIMITED:
      return 'paused';
    case CLOSE_CODES.ACCESS_REVOKED:
      return 'access-lost';
    default:
      return code >= 4400 && code < 4500 ? 'refused' : null;
  }
}

export interface PauseOptions {
  /**
   * The first pause after a 4429. The server's allowance (docs/realtime.md:
   * 50 sync messages/s, burst 200) is whole again 4 s after a flood stops.
   */
  firstMs: number;
  /** Pauses double while 4429s follow each other within this long, up to `maxMs`. */
  repeatWindowMs: number;
  maxMs: number;
}

export const DEFAULT_PAUSE: PauseOptions = { firstMs: 5_000, repeatWindowMs: 60_000, maxMs: 60_000 };

/**
 * Applies the rules above to one provider: `onChange` hears the kind of a
 * close that stops the link, and null once it is connected again.
 */
export class EditorCloses {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #kind: EditorCloseKind | null = null;
  #pauseMs = 0;
  #pausedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly provider: WebsocketProvider,
    private readonly onChange: (kind: EditorCloseKind | null) => void,
    private readonly pause: PauseOptions = DEFAULT_PAUSE,
  ) {
    provider.shouldReconnect = (event) => editorCloseKind(event.code) === null;
    provider.on('closed', this.#handleClosed);
    provider.on('status', this.#handleStatus);
  }

  /** Stops listening and cancels a pending reconnect. */
  stop(): void {
    clearTimeout(this.#timer);
    this.provider.off('closed', this.#handleClosed);
    this.provider.off('status', this.#handleStatus);
  }

  readonly #handleClosed = ({ code }: { code: number }): void => {
    const kind = editorCloseKind(code);
    if (kind === null) return;
    this.#report(kind);
    if (kind !== 'paused') return;
    const now = Date.now();
    this.#pauseMs = now - this.#pausedAt < this.pause.repeatWindowMs ? Math.min(this.#pauseMs * 2, this.pause.maxMs) : this.pause.firstMs;
    this.#pausedAt = now;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.provider.connect();
    }, this.#pauseMs);
  };

  readonly #handleStatus = ({ status }: { status: string }): void => {
    if (status === 'connected') this.#report(null);
  };

  #report(kind: EditorCloseKind | null): void {
    if (kind === this.#kind) return;
    this.#kind = kind;
    this.onChange(kind);
  }
}
