/**
 * Gapless per-key sequences (audit journal, chat rooms, Yjs logs) without
 * transactions, and the bookkeeping of work in flight.
 *
 * An append takes the last stored entry of its key, builds the next ones on
 * it and inserts them under a unique index on the seq. If another writer took
 * a seq first, the insert fails with a duplicate key and the entries not
 * stored are built again on the new tail, after a short randomised pause.
 * Nothing is allocated before the insert succeeds, so a lost race or a crash
 * never leaves a gap.
 *
 * - **Batching.** Appends to one key run one batch at a time; what arrives
 *   meanwhile waits and goes in the next batch: one ordered `insertMany`
 *   (seqs n+1, n+2, …) instead of one read and one insert per entry.
 * - **The tail.** After a batch is stored this process knows the key's last
 *   entry and uses it for the next batch without a read. It is read from the
 *   server only when not known (first use, or after a conflict or failure),
 *   with read concern `majority`: an entry that a failover could still roll
 *   back is never built on, so the audit chain cannot link to a vanished
 *   entry and chat and Yjs seqs cannot skip one.
 * - **Retries.** A conflict on the seq, or a transient failure (the server
 *   unreachable, a primary stepping down, a write concern timeout), retries
 *   the batch's remaining entries with backoff: the tail is read again first,
 *   so an entry stored by the failed attempt is found and never stored twice
 *   (`settle` recognises it). Other failures reject the entries not stored.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isDuplicateKey, isTransient, translateMongoError } from './errors.js';

/** Enough for dozens of processes appending to the same key at once. */
const MAX_TRIES = 50;
/** Entries in one insert. */
const MAX_BATCH = 256;
/** Keys whose tail is remembered (rooms being written to); the oldest is forgotten first. */
const MAX_TAILS = 4096;

/** A pause that grows with the attempt (2, 4, 8 … ms, at most 250) with full jitter. */
export function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(250, 2 ** attempt);
  return sleep(Math.random() * ceiling);
}

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

/** Promises of work started and not yet settled, so that `close()` can wait for them. */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();
  private isClosed = false;

  /** Registers `work`; refuses new work once closing has begun. */
  track<T>(work: () => Promise<T>): Promise<T> {
    if (this.isClosed) return Promise.reject(new Error('the MongoDB store is closed'));
    const p = work();
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return p;
  }

  /** Refuses new work and resolves once everything tracked has settled. */
  async drain(): Promise<void> {
    this.isClosed = true;
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** How one log is stored; `Doc` is the stored form of an entry, `Item` what an append asks for. */
export interface SequencedLog<Item, Doc, Out> {
  /** The last stored entry of `key`, read with read concern majority; null when there is none. */
  readTail(key: string): Promise<Doc | null>;
  /**
   * Resolves items whose entry is already stored (an idempotent append: a
   * chat client id, a journal entry's key), before anything is built; the
   * others are left to be stored.
   */
  settle?(key: string, items: Item[]): Promise<Map<Item, Out>>;
  /** The entry of `key` that follows `prev` (null: the first). Throwing rejects this item only. */
  build(prev: Doc | null, item: Item, key: string): Doc;
  /** Stores `docs` (built from `items`) in order, ordered insertMany; on failure the error says how many were stored. */
  insert(docs: Doc[], items: Item[]): Promise<void>;
  /** The answer for a stored entry. */
  output(doc: Doc): Out;
}

interface Waiting<Item, Out> {
  item: Item;
  resolve: (out: Out) => void;
  reject: (error: unknown) => void;
}

/** How many documents an ordered insertMany stored before it failed. */
function storedBefore(error: unknown): number {
  const e = error as { writeErrors?: { index?: number } | { index?: number }[]; result?: { insertedCount?: number } };
  const first = Array.isArray(e.writeErrors) ? e.writeErrors[0] : e.writeErrors;
  if (typeof first?.index === 'number') return first.index;
  return e.result?.insertedCount ?? 0;
}

/** Appends to per-key sequences: batched, on a remembered tail, retried with backoff (see the header). */
export class SequenceWriter<Item, Doc, Out> {
  private readonly waiting = new Map<string, Waiting<Item, Out>[]>();
  private readonly running = new Set<string>();
  private readonly tails = new Map<string, Doc>();

  constructor(private readonly log: SequencedLog<Item, Doc, Out>) {}

  append(key: string, item: Item): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      const list = this.waiting.get(key);
      if (list) list.push({ item, resolve, reject });
      else this.waiting.set(key, [{ item, resolve, reject }]);
      if (!this.running.has(key)) void this.drain(key);
    });
  }

  /** Forgets every remembered tail (entries were written by someone else, or removed). */
  forget(key?: string): void {
    if (key === undefined) this.tails.clear();
    else this.tails.delete(key);
  }

  private async drain(key: string): Promise<void> {
    this.running.add(key);
    try {
      // Appends made in the same synchronous run as this one join its batch.
      await Promise.resolve();
      for (;;) {
        const list = this.waiting.get(key);
        if (!list || list.length === 0) break;
        const batch = list.splice(0, MAX_BATCH);
        try {
          await this.store(key, batch);
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.waiting.delete(key);
      this.running.delete(key);
    }
  }

  private remember(key: string, doc: Doc): void {
    this.tails.delete(key);
    this.tails.set(key, doc);
    if (this.tails.size > MAX_TAILS) {
      const oldest = this.tails.keys().next();
      if (!oldest.done) this.tails.delete(oldest.value);
    }
  }

  /** Stores one batch, settling each of its promises. */
  private async store(key: string, batch: Waiting<Item, Out>[]): Promise<void> {
    let rest = batch;
    for (let attempt = 1; rest.length > 0; attempt++) {
      if (this.log.settle) {
        const known = await this.log.settle(
          key,
          rest.map((w) => w.item),
        );
        if (known.size > 0) {
          rest = rest.filter((w) => {
            const out = known.get(w.item);
            if (out === undefined) return true;
            w.resolve(out);
            return false;
          });
          if (rest.length === 0) return;
        }
      }
      let prev: Doc | null = this.tails.get(key) ?? (await this.log.readTail(key));
      const docs: Doc[] = [];
      const owners: Waiting<Item, Out>[] = [];
      for (const w of rest) {
        try {
          const doc = this.log.build(prev, w.item, key);
          docs.push(doc);
          owners.push(w);
          prev = doc;
        } catch (error) {
          w.reject(error);
        }
      }
      if (docs.length === 0) return;
      try {
        await this.log.insert(
          docs,
          owners.map((w) => w.item),
        );
        this.remember(key, docs[docs.length - 1] as Doc);
        docs.forEach((doc, i) => owners[i]?.resolve(this.log.output(doc)));
        return;
      } catch (error) {
        this.tails.delete(key);
        const stored = Math.min(storedBefore(error), docs.length);
        for (let i = 0; i < stored; i++) owners[i]?.resolve(this.log.output(docs[i] as Doc));
        rest = owners.slice(stored);
        // A duplicate is a lost race on the seq, or an entry `settle` will now
        // find (FerretDB does not say which index it was); the next attempt
        // tells them apart.
        const retry = isDuplicateKey(error) || isTransient(error);
        if (!retry || attempt >= MAX_TRIES) {
          const translated = translateMongoError(error);
          for (const w of rest) w.reject(translated);
          return;
        }
        await backoff(attempt);
      }
    }
  }
}

/** Throws unless `n` is a finite number: pipelines and trusted filters are not cast, so check before use. */
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
  if ((v as unknown) === undefined) throw new TypeError('undefined value in a MongoDB filter');
  return { $eq: v };
}
