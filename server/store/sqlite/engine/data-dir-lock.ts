/**
 * One server per data directory.
 *
 * The SQLite store belongs to one server. A second one on the same directory
 * would hold its own copy of each live document and compact the Yjs log from
 * it, deleting updates the first had stored under the same seqs; and the
 * rooms' live events would not reach each other's clients (several instances
 * run on MongoDB and Redis). So the store takes this lock before it touches
 * anything, and a second server on the directory stops at start with a message
 * that says why.
 *
 * The lock is SQLite's own: a small database file held in exclusive locking
 * mode. Its POSIX lock belongs to the process, so the kernel drops it when the
 * process ends in any way (SIGKILL included), and the next start finds the
 * directory free; there is no stale lock file to clean up by hand. A second
 * connection in the same process is refused as well (SQLite tracks its locks
 * per file within a process).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../store.js';

/** The lock's database file inside the data directory. */
export const LOCK_FILE = 'caseroom.lock';

/** Thrown when another server (or another store in this process) holds the directory. */
export class DataDirInUseError extends StoreUnavailableError {
  override name = 'DataDirInUseError';
  constructor(readonly dataDir: string) {
    super(`DATA_DIR ${dataDir} is in use by another case room server (the lock ${LOCK_FILE} is held); stop it, or give this one another DATA_DIR`);
  }
}

export interface DataDirLock {
  /** Lets the directory go; once only. */
  release(): void;
}

/** Takes the directory's lock at once (no waiting) or throws DataDirInUseError. */
export function lockDataDir(dataDir: string): DataDirLock {
  const db = new Database(path.join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the EXCLUSIVE lock; exclusive locking mode keeps it until close.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since INTEGER NOT NULL); DELETE FROM holder;');
    db.prepare('INSERT INTO holder (pid, since) VALUES (?, ?)').run(process.pid, Date.now());
  } catch (error) {
    db.close();
    if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) throw new DataDirInUseError(dataDir);
    throw error;
  }
  return {
    release: () => {
      if (db.open) db.close();
    },
  };
}
