/**
 * The real server in a process of its own, for the client's live tests
 * (`client/**\/*.server.test.ts`, see live-client.ts): those run in jsdom,
 * where Vite transforms the server's modules for the browser (it rewrites the
 * WAL checkpointer's `new URL('./checkpoint.worker.mjs', import.meta.url)`
 * into an asset URL, and the store cannot start). Here it runs exactly as in
 * the integration tests:
 * `startTestServer()` on 127.0.0.1 with a temp DATA_DIR and the demo accounts.
 *
 * Driven over the fork IPC channel: `{ type: 'ready' }` once loaded, then one
 * command at a time. `{ cmd: 'start', dataDir?, port? }` answers
 * `{ type: 'started', url, port, dataDir, demoAccounts }`;
 * `{ cmd: 'stop', keepData }` answers `{ type: 'stopped' }`; a failure
 * answers `{ type: 'failed', message }`.
 * When the parent goes away the server is stopped and its directory removed.
 */
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { HostCommand, HostReply } from './live-server.js';

let server: TestServer | null = null;

function reply(message: HostReply): void {
  process.send?.(message);
}

async function run(command: HostCommand): Promise<HostReply> {
  switch (command.cmd) {
    case 'start': {
      server = await startTestServer({
        ...(command.dataDir ? { dataDir: command.dataDir } : {}),
        ...(command.port ? { env: { PORT: String(command.port) } } : {}),
      });
      const demoAccounts = server.demoAccounts.map(({ login, password }) => ({ login, password }));
      return { type: 'started', url: server.url, port: server.port, dataDir: server.dataDir, demoAccounts };
    }
    case 'stop':
      await server?.stop({ keepData: command.keepData });
      server = null;
      return { type: 'stopped' };
  }
}

process.on('message', (command: HostCommand) => {
  run(command).then(reply, (err: unknown) => {
    reply({ type: 'failed', message: String(err) });
  });
});

reply({ type: 'ready' });

process.on('disconnect', () => {
  const closing = server?.stop() ?? Promise.resolve();
  closing.finally(() => process.exit(0)).catch(() => undefined);
});
