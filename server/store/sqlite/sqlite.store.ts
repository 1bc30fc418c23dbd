/**
 * The embedded Store adapter: one SQLite file `<dataDir>/caseroom.sqlite` opened
 * with better-sqlite3 in WAL mode with `synchronous=FULL`, so a committed write
 * survives a power cut. Writes go through the group commit (group-commit.ts);
 * reads run synchronously on the same connection. As the server opens it
 * (`openSqliteStore`), that writing connection lives on a thread of its own and
 * reads run on a second, read-only connection on the calling thread
 * (writer-thread.ts, sqlite.worker.ts).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../store.js';
import { sqliteAccounts } from './accounts.repo.js';
import { sqliteAppeals } from './appeals.repo.js';
import { sqliteCatalogue } from './catalogue.repo.js';
import { sqliteChat } from './chat.repo.js';
import { sqliteAttachments, sqliteYjs } from './documents.repo.js';
import { translateSqliteError } from './errors.js';
import { GroupCommit } from './group-commit.js';
import { sqliteAudit, sqliteCounters } from './journal.repo.js';
import { migrate } from './migrations.js';
import { SqliteContext } from './table.js';

/** The database file inside the data directory. */
export const SQLITE_FILE = 'caseroom.sqlite';

export interface SqliteStoreOptions {
  /** Directory of the database file; created if missing. */
  dataDir: string;
  /** How long a statement waits for a lock held by another process. */
  busyTimeoutMs?: number;
  /**
   * A connection for reads only (`query_only`), beside the one that writes and
   * migrates; its write methods reject. writer-thread.ts opens one.
   */
  readOnly?: boolean;
}

/** The group commit of a read-only connection: every write is refused. */
const refuseWrites = {
  run: (): Promise<never> => Promise.reject(new Error('write on the read-only SQLite connection (writer-protocol.ts WRITE_METHODS lists the writes)')),
};

/**
 * Opens (creating and migrating if needed) the SQLite store in `dataDir`. By
 * default writes run on a thread of their own (writer-thread.ts), so that their
 * fsyncs never stall the event loop; `thread: 'inline'` keeps everything on one
 * connection on the calling thread (as the SQLite thread itself opens it).
 */
export async function openSqliteStore(opts: SqliteStoreOptions & { thread?: 'worker' | 'inline'; onFailure?: (error: Error) => void }): Promise<Store> {
  if (opts.thread === 'inline') return openInlineSqliteStore(opts);
  const { openThreadedSqliteStore } = await import('./writer-thread.js');
  return openThreadedSqliteStore(opts);
}

/** Opens the store on the calling thread. */
export function openInlineSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  // The executor turns a throw (unreadable file, failed migration) into a rejection.
  return new Promise<Store>((resolve) => {
    resolve(open(opts));
  });
}

function open(opts: SqliteStoreOptions): Store {
  mkdirSync(opts.dataDir, { recursive: true });
  const db = new Database(path.join(opts.dataDir, SQLITE_FILE));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${Math.trunc(opts.busyTimeoutMs ?? 5000)}`);
    if (opts.readOnly) db.pragma('query_only = ON');
    else migrate(db, undefined, Date.now());
  } catch (error) {
    db.close();
    throw error;
  }

  const commit = opts.readOnly ? null : new GroupCommit(db, translateSqliteError);
  const ctx = new SqliteContext(db, commit ?? refuseWrites);
  const accounts = sqliteAccounts(ctx);
  let closing: Promise<void> | null = null;

  const store: Store = {
    kind: 'sqlite',
    users: accounts.users,
    sessions: accounts.sessions,
    codes: accounts.codes,
    catalogue: sqliteCatalogue(ctx),
    appeals: sqliteAppeals(ctx),
    audit: sqliteAudit(ctx),
    chat: sqliteChat(ctx),
    yjs: sqliteYjs(ctx),
    attachments: sqliteAttachments(ctx),
    counters: sqliteCounters(ctx),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        commit?.close();
        db.close();
        resolve();
      });
      return closing;
    },
  };
  return store;
}
