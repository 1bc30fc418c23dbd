/**
 * Connection state recovery without a back door. socket.io replays the packets
 * a client missed as soon as it restores a session, before the middleware runs
 * (socket.io 4.8, Socket constructor). So a persisted session must not outlive
 * the right to those packets: when a login session ends or a room's access
 * changes, the persisted recovery sessions concerned are forgotten here, and
 * such a client reconnects as a new connection — through the auth middleware and
 * `room:join` with `since`, which check everything again.
 */
import type { SocketData } from '../../../shared/protocol/events.js';
import type { RealtimeServer } from './context.js';

type Adapter = RealtimeServer['of'] extends (name: string) => infer N ? (N extends { adapter: infer A } ? A : never) : never;
type Persisted = Parameters<Adapter['persistSession']>[0];

interface Kept {
  data: SocketData;
  rooms: string[];
  until: number;
}

export class RecoveryGuard {
  /** Private session id → what the persisted session holds. */
  private readonly kept = new Map<string, Kept>();

  constructor(
    adapter: Adapter,
    private readonly maxDisconnectionMs: number,
  ) {
    const persist = adapter.persistSession.bind(adapter);
    const restore = adapter.restoreSession.bind(adapter);
    adapter.persistSession = (session: Persisted): void => {
      this.sweep();
      this.kept.set(session.pid, { data: session.data as SocketData, rooms: [...session.rooms], until: Date.now() + maxDisconnectionMs });
      persist(session);
    };
    adapter.restoreSession = async (pid, offset) => {
      const kept = this.kept.get(pid);
      this.kept.delete(pid);
      // Not kept (forgotten, or never persisted here): a fresh connection instead.
      if (!kept) return null as unknown as Awaited<ReturnType<typeof restore>>;
      return restore(pid, offset);
    };
  }

  /** Forgets the sessions of these login sessions (logout, lock, password change). */
  forgetSessions(sessionIds: string[]): void {
    const ids = new Set(sessionIds);
    for (const [pid, k] of this.kept) if (ids.has(k.data.sessionId)) this.kept.delete(pid);
  }

  /** Forgets every session that was in this room (its access changed). */
  forgetRoom(room: string): void {
    for (const [pid, k] of this.kept) if (k.rooms.includes(room)) this.kept.delete(pid);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [pid, k] of this.kept) if (k.until < now) this.kept.delete(pid);
  }
}
