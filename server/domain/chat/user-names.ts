/**
 * Display names by user id for chat authors, history actors and presence.
 * Cached briefly: a chat burst must not cost one users read per message, and a
 * renamed person shows the new name within a minute.
 */
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/store.js';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

export class UserNames {
  private readonly cache = new Map<string, { name: string; until: number }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** The person's full name, or '' for an unknown id. */
  async nameOf(userId: string): Promise<string> {
    const cached = this.cached(userId);
    if (cached !== undefined) return cached;
    const now = this.clock.now();
    const name = (await this.store.users.get(userId))?.fullName ?? '';
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(userId, { name, until: now + TTL_MS });
    return name;
  }

  /** The name if it is cached and fresh, for a caller that cannot wait for a read; undefined otherwise. */
  cached(userId: string): string | undefined {
    const hit = this.cache.get(userId);
    return hit && hit.until > this.clock.now() ? hit.name : undefined;
  }

  /** Seeds the cache from a record the caller already holds (the socket's session). */
  remember(userId: string, name: string): void {
    this.cache.set(userId, { name, until: this.clock.now() + TTL_MS });
  }
}
