/**
 * `npm run audit:verify`: walks the audit journal's hash chain and names the
 * first broken entry. Exit code 0 when intact, 1 when broken, 2 on error. On
 * SQLite it opens the store like the server does, so it runs while the server
 * is stopped (a running one holds DATA_DIR: data-dir-lock.ts).
 */
import { loadConfig } from '../config/config.js';
import { AuditService } from '../domain/audit/audit.service.js';
import { systemClock } from '../lib/clock.js';
import { openStore } from '../store/open-store.js';
import { DataDirInUseError } from '../store/sqlite/data-dir-lock.js';

const config = loadConfig();
let store;
try {
  store = await openStore(config);
} catch (err) {
  console.error(err instanceof DataDirInUseError ? err.message : `cannot open the store: ${String(err)}`);
  process.exit(2);
}
try {
  const result = await new AuditService(store, systemClock).verify();
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
  await store.close();
}
