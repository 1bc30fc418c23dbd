/**
 * The messages between the server's main thread and the SQLite thread
 * (sqlite.worker.ts), and how an error crosses between them: structured clone
 * keeps an Error's message but not its class, so StoreErrors are sent as data
 * and rebuilt on the main thread, where the domain maps them to error codes.
 */
import { StoreError, type Store } from '../store.js';
import { StoreClosedError } from './group-commit.js';

/** The repositories of the Store, by property name; nothing else may be called. */
export const STORE_REPOS = [
  'users', 'sessions', 'codes', 'catalogue', 'appeals', 'audit', 'chat', 'yjs', 'attachments', 'counters',
] as const;
export type RepoName = (typeof STORE_REPOS)[number];

/**
 * The methods that write, by repository: these run on the SQLite thread; every
 * other method is a read and runs on the main thread's read-only connection.
 * test/contract/sqlite.test.ts checks this table against what each method of the
 * SQLite repositories actually does.
 */
export const WRITE_METHODS = {
  users: ['create', 'update'],
  sessions: ['create', 'touch', 'delete', 'deleteForUser'],
  codes: ['create', 'addAttempt', 'consume'],
  catalogue: ['createDepartment', 'updateDepartment', 'createCategory', 'updateCategory'],
  appeals: ['create', 'update', 'transition'],
  audit: ['append'],
  chat: ['append', 'setReadMark'],
  yjs: ['append', 'compact', 'saveVersion'],
  attachments: ['create', 'addVersion', 'setCurrent'],
  counters: ['next'],
} as const satisfies { [R in RepoName]: readonly (keyof Store[R])[] };

export interface WriteCall {
  id: number;
  repo: RepoName;
  method: string;
  args: unknown[];
}

export type WriteOutcome = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** Main → SQLite thread: the writes of one event-loop turn travel as one message. */
export type WriterRequest = { type: 'writes'; calls: WriteCall[] } | { type: 'close' };

/** SQLite thread → main: the outcomes of one group commit travel as one message. */
export type WriterReply =
  | { type: 'ready' }
  | { type: 'outcomes'; outcomes: WriteOutcome[] }
  | { type: 'closed'; error?: WireError }
  /** Opening failed (unreadable file, failed migration); the thread ends. */
  | { type: 'open-failed'; error: WireError };

export interface WireError {
  name: string;
  message: string;
  /** StoreError's code, or a driver code such as SQLITE_FULL. */
  code?: string;
  field?: string;
  stack?: string;
}

export function toWireError(error: unknown): WireError {
  if (error instanceof StoreError) {
    return { name: 'StoreError', message: error.message, code: error.code, ...(error.field !== undefined ? { field: error.field } : {}) };
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}), ...(error.stack ? { stack: error.stack } : {}) };
  }
  return { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): Error {
  if (wire.name === 'StoreError' && (wire.code === 'duplicate' || wire.code === 'not_found')) return new StoreError(wire.code, wire.field);
  if (wire.name === 'StoreClosedError') return new StoreClosedError();
  const error = new Error(wire.message) as Error & { code?: string };
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.stack) error.stack = `${wire.name}: ${wire.message}\n    [SQLite thread]\n${wire.stack.split('\n').slice(1).join('\n')}`;
  return error;
}
