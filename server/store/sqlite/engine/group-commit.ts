/**
 * Group commit: every write that arrives in the same event-loop turn shares one
 * SQLite transaction, so a burst of writes pays for one fsync.
 *
 * Each write is a synchronous closure. The flush (scheduled with setImmediate)
 * runs the whole batch inside one BEGIN IMMEDIATE … COMMIT, each closure in its
 * own savepoint (a batch of one needs none): a closure that throws rolls back
 * only its own changes and rejects only its own promise. Promises settle only after COMMIT returned and,
 * when a `sync` is given (wal-sync.ts: the fsync that `synchronous=NORMAL`
 * leaves out of COMMIT), after that sync too — so nothing is acknowledged before
 * it is durable. No transaction ever spans an await: the closures are
 * synchronous and the flush runs them back to back.
 */
import type Database from 'better-sqlite3';
import type { Durability } from '../../store.js';

/*
 * Durability (the Store contract's): a `disk` write settles after the sync; a
 * `process` write at COMMIT, with the sync following at the latest
 * `lateSyncMs` later (sooner when a `disk` write comes in meanwhile: its sync
 * covers everything committed before it).
 */

export interface GroupCommitOptions {
  /** Turns driver errors into StoreErrors before a promise rejects. */
  translate: (error: unknown) => unknown;
  /** Makes everything committed so far durable; settles in call order (wal-sync.ts). */
  sync?: () => Promise<void>;
  /**
   * How long a batch of `process` writes only may wait for its sync. A sync costs
   * a thread-pool round trip and a device flush; under a stream of Yjs updates,
   * one every few milliseconds instead of one per commit.
   */
  lateSyncMs?: number;
  /** Told when a late sync fails (its writes were already acknowledged). */
  onLateSyncError?: (error: unknown) => void;
  /** Called after every COMMIT (the WAL checkpointer counts on it). */
  onCommit?: () => void;
}

/** Default for `lateSyncMs`. */
export const LATE_SYNC_MS = 50;

interface Pending {
  write: () => unknown;
  durability: Durability;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown to writes queued after `close()`. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor() {
    super('store is closed');
  }
}

export class GroupCommit {
  private queue: Pending[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  private closed = false;
  /** A sync owed to `process` writes already acknowledged. */
  private lateSync: NodeJS.Timeout | null = null;
  private readonly runBatch: (batch: Pending[]) => Outcome[];

  constructor(
    db: Database.Database,
    private readonly options: GroupCommitOptions,
  ) {
    // Called inside the outer transaction, so better-sqlite3 uses a SAVEPOINT.
    const nested = db.transaction((write: () => unknown) => write());
    const batchTx = db.transaction((batch: Pending[]): Outcome[] =>
      batch.map((p): Outcome => {
        try {
          return { ok: true, value: nested(p.write) };
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll back the whole
          // transaction; the remaining writes must not run outside it.
          if (!db.inTransaction) throw error;
          return { ok: false, error };
        }
      }),
    );
    // A batch of one needs no savepoint: if its write throws, rolling back the
    // whole transaction undoes exactly that write.
    const singleTx = db.transaction((write: () => unknown): unknown => write());
    // IMMEDIATE takes the write lock up front: no lock upgrade, no SQLITE_BUSY mid-batch.
    this.runBatch = (batch) => {
      const [only] = batch;
      if (batch.length !== 1 || !only) return batchTx.immediate(batch);
      try {
        return [{ ok: true, value: singleTx.immediate(only.write) }];
      } catch (error) {
        return [{ ok: false, error }];
      }
    };
  }

  /** Queues `write` for the next flush; resolves with its result once committed and, for `disk`, synced. */
  run<T>(write: () => T, durability: Durability = 'disk'): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, durability, resolve: resolve as (value: unknown) => void, reject });
      this.scheduled ??= setImmediate(() => {
        this.flush();
      });
    });
  }

  /** Commits everything queued so far (synchronously) and settles the promises. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.runBatch(batch);
    } catch (error) {
      const translated = this.options.translate(error);
      for (const p of batch) p.reject(translated);
      return;
    }
    this.options.onCommit?.();
    const settle = (p: Pending, i: number): void => {
      const outcome = outcomes[i];
      if (outcome?.ok) p.resolve(outcome.value);
      else p.reject(this.options.translate(outcome?.error));
    };
    const sync = this.options.sync;
    if (!sync) {
      batch.forEach(settle);
      return;
    }
    batch.forEach((p, i) => {
      if (p.durability === 'process') settle(p, i);
    });
    if (!batch.some((p) => p.durability === 'disk')) {
      this.syncLate(sync);
      return;
    }
    // This sync covers the `process` writes committed before it, too.
    this.cancelLateSync();
    sync().then(
      () => {
        batch.forEach((p, i) => {
          if (p.durability === 'disk') settle(p, i);
        });
      },
      (error: unknown) => {
        // Committed but not known to be on disk: no `disk` write of the batch is acknowledged.
        for (const p of batch) if (p.durability === 'disk') p.reject(error);
      },
    );
  }

  /**
   * Flushes pending writes and refuses new ones; resolves once every committed
   * write is synced (a late sync still owed runs now).
   */
  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    if (this.lateSync && this.options.sync) {
      this.cancelLateSync();
      await this.options.sync();
    }
  }

  private syncLate(sync: () => Promise<void>): void {
    this.lateSync ??= setTimeout(() => {
      this.lateSync = null;
      sync().catch((error: unknown) => {
        this.options.onLateSyncError?.(error);
      });
    }, this.options.lateSyncMs ?? LATE_SYNC_MS);
  }

  private cancelLateSync(): void {
    if (!this.lateSync) return;
    clearTimeout(this.lateSync);
    this.lateSync = null;
  }
}
