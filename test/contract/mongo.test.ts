/**
 * The Store and BlobStore contracts against a MongoDB-wire server, the
 * cross-process contract with two stores on one database, and what only this
 * adapter has to prove (recovery of the transition ordering and of the
 * journal outbox, filter hygiene, indexes, connection settings, GridFS
 * clean-up). Needs a reachable server: `MONGODB_URI=mongodb://127.0.0.1:27017/caseroom-test npm test`
 * (CI runs FerretDB 1.24.2 for it: .ci/run). Every store gets a fresh database
 * named after the URI's one plus a random suffix, dropped in cleanup. Without
 * MONGODB_URI everything here is reported as skipped, with the reason — never
 * passed silently. What FerretDB lacks is skipped there alone, each with its
 * reason printed (docs/storage-mongo.md lists them).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openGridFsBlobStore } from '../../server/store/blobs/gridfs.blob-store.js';
import { CODE_RETENTION_MS } from '../../server/store/mongo/accounts.repo.js';
import { connectMongo, openMongoStore, serverKindOf, type MongoStore, type ServerKind } from '../../server/store/mongo/mongo.store.js';
import { StoreUnavailableError } from '../../server/store/store.js';
import {
  DAY,
  makeAppeal,
  makeAuditDraft,
  makeChatMessage,
  makeCode,
  makeHistoryEntry,
  makeRegisteredAppeal,
  makeSession,
  makeUser,
  T0,
} from '../helpers/factories.js';
import { skipUnlessPresent } from '../helpers/parts.js';
import { runBlobStoreContract } from './blobs.contract.js';
import { runCrossStoreContract } from './cross-store.contract.js';
import { runStoreContract } from './store.contract.js';

const uri = process.env.MONGODB_URI;
const SKIP_REASON = 'MONGODB_URI is not set — no MongoDB server on this machine';
skipUnlessPresent('mongodb', uri ? null : SKIP_REASON);
if (!uri) console.warn(`[mongo.test] skipped: ${SKIP_REASON}`);

/** The database named in the URI (`/name` before `?`), or a default. */
const baseName = (uri && /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]+)/.exec(uri)?.[1]) ?? 'caseroom-test';
const freshName = (): string => `${baseName.slice(0, 40)}_${randomBytes(6).toString('hex')}`;

/** One side connection per run, to inspect and drop the test databases. */
let side: Promise<Connection> | undefined;
const sideConnection = (): Promise<Connection> => (side ??= mongoose.createConnection(uri!).asPromise());
const database = async (name: string): Promise<Connection> => (await sideConnection()).useDb(name, { useCache: false });
const dropDatabase = async (name: string): Promise<void> => {
  await (await database(name)).dropDatabase();
};

afterAll(async () => {
  if (side) await (await side).close();
});

/** Which server answers: MongoDB or FerretDB (null without a URI). */
const server: ServerKind | null = uri ? await serverKindOf(await sideConnection()) : null;

/** The reason a test is skipped on FerretDB alone (printed), or null on MongoDB. */
function unlessFerret(what: string): string | null {
  if (server !== 'ferretdb') return null;
  const reason = `FerretDB 1.24 ${what}`;
  console.warn(`[mongo.test] skipped on FerretDB: ${reason}`);
  return reason;
}

const ATOMIC_UPDATES = unlessFerret(
  'applies findAndModify/update as a read and then a write by _id, not atomically, so a compare-and-set raced from two connections can be won twice',
);
const NO_TTL = unlessFerret(
  'has no TTL indexes ("Index option expireAfterSeconds is not implemented yet"); the store removes expired sessions and codes itself there (sweepExpired, tested below)',
);
const NO_EXPLAIN = unlessFerret('answers explain without the index chosen (its planner pushes filters down to SQLite), so index use cannot be asserted');

const title = uri ? `MongoDB adapter (${server === 'ferretdb' ? 'FerretDB' : 'MongoDB'})` : `MongoDB adapter (skipped: ${SKIP_REASON})`;

describe.skipIf(!uri)(title, () => {
  runStoreContract('mongo', async () => {
    const dbName = freshName();
    const store = await openMongoStore({ uri: uri!, dbName });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropDatabase(dbName);
      },
    };
  });

  runCrossStoreContract(
    'mongo (two stores, two connections, one database)',
    async () => {
      const dbName = freshName();
      const [a, b] = await Promise.all([openMongoStore({ uri: uri!, dbName }), openMongoStore({ uri: uri!, dbName })]);
      return {
        a,
        b,
        cleanup: async () => {
          await Promise.all([a.close(), b.close()]);
          await dropDatabase(dbName);
        },
      };
    },
    { conditionalUpdatesSkip: ATOMIC_UPDATES },
  );

  runBlobStoreContract('gridfs', async () => {
    const dbName = freshName();
    const blobs = await openGridFsBlobStore({ uri: uri!, dbName });
    return {
      blobs,
      cleanup: async () => {
        await blobs.close();
        await dropDatabase(dbName);
      },
      countStored: async () => (await database(dbName)).collection('blobs.files').countDocuments(),
    };
  });

  describe('MongoDB store', () => {
    let store: MongoStore;
    let dbName: string;
    beforeEach(async () => {
      dbName = freshName();
      store = await openMongoStore({ uri: uri!, dbName });
      return async () => {
        await store.close();
        await dropDatabase(dbName);
      };
    });

    it('recovers a history entry whose copy into status_history was lost between the two writes', async () => {
      const appeal = makeAppeal();
      await store.appeals.create(appeal);
      const first = await store.appeals.transition(appeal.id, 1, { status: 'registered' }, makeHistoryEntry());
      // Simulate a crash after the appeal's compare-and-set, before the copy.
      const history = (await database(dbName)).collection('status_history');
      await history.deleteMany({});
      expect(await store.appeals.history(appeal.id)).toEqual([first?.entry]);

      const take = makeHistoryEntry({ from: 'registered', to: 'in_progress', action: 'take' });
      const second = await store.appeals.transition(appeal.id, 2, { status: 'in_progress' }, take);
      expect(second?.entry.seq).toBe(2);
      expect(await store.appeals.history(appeal.id)).toEqual([first?.entry, second?.entry]);
      expect(await history.countDocuments({ appealId: appeal.id })).toBe(2);
    });

    it('appends at open the journal entries a crash left in outboxes, each once, and empties them', async () => {
      const appeal = makeAppeal();
      await store.appeals.create(appeal, makeAuditDraft({ action: 'appeal.draft_created', subjectId: appeal.id }));
      // A crash right after the change: its entry is in the document, not in the journal.
      const db = await database(dbName);
      const pending = { key: 'crash-1', draft: makeAuditDraft({ action: 'appeal.assigned', subjectId: appeal.id }) };
      await db.collection('appeals').updateOne({ id: appeal.id }, { $push: { auditOutbox: pending } } as never);
      await store.close();

      // Two servers restarting at once: both sweep, the entry is appended once.
      const [again, other] = await Promise.all([openMongoStore({ uri: uri!, dbName }), openMongoStore({ uri: uri!, dbName })]);
      store = again;
      const journal = await again.audit.list(0, 10);
      await other.close();
      expect(journal.map((e) => e.action)).toEqual(['appeal.draft_created', 'appeal.assigned']);
      expect((await db.collection('appeals').findOne({ id: appeal.id }))?.auditOutbox).toEqual([]);
      expect(await again.sweepOutbox()).toBe(0);
    });

    it('never widens a query when an operator object is passed where a string belongs', async () => {
      await store.users.create(makeUser());
      await store.appeals.create(makeAppeal());
      const injected = { $ne: null } as unknown as string;
      const outcome = async (p: Promise<unknown>): Promise<unknown> => p.catch(() => 'rejected');
      for (const result of [
        await outcome(store.users.get(injected)),
        await outcome(store.users.findByLogin(injected)),
        await outcome(store.sessions.get(injected)),
        await outcome(store.appeals.getByNumber(injected)),
        await outcome(store.appeals.list({ citizenId: injected, sort: 'created', limit: 10, offset: 0 }).then((p) => p.items)),
        await outcome(store.chat.list(injected, { limit: 10, includeInternal: true })),
      ]) {
        expect([null, 'rejected', []]).toContainEqual(result);
      }
    });

    it('creates the unique indexes when it opens, before the first write', async () => {
      const db = await database(dbName);
      const uniqueKeys = async (collection: string): Promise<string[]> =>
        (await db.collection(collection).indexes()).filter((i) => i.unique === true).map((i) => Object.keys(i.key).join(','));
      expect(await uniqueKeys('users')).toEqual(expect.arrayContaining(['id', 'email', 'phone']));
      expect(await uniqueKeys('appeals')).toEqual(expect.arrayContaining(['id', 'number']));
      expect(await uniqueKeys('departments')).toEqual(expect.arrayContaining(['code']));
      expect(await uniqueKeys('categories')).toEqual(expect.arrayContaining(['code']));
      expect(await uniqueKeys('chat_messages')).toEqual(expect.arrayContaining(['appealId,clientId', 'appealId,seq']));
      expect(await uniqueKeys('yjs_updates')).toEqual(['appealId,seq']);
      expect(await uniqueKeys('status_history')).toEqual(['appealId,seq']);
      expect(await uniqueKeys('audit')).toEqual(expect.arrayContaining(['seq', 'key']));
      expect(await uniqueKeys('counters')).toEqual(['name,value']);
    });

    it.skipIf(NO_TTL !== null)('removes expired sessions and codes by TTL index on the hidden expireAt, kept in step by touch', async () => {
      const db = await database(dbName);
      for (const c of ['sessions', 'codes']) {
        const ttl = (await db.collection(c).indexes()).find((i) => i.name === 'expireAt_ttl');
        expect(ttl).toMatchObject({ key: { expireAt: 1 }, expireAfterSeconds: 0 });
      }
      const session = makeSession();
      await store.sessions.create(session);
      await store.sessions.touch(session.id, T0 + DAY);
      expect((await db.collection('sessions').findOne({ id: session.id }))?.expireAt).toEqual(new Date(T0 + DAY));
    });

    it('sweeps expired sessions and codes (a code a day after it was created, so send limits still count it)', async () => {
      const old = makeSession({ expiresAt: T0 });
      const live = makeSession({ expiresAt: T0 + 2 * DAY });
      const oldCode = makeCode({ createdAt: T0 - CODE_RETENTION_MS - 1, expiresAt: T0 - CODE_RETENTION_MS });
      const recentCode = makeCode({ createdAt: T0 - 1000, expiresAt: T0 - 500 });
      for (const s of [old, live]) await store.sessions.create(s);
      for (const c of [oldCode, recentCode]) await store.codes.create(c);
      expect(await store.sweepExpired(T0 + 1)).toBe(2);
      expect(await store.sessions.get(old.id)).toBeNull();
      expect(await store.sessions.get(live.id)).toEqual(live);
      expect(await store.codes.get(oldCode.id)).toBeNull();
      expect(await store.codes.get(recentCode.id)).toEqual(recentCode);
    });

    it.skipIf(NO_EXPLAIN !== null)('finds an appeal by number and pages the department queue through an index, sorting nothing in memory', async () => {
      const numbered = makeRegisteredAppeal({ departmentId: 'dep-q' });
      await store.appeals.create(numbered);
      const appeals = (await database(dbName)).collection('appeals');
      const plan = (explained: unknown): string => JSON.stringify((explained as { queryPlanner: unknown }).queryPlanner);
      const byNumber = plan(await appeals.find({ number: numbered.number }).explain());
      expect(byNumber).toContain('IXSCAN');
      expect(byNumber).not.toContain('COLLSCAN');
      const queue = plan(
        await appeals
          .aggregate([
            { $match: { $and: [{ departmentId: { $eq: 'dep-q' } }, { status: { $ne: 'draft' } }] } },
            { $sort: { deadlineSort: 1, createdAt: 1, id: 1 } },
            { $limit: 20 },
          ])
          .explain(),
      );
      expect(queue).toContain('IXSCAN');
      expect(queue).not.toContain('"SORT"');
    });

    it('waits in close() for appends still queued, then refuses more', async () => {
      const pending = Array.from({ length: 30 }, () => store.chat.append(makeChatMessage({ appealId: 'room-close' })));
      const journal = Array.from({ length: 10 }, () => store.audit.append(makeAuditDraft()));
      await store.close();
      expect((await Promise.all(pending)).map((r) => r.message.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      await Promise.all(journal);
      await expect(store.chat.append(makeChatMessage({ appealId: 'room-close' }))).rejects.toThrow(/closed/);
      store = await openMongoStore({ uri: uri!, dbName });
      expect(await store.chat.list('room-close', { limit: 100, includeInternal: true })).toHaveLength(30);
      expect(await store.audit.list(0, 100)).toHaveLength(10);
    });
  });

  describe('connection', () => {
    it('refuses a URI that names no database instead of using "test", leaving no connection open', async () => {
      const bare = uri!.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]*)(?:\/[^?]*)?/, '$1/');
      const before = mongoose.connections.filter((c) => c.readyState === mongoose.ConnectionStates.connected).length;
      await expect(openMongoStore({ uri: bare })).rejects.toThrow(StoreUnavailableError);
      await expect(openMongoStore({ uri: bare })).rejects.toThrow(/names no database/);
      expect(mongoose.connections.filter((c) => c.readyState === mongoose.ConnectionStates.connected)).toHaveLength(before);
    });

    it('reads from the primary and bounds how long a write waits for its majority, whatever the URI says', async () => {
      const dbName = freshName();
      const withPreference = `${uri!.replace(/\/[^/?]*(\?.*)?$/, `/${dbName}`)}?readPreference=secondaryPreferred&w=1`;
      const conn = await connectMongo({ uri: withPreference });
      try {
        const client = conn.getClient();
        expect(client.readPreference.mode).toBe('primary');
        expect(client.writeConcern).toMatchObject({ w: 'majority', journal: true, wtimeoutMS: 15_000 });
      } finally {
        await conn.close();
        await dropDatabase(dbName);
      }
    });

    it('reports losing the server and getting it back', async () => {
      const target = new URL(uri!.replace(/^mongodb/, 'http'));
      const sockets = new Set<net.Socket>();
      const proxy = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 27017), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      const listen = (port = 0): Promise<number> =>
        new Promise((resolve) =>
          proxy.listen(port, '127.0.0.1', () => {
            resolve((proxy.address() as net.AddressInfo).port);
          }),
        );
      const port = await listen();
      const dbName = freshName();
      const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
      const proxied = await openMongoStore({ uri: `mongodb://127.0.0.1:${port}/${dbName}?heartbeatFrequencyMS=500&serverSelectionTimeoutMS=2000`, logger });
      try {
        // The server goes away: nothing accepts, open connections break.
        const closed = new Promise((resolve) => proxy.close(resolve));
        for (const s of sockets) s.destroy();
        await closed;
        await vi.waitFor(
          () => {
            expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('connection lost'));
          },
          { timeout: 10_000 },
        );
        await expect(proxied.counters.next('while away')).rejects.toThrow();
        await listen(port);
        await vi.waitFor(
          () => {
            expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('connection back'));
          },
          { timeout: 10_000 },
        );
        expect(await proxied.counters.next('after')).toBe(1);
      } finally {
        await proxied.close();
        for (const s of sockets) s.destroy();
        if (proxy.listening) await new Promise((resolve) => proxy.close(resolve));
        await dropDatabase(dbName);
      }
    });
  });

  describe('GridFS', () => {
    it('deletes the chunks of an upload that failed for another reason than a duplicate, and reports the failure', async () => {
      const dbName = freshName();
      const blobs = await openGridFsBlobStore({ uri: uri!, dbName });
      const { insertOne } = mongoose.mongo.Collection.prototype as { insertOne: (this: mongoose.mongo.Collection, ...args: unknown[]) => Promise<unknown> };
      const spy = vi.spyOn(mongoose.mongo.Collection.prototype, 'insertOne').mockImplementation(function (this: mongoose.mongo.Collection, ...args: unknown[]) {
        if (this.collectionName === 'blobs.files') return Promise.reject(new Error('write concern timed out'));
        return insertOne.apply(this, args) as never;
      });
      try {
        // Larger than one chunk (255 KiB), so chunks are written before the files document.
        await expect(blobs.put(new Uint8Array(randomBytes(600 * 1024)))).rejects.toThrow('write concern timed out');
      } finally {
        spy.mockRestore();
      }
      const db = await database(dbName);
      expect(await db.collection('blobs.chunks').countDocuments()).toBe(0);
      expect(await db.collection('blobs.files').countDocuments()).toBe(0);
      await blobs.close();
      await dropDatabase(dbName);
    });

    it('releases its connection when opening fails (its unique index cannot be built over duplicates)', async () => {
      const dbName = freshName();
      const files = (await database(dbName)).collection('blobs.files');
      await files.insertMany([
        { filename: 'same', length: 0 },
        { filename: 'same', length: 0 },
      ]);
      const open = (): number => mongoose.connections.filter((c) => c.readyState === mongoose.ConnectionStates.connected && c.name === dbName).length;
      await expect(openGridFsBlobStore({ uri: uri!, dbName })).rejects.toThrow();
      expect(open()).toBe(0);
      await dropDatabase(dbName);
    });
  });
});
