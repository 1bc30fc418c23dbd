/**
 * Awareness bound to the session. A client's awareness message is decoded with
 * the bounded reader; only the entry for the one awareness clientID this
 * connection owns (the first it used that no other connection in the room holds)
 * is kept, and its `user` field is replaced by the server's record of the
 * connection, so a peer never sees a name, role or colour the client claimed.
 */
import { BoundedReader, UpdateRejected } from '../../domain/description/update-validation.js';
import type { PresenceEntry } from './room-presence.js';

/** What peers see of a connection's person. `color` repeats `colour` for Tiptap's caret extension. */
export interface PeerIdentity {
  name: string;
  role: string;
  colour: string;
  color: string;
}

const UTF8 = new TextDecoder();

/** Largest JSON state one client may publish (carets and selections are a few hundred bytes). */
export const MAX_AWARENESS_STATE_BYTES = 8 * 1024;

export interface AwarenessOwner {
  /** The clientID this connection publishes, once bound. */
  awarenessId: number | null;
  readonly identity: PeerIdentity;
}

/** What one awareness message says: the connection's own entry, if any, and how many entries of others it carries. */
export interface AwarenessClaims {
  /** The first entry for the connection's clientID (its state still raw JSON bytes). */
  own: { clientId: number; clock: number; raw: Uint8Array } | null;
  /** Entries for any other clientID (echoes of peers, or claims the connection may not make); all dropped. */
  others: number;
}

/**
 * Sorts a message's entries into the connection's own and the others', binding
 * the connection to the first clientID it uses when `isFree` says no one else
 * holds it. Reads no state but its own: the others' are dropped unread (the
 * frame bounds their size), so a peer echoing a large caret is never refused
 * for it. Throws UpdateRejected on malformed bytes or an own state over
 * MAX_AWARENESS_STATE_BYTES.
 */
export function readAwareness(payload: Uint8Array, owner: AwarenessOwner, isFree: (clientId: number) => boolean): AwarenessClaims {
  const r = new BoundedReader(payload);
  const n = r.count(3);
  let own: AwarenessClaims['own'] = null;
  let others = 0;
  for (let i = 0; i < n; i++) {
    const clientId = r.varUint();
    const clock = r.varUint();
    const raw = r.bytes();
    if (owner.awarenessId === null && isFree(clientId)) owner.awarenessId = clientId;
    if (own || clientId !== owner.awarenessId) {
      others++;
      continue;
    }
    if (raw.length > MAX_AWARENESS_STATE_BYTES) throw new UpdateRejected('awareness state too large');
    own = { clientId, clock, raw };
  }
  if (r.remaining !== 0) throw new UpdateRejected('trailing bytes');
  return { own, others };
}

/**
 * The entry to publish for the connection's own state, `user` replaced by the
 * server's record; null for a state that is neither an object nor null
 * (dropped, as before). Throws UpdateRejected when the state is not JSON.
 */
export function ownEntry(own: NonNullable<AwarenessClaims['own']>, identity: PeerIdentity): PresenceEntry | null {
  let state: unknown;
  try {
    state = JSON.parse(UTF8.decode(own.raw));
  } catch {
    throw new UpdateRejected('awareness state is not JSON');
  }
  if (state === null) return { clientId: own.clientId, clock: own.clock, state: 'null' };
  if (typeof state === 'object' && !Array.isArray(state))
    return { clientId: own.clientId, clock: own.clock, state: JSON.stringify({ ...state, user: identity }) };
  return null;
}
