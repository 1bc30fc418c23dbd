/** Chooses the Store adapter once at boot: MongoDB when MONGODB_URI is set, else SQLite. */
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { AuditRepo, BlobStore, Store } from './store.js';

export async function openStore(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  /** Told when SQLite's background disk work fails: a late sync of acknowledged writes, a WAL checkpoint. */
  onDiskError?: (error: unknown) => void,
): Promise<Store> {
  if (config.mongodbUri) {
    const { openMongoStore } = await import('./mongo/mongo.store.js');
    return openMongoStore({ uri: config.mongodbUri });
  }
  const { openSqliteStore } = await import('./sqlite/sqlite.store.js');
  return openSqliteStore({ dataDir: config.dataDir, ...(onDiskError ? { onDiskError } : {}) });
}

/** Attachment bytes: GridFS beside MongoDB, content-addressed files under DATA_DIR otherwise. */
export async function openBlobStore(config: Pick<Config, 'mongodbUri' | 'dataDir'>): Promise<BlobStore> {
  if (config.mongodbUri) {
    const { openGridFsBlobStore } = await import('./blobs/gridfs.blob-store.js');
    return openGridFsBlobStore({ uri: config.mongodbUri });
  }
  const { DiskBlobStore } = await import('./blobs/disk.blob-store.js');
  return new DiskBlobStore(path.join(config.dataDir, 'blobs'));
}

/**
 * The audit journal alone, for reading (`npm run audit:verify`). On SQLite a
 * read-only connection of its own, without the data directory's lock, so it
 * runs beside a live server; on MongoDB the store itself.
 */
export async function openAuditJournal(config: Pick<Config, 'mongodbUri' | 'dataDir'>): Promise<{ list: AuditRepo['list']; close: () => Promise<void> }> {
  if (config.mongodbUri) {
    const store = await openStore(config);
    return { list: (afterSeq, limit) => store.audit.list(afterSeq, limit), close: () => store.close() };
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
