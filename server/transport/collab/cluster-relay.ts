/**
 * What one instance relays to the others about a description room: an update
 * it has stored, or an awareness entry one of its connections published.
 *
 * Binary, since updates are: a kind byte, the appeal id's length (one byte)
 * and its UTF-8 bytes, then for an update its bytes, for an awareness entry
 * the entry as JSON (the state is already JSON text, checked by the guard of
 * the instance it came in on).
 */
import type { PresenceEntry } from './room-presence.js';

export type Relayed = { kind: 'update'; appealId: string; update: Uint8Array } | { kind: 'presence'; appealId: string; entry: PresenceEntry };

const KIND = { update: 0, presence: 1 } as const;

export function encodeRelayed(r: Relayed): Buffer {
  const id = Buffer.from(r.appealId, 'utf8');
  if (id.length > 255) throw new Error('appeal id too long to relay');
  const body = r.kind === 'update' ? r.update : Buffer.from(JSON.stringify(r.entry), 'utf8');
  const out = Buffer.allocUnsafe(2 + id.length + body.length);
  out[0] = KIND[r.kind];
  out[1] = id.length;
  id.copy(out, 2);
  out.set(body, 2 + id.length);
  return out;
}

/** The relayed item, or null when the bytes are not one. */
export function decodeRelayed(b: Buffer): Relayed | null {
  if (b.length < 2) return null;
  const idEnd = 2 + (b[1] ?? 0);
  if (b.length < idEnd) return null;
  const appealId = b.toString('utf8', 2, idEnd);
  if (!appealId) return null;
  const body = b.subarray(idEnd);
  if (b[0] === KIND.update) return body.length > 0 ? { kind: 'update', appealId, update: new Uint8Array(body) } : null;
  if (b[0] !== KIND.presence) return null;
  try {
    const e = JSON.parse(body.toString('utf8')) as Partial<PresenceEntry>;
    const uint = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!uint(e.clientId) || !uint(e.clock) || typeof e.state !== 'string') return null;
    return { kind: 'presence', appealId, entry: { clientId: e.clientId, clock: e.clock, state: e.state } };
  } catch {
    return null;
  }
}
