/**
 * The connections to one appeal's description, its awareness, and the handle
 * on the loaded document. Created by the first connection, disposed when the
 * last one leaves (the document service then unloads the document).
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type { DescriptionHandle, DescriptionService } from '../../domain/description/description.service.js';
import type { RoomConnection } from './room-connection.js';
import { awarenessMessage } from './protocol.js';

export class CollabRoom {
  readonly conns = new Set<RoomConnection>();
  /** Resolves once the document is loaded; rejects if loading failed. */
  readonly ready: Promise<DescriptionHandle>;
  private awareness: awarenessProtocol.Awareness | null = null;
  private isDisposed = false;

  constructor(readonly appealId: string, description: DescriptionService) {
    this.ready = description.open(appealId).then((handle) => {
      if (this.isDisposed) {
        handle.release();
        throw new Error('room closed while loading');
      }
      const awareness = new awarenessProtocol.Awareness(handle.room.doc);
      awareness.setLocalState(null);
      awareness.on('update', this.relayAwareness);
      this.awareness = awareness;
      return handle;
    });
    this.ready.catch(() => undefined);
  }

  /** The awareness of a loaded room. */
  get presence(): awarenessProtocol.Awareness | null {
    return this.awareness;
  }

  /** Whether no live connection in the room publishes this awareness clientID. */
  isAwarenessIdFree(clientId: number, asking: RoomConnection): boolean {
    for (const c of this.conns) if (c !== asking && c.awarenessId === clientId) return false;
    return true;
  }

  /** Sends to every connection but `except`. */
  broadcast(message: Uint8Array, except?: unknown): void {
    for (const c of this.conns) if (c !== except) c.send(message);
  }

  /** Removes a connection and its awareness state; true when the room is now empty. */
  remove(conn: RoomConnection): boolean {
    if (!this.conns.delete(conn)) return false;
    if (this.awareness && conn.awarenessId !== null) awarenessProtocol.removeAwarenessStates(this.awareness, [conn.awarenessId], null);
    return this.conns.size === 0;
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    const awareness = this.awareness;
    this.awareness = null;
    if (awareness) {
      awareness.off('update', this.relayAwareness);
      awareness.destroy();
    }
    this.ready.then((handle) => { handle.release(); }, () => undefined);
  }

  private readonly relayAwareness = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
  ): void => {
    if (!this.awareness) return;
    const changed = [...added, ...updated, ...removed];
    // Everyone, the sender too: its own echo keeps its client's idle watchdog fed.
    this.broadcast(awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)));
  };
}
