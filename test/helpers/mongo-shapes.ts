/**
 * The MongoDB adapter's repositories over a connection that has no server:
 * mongoose builds, casts and sanitises every query and update exactly as in
 * production (the adapter's own models, schemas, hooks and connection
 * settings), and the driver's Collection methods are replaced by recorders
 * that answer from small fixtures. What the server would receive is then
 * inspected: that it cast at all, that no update names a path twice, that no
 * operator the adapter wrote was neutralised by sanitizeFilter, and that an
 * index serves every sorted read (test/unit/mongo-shapes.test.ts).
 */
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { vi } from 'vitest';
import { buildMongoStore, MONGOOSE_SETTINGS, type MongoLogger } from '../../server/store/mongo/mongo.store.js';
import type { Models } from '../../server/store/mongo/schemas.js';
import { defineModels } from '../../server/store/mongo/schemas.js';

/** One command as the driver would send it. */
export interface Sent {
  collection: string;
  op: string;
  filter?: Record<string, unknown>;
  update?: Record<string, unknown>;
  pipeline?: Record<string, unknown>[];
  options?: Record<string, unknown>;
  docs?: Record<string, unknown>[];
}

/** Answers of the fake server, by collection: the one document `findOne` / `findOneAndUpdate` return. */
export type Fixtures = Partial<Record<string, object | null>>;

const cursor = (rows: unknown[]) => ({
  toArray: () => Promise.resolve(rows),
  close: () => Promise.resolve(),
});

/** A failure the fake server answers the next matching command with. */
export interface Failure {
  op: string;
  collection: string;
  error: unknown;
}

/** A store over a server-less connection, the commands it sent, and the fixtures it answers from. */
export function shapeHarness(opts: { logger?: MongoLogger } = {}) {
  const sent: Sent[] = [];
  const fixtures: Fixtures = {};
  const failures: Failure[] = [];
  const C = mongoose.mongo.Collection.prototype;
  const record = (op: string, entry: Omit<Sent, 'op' | 'collection'>, self: mongoose.mongo.Collection): void => {
    sent.push({ collection: self.collectionName, op, ...entry });
    const i = failures.findIndex((f) => f.op === op && f.collection === self.collectionName);
    if (i >= 0) {
      const [failure] = failures.splice(i, 1);
      throw failure?.error;
    }
  };
  const spies = [
    vi.spyOn(C, 'findOne').mockImplementation(function (this: mongoose.mongo.Collection, filter?: unknown, options?: unknown) {
      record('findOne', { filter: filter as Record<string, unknown>, options: options as Record<string, unknown> }, this);
      return Promise.resolve(structuredClone(fixtures[this.collectionName] ?? null));
    }),
    vi.spyOn(C, 'find').mockImplementation(function (this: mongoose.mongo.Collection, filter?: unknown, options?: unknown) {
      record('find', { filter: filter as Record<string, unknown>, options: options as Record<string, unknown> }, this);
      return cursor([]) as never;
    }),
    vi.spyOn(C, 'aggregate').mockImplementation(function (this: mongoose.mongo.Collection, pipeline?: unknown, options?: unknown) {
      record('aggregate', { pipeline: pipeline as Record<string, unknown>[], options: options as Record<string, unknown> }, this);
      return cursor([]) as never;
    }),
    vi.spyOn(C, 'countDocuments').mockImplementation(function (this: mongoose.mongo.Collection, filter?: unknown) {
      record('countDocuments', { filter: filter as Record<string, unknown> }, this);
      return Promise.resolve(0);
    }),
    vi.spyOn(C, 'findOneAndUpdate').mockImplementation(function (this: mongoose.mongo.Collection, filter: unknown, update: unknown, options?: unknown) {
      record(
        'findOneAndUpdate',
        { filter: filter as Record<string, unknown>, update: update as Record<string, unknown>, options: options as Record<string, unknown> },
        this,
      );
      return Promise.resolve(structuredClone(fixtures[this.collectionName] ?? null)) as never;
    }),
    vi.spyOn(C, 'updateOne').mockImplementation(function (this: mongoose.mongo.Collection, filter: unknown, update: unknown, options?: unknown) {
      record(
        'updateOne',
        { filter: filter as Record<string, unknown>, update: update as Record<string, unknown>, options: options as Record<string, unknown> },
        this,
      );
      return Promise.resolve({ acknowledged: true, matchedCount: 1, modifiedCount: 1, upsertedCount: 0, upsertedId: null });
    }),
    vi.spyOn(C, 'deleteOne').mockImplementation(function (this: mongoose.mongo.Collection, filter?: unknown) {
      record('deleteOne', { filter: filter as Record<string, unknown> }, this);
      return Promise.resolve({ acknowledged: true, deletedCount: 0 });
    }),
    vi.spyOn(C, 'deleteMany').mockImplementation(function (this: mongoose.mongo.Collection, filter?: unknown) {
      record('deleteMany', { filter: filter as Record<string, unknown> }, this);
      return Promise.resolve({ acknowledged: true, deletedCount: 0 });
    }),
    vi.spyOn(C, 'insertOne').mockImplementation(function (this: mongoose.mongo.Collection, doc: unknown) {
      record('insertOne', { docs: [doc as Record<string, unknown>] }, this);
      return Promise.resolve({ acknowledged: true, insertedId: new mongoose.mongo.ObjectId() });
    }),
    vi.spyOn(C, 'insertMany').mockImplementation(function (this: mongoose.mongo.Collection, docs: readonly unknown[], options?: unknown) {
      record('insertMany', { docs: docs as Record<string, unknown>[], options: options as Record<string, unknown> }, this);
      return Promise.resolve({ acknowledged: true, insertedCount: docs.length, insertedIds: {} });
    }),
  ];
  const conn: Connection = mongoose.createConnection();
  // Where openUri() puts these settings (mongo.store.ts passes them to openUri).
  Object.assign(conn.config, MONGOOSE_SETTINGS);
  const client = new mongoose.mongo.MongoClient('mongodb://127.0.0.1:9/shapes', { serverSelectionTimeoutMS: 50 });
  // The connection is never opened; its models reach the driver through this Db, whose methods are recorded above.
  Object.assign(conn, { db: client.db('shapes') });
  const models: Models = defineModels(conn);
  const { repos, outbox, inFlight } = buildMongoStore(models, opts);
  return {
    store: repos,
    outbox,
    inFlight,
    models,
    sent,
    fixtures,
    /** The next command `op` on `collection` fails with `error`. */
    failNext(op: string, collection: string, error: unknown): void {
      failures.push({ op, collection, error });
    },
    async restore() {
      for (const spy of spies) spy.mockRestore();
      await client.close();
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !ArrayBuffer.isView(v) && !(v instanceof mongoose.mongo.ObjectId);

/** Paths an update names, per operator; two operators (or one) naming the same path, or a path and its parent, conflict. */
export function updateConflicts(update: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(update)) {
    if (!op.startsWith('$') || !isObject(fields)) continue;
    paths.push(...Object.keys(fields));
  }
  const conflicts: string[] = [];
  paths.forEach((a, i) => {
    paths.forEach((b, j) => {
      if (i < j && (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`))) conflicts.push(`${a} / ${b}`);
    });
  });
  return conflicts;
}

/** Places where sanitizeFilter wrapped an operator object in `$eq`: the query would compare with it as a value. */
export function neutralisedOperators(filter: unknown, path = ''): string[] {
  if (Array.isArray(filter)) return filter.flatMap((f, i) => neutralisedOperators(f, `${path}[${i}]`));
  if (!isObject(filter)) return [];
  const found: string[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$eq' && isObject(v) && Object.keys(v).some((key) => key.startsWith('$'))) found.push(path || '(top)');
    else found.push(...neutralisedOperators(v, path ? `${path}.${k}` : k));
  }
  return found;
}

/** Equality and range fields of a filter (top level and inside `$and`). */
export function filterFields(filter: Record<string, unknown> | undefined): { equal: Set<string>; range: Set<string> } {
  const equal = new Set<string>();
  const range = new Set<string>();
  const visit = (f: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v))
        v.forEach((x) => {
          if (isObject(x)) visit(x);
        });
      else if (k.startsWith('$')) continue;
      else if (isObject(v) && Object.keys(v).some((key) => key.startsWith('$'))) {
        if (Object.keys(v).length === 1 && '$eq' in v) equal.add(k);
        else range.add(k);
      } else equal.add(k);
    }
  };
  if (filter) visit(filter);
  for (const k of equal) range.delete(k);
  return { equal, range };
}

type IndexKey = [string, number][];

/**
 * Whether a declared index serves the read without sorting in memory: its key
 * starts with some of the equality fields (any order), then the sort fields in
 * order with the same directions (or all reversed). Without a sort, an index
 * must start with a field the filter constrains.
 */
export function isServed(indexes: IndexKey[], filter: Record<string, unknown> | undefined, sort: Record<string, number> | undefined): boolean {
  const { equal, range } = filterFields(filter);
  const sortKey = Object.entries(sort ?? {});
  if (sortKey.length === 0) {
    if (equal.size + range.size === 0) return true;
    return indexes.some((ix) => ix[0] !== undefined && (equal.has(ix[0][0]) || range.has(ix[0][0])));
  }
  return indexes.some((ix) => {
    let i = 0;
    while (i < ix.length && equal.has(ix[i]![0]) && !sortKey.some(([f]) => f === ix[i]![0])) i++;
    const rest = ix.slice(i, i + sortKey.length);
    if (rest.length < sortKey.length) return false;
    const same = rest.every(([f, d], j) => f === sortKey[j]![0] && d === sortKey[j]![1]);
    const reversed = rest.every(([f, d], j) => f === sortKey[j]![0] && d === -sortKey[j]![1]);
    return same || reversed;
  });
}

/**
 * Declared index keys of a collection's model. A partial index is left out:
 * the planner uses one only for a query that repeats its filter expression,
 * and none of the adapter's queries does (`{ number: x }` cannot use an index
 * partial on `{ number: { $type: 'string' } }`).
 */
export function indexKeysOf(models: Models, collection: string): IndexKey[] {
  const model = Object.values(models).find((mdl) => mdl.collection.collectionName === collection);
  if (!model) return [];
  return model.schema
    .indexes()
    .filter(([, options]) => options.partialFilterExpression === undefined)
    .map(([key]) => Object.entries(key).map(([f, d]) => [f, Number(d)] as [string, number]));
}
