/** Chooses the Store adapter once at boot: MongoDB when MONGODB_URI is set, else SQLite. */
import path from 'node:path';
import type { Config } from '../config/config.js';
import { createLogger } from '../lib/logger.js';
import type { AuditRepo, BlobStore, Store } from './store.js';

/** What choosing a store reads from the configuration (the log level for MongoDB's connection reports). */
type StoreConfig = Pick<Config, 'mongodbUri' | 'dataDir'> & Partial<Pick<Config, 'logLevel'>>;

/** MongoDB's connection events and deferred journal entries go to a logger of the configured level. */
const mongoLogger = (config: StoreConfig) => createLogger(config.logLevel ?? 'info');

export async function openStore(
  config: StoreConfig,
  /** Told when SQLite's background disk work fails: a late sync of acknowledged writes, a WAL checkpoint. */
  onDiskError?: (error: unknown) => void,
): Promise<Store> {
  if (config.mongodbUri) {
    const { openMongoStore } = await import('./mongo/mongo.store.js');
    return openMongoStore({ uri: config.mongodbUri, logger: mongoLogger(config) });
  }
  const { openSqliteStore } = await import('./sqlite/sqlite.store.js');
  return openSqliteStore({ dataDir: config.dataDir, ...(onDiskError ? { onDiskError } : {}) });
}

/** Attachment bytes: GridFS beside MongoDB, content-addressed files under DATA_DIR otherwise. */
export async function openBlobStore(config: StoreConfig): Promise<BlobStore> {
  if (config.mongodbUri) {
    const { openGridFsBlobStore } = await import('./blobs/gridfs.blob-store.js');
    return openGridFsBlobStore({ uri: config.mongodbUri, logger: mongoLogger(config) });
  }
  const { DiskBlobStore } = await import('./blobs/disk.blob-store.js');
  return new DiskBlobStore(path.join(config.dataDir, 'blobs'));
}

/**
 * The audit journal alone, for reading (`npm run audit:verify`). On SQLite a
 * read-only connection of its own, without the data directory's lock, so it
 * runs beside a live server; on MongoDB a connection that only reads.
 */
export async function openAuditJournal(config: StoreConfig): Promise<{ list: AuditRepo['list']; close: () => Promise<void> }> {
  if (config.mongodbUri) {
    const { openMongoJournal } = await import('./mongo/mongo.store.js');
    return openMongoJournal({ uri: config.mongodbUri });
  }
  const [{ readOnlyAudit }, { SQLITE_FILE }] = await Promise.all([import('./sqlite/journal.repo.js'), import('./sqlite/sqlite.store.js')]);
  const journal = readOnlyAudit(path.join(config.dataDir, SQLITE_FILE));
  return {
    list: journal.list,
    close: () => {
      journal.close();
      return Promise.resolve();
    },
  };
}
