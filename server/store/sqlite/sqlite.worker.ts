/**
 * The SQLite thread: owns the connection that writes. It runs the write calls
 * the main thread sends (each joins the group commit, so the calls of one
 * message, and of any that arrive meanwhile, share one COMMIT) and sends the
 * outcomes back together once they are committed. A COMMIT's fsync blocks this
 * thread, never the server's event loop. Only the write methods of the Store's
 * repositories can be called.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Store } from '../store.js';
import { openInlineSqliteStore, type SqliteStoreOptions } from './sqlite.store.js';
import { toWireError, WRITE_METHODS, type WriteCall, type WriteOutcome, type WriterReply, type WriterRequest } from './writer-protocol.js';

const port = parentPort;
if (!port) throw new Error('sqlite.worker.ts runs as a worker thread only');
const post = (reply: WriterReply): void => { port.postMessage(reply); };

let store: Store;
try {
  store = await openInlineSqliteStore(workerData as SqliteStoreOptions);
} catch (error) {
  post({ type: 'open-failed', error: toWireError(error) });
  // In a worker, process.exit ends this thread only.
  process.exit(1);
}

function call(c: WriteCall): Promise<unknown> {
  const allowed: readonly string[] | undefined = Object.hasOwn(WRITE_METHODS, c.repo) ? WRITE_METHODS[c.repo] : undefined;
  if (!allowed?.includes(c.method)) return Promise.reject(new Error(`not a write method: ${c.repo}.${c.method}`));
  const repo = store[c.repo] as unknown as Record<string, ((...args: unknown[]) => Promise<unknown>) | undefined>;
  const fn = repo[c.method];
  return fn ? fn(...c.args) : Promise.reject(new Error(`no method ${c.repo}.${c.method}`));
}

/** Outcomes settled in the same turn (one commit) go back in one message. */
let outbox: WriteOutcome[] = [];
function deliver(outcome: WriteOutcome): void {
  if (outbox.length === 0) queueMicrotask(flushOutbox);
  outbox.push(outcome);
}
function flushOutbox(): void {
  if (outbox.length === 0) return;
  const outcomes = outbox;
  outbox = [];
  try {
    post({ type: 'outcomes', outcomes });
  } catch {
    // A value that cannot be cloned (never a record) fails its own call only.
    for (const o of outcomes) {
      try {
        post({ type: 'outcomes', outcomes: [o] });
      } catch (error) {
        post({ type: 'outcomes', outcomes: [{ id: o.id, ok: false, error: toWireError(error) }] });
      }
    }
  }
}

port.on('message', (msg: WriterRequest) => {
  if (msg.type === 'close') {
    // close() flushes the queued writes; their outcomes go out before 'closed'.
    void store.close().then(
      () => { flushOutbox(); post({ type: 'closed' }); port.close(); },
      (error: unknown) => { flushOutbox(); post({ type: 'closed', error: toWireError(error) }); port.close(); },
    );
    return;
  }
  for (const c of msg.calls) {
    call(c).then(
      (value) => { deliver({ id: c.id, ok: true, value }); },
      (error: unknown) => { deliver({ id: c.id, ok: false, error: toWireError(error) }); },
    );
  }
});
post({ type: 'ready' });
