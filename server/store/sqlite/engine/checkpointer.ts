/**
 * WAL checkpoints on a worker thread.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that pushes the WAL past
 * `wal_autocheckpoint` pages, and better-sqlite3 runs COMMIT on the calling
 * thread: the checkpoint reads and writes back up to that many pages and
 * fsyncs the WAL and the database file while the server's event loop, and
 * every room on it, waits.
 *
 * Here a worker thread with its own connection (checkpoint.worker.mjs) runs
 * PASSIVE checkpoints at most every `intervalMs` while there are commits: they
 * never block the server's connection, and their reads, writes and fsyncs wait
 * on the worker's thread, not the event loop. Durability is unchanged: a
 * checkpoint syncs the WAL before copying and the database after, and SQLite
 * starts the WAL over only once every frame is in the synced database.
 *
 * That start-over needs a checkpoint that reached the WAL's end with no commit
 * after it, which a steady stream of writes rarely leaves the worker. So the
 * server's own auto-checkpoint stays on, raised to `backstopPages`: when the
 * WAL gets there, the connection's checkpoint finds nearly every frame already
 * copied, does the short rest and the WAL starts over — one small checkpoint on
 * the event loop every ~40 MB of WAL instead of a full one every 4 MB. Should
 * the worker fail, the connection goes back to SQLite's default and the
 * failure is reported.
 *
 * A thread holds about 15 MB of its own (an isolate, its heap, a connection),
 * which it keeps after exiting. The server's store therefore starts it only
 * once the WAL has grown to `startAtWalPages` — SQLite's own checkpoint size,
 * 1,000 pages — so an idle server, or one that writes little, never holds it;
 * until then the WAL simply keeps its frames. Once started, the thread stays
 * until the store closes.
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/**
 * Longest pause between two checkpoints while writes arrive. Each checkpoint
 * fsyncs the WAL and the database and rewrites the pages committed since the
 * last one: the longer the pause, the less often a hot page is written back
 * (on a thread that may share the server's core), and the longer the WAL a
 * crash leaves to replay.
 */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** The server connection's own auto-checkpoint while the worker runs (pages; ~40 MB of WAL). */
export const BACKSTOP_PAGES = 10_000;
/** SQLite's default `wal_autocheckpoint`, restored when the worker is gone; the store starts the worker at this WAL size. */
export const SQLITE_DEFAULT_PAGES = 1000;
/** A WAL file is a 32-byte header, then frames of a 24-byte header and one page. */
const WAL_HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

export interface CheckpointResult {
  /** 1 when the checkpoint could not run to completion (a reader or writer held it up). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database file so far. */
  checkpointed: number;
}

export interface CheckpointerOptions {
  /** The database file (in WAL mode, already migrated). */
  file: string;
  busyTimeoutMs: number;
  intervalMs?: number;
  backstopPages?: number;
  /** Start the thread once the WAL holds this many pages (checked on each commit until then); 0, the default: at once. */
  startAtWalPages?: number;
  /** Told when a checkpoint fails or the worker stops unexpectedly. */
  onError?: (error: unknown) => void;
}

type Reply = ({ ok: true } & CheckpointResult) | { ok: false; message: string };

export class WalCheckpointer {
  private worker: Worker | null = null;
  private readonly intervalMs: number;
  /** WAL file size at which the thread starts (0: started at construction). */
  private readonly startAtWalBytes: number;
  private timer: NodeJS.Timeout | null = null;
  private inFlight = false;
  /** A commit happened since the last checkpoint was asked for. */
  private dirty = false;
  private stopped = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly waiters: { resolve: (r: CheckpointResult) => void; reject: (error: unknown) => void }[] = [];
  /** Figures of the last checkpoint, for tests and diagnostics. */
  last: CheckpointResult | null = null;

  constructor(
    private readonly db: Database.Database,
    private readonly options: CheckpointerOptions,
  ) {
    this.intervalMs = options.intervalMs ?? CHECKPOINT_INTERVAL_MS;
    const startAtPages = options.startAtWalPages ?? 0;
    const pageBytes = startAtPages > 0 ? Number(db.pragma('page_size', { simple: true })) : 0;
    this.startAtWalBytes = startAtPages > 0 ? WAL_HEADER_BYTES + startAtPages * (FRAME_HEADER_BYTES + pageBytes) : 0;
    db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? BACKSTOP_PAGES}`);
    if (this.startAtWalBytes === 0) this.start();
  }

  /** Whether the thread has been started. */
  get started(): boolean {
    return this.worker !== null;
  }

  /** Called after each commit: a checkpoint follows within `intervalMs` (once the thread is started). */
  noteCommit(): void {
    if (!this.worker) {
      if (this.stopped || this.walBytes() < this.startAtWalBytes) return;
      this.start();
    }
    this.dirty = true;
    this.schedule();
  }

  /** Runs a checkpoint now (after the one in flight, if any); for tests and shutdown. */
  checkpointNow(): Promise<CheckpointResult> {
    return new Promise((resolve, reject) => {
      if (this.stopped) {
        reject(new Error('WAL checkpointer is stopped'));
        return;
      }
      this.start();
      this.waiters.push({ resolve, reject });
      this.dirty = true;
      this.cancelTimer();
      if (!this.inFlight) this.request();
    });
  }

  /** Stops the thread (its connection closes first, so the server's stays the last). */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer();
    if (!this.worker) return;
    // Unreferenced while it runs; until it has exited, it must keep the process up.
    this.worker.ref();
    this.worker.postMessage('close');
    await this.exited;
  }

  private start(): void {
    if (this.worker) return;
    const worker = new Worker(new URL('./checkpoint.worker.mjs', import.meta.url), {
      workerData: { file: this.options.file, busyTimeoutMs: this.options.busyTimeoutMs },
    });
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: Reply) => {
      this.settle(reply);
    });
    worker.on('error', (error) => {
      this.fail(error);
    });
    this.exited = new Promise((resolve) => {
      worker.once('exit', () => {
        if (!this.stopped) this.fail(new Error('WAL checkpointer thread exited'));
        resolve();
      });
    });
  }

  /** Size of the WAL file (0 while it does not exist). */
  private walBytes(): number {
    return statSync(`${this.options.file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped || this.inFlight || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.request();
    }, this.intervalMs);
    this.timer.unref();
  }

  private request(): void {
    this.dirty = false;
    this.inFlight = true;
    this.worker?.postMessage('checkpoint');
  }

  private settle(reply: Reply): void {
    this.inFlight = false;
    if (reply.ok) {
      this.last = { busy: reply.busy, log: reply.log, checkpointed: reply.checkpointed };
      for (const w of this.waiters.splice(0)) w.resolve(this.last);
    } else {
      const error = new Error(`WAL checkpoint failed: ${reply.message}`);
      for (const w of this.waiters.splice(0)) w.reject(error);
      this.options.onError?.(error);
    }
    if (this.waiters.length > 0) this.request();
    else if (this.dirty) this.schedule();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.cancelTimer();
    // Back to checkpoints inside COMMIT: slower, but the WAL stays bounded.
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_PAGES}`);
    for (const w of this.waiters.splice(0)) w.reject(error);
    this.options.onError?.(error);
  }
}
