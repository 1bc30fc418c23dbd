/**
 * What a connection may say about other clients' awareness for free.
 *
 * y-websocket re-sends every awareness change it receives, so an honest
 * client in a room of n people moving their carets sends n − 1 echoes for
 * each caret move of its own. Those echoes are dropped (a connection publishes
 * only its own entry) and must not count against its caret limit: that limit
 * would then close everyone in a busy room, and one member's burst would close
 * the others. Every entry the server sends a connection is credited here, so a
 * client can echo all it was sent; the spare bucket covers the few entries a
 * client sends of its own accord (its Awareness dropping a peer that went
 * silent for 30 s). Only a connection sending entries of others it was never
 * sent runs out.
 */
import { TokenBucket } from '../../lib/token-bucket.js';

/** Credits kept at most: far above what is in flight to an honest client, so banking them buys an abuser little. */
export const MAX_ECHO_CREDITS = 65_536;

export class EchoAllowance {
  private credits = 0;
  private readonly spare: TokenBucket;

  /** `spare`: entries per second and burst allowed beyond the credits. */
  constructor(spare: [number, number], now?: () => number) {
    this.spare = new TokenBucket(spare[0], spare[1], now);
  }

  /** The server sent this connection `entries` awareness entries: they may come back. */
  credit(entries: number): void {
    this.credits = Math.min(MAX_ECHO_CREDITS, this.credits + entries);
  }

  /** Pays for `entries` entries of others the connection sent; false when it has sent more than it may. */
  spend(entries: number): boolean {
    const paid = Math.min(entries, this.credits);
    this.credits -= paid;
    return paid === entries || this.spare.take(entries - paid);
  }
}
