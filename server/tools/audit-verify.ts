/**
 * `npm run audit:verify`: walks the audit journal's hash chain and names the
 * first broken entry. Exit code 0 when intact, 1 when broken, 2 on error.
 */
import { loadConfig } from '../config/config.js';
import { AuditService } from '../domain/audit/audit.service.js';
import { systemClock } from '../lib/clock.js';
import { openStore } from '../store/open-store.js';

const config = loadConfig();
const store = await openStore(config);
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
