/**
 * The connections to one appeal's description, its awareness, and the handle
 * on the loaded document. Created by the first connection, disposed when the
 * last one leaves (the document service then unloads the document).
 */
import type { DescriptionRoom } from '../../domain/description/description-room.js';
import type { DescriptionHandle, DescriptionService } from '../../domain/description/description.service.js';
import type { RoomConnection } from './room-connection.js';
import { presenceMessage, RoomPresence, type PresenceEntry } from './room-presence.js';

export class CollabRoom {
  readonly conns = new Set<RoomConnection>();
  /** Resolves once the document is loaded; rejects if loading failed. */
  readonly ready: Promise<DescriptionHandle>;
  private readonly presence = new RoomPresence();
  private loaded: DescriptionRoom | null = null;
  private isDisposed = false;

  /** `toOthers`: where this instance's awareness entries go to reach the other instances (`REDIS_URL`). */
  constructor(
    readonly appealId: string,
    description: DescriptionService,
    private readonly toOthers: ((entry: PresenceEntry) => void) | null = null,
  ) {
    this.ready = description.open(appealId).then((handle) => {
      if (this.isDisposed) {
        handle.release();
        throw new Error('room closed while loading');
      }
      this.loaded = handle.room;
      return handle;
    });
    this.ready.catch(() => undefined);
  }

  /** The loaded document (null before `ready` and after disposal). */
  get description(): DescriptionRoom | null {
    return this.loaded;
  }

  /** Whether no live connection in the room publishes this awareness clientID. */
  isAwarenessIdFree(clientId: number, asking: RoomConnection): boolean {
    for (const c of this.conns) if (c !== asking && c.awarenessId === clientId) return false;
    return true;
  }

  /** Sends `conn` every peer's current entry in one awareness message (nothing when no one has published one). */
  sendPresenceSnapshot(conn: RoomConnection): void {
    if (this.presence.size > 0) conn.sendPresence(presenceMessage(this.presence.entries()), this.presence.size);
  }

  /**
   * Applies a guarded awareness entry and relays it to the other connections,
   * and back to the sender when it has been sent nothing for a while (the echo
   * feeds its client's idle watchdog); a stale entry is dropped, as y-protocols
   * would. The relay waits for the updates still being committed: a caret
   * never reaches a peer before the text it points into, and leaves in the
   * same write.
   */
  publish(entry: PresenceEntry, from: RoomConnection): void {
    if (!from.canWrite) {
      // A silent observer: nobody else is shown its entry (the citizen must not
      // learn it is there); its own client still gets the echo its watchdog needs.
      if (from.wantsEcho()) from.sendPresence(presenceMessage([entry]), 1);
      return;
    }
    if (!this.presence.apply(entry)) return;
    this.relayPresence(entry, from);
    this.toOthers?.(entry);
  }

  /** An awareness entry published on another instance: kept, and sent to every connection here. */
  applyRemotePresence(entry: PresenceEntry): void {
    if (!this.presence.apply(entry)) return;
    const message = presenceMessage([entry]);
    const send = (): void => {
      this.broadcastPresence(message);
    };
    if (this.loaded) this.loaded.afterRelayed(send);
    else send();
  }

  /** Sends to every connection but `except`. */
  broadcast(message: Uint8Array, except?: unknown): void {
    for (const c of this.conns) if (c !== except) c.send(message);
  }

  /** Removes a connection and its awareness entry (peers are told); true when the room is now empty. */
  remove(conn: RoomConnection): boolean {
    if (!this.conns.delete(conn)) return false;
    const removal = conn.awarenessId === null ? null : this.presence.remove(conn.awarenessId);
    if (removal) {
      this.relayPresence(removal, conn);
      this.toOthers?.(removal);
    }
    return this.conns.size === 0;
  }

  /** The connection may no longer write (it only watches now): its entry is withdrawn from the others. */
  withdrawPresence(conn: RoomConnection): void {
    const removal = conn.awarenessId === null ? null : this.presence.remove(conn.awarenessId);
    if (!removal) return;
    const message = presenceMessage([removal]);
    const send = (): void => {
      this.broadcastPresence(message, conn);
    };
    if (this.loaded) this.loaded.afterRelayed(send);
    else send();
    this.toOthers?.(removal);
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    this.loaded = null;
    this.ready.then(
      (handle) => {
        handle.release();
      },
      () => undefined,
    );
  }

  /** A one-entry awareness message to every connection but `except`; each may echo it back for free. */
  private broadcastPresence(message: Uint8Array, except?: RoomConnection): void {
    for (const c of this.conns) if (c !== except) c.sendPresence(message, 1);
  }

  private relayPresence(entry: PresenceEntry, from: RoomConnection): void {
    const message = presenceMessage([entry]);
    const send = (): void => {
      this.broadcastPresence(message, from.wantsEcho() ? undefined : from);
    };
    if (this.loaded) this.loaded.afterRelayed(send);
    else send();
  }
}
