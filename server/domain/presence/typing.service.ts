/**
 * Typing indicators per room, in memory. A client that stops sending (closed
 * tab, lost network) must not look like it types forever: every "typing" state
 * expires after TYPING_TTL_MS unless renewed.
 */
export const TYPING_TTL_MS = 6_000;

export type TypingExpired = (appealId: string, userId: string) => void;

export class TypingService {
  /** `${appealId}\n${userId}` → expiry timer. */
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly onExpired: TypingExpired) {}

  /** Records the state; true when it changed (so the room should hear of it). */
  set(appealId: string, userId: string, isTyping: boolean): boolean {
    const key = `${appealId}\n${userId}`;
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    if (!isTyping) return this.timers.delete(key);
    const expire = setTimeout(() => {
      this.timers.delete(key);
      this.onExpired(appealId, userId);
    }, TYPING_TTL_MS);
    expire.unref();
    this.timers.set(key, expire);
    return timer === undefined;
  }

  /** Stops every timer (shutdown). */
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
