/**
 * The Store port on MongoDB (mongoose). Chosen at boot when MONGODB_URI is set;
 * see docs/storage-mongo.md for the collections, indexes and the ordering
 * arguments that replace multi-document transactions.
 *
 * Safety settings, all on this adapter's own connection:
 * - `sanitizeFilter`: any `$`-operator object inside a query filter value is
 *   wrapped in `$eq`, so a value can never widen a query. Range conditions the
 *   adapter builds itself go through aggregation `$match` (checked numbers,
 *   `$eq`-wrapped strings: sequence.ts) or, in a write's filter, through
 *   `mongoose.trusted` around a checked number;
 * - `strict`/`strictQuery: 'throw'` on every schema, and a refusal of
 *   `undefined` in every filter (schemas.ts);
 * - `writeConcern` majority + journal with a 15 s `wtimeoutMS` as the client
 *   default, so every write of this client (mongoose, bulk writes, GridFS) is
 *   durable before it resolves, and fails instead of hanging while no
 *   majority is reachable;
 * - `readPreference: 'primary'`, whatever the URI says: the compare-and-sets
 *   and sequence tails must read what the writes wrote;
 * - `ignoreUndefined`: `{ a: undefined }` inside nested data reads back as `{}`;
 * - `bufferCommands: false`: an operation while disconnected or after
 *   `close()` fails at once instead of waiting;
 * - the database must be named: a URI without one is refused rather than
 *   silently using `test`.
 */
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../store.js';
import { StoreUnavailableError } from '../store.js';
import { codeRepo, sessionRepo, sweepExpired, userRepo } from './accounts.repo.js';
import { appealRepo, sweepPendingCreates } from './appeals.repo.js';
import { calendarRepo } from './calendar.repo.js';
import { cannedReplyRepo } from './canned.repo.js';
import { appealGroupRepo } from './groups.repo.js';
import { backfillAnalytics, mongoAnalytics } from './analytics.repo.js';
import { caseEntryRepo } from './case-entries.repo.js';
import { catalogueRepo } from './catalogue.repo.js';
import { attachmentRepo, counterRepo, yjsRepo } from './documents.repo.js';
import { mongoJobs } from './jobs.repo.js';
import { auditRepo, chatRepo } from './journal.repo.js';
import { mongoOversight } from './oversight.repo.js';
import { mongoNotifications } from './notifications.repo.js';
import { mongoPersonalData } from './personal-data.repo.js';
import { mongoSearch } from './search.repo.js';
import { outbox } from './outbox.js';
import type { Models } from './schemas.js';
import { defineModels, DURABLE } from './schemas.js';
import { InFlight } from './sequence.js';

/** What the adapter reports: connection changes, work left for later. */
export type MongoLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

/** How to reach the database. */
export interface MongoOptions {
  /** A MongoDB connection string (MONGODB_URI) naming its database (`…/caseroom`). */
  uri: string;
  /** Overrides the database named in `uri` (tests use a fresh one per store). */
  dbName?: string;
  /** Where connection events and deferred work are reported (silent without). */
  logger?: MongoLogger;
}

/** The server behind the URI: MongoDB itself or FerretDB (which lacks some features; docs/storage-mongo.md). */
export type ServerKind = 'mongodb' | 'ferretdb';

/** The Store on MongoDB, with what only this adapter has. */
export interface MongoStore extends Store {
  readonly server: ServerKind;
  /** Removes sessions and codes past their removal time (what MongoDB's TTL indexes do; run by the store on FerretDB). */
  sweepExpired(now: number): Promise<number>;
  /** Appends the journal entries left in outboxes (run at open). */
  sweepOutbox(): Promise<number>;
}

/** Options the driver gets on every connection of this adapter. */
export const DRIVER_OPTIONS = {
  writeConcern: DURABLE,
  readPreference: 'primary',
  serverSelectionTimeoutMS: 10_000,
  // An undefined property is left out, as JSON (and so SQLite) leaves it out, not stored as null.
  ignoreUndefined: true,
} as const;

/** Mongoose's own settings on every connection of this adapter (tests apply the same to a connection without a server). */
export const MONGOOSE_SETTINGS = {
  autoIndex: true,
  autoCreate: true,
  sanitizeFilter: true,
  bufferCommands: false,
} as const;

/** The database a URI names (`mongodb://host/name?…` → `name`), or null. */
export function databaseOf(uri: string): string | null {
  const name = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1];
  return name ? decodeURIComponent(name) : null;
}

/** How often the store removes expired sessions and codes where the server has no TTL indexes. */
const EXPIRY_SWEEP_MS = 10 * 60 * 1000;

/** Opens a dedicated connection with the adapter's safety settings (a reader may turn index building off); reports its events. */
export async function connectMongo(opts: MongoOptions, settings: { autoIndex?: boolean; autoCreate?: boolean } = {}): Promise<Connection> {
  if (opts.dbName === undefined && databaseOf(opts.uri) === null) {
    throw new StoreUnavailableError(
      'MONGODB_URI names no database: add it to the path (mongodb://host:27017/caseroom); the store does not fall back to "test"',
    );
  }
  const conn = mongoose.createConnection();
  const log = opts.logger;
  if (log) {
    // Reported once per change, without the URI (it may carry a password).
    conn.on('disconnected', () => {
      log.warn('MongoDB connection lost; operations fail until it is back');
    });
    conn.on('reconnected', () => {
      log.info('MongoDB connection back');
    });
    conn.on('error', (error: unknown) => {
      log.error('MongoDB connection error', { error: String(error) });
    });
  }
  try {
    await conn.openUri(opts.uri, {
      ...(opts.dbName === undefined ? {} : { dbName: opts.dbName }),
      ...MONGOOSE_SETTINGS,
      ...settings,
      ...DRIVER_OPTIONS,
    });
  } catch (error) {
    await conn.close().catch(() => undefined);
    throw error;
  }
  return conn;
}

/** Asks the server what it is: FerretDB answers `buildInfo` with a `ferretdbVersion`. */
export async function serverKindOf(conn: Connection): Promise<ServerKind> {
  const info = (await conn.db?.admin().command({ buildInfo: 1 })) ?? {};
  return typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
}

/** The repositories over one connection's models (also used by tests with a connection that has no server). */
export function buildMongoStore(m: Models, opts: { logger?: MongoLogger; inFlight?: InFlight } = {}) {
  const inFlight = opts.inFlight ?? new InFlight();
  const audit = auditRepo(m, inFlight);
  const box = outbox(m, audit, (error, where) => {
    opts.logger?.error('journal entry left in its outbox; the next write to the document or the next open appends it', { ...where, error: String(error) });
  });
  return {
    inFlight,
    outbox: box,
    repos: {
      users: userRepo(m, inFlight),
      sessions: sessionRepo(m, inFlight),
      codes: codeRepo(m, inFlight),
      catalogue: catalogueRepo(m, inFlight),
      appeals: appealRepo(m, box, inFlight),
      audit,
      chat: chatRepo(m, inFlight),
      yjs: yjsRepo(m, inFlight),
      attachments: attachmentRepo(m, box, inFlight),
      counters: counterRepo(m, inFlight),
      caseEntries: caseEntryRepo(m, box, inFlight),
      calendar: calendarRepo(m, inFlight),
      cannedReplies: cannedReplyRepo(m, inFlight),
      appealGroups: appealGroupRepo(m, inFlight),
      analytics: mongoAnalytics(m),
    },
  };
}

/**
 * Connects, creates every collection and declared index (unique indexes must
 * exist before the first write relies on them), removes expired sessions and
 * codes by TTL index (MongoDB) or by a timer (FerretDB), appends the journal
 * entries a crash left in outboxes, and returns the Store. A failure on the
 * way closes the connection.
 */
export async function openMongoStore(opts: MongoOptions): Promise<MongoStore> {
  const conn = await connectMongo(opts);
  let timer: NodeJS.Timeout | undefined;
  try {
    const models = defineModels(conn);
    // init() creates the collection and, with autoIndex, its indexes; it
    // rejects if an index cannot be built (for example duplicates already stored).
    await Promise.all(Object.values(models).map((model) => model.init()));
    const server = await serverKindOf(conn);
    const { inFlight, outbox: box, repos } = buildMongoStore(models, opts);
    const jobs = mongoJobs(conn, inFlight);
    await jobs.init();
    const notifications = mongoNotifications(conn, inFlight);
    await notifications.init();
    const oversight = mongoOversight(conn, inFlight);
    await oversight.init();
    const personalData = mongoPersonalData(conn, inFlight);
    await personalData.init();
    const search = mongoSearch(conn, inFlight);
    await search.init();
    const sweep = (now: number): Promise<number> => inFlight.track(() => sweepExpired(models, now));
    if (server === 'mongodb') {
      for (const model of [models.sessions, models.codes]) {
        await model.collection.createIndex({ expireAt: 1 }, { expireAfterSeconds: 0, name: 'expireAt_ttl' }, undefined);
      }
    } else {
      // FerretDB has no TTL indexes: the store does their work.
      await sweep(Date.now());
      timer = setInterval(() => {
        sweep(Date.now()).catch((error: unknown) => {
          opts.logger?.error('expired sessions and codes not removed', { error: String(error) });
        });
      }, EXPIRY_SWEEP_MS);
      timer.unref();
    }
    await box.sweep();
    await sweepPendingCreates(models);
    await backfillAnalytics(models);
    const sweepTimer = timer;
    return {
      kind: 'mongo',
      server,
      ...repos,
      jobs: jobs.repo,
      notifications: notifications.repo,
      oversight: oversight.repo,
      personalData: personalData.repo,
      search: search.repo,
      sweepExpired: sweep,
      sweepOutbox: () => inFlight.track(() => box.sweep()),
      async close() {
        clearInterval(sweepTimer);
        // Appends queued or in flight are written (or fail) before the connection goes.
        await inFlight.drain();
        await conn.close();
      },
    };
  } catch (error) {
    clearInterval(timer);
    await conn.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The audit journal alone, for reading (`npm run audit:verify`): its own
 * connection, no index building, no sweeps, so it runs beside live servers
 * and writes nothing.
 */
export async function openMongoJournal(opts: MongoOptions): Promise<{ list: MongoStore['audit']['list']; close: () => Promise<void> }> {
  const conn = await connectMongo(opts, { autoIndex: false, autoCreate: false });
  const inFlight = new InFlight();
  const audit = auditRepo(defineModels(conn), inFlight);
  return { list: (afterSeq, limit) => audit.list(afterSeq, limit), close: () => conn.close() };
}
