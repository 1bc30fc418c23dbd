/**
 * The store of a persisting relay (`BENCH_RELAY_PERSIST=1`): our SQLite Store
 * in a temporary data directory, deleted again on close; null for a plain relay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStore } from '../../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../../server/store/store.js';

export async function relayStore(prefix: string): Promise<{ store: Store; close: () => Promise<void> } | null> {
  if (process.env.BENCH_RELAY_PERSIST !== '1') return null;
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const store = await openSqliteStore({ dataDir });
  return {
    store,
    close: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
