/**
 * socket.io's in-memory adapter with our connection state recovery.
 *
 * Recovery keeps every broadcast packet for the length of the window, so that a
 * client whose connection dropped gets what it missed. As socket.io's own
 * SessionAwareAdapter does, a kept packet is its data array (the event, its
 * arguments, then its offset) with the rooms it went to and those it skipped;
 * unlike it, the packets that left the window are dropped on every broadcast,
 * not once a minute, and a packet is found by the number in its offset rather
 * than by a scan.
 *
 * Nothing is replayed before the connection is authorised. socket.io 4.8
 * sends the `missedPackets` of a restored session from the Socket constructor,
 * before any middleware runs, so `restoreSession` hands it none: it only says
 * whether the session and its offset are still held. The gateway's middleware
 * then checks the cookie (the same login session as the restored one) and each
 * restored room again, and its `connection` handler calls `replay` first thing,
 * which sends what the socket missed in the rooms it kept. A socket is in the
 * namespace's sockets only from that synchronous step on, so no live broadcast
 * can overtake the replay. Besides, `forgetSessions` (a login session ended)
 * and `forgetRoom` (a room's access changed) drop the persisted sessions
 * concerned, and such a client reconnects as a new connection.
 *
 * Across instances (`REDIS_URL`), `relayTo` hands every broadcast made here to
 * the cluster link, and `receiveRemote` broadcasts what another instance
 * relayed to the sockets here — through this same adapter, so the packet is
 * kept for recovery under an offset of this instance, as if made here.
 * socket.io's Redis adapter would hand remote packets to the in-memory
 * adapter's broadcast directly (its message handler is private), so a client
 * that dropped its connection here would never get them replayed.
 */
import { randomBytes } from 'node:crypto';
import { Adapter, type BroadcastOptions, type PrivateSessionId, type Session } from 'socket.io-adapter';
import type { SocketData } from '../../../shared/protocol/events.js';

type Persisted = Omit<Session, 'missedPackets'>;

interface Kept {
  session: Persisted;
  /** Until when it may be restored. */
  until: number;
}

/** socket.io-parser's EVENT packet type. */
const EVENT = 2;
/** Dropped packets at the front of the list before it is copied without them. */
const COMPACT_AT = 1024;

interface Packet {
  type: number;
  data: unknown[];
  id?: number;
  nsp?: string;
}

/** A broadcast kept for recovery. */
interface KeptPacket {
  /** When it was broadcast (ms). */
  at: number;
  /** The event, its arguments, then its offset. */
  data: unknown[];
  /** Sent to these rooms (all sockets when empty), skipping those in `except`. */
  rooms: ReadonlySet<string>;
  except: ReadonlySet<string>;
}

/** A broadcast as one instance relays it to the others. */
interface Relayed {
  data: unknown[];
  rooms: string[];
  except: string[];
  flags: NonNullable<BroadcastOptions['flags']>;
}

function isRelayed(m: unknown): m is Relayed {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Partial<Record<keyof Relayed, unknown>>;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  return Array.isArray(r.data) && typeof r.data[0] === 'string' && strings(r.rooms) && strings(r.except) && typeof r.flags === 'object' && r.flags !== null;
}

export class RecoveryAdapter extends Adapter {
  /** Offsets from an earlier process never match this one's. */
  private readonly boot = randomBytes(6).toString('base64url');
  private readonly sessions = new Map<PrivateSessionId, Kept>();
  /**
   * The packets of the window, oldest first, from index `head` on (those
   * before it were dropped). The offset of packet n is `<boot>.<n in base
   * 36>`; the packet at `head` is number `firstN`.
   */
  private packets: (KeptPacket | null)[] = [];
  private head = 0;
  private firstN = 0;
  /** The server's `connectionStateRecovery.maxDisconnectionDuration`, as socket.io's adapter reads it. */
  private readonly windowMs: number;
  private readonly nspName: string;
  /** Where broadcasts made on this instance go to reach the others (null: one instance). */
  private relay: ((payload: string) => void) | null = null;

  constructor(nsp: { name: string; server: { opts: { connectionStateRecovery?: { maxDisconnectionDuration?: number } } } }) {
    super(nsp);
    this.windowMs = nsp.server.opts.connectionStateRecovery?.maxDisconnectionDuration ?? 0;
    this.nspName = nsp.name;
  }

  /** Packets held for recovery (for tests and diagnostics). */
  get heldPackets(): number {
    return this.packets.length - this.head;
  }

  override persistSession(session: Persisted): void {
    this.sweepSessions();
    this.sessions.set(session.pid, { session, until: Date.now() + this.windowMs });
  }

  /**
   * The persisted session, with no packets (see the header: `replay` sends
   * them once the connection is authorised), or null — socket.io then makes a
   * new connection — when the session or its offset is no longer held.
   */
  override restoreSession(pid: PrivateSessionId, offset: string): Promise<Session> {
    const kept = this.sessions.get(pid);
    this.sessions.delete(pid);
    const held = kept !== undefined && kept.until >= Date.now() && this.holds(offset);
    return Promise.resolve(held ? { ...kept.session, missedPackets: [] } : (null as unknown as Session));
  }

  /**
   * Sends a restored socket the broadcasts made after `offset` to the rooms it
   * is in now, in order, each under a new offset. Call it from the
   * `connection` handler before anything else is sent to the socket. Returns
   * how many were sent, or null when the offset is no longer held (the
   * client's catch-up by seq fills the gap).
   */
  replay(socketId: string, offset: unknown, inRooms: ReadonlySet<string>): number | null {
    const missed = typeof offset === 'string' ? this.after(offset, [...inRooms]) : null;
    if (!missed) return null;
    for (const kept of missed) {
      const data = kept.slice(0, -1); // without the old offset; `keep` adds the new one
      this.broadcast({ type: EVENT, data, nsp: this.nspName }, { rooms: new Set([socketId]), except: new Set(), flags: { local: true } });
    }
    return missed.length;
  }

  /** Sends every broadcast made on this instance (not those received with `receiveRemote`) to `publish` too. */
  relayTo(publish: (payload: string) => void): void {
    this.relay = publish;
  }

  /**
   * Broadcasts, to the sockets of this instance only, a packet that another
   * instance relayed. A payload that is not one is dropped and false returned.
   */
  receiveRemote(payload: string): boolean {
    let m: unknown;
    try {
      m = JSON.parse(payload);
    } catch {
      return false;
    }
    if (!isRelayed(m)) return false;
    this.broadcast(
      { type: EVENT, data: m.data, nsp: this.nspName },
      {
        rooms: new Set(m.rooms),
        except: new Set(m.except),
        flags: { ...m.flags, local: true },
      },
    );
    return true;
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    // Before `keep` adds this instance's offset; each instance adds its own.
    if (this.relay && packet.type === EVENT && packet.id === undefined && !opts.flags?.local) {
      const relayed: Relayed = { data: packet.data, rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags ?? {} };
      this.relay(JSON.stringify(relayed));
    }
    // As socket.io's: packets with an ack or marked volatile are never replayed.
    if (packet.type === EVENT && packet.id === undefined && opts.flags?.volatile === undefined) this.keep(packet.data, opts);
    super.broadcast(packet, opts);
  }

  /** Forgets the persisted sessions of these login sessions (logout, lock, password change, expiry). */
  forgetSessions(sessionIds: string[]): void {
    const ids = new Set(sessionIds);
    for (const [pid, k] of this.sessions) if (ids.has((k.session.data as SocketData).sessionId)) this.sessions.delete(pid);
  }

  /** Forgets every persisted session that was in this room (its access changed). */
  forgetRoom(room: string): void {
    for (const [pid, k] of this.sessions) if (k.session.rooms.includes(room)) this.sessions.delete(pid);
  }

  /** Keeps the packet; its data gets the offset, which the client learns as the last argument. */
  private keep(data: unknown[], opts: BroadcastOptions): void {
    const now = Date.now();
    this.dropBefore(now - this.windowMs);
    data.push(`${this.boot}.${(this.firstN + this.heldPackets).toString(36)}`);
    this.packets.push({ at: now, data, rooms: opts.rooms, except: opts.except ?? new Set() });
  }

  /** Lets go of the packets broadcast before `threshold`. */
  private dropBefore(threshold: number): void {
    while (this.head < this.packets.length && (this.packets[this.head]?.at ?? Infinity) < threshold) {
      this.packets[this.head++] = null;
      this.firstN++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= this.packets.length) {
      this.packets = this.packets.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * The data of the packets after `offset` that a session in `rooms`
   * received — sent to all or to one of its rooms, and skipping none of them —
   * or null when the offset is not held.
   */
  private after(offset: string, rooms: readonly string[]): unknown[][] | null {
    const n = this.packetOf(offset);
    if (n === null) return null;
    const out: unknown[][] = [];
    for (let i = this.head + (n - this.firstN) + 1; i < this.packets.length; i++) {
      const p = this.packets[i];
      if (!p) continue;
      const included = p.rooms.size === 0 || rooms.some((r) => p.rooms.has(r));
      if (included && !rooms.some((r) => p.except.has(r))) out.push(p.data);
    }
    return out;
  }

  private holds(offset: string): boolean {
    return this.packetOf(offset) !== null;
  }

  /** The number of the packet an offset of this process names, if it is still held. */
  private packetOf(offset: string): number | null {
    this.dropBefore(Date.now() - this.windowMs);
    const [boot, n36] = offset.split('.');
    const n = n36 && /^[0-9a-z]{1,11}$/.test(n36) ? Number.parseInt(n36, 36) : Number.NaN;
    return boot === this.boot && Number.isInteger(n) && n >= this.firstN && n < this.firstN + this.heldPackets ? n : null;
  }

  private sweepSessions(): void {
    const now = Date.now();
    for (const [pid, k] of this.sessions) if (k.until < now) this.sessions.delete(pid);
  }
}
