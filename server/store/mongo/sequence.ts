/**
 * Gapless per-key sequences (audit journal, chat rooms, Yjs logs) without
 * transactions: read the last seq, insert last+1 under a unique index on the
 * seq, and if another writer took that seq first the insert fails with a
 * duplicate key and the whole read–build–insert is retried. Nothing is
 * allocated before the insert succeeds, so a lost race or a crash never leaves
 * a gap. Within one process a keyed queue runs appends to the same key one at a
 * time, so retries only happen between processes.
 */
import { isDuplicateKey, translateMongoError } from './errors.js';

/** Enough for dozens of processes appending to the same key at once. */
const MAX_TRIES = 50;

/** Runs tasks with the same key one after another (in this process). */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

/**
 * Repeats `attempt` while it fails with a duplicate key on exactly `seqField`
 * (the seq was taken by a concurrent writer); any other error is translated and thrown.
 */
export async function retryOnSeqConflict<T>(seqField: string, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= MAX_TRIES || !isDuplicateKey(error, seqField)) throw translateMongoError(error);
    }
  }
}

/** Throws unless `n` is a finite number: aggregation pipelines do not cast, so check before use. */
export function num(n: number): number {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError('expected a finite number');
  return n;
}

/**
 * Equality spelled `{ $eq: v }` for aggregation `$match`, which neither casts
 * nor sanitises: an object smuggled in as `v` is compared as a value and can
 * never act as an operator.
 */
export function eq<T extends string | number | boolean | null>(v: T): { $eq: T } {
  return { $eq: v };
}
