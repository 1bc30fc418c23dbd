/**
 * `npm run audit:verify`: walks the audit journal's hash chain and names the
 * first broken entry. Exit code 0 when intact, 1 when broken, 2 on error. On
 * SQLite it reads through a read-only connection of its own, so it runs beside
 * a live server as well as on a stopped one's DATA_DIR.
 */
import { loadConfig } from '../config/config.js';
import { verifyAuditChain } from '../domain/audit/audit.service.js';
import { openAuditJournal } from '../store/open-store.js';

let journal;
try {
  journal = await openAuditJournal(loadConfig());
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
