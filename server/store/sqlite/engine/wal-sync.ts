/**
 * The fsync of a commit, off the event loop.
 *
 * With `synchronous=FULL` in WAL mode, SQLite fsyncs the WAL file inside every
 * COMMIT, and better-sqlite3 runs COMMIT on the calling thread: each commit
 * would stall the server's event loop, and with it every room's sockets, for
 * the length of an fsync (the disk's, with its tail).
 *
 * Instead the connection runs with `synchronous=NORMAL` — a COMMIT writes its
 * WAL frames and returns without an fsync — and the group commit asks this
 * class to `fdatasync` the WAL file on libuv's thread pool. Promises settle only
 * once that returns, so a write is acknowledged exactly when `synchronous=FULL`
 * would have acknowledged it: its frames are on disk. The event loop goes on
 * with other rooms meanwhile.
 *
 * Why this is the same guarantee (test/contract/sqlite-engine-assumptions.test.ts
 * checks what of it an upgrade of SQLite or better-sqlite3 could change): in
 * WAL mode a transaction is durable once its frames are durable in the WAL. Linux's fsync flushes the file (inode), not a
 * descriptor, so syncing our own descriptor of `<db>-wal` covers what SQLite's
 * connection wrote. SQLite reuses the WAL from its start only after a complete
 * checkpoint, and with NORMAL it still syncs the WAL before and the database
 * after every checkpoint, so frames that were acknowledged are in the synced
 * database before they can be overwritten. The WAL file stays the same file
 * while the connection is open (SQLite deletes it only when the last
 * connection closes; `journal_size_limit` truncates it in place).
 *
 * One fdatasync runs at a time. Callers that arrive while one runs share the
 * next one, which starts when the running one returns and covers everything
 * committed until then; so syncs settle in commit order.
 */
import { closeSync, fdatasync, openSync } from 'node:fs';

export class WalSync {
  private readonly fd: number;
  private running: Promise<void> | null = null;
  private next: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | null = null;
  private closed = false;

  /** `walFile`: the `-wal` file of a connection in WAL mode (it exists once the database was opened). */
  constructor(walFile: string) {
    this.fd = openSync(walFile, 'r');
  }

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('WAL sync is closed'));
    if (!this.running) {
      this.running = this.start();
      return this.running;
    }
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.next = { promise, resolve, reject };
    }
    return this.next.promise;
  }

  /** Waits for the syncs in flight, then closes the descriptor. */
  async close(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  private start(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      fdatasync(this.fd, (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
    const settled = (): void => {
      this.running = null;
      const waiting = this.next;
      if (!waiting) return;
      this.next = null;
      this.running = this.start();
      this.running.then(waiting.resolve, waiting.reject);
    };
    void done.then(settled, settled);
    return done;
  }
}
