/**
 * The SQLite store as the server uses it: writes on a thread of their own,
 * reads on the calling thread.
 *
 * Why: with `synchronous=FULL` every COMMIT waits for an fsync. On the main
 * thread that wait stalls every socket of every room (about a third of the event
 * loop's time under the chat benchmark, see docs/bench.md); on its own thread it
 * stalls nobody, and writes that arrive meanwhile join the next group commit.
 *
 * - Writes (the methods in WRITE_METHODS) made in one event-loop turn are sent
 *   to the thread as one message; the thread runs them in its group commit and
 *   answers with one message per commit. A write resolves only after its COMMIT
 *   returned, so durability is what it was.
 * - Reads run at once on a second connection to the same file, opened
 *   read-only (`query_only`). In WAL mode a read sees every committed
 *   transaction, so a read made after a write resolved sees that write.
 * - Calls cross by structured clone: what a caller keeps cannot alias what the
 *   store holds, and StoreErrors are rebuilt on this side (writer-protocol.ts).
 */
import { Worker } from 'node:worker_threads';
import type { Store } from '../store.js';
import { StoreClosedError } from './group-commit.js';
import { openInlineSqliteStore, type SqliteStoreOptions } from './sqlite.store.js';
import { fromWireError, WRITE_METHODS, type RepoName, type WriteCall, type WriterReply, type WriterRequest } from './writer-protocol.js';

export interface ThreadedSqliteOptions extends SqliteStoreOptions {
  /**
   * Called once if the thread dies while the store is open (a crash in the
   * driver, an out-of-memory kill). Pending and later writes reject with the
   * same error; reads go on. The server decides whether to exit.
   */
  onFailure?: (error: Error) => void;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const WORKER_URL = new URL(`./sqlite.worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * Starts the thread. Source files (.ts, as `npm start` runs them through tsx)
 * need tsx registered inside the thread before the entry loads: Node decides an
 * entry's format before `--import` hooks apply, so the entry is a one-line
 * bootstrap that registers tsx and then imports the worker module.
 */
function startWorker(options: SqliteStoreOptions): Worker {
  const workerData: SqliteStoreOptions = { dataDir: options.dataDir, ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}) };
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Resolves once the thread has opened (and migrated) the file; rejects with why it could not. */
function whenReady(worker: Worker): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onMessage = (reply: WriterReply): void => {
      if (reply.type !== 'ready' && reply.type !== 'open-failed') return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      if (reply.type === 'ready') resolve();
      else reject(fromWireError(reply.error));
    };
    worker.on('message', onMessage);
    worker.on('error', reject);
  });
}

export async function openThreadedSqliteStore(options: ThreadedSqliteOptions): Promise<Store> {
  const worker = startWorker(options);
  try {
    await whenReady(worker);
  } catch (error) {
    worker.on('error', () => undefined); // already reported by the rejection below
    await worker.terminate();
    throw error;
  }
  const reader = await openInlineSqliteStore({ ...options, readOnly: true });

  const pending = new Map<number, Pending>();
  let queued: WriteCall[] = [];
  let nextId = 1;
  /** Set when close() was called (writes reject as closed) or the thread died (writes reject with why). */
  let refusal: Error | null = null;
  let closing: Promise<void> | null = null;
  let onClosed: ((error: Error | null) => void) | null = null;

  // Like an inline connection, an idle thread does not keep the process alive;
  // one with writes in flight does, so that no awaited write is cut off.
  worker.unref();

  const flushWrites = (): void => {
    if (queued.length === 0) return;
    const calls = queued;
    queued = [];
    worker.postMessage({ type: 'writes', calls } satisfies WriterRequest);
  };

  const write = (repo: RepoName, method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (refusal) {
        reject(refusal);
        return;
      }
      if (pending.size === 0) worker.ref();
      const id = nextId++;
      pending.set(id, { resolve, reject });
      if (queued.length === 0) setImmediate(flushWrites);
      queued.push({ id, repo, method, args });
    });

  const settle = (id: number): Pending | undefined => {
    const p = pending.get(id);
    pending.delete(id);
    if (pending.size === 0) worker.unref();
    return p;
  };

  worker.on('message', (reply: WriterReply) => {
    if (reply.type === 'outcomes') {
      for (const o of reply.outcomes) {
        const p = settle(o.id);
        if (!p) continue;
        if (o.ok) p.resolve(o.value);
        else p.reject(fromWireError(o.error));
      }
    } else if (reply.type === 'closed') {
      onClosed?.(reply.error ? fromWireError(reply.error) : null);
    }
  });

  let dead = false;
  const died = (error: Error): void => {
    if (dead) return;
    dead = true;
    const unexpected = !closing;
    refusal ??= error;
    queued = [];
    for (const id of [...pending.keys()]) settle(id)?.reject(error);
    onClosed?.(error);
    if (unexpected) options.onFailure?.(error);
  };
  worker.on('error', died);
  worker.on('exit', (code) => {
    died(new Error(`the SQLite thread stopped (exit code ${code})`));
  });

  /** The reader's repository with its write methods sent to the thread. */
  const repo = <R extends RepoName>(name: R): Store[R] => {
    const writes = Object.fromEntries(WRITE_METHODS[name].map((m) => [m, (...args: unknown[]) => write(name, m, args)]));
    return { ...reader[name], ...writes };
  };

  return {
    kind: 'sqlite',
    users: repo('users'),
    sessions: repo('sessions'),
    codes: repo('codes'),
    catalogue: repo('catalogue'),
    appeals: repo('appeals'),
    audit: repo('audit'),
    chat: repo('chat'),
    yjs: repo('yjs'),
    attachments: repo('attachments'),
    counters: repo('counters'),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        const finish = (error: Error | null): void => {
          onClosed = null;
          void reader.close().then(() => {
            if (error) reject(error);
            else resolve();
          });
        };
        if (refusal) {
          // The thread already died: nothing is left to flush there.
          finish(null);
          return;
        }
        refusal = new StoreClosedError();
        onClosed = finish;
        worker.ref();
        // Queued writes go first; the thread commits them before it closes.
        flushWrites();
        worker.postMessage({ type: 'close' } satisfies WriterRequest);
      });
      return closing;
    },
  };
}
