/**
 * Starts the real server on 127.0.0.1:0 with a fresh DATA_DIR; teardown closes
 * it and removes the directory. Demo accounts are seeded.
 *
 * The store is SQLite in DATA_DIR, or MongoDB when the run asks for it
 * (`CASEROOM_TEST_STORE=mongo`, set by the `server-mongo` Vitest project, with
 * MONGODB_URI naming the server): then each DATA_DIR gets its own database,
 * named after it, so a restart on the same DATA_DIR finds its data again, and
 * `stop()` drops it with the directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { loadConfig } from '../../server/config/config.js';
import { startServer, type RunningServer, type ServerOptions } from '../../server/server.js';
import { databaseOf } from '../../server/store/mongo/mongo.store.js';

export interface TestServer extends RunningServer {
  dataDir: string;
  /** Closes the server and deletes DATA_DIR (unless keepData). */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

/** The store integration tests run on: 'mongo' in the `server-mongo` project, else 'sqlite'. */
export const testStore: 'sqlite' | 'mongo' = process.env.CASEROOM_TEST_STORE === 'mongo' ? 'mongo' : 'sqlite';

/** Why a test that needs SQLite's DATA_DIR (its lock, staging log, WAL, blob files) skips on MongoDB; null on SQLite. */
export function sqliteOnly(what: string): string | null {
  if (testStore === 'sqlite') return null;
  const reason = `SQLite only (${what}); this run's store is MongoDB`;
  console.warn(`[skipped on MongoDB] ${reason}`);
  return reason;
}

/** MONGODB_URI with the database of `dataDir` (`<uri's database>_<dir name>`). */
export function mongoUriFor(dataDir: string): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('CASEROOM_TEST_STORE=mongo needs MONGODB_URI');
  const base = databaseOf(uri) ?? 'caseroom-test';
  const name = `${base.slice(0, 20)}_${path.basename(dataDir).replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 60);
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]*)(?:\/[^?]*)?/, `$1/${name}`);
}

/**
 * The store part of a spawned server's environment: MONGODB_URI for this
 * DATA_DIR's database in a MongoDB run; none in a SQLite run, even when the
 * environment has one (CI exports it for the MongoDB projects).
 */
export function storeEnvFor(dataDir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  if (testStore === 'mongo') out.MONGODB_URI = mongoUriFor(dataDir);
  else delete out.MONGODB_URI;
  return out;
}

async function dropDatabase(uri: string): Promise<void> {
  const conn = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 5000 }).asPromise();
  try {
    await conn.dropDatabase();
  } finally {
    await conn.close();
  }
}

export async function startTestServer(opts: { dataDir?: string; env?: Record<string, string> } & Omit<ServerOptions, 'config'> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'caseroom-test-'));
  const mongoUri = testStore === 'mongo' && !opts.store ? mongoUriFor(dataDir) : undefined;
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'true',
    ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
    ...opts.env,
  });
  const { env: _env, dataDir: _d, ...rest } = opts;
  const server = await startServer({ ...rest, config });
  return Object.assign(server, {
    dataDir,
    async stop(o: { keepData?: boolean } = {}) {
      await server.close();
      if (o.keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (mongoUri) await dropDatabase(mongoUri);
    },
  });
}
