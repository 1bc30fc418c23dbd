/**
 * Our server for the benchmark: a wrapper process that calls `startServer`
 * (SQLite store in a temp DATA_DIR, demo accounts seeded; with
 * BENCH_MONGODB_URI, the MongoDB store on that database instead, dropped at
 * the end) and answers the benchmark over IPC — its own memory, rows in the
 * store, and the cold-load documents written straight through the Store port.
 * Nothing is added to the product server itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mongoose from 'mongoose';
import { loadConfig } from '../../../server/config/config.js';
import { startServer } from '../../../server/server.js';
import { SQLITE_FILE } from '../../../server/store/sqlite/sqlite.store.js';
import { commonHandlers, memReport, serveIpc } from '../proc.js';
import { buildColdDocument } from './cold-doc.js';

const mongoUri = process.env.BENCH_MONGODB_URI;
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ours-'));
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'error',
  SEED_DEMO: 'true',
  ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
});
const server = await startServer({ config });
/** A side connection for counting rows and dropping the database (MongoDB only). */
const side = mongoUri ? await mongoose.createConnection(mongoUri).asPromise() : null;

async function count(table: 'chat_messages' | 'yjs_updates'): Promise<number> {
  if (side) return side.collection(table).countDocuments();
  const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function appendAll(appealId: string, updates: readonly Uint8Array[]): Promise<number> {
  let last = 0;
  const at = Date.now();
  for (let i = 0; i < updates.length; i += 5000) {
    const seqs = await Promise.all(updates.slice(i, i + 5000).map((u) => server.store.yjs.append(appealId, u, null, at)));
    last = Math.max(last, ...seqs);
  }
  return last;
}

const ipc = serveIpc(
  {
    ...commonHandlers,
    /** Loaded description documents, when the running server exposes the count (null otherwise). */
    docs: () => {
      const loaded = (server as { collab?: { description?: { loadedCount?: () => number } } }).collab?.description?.loadedCount?.();
      return typeof loaded === 'number' ? loaded : null;
    },
    chatRows: () => count('chat_messages'),
    yjsRows: () => count('yjs_updates'),
    /**
     * Writes the cold-load documents through the Store port: `raw` appeals get
     * the n-update log, `compacted` the merged state, `tail` the merged state of
     * the first n plus `tail` more raw updates.
     */
    async seedCold(a: { raw: string[]; compacted: string[]; tail: string[]; updates: number; tailUpdates: number }) {
      const t0 = performance.now();
      const doc = buildColdDocument(a.updates + a.tailUpdates, a.updates);
      const first = doc.updates.slice(0, a.updates);
      const mergedFirst = doc.mergedAt;
      for (const id of a.raw) await appendAll(id, first);
      for (const id of a.compacted) {
        const seq = await server.store.yjs.append(id, mergedFirst, null, Date.now());
        await server.store.yjs.compact(id, seq, mergedFirst);
      }
      for (const id of a.tail) {
        const seq = await server.store.yjs.append(id, mergedFirst, null, Date.now());
        await server.store.yjs.compact(id, seq, mergedFirst);
        await appendAll(id, doc.updates.slice(a.updates));
      }
      memReport(); // collect the seeding garbage now, not during the measurement
      return { ms: performance.now() - t0, mergedBytes: mergedFirst.length, rawBytes: first.reduce((s, u) => s + u.length, 0) };
    },
  },
  async () => {
    await server.close();
    if (side) {
      await side.dropDatabase();
      await side.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  },
);

ipc.emit('ready', { port: server.port, url: server.url, demoAccounts: server.demoAccounts });
