/** The one place where MongoDB errors become StoreErrors (STYLE.md §5). */
import mongoose from 'mongoose';
import { StoreError } from '../store.js';

/** Field list of a duplicate-key error: from `keyPattern`, else from the index name in the message. */
function duplicateField(error: mongoose.mongo.MongoServerError): string | undefined {
  const pattern: unknown = error.keyPattern;
  if (pattern !== null && typeof pattern === 'object' && Object.keys(pattern).length > 0) {
    return Object.keys(pattern).join(',');
  }
  // "E11000 duplicate key error collection: db.users index: email_1 dup key: …"
  const index = /index: (\S+) dup key/.exec(error.message)?.[1];
  if (index === undefined) return undefined;
  return index
    .split('_')
    .filter((_part, i) => i % 2 === 0)
    .join(',');
}

/** True for a duplicate-key error (E11000), optionally only on exactly `field`. */
export function isDuplicateKey(error: unknown, field?: string): boolean {
  if (!(error instanceof mongoose.mongo.MongoServerError) || error.code !== 11000) return false;
  return field === undefined || duplicateField(error) === field;
}

/**
 * A duplicate-key error becomes `StoreError('duplicate', field)`, the field
 * named as in the record (`{ email: 1 }` → `email`, compound keys joined with a
 * comma as the SQLite adapter does). Anything else passes through unchanged.
 */
export function translateMongoError(error: unknown): unknown {
  if (error instanceof mongoose.mongo.MongoServerError && error.code === 11000) {
    return new StoreError('duplicate', duplicateField(error));
  }
  return error;
}

/** Runs one database operation, translating its errors. */
export async function guarded<T>(op: () => PromiseLike<T>): Promise<T> {
  try {
    return await op();
  } catch (error) {
    throw translateMongoError(error);
  }
}
