/**
 * Child process for the staging log's crash test: opens the SQLite store in
 * DATA_DIR with drains held back, appends COUNT Yjs updates with `process`
 * durability, says "appended", then waits to be killed.
 */
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';

const dataDir = process.env.DATA_DIR;
const count = Number(process.env.COUNT ?? 10);
if (!dataDir) throw new Error('DATA_DIR is required');
const store = await openSqliteStore({ dataDir, stagingDrainMs: 600_000 });
for (let i = 1; i <= count; i++) {
  await store.yjs.append('doc', new Uint8Array([i % 256, 7]), `author-${i % 3}`, 1_000 + i, { durability: 'process' });
}
process.stdout.write('appended\n');
setInterval(() => undefined, 60_000);
