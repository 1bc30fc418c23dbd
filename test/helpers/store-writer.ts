/**
 * Child process for the SQLite kill test: opens the SQLite store in DATA_DIR,
 * appends COUNT Yjs updates and COUNT chat messages at `process` durability
 * (acknowledged at COMMIT, before the WAL's fsync), says "appended", then
 * waits to be killed.
 */
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';

const dataDir = process.env.DATA_DIR;
const count = Number(process.env.COUNT ?? 10);
if (!dataDir) throw new Error('DATA_DIR is required');
// The late sync held back, so that the kill comes before any fsync of these writes.
const store = await openSqliteStore({ dataDir, lateSyncMs: 600_000 });
for (let i = 1; i <= count; i++) {
  await store.yjs.append('doc', new Uint8Array([i % 256, 7]), `author-${i % 3}`, 1_000 + i, { durability: 'process' });
  await store.chat.append(
    { appealId: 'doc', clientId: `c-${i}`, authorId: 'u1', authorRole: 'citizen', text: `m${i}`, internal: false, at: 2_000 + i },
    { durability: 'process' },
  );
}
process.stdout.write('appended\n');
setInterval(() => undefined, 60_000);
