/**
 * Mapping between records (camelCase, booleans, arrays, bytes) and SQLite rows
 * (snake_case columns, 0/1, JSON text, BLOB). One `Table` per record type keeps
 * the column list in one place; decoding always builds fresh objects, so a
 * caller mutating a returned record cannot reach the stored data.
 */
import type Database from 'better-sqlite3';
import type { Durability } from '../store.js';
import type { GroupCommit } from './engine/group-commit.js';

/** How a field is stored. */
export type ColumnKind = 'text' | 'int' | 'bool' | 'json' | 'blob';
/** Every field of a record with its storage kind. */
export type Columns<R> = { readonly [K in keyof R]-?: ColumnKind };
export type Row = Record<string, unknown>;
type Statement = Database.Statement<unknown[], Row>;

/** `createdAt` → `created_at`. */
export const snake = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** Quoted identifier: some fields (`from`, `to`, `update`) are SQL keywords. */
export const q = (field: string): string => `"${snake(field)}"`;

function encode(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return value === true ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    case 'blob': {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    case 'text':
    case 'int':
      return value;
  }
}

function decode(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'bool':
      return value === 1;
    case 'json':
      return JSON.parse(value as string) as unknown;
    case 'blob':
      // A plain Uint8Array copy, not the driver's Buffer.
      return new Uint8Array(value as Uint8Array);
    case 'text':
    case 'int':
      return value;
  }
}

interface Column {
  field: string;
  column: string;
  kind: ColumnKind;
}

export class Table<R extends object> {
  private readonly kinds: Map<string, ColumnKind>;
  /** Every column in declaration order, names converted once (records are mapped on every write). */
  private readonly columns: readonly Column[];
  private readonly insert: string;

  constructor(
    readonly name: string,
    columns: Columns<R>,
  ) {
    this.kinds = new Map<string, ColumnKind>(Object.entries(columns));
    this.columns = [...this.kinds].map(([field, kind]) => ({ field, column: snake(field), kind }));
    this.insert = `INSERT INTO ${name} (${this.columns.map((c) => q(c.field)).join(', ')}) VALUES (${this.columns.map((c) => `@${c.column}`).join(', ')})`;
  }

  /** Named parameters (`@created_at`) for the given fields of `record` (all by default). */
  params(record: Partial<R>, fields?: readonly string[]): Row {
    const out: Row = {};
    const source = record as Row;
    if (!fields) {
      for (const c of this.columns) out[c.column] = encode(c.kind, source[c.field]);
      return out;
    }
    for (const f of fields) out[snake(f)] = encode(this.kinds.get(f) ?? 'text', source[f]);
    return out;
  }

  /** A record from a row selected with `SELECT *`. */
  decode(row: Row): R {
    const out: Row = {};
    for (const c of this.columns) out[c.field] = decode(c.kind, row[c.column]);
    return out as R;
  }

  /** INSERT of a whole record, with named parameters. */
  insertSql(): string {
    return this.insert;
  }

  /** The patch's fields that are real columns, minus `immutable`, undefined values skipped. */
  patchFields(patch: object, immutable: readonly string[]): string[] {
    return Object.entries(patch)
      .filter(([f, v]) => v !== undefined && this.kinds.has(f) && !immutable.includes(f))
      .map(([f]) => f);
  }

  /** `"a" = @a, "b" = @b` for an UPDATE. */
  setClause(fields: readonly string[]): string {
    return fields.map((f) => `${q(f)} = @${snake(f)}`).join(', ');
  }
}

/** The connection, a statement cache and the group commit, shared by the repos. */
export class SqliteContext {
  private readonly statements = new Map<string, Statement>();

  constructor(
    readonly db: Database.Database,
    private readonly commit: GroupCommit,
  ) {}

  stmt(sql: string): Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[], Row>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  get(sql: string, ...params: unknown[]): Row | undefined {
    return this.stmt(sql).get(...params);
  }

  all(sql: string, ...params: unknown[]): Row[] {
    return this.stmt(sql).all(...params);
  }

  run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.stmt(sql).run(...params);
  }

  /**
   * A read runs at once on the connection. It sees every write whose promise has
   * resolved (those are committed) and none that is still queued.
   */
  read<T>(fn: () => T): Promise<T> {
    // The executor turns a throw into a rejection.
    return new Promise<T>((resolve) => {
      resolve(fn());
    });
  }

  /** A write joins the next group commit; it must be synchronous. */
  write<T>(fn: () => T, durability: Durability = 'disk'): Promise<T> {
    return this.commit.run(fn, durability);
  }
}
