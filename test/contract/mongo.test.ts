/**
 * The Store and BlobStore contracts against MongoDB, plus what only this
 * adapter has to prove (recovery of the transition ordering, filter hygiene,
 * indexes). Needs a reachable server: `MONGODB_URI=mongodb://127.0.0.1:27017/caseroom-test npm test`.
 * Every store gets a fresh database named after the URI's one plus a random
 * suffix, dropped in cleanup. Without MONGODB_URI everything here is reported
 * as skipped, with the reason — never passed silently.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { openGridFsBlobStore } from '../../server/store/blobs/gridfs.blob-store.js';
import { openMongoStore } from '../../server/store/mongo/mongo.store.js';
import type { Store } from '../../server/store/store.js';
import { makeAppeal, makeHistoryEntry, makeUser } from '../helpers/factories.js';
import { skipUnlessPresent } from '../helpers/parts.js';
import { runBlobStoreContract } from './blobs.contract.js';
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

const title = uri ? 'MongoDB adapter' : `MongoDB adapter (skipped: ${SKIP_REASON})`;

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
    let store: Store;
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
  });
});
