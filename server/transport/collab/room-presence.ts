/**
 * The awareness of one room as the server keeps it: per awareness clientID the
 * last clock and JSON state, each entry already bound to its connection by the
 * guard (awareness-guard.ts). Which entry wins follows y-protocols'
 * `applyAwarenessUpdate`: a higher clock replaces the state, an equal clock only
 * removes it; a removal keeps the clock, so a stale entry cannot come back.
 *
 * The server never reads a state: it keeps and relays the JSON text the guard
 * wrote, so an entry is parsed once (in the guard) and never serialised again.
 * Clients still speak plain y-protocols awareness.
 */
import * as encoding from 'lib0/encoding';
import { awarenessMessage } from './protocol.js';

/** One awareness entry; `state` is JSON text, `'null'` for a peer that left. */
export interface PresenceEntry {
  clientId: number;
  clock: number;
  state: string;
}

const GONE = 'null';

export class RoomPresence {
  private readonly clocks = new Map<number, number>();
  private readonly states = new Map<number, string>();

  /** Applies an entry; true when peers must be told (y-protocols emits 'update' then). */
  apply({ clientId, clock, state }: PresenceEntry): boolean {
    const current = this.clocks.get(clientId);
    const isNewer = (current ?? 0) < clock;
    const isRemoval = state === GONE;
    if (!isNewer && !(current === clock && isRemoval && this.states.has(clientId))) return false;
    this.clocks.set(clientId, clock);
    if (!isRemoval) {
      this.states.set(clientId, state);
      return true;
    }
    this.states.delete(clientId);
    // A removal of an entry never seen tells the peers nothing.
    return current !== undefined;
  }

  /** Drops a connection's entry; returns the removal to relay, or null when it had none. */
  remove(clientId: number): PresenceEntry | null {
    if (!this.states.delete(clientId)) return null;
    const clock = (this.clocks.get(clientId) ?? 0) + 1;
    this.clocks.set(clientId, clock);
    return { clientId, clock, state: GONE };
  }

  /** Every live entry (for a newcomer's greeting and a query). */
  entries(): PresenceEntry[] {
    return [...this.states].map(([clientId, state]) => ({ clientId, clock: this.clocks.get(clientId) ?? 0, state }));
  }

  get size(): number {
    return this.states.size;
  }
}

/** A y-websocket awareness message carrying `entries`, encoded as y-protocols encodes an awareness update. */
export function presenceMessage(entries: readonly PresenceEntry[]): Uint8Array {
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(update, clientId);
    encoding.writeVarUint(update, clock);
    encoding.writeVarString(update, state);
  }
  return awarenessMessage(encoding.toUint8Array(update));
}
