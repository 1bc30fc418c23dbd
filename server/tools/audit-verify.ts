/**
 * `npm run audit:verify`: walks the audit journal's hash chain and names the
 * first broken entry. Exit code 0 when intact, 1 when broken, 2 on error. On
 * SQLite it reads through a read-only connection of its own, so it runs beside
 * a live server as well as on a stopped one's DATA_DIR.
 */
import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { verifyAuditChain } from '../domain/audit/audit.service.js';
import { openStore } from '../store/open-store.js';
import { readOnlyAudit } from '../store/sqlite/journal.repo.js';
import { SQLITE_FILE } from '../store/sqlite/sqlite.store.js';
import type { AuditRepo } from '../store/store.js';

async function openJournal(): Promise<{ list: AuditRepo['list']; close: () => unknown }> {
  const config = loadConfig();
  if (!config.mongodbUri) return readOnlyAudit(path.join(config.dataDir, SQLITE_FILE));
  const store = await openStore(config);
  return { list: (afterSeq, limit) => store.audit.list(afterSeq, limit), close: () => store.close() };
}

let journal;
try {
  journal = await openJournal();
} catch (err) {
  console.error(`cannot open the audit journal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
}
try {
  const result = await verifyAuditChain(journal.list);
  if (result.ok) {
    console.log(`audit journal intact: ${result.count} entries`);
  } else {
    console.error(`audit journal BROKEN at entry ${result.seq}: ${result.reason}`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error('audit verification failed:', err);
  process.exitCode = 2;
} finally {
  await journal.close();
}
