/**
 * The one place where MongoDB errors become StoreErrors (STYLE.md §5).
 *
 * A duplicate key is recognised in the forms the servers we run against send:
 * MongoDB's E11000 (code 11000, with `keyPattern` and the index name in the
 * message), FerretDB's E11000 (code 11000, naming neither the index nor the
 * key), and FerretDB's unique violation inside `findAndModify` (code 1, the
 * SQLite message "UNIQUE constraint failed: index '<table>_<hash>_<index>'").
 * When the error does not name the field, `guarded` asks the caller's
 * `resolve` which unique index the write collided with (a lookup of the
 * written values), so both servers report `StoreError('duplicate', 'email')`.
 */
import mongoose from 'mongoose';
import { StoreError } from '../store.js';

/** `email_1` → `email`, `appealId_1_clientId_1` → `appealId,clientId`. */
function fieldsOfIndexName(index: string): string {
  return index
    .split('_')
    .filter((_part, i) => i % 2 === 0)
    .join(',');
}

/** Code and message of a server error, also when it arrives inside a bulk write error. */
function serverError(error: unknown): { code: unknown; message: string; keyPattern: unknown } | null {
  if (!(error instanceof mongoose.mongo.MongoServerError)) return null;
  return { code: error.code, message: error.message, keyPattern: (error as { keyPattern?: unknown }).keyPattern };
}

/**
 * Null when `error` is no duplicate key; otherwise the field list of the
 * violated index when the error names it (undefined when it does not).
 */
export function duplicateOf(error: unknown): { field: string | undefined } | null {
  const e = serverError(error);
  if (!e) return null;
  const isE11000 = e.code === 11000;
  const isFerretUnique = e.code === 1 && /UNIQUE constraint failed/.test(e.message);
  if (!isE11000 && !isFerretUnique) return null;
  const pattern = e.keyPattern;
  if (pattern !== null && typeof pattern === 'object' && Object.keys(pattern).length > 0) {
    return { field: Object.keys(pattern).join(',') };
  }
  // MongoDB: "E11000 duplicate key error collection: db.users index: email_1 dup key: …"
  const mongoIndex = /index: (\S+) dup key/.exec(e.message)?.[1];
  if (mongoIndex !== undefined) return { field: fieldsOfIndexName(mongoIndex) };
  // FerretDB on SQLite: "UNIQUE constraint failed: index 'users_5e2b1c3d_email_1'"
  const ferretIndex = /index '[^']*?_[0-9a-f]{8}_([A-Za-z][^']*)'/.exec(e.message)?.[1];
  if (ferretIndex !== undefined) return { field: fieldsOfIndexName(ferretIndex) };
  return { field: undefined };
}

/** True for a duplicate key, optionally only when the error names exactly `field`. */
export function isDuplicateKey(error: unknown, field?: string): boolean {
  const dup = duplicateOf(error);
  return dup !== null && (field === undefined || dup.field === field);
}

/**
 * A duplicate key becomes `StoreError('duplicate', field)`, the field named as
 * in the record (`{ email: 1 }` → `email`, compound keys joined with a comma as
 * the SQLite adapter does). Anything else passes through unchanged.
 */
export function translateMongoError(error: unknown): unknown {
  const dup = duplicateOf(error);
  return dup ? new StoreError('duplicate', dup.field) : error;
}

/**
 * Runs one database operation, translating its errors. `resolve` names the
 * violated unique index when the server's error does not (FerretDB).
 */
export async function guarded<T>(op: () => PromiseLike<T>, resolve?: () => Promise<string | undefined>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    const dup = duplicateOf(error);
    if (dup === null) throw error;
    throw new StoreError('duplicate', dup.field ?? (resolve ? await resolve() : undefined));
  }
}

/**
 * Errors worth another try after a pause: the server was unreachable, a
 * primary stepped down, or a write concern timed out. A write that failed
 * this way may or may not have been applied; the callers that retry are
 * idempotent (seqs under a unique index, keyed journal entries).
 */
export function isTransient(error: unknown): boolean {
  if (error instanceof mongoose.mongo.MongoNetworkError || error instanceof mongoose.mongo.MongoServerSelectionError) return true;
  if (error instanceof mongoose.mongo.MongoError && typeof error.hasErrorLabel === 'function') {
    if (error.hasErrorLabel('RetryableWriteError') || error.hasErrorLabel('TransientTransactionError')) return true;
  }
  const code = serverError(error)?.code;
  // NotWritablePrimary, PrimarySteppedDown, InterruptedDueToReplStateChange, WriteConcernFailed (wtimeout).
  return code === 10107 || code === 189 || code === 11602 || code === 64;
}
