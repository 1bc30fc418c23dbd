/**
 * Entry point of `npm start`: reads the environment, starts the server, prints
 * the URL (and the demo accounts on first start), shuts down in order on signals.
 */
import { ConfigError, loadConfig } from './config/config.js';
import { startServer } from './server.js';
import { StoreUnavailableError } from './store/store.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

let server;
try {
  server = await startServer({ config });
} catch (err) {
  if (err instanceof StoreUnavailableError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const lines = [`Case room is up: ${server.url}  (store: ${server.store.kind}, data: ${config.dataDir})`];
if (server.demoAccounts.length > 0) {
  lines.push('', 'Demo accounts (passwords are shown this once; they are stored only as hashes):');
  for (const a of server.demoAccounts) lines.push(`  ${a.role.padEnd(10)} ${a.login.padEnd(36)} ${a.password}  ${a.note}`);
}
console.log(lines.join('\n'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
