/**
 * The embedded Store adapter: one SQLite file `<dataDir>/caseroom.sqlite` opened
 * with better-sqlite3 in WAL mode. Writes go through the group commit
 * (engine/group-commit.ts) and are acknowledged only once their WAL frames are on disk,
 * so an acknowledged write survives a power cut — except those that ask for
 * `process` durability (chat messages, Yjs updates): acknowledged once a crash
 * of the process can no longer lose them, on disk within tens of milliseconds.
 * Migrations commit with `synchronous=FULL`; after them COMMIT runs with
 * `synchronous=NORMAL` and the group commit fsyncs the WAL on libuv's thread
 * pool (engine/wal-sync.ts): the same guarantee without the event loop waiting for the
 * disk. Reads run synchronously on the same connection. The store holds the
 * data directory's lock while open (engine/data-dir-lock.ts): one server per
 * directory.
 */
import { mkdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Clock } from '../../lib/clock.js';
import { StoreUnavailableError, type Store } from '../store.js';
import { sqliteAccounts } from './accounts.repo.js';
import { decodeAppealRow, sqliteAppeals } from './appeals.repo.js';
import { sqliteCalendar } from './calendar.repo.js';
import { sqliteCannedReplies } from './canned.repo.js';
import { sqliteAppealGroups } from './groups.repo.js';
import { sqliteCaseEntries } from './case-entries.repo.js';
import { sqliteCatalogue } from './catalogue.repo.js';
import { sqliteChat } from './chat.repo.js';
import { sqliteAttachments, sqliteYjs } from './documents.repo.js';
import { SQLITE_DEFAULT_PAGES, WalCheckpointer } from './engine/checkpointer.js';
import { lockDataDir } from './engine/data-dir-lock.js';
import { GroupCommit } from './engine/group-commit.js';
import { WalSync } from './engine/wal-sync.js';
import { translateSqliteError } from './errors.js';
import { sqliteJobs } from './jobs.repo.js';
import { sqliteAnalytics } from './analytics.repo.js';
import { sqliteAudit, sqliteCounters } from './journal.repo.js';
import { sqliteNotifications } from './notifications.repo.js';
import { sqlitePersonalData } from './personal-data.repo.js';
import { migrate } from './migrations.js';
import { sqliteOversight } from './oversight.repo.js';
import { sqliteSearch } from './search.repo.js';
import { SqliteContext } from './table.js';

/** The database file inside the data directory. */
export const SQLITE_FILE = 'caseroom.sqlite';
/**
 * Where releases before this one kept acknowledged Yjs updates until they
 * reached the table. The store refuses a directory whose file still holds
 * some rather than lose them.
 */
export const LEGACY_YJS_STAGING_FILE = 'caseroom.yjs-staging';

export interface SqliteStoreOptions {
  /** Directory of the database file; created if missing. */
  dataDir: string;
  /** Time source for bookkeeping (migration timestamps); records carry their own times. */
  clock?: Clock;
  /** How long a statement waits for a lock held by another process. */
  busyTimeoutMs?: number;
  /** Longest wait for the disk sync of `process` writes (engine/group-commit.ts); default LATE_SYNC_MS. */
  lateSyncMs?: number;
  /**
   * Told when background disk work fails: a late sync (its writes were
   * acknowledged but may not be on disk) or a WAL checkpoint.
   */
  onDiskError?: (error: unknown) => void;
  /** Longest pause between WAL checkpoints while writes arrive (engine/checkpointer.ts). */
  checkpointIntervalMs?: number;
}

/** Opens (creating and migrating if needed) the SQLite store in `dataDir`. */
export function openSqliteStore(opts: SqliteStoreOptions): Promise<Store> {
  // The executor turns a throw (unreadable file, failed migration) into a rejection.
  return new Promise<Store>((resolve) => {
    resolve(open(opts));
  });
}

function open(opts: SqliteStoreOptions): Store {
  mkdirSync(opts.dataDir, { recursive: true });
  // Before anything is read or written: one server per directory.
  const lock = lockDataDir(opts.dataDir);
  let db: Database.Database;
  try {
    db = new Database(path.join(opts.dataDir, SQLITE_FILE));
  } catch (error) {
    lock.release();
    throw error;
  }
  const busyTimeoutMs = Math.trunc(opts.busyTimeoutMs ?? 5000);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    refuseLegacyStaging(opts.dataDir);
    migrate(db, undefined, opts.clock?.now() ?? Date.now());
  } catch (error) {
    db.close();
    lock.release();
    throw error;
  }
  // From here COMMIT skips its fsync and the group commit syncs the WAL on the
  // thread pool before it acknowledges (engine/wal-sync.ts); the guarantee stays FULL's.
  const file = path.join(opts.dataDir, SQLITE_FILE);
  let walSync: WalSync;
  let checkpointer: WalCheckpointer;
  try {
    db.pragma('synchronous = NORMAL');
    walSync = new WalSync(`${file}-wal`);
    checkpointer = new WalCheckpointer(db, {
      file,
      busyTimeoutMs,
      // The thread starts when the WAL reaches SQLite's own checkpoint size: an idle server does not hold it.
      startAtWalPages: SQLITE_DEFAULT_PAGES,
      ...(opts.checkpointIntervalMs !== undefined ? { intervalMs: opts.checkpointIntervalMs } : {}),
      ...(opts.onDiskError ? { onError: opts.onDiskError } : {}),
    });
  } catch (error) {
    db.close();
    lock.release();
    throw error;
  }
  const commit = new GroupCommit(db, {
    translate: translateSqliteError,
    sync: () => walSync.sync(),
    onCommit: () => {
      checkpointer.noteCommit();
    },
    ...(opts.lateSyncMs !== undefined ? { lateSyncMs: opts.lateSyncMs } : {}),
    ...(opts.onDiskError ? { onLateSyncError: opts.onDiskError } : {}),
  });
  const ctx = new SqliteContext(db, commit);
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
    jobs: sqliteJobs(ctx),
    notifications: sqliteNotifications(ctx),
    personalData: sqlitePersonalData(ctx),
    caseEntries: sqliteCaseEntries(ctx),
    calendar: sqliteCalendar(ctx),
    cannedReplies: sqliteCannedReplies(ctx),
    appealGroups: sqliteAppealGroups(ctx),
    analytics: sqliteAnalytics(ctx, decodeAppealRow),
    oversight: sqliteOversight(ctx),
    search: sqliteSearch(ctx),
    close: () => {
      closing ??= (async () => {
        await commit.close().catch((error: unknown) => {
          opts.onDiskError?.(error);
        });
        await checkpointer.close();
        await walSync.close();
        db.close();
        lock.release();
      })();
      return closing;
    },
  };
  return store;
}

/**
 * Stops the open when an earlier release left acknowledged Yjs updates in its
 * staging file (it crashed before they reached the table): starting that
 * release once replays and empties the file. An empty file is removed.
 */
function refuseLegacyStaging(dataDir: string): void {
  const file = path.join(dataDir, LEGACY_YJS_STAGING_FILE);
  const size = statSync(file, { throwIfNoEntry: false })?.size;
  if (size === undefined) return;
  if (size > 0) {
    throw new StoreUnavailableError(
      `${file} holds ${size} bytes of Yjs updates an earlier release acknowledged but did not store; start that release once on this DATA_DIR to replay them, then this one`,
    );
  }
  unlinkSync(file);
}
