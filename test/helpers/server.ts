/**
 * Starts the real server on 127.0.0.1:0 with a fresh DATA_DIR; teardown closes
 * it and removes the directory. Demo accounts are seeded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config/config.js';
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and deletes DATA_DIR (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startTestServer(opts: { dataDir?: string; env?: Record<string, string> } & Omit<ServerOptions, 'config'> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'caseroom-test-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SEED_DEMO: 'true', ...opts.env });
  const { env: _env, dataDir: _d, ...rest } = opts;
  const server = await startServer({ ...rest, config });
  return Object.assign(server, {
    dataDir,
    async stop(o: { keepData?: boolean } = {}) {
      await server.close();
      if (!o.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
