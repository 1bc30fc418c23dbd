/**
 * The Store port on MongoDB (mongoose). Chosen at boot when MONGODB_URI is set;
 * see docs/storage-mongo.md for the collections, indexes and the ordering
 * arguments that replace multi-document transactions.
 *
 * Safety settings, all on this adapter's own connection:
 * - `sanitizeFilter`: any `$`-operator object inside a query filter value is
 *   wrapped in `$eq`, so a value can never widen a query. Range conditions the
 *   adapter builds itself therefore go through aggregation `$match`, whose values
 *   are checked numbers and `$eq`-wrapped strings (sequence.ts) — never
 *   `mongoose.trusted`;
 * - `strict`/`strictQuery: 'throw'` on every schema (schemas.ts);
 * - `writeConcern` majority + journal as the client default, so every write of
 *   this client (mongoose, bulk writes, GridFS) is durable before it resolves;
 * - `ignoreUndefined`: `{ a: undefined }` inside nested data reads back as `{}`;
 * - `bufferCommands: false`: an operation after `close()` fails at once
 *   instead of waiting for a reconnect.
 */
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { Store } from '../store.js';
import { codeRepo, sessionRepo, userRepo } from './accounts.repo.js';
import { appealRepo } from './appeals.repo.js';
import { catalogueRepo } from './catalogue.repo.js';
import { attachmentRepo, counterRepo, yjsRepo } from './documents.repo.js';
import { auditRepo, chatRepo } from './journal.repo.js';
import { defineModels, DURABLE } from './schemas.js';

/** How to reach the database. */
export interface MongoOptions {
  /** A MongoDB connection string (MONGODB_URI). */
  uri: string;
  /** Overrides the database named in `uri` (tests use a fresh one per store). */
  dbName?: string;
}

/** Opens a dedicated connection with the adapter's safety settings. */
export async function connectMongo(opts: MongoOptions): Promise<Connection> {
  return mongoose
    .createConnection(opts.uri, {
      ...(opts.dbName === undefined ? {} : { dbName: opts.dbName }),
      autoIndex: true,
      autoCreate: true,
      sanitizeFilter: true,
      bufferCommands: false,
      writeConcern: DURABLE,
      // An undefined property is left out, as JSON (and so SQLite) leaves it out, not stored as null.
      ignoreUndefined: true,
    })
    .asPromise();
}

/**
 * Connects, creates every collection and declared index (unique indexes must
 * exist before the first write relies on them), and returns the Store.
 */
export async function openMongoStore(opts: MongoOptions): Promise<Store> {
  const conn = await connectMongo(opts);
  try {
    const models = defineModels(conn);
    // init() creates the collection and, with autoIndex, its indexes; it
    // rejects if an index cannot be built (for example duplicates already stored).
    await Promise.all(Object.values(models).map((model) => model.init()));
    const audit = auditRepo(models);
    return {
      kind: 'mongo',
      users: userRepo(models),
      sessions: sessionRepo(models),
      codes: codeRepo(models),
      catalogue: catalogueRepo(models),
      appeals: appealRepo(models, audit),
      audit,
      chat: chatRepo(models),
      yjs: yjsRepo(models),
      attachments: attachmentRepo(models, audit),
      counters: counterRepo(models),
      async close() {
        // Every write was awaited with its write concern: nothing is pending.
        await conn.close();
      },
    };
  } catch (error) {
    await conn.close();
    throw error;
  }
}
