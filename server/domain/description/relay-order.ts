/**
 * The order of a room's client updates from submission to relay: each takes a
 * slot when submitted and releases it once relayed or refused, and what waits
 * for "everything submitted so far" (`after`) runs right after the last of
 * them, in the same microtask. The collab endpoint relays awareness this way,
 * so a peer gets a caret after the text it points into, and in the same write.
 */
import type { Logger } from '../../lib/logger.js';

export interface RelaySlot {
  isDone: boolean;
  waiters: (() => void)[];
}

export class RelayOrder {
  /** Client updates in the order submitted, until each is relayed or refused. */
  private readonly slots: RelaySlot[] = [];

  constructor(private readonly onWaiterError: (err: unknown) => void) {}

  /** A slot for an update submitted now (take it before the first await). */
  take(): RelaySlot {
    const slot: RelaySlot = { isDone: false, waiters: [] };
    this.slots.push(slot);
    return slot;
  }

  /** Runs `fn` once every update submitted so far is relayed or refused; at once when none is pending. */
  after(fn: () => void): void {
    const last = this.slots.at(-1);
    if (last) last.waiters.push(fn);
    else fn();
  }

  /** Marks an update relayed or refused; runs what waited on the ones done, in order. */
  release(slot: RelaySlot): void {
    slot.isDone = true;
    while (this.slots[0]?.isDone) {
      for (const waiter of this.slots.shift()?.waiters ?? []) {
        try {
          waiter();
        } catch (err) {
          this.onWaiterError(err);
        }
      }
    }
  }
}

/** For the error log: the logger's line for a waiter that threw. */
export function waiterErrorLogger(logger: Logger, appealId: string): (err: unknown) => void {
  return (err) => {
    logger.error('description relay waiter failed', { appealId, error: String(err) });
  };
}
