/** The one place where SQLite errors become StoreErrors (STYLE.md §5). */
import Database from 'better-sqlite3';
import { StoreError } from '../store.js';

const camel = (column: string): string => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/**
 * A unique or primary-key violation becomes `StoreError('duplicate', field)`,
 * the field named as in the record (`users.email` → `email`, composite keys
 * joined with a comma). Anything else passes through unchanged.
 */
export function translateSqliteError(error: unknown): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  if (error.code !== 'SQLITE_CONSTRAINT_UNIQUE' && error.code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') return error;
  const columns = /constraint failed: (.+)$/.exec(error.message)?.[1] ?? '';
  const field = columns
    .split(',')
    .map((c) => camel(c.trim().split('.').pop() ?? ''))
    .join(',');
  return new StoreError('duplicate', field || undefined);
}

/** Whether a driver error is a primary-key violation (the statement was undone, the transaction goes on). */
export function isPrimaryKeyConflict(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
