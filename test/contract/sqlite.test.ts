/** The Store contract against SQLite, plus what only the embedded adapter promises. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GroupCommit } from '../../server/store/sqlite/group-commit.js';
import { migrate, schemaVersion } from '../../server/store/sqlite/migrations.js';
import { sqliteAccounts } from '../../server/store/sqlite/accounts.repo.js';
import { sqliteAppeals } from '../../server/store/sqlite/appeals.repo.js';
import { sqliteCatalogue } from '../../server/store/sqlite/catalogue.repo.js';
import { sqliteChat } from '../../server/store/sqlite/chat.repo.js';
import { sqliteAttachments, sqliteYjs } from '../../server/store/sqlite/documents.repo.js';
import { sqliteAudit, sqliteCounters } from '../../server/store/sqlite/journal.repo.js';
import { SQLITE_FILE, openInlineSqliteStore, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { SqliteContext } from '../../server/store/sqlite/table.js';
import { STORE_REPOS, WRITE_METHODS, type RepoName } from '../../server/store/sqlite/writer-protocol.js';
import { StoreError } from '../../server/store/store.js';
import { makeAppeal, makeChatMessage, makeUser } from '../helpers/factories.js';
import { runStoreContract } from './store.contract.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'caseroom-sqlite-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

// As the server runs it: writes on the SQLite thread, reads on this one.
runStoreContract('sqlite', async () => {
  const dataDir = await tempDir();
  const store = await openSqliteStore({ dataDir });
  return {
    store,
    cleanup: async () => {
      await store.close();
    },
  };
});

// One connection on the calling thread, as the SQLite thread itself opens it.
runStoreContract('sqlite (inline)', async () => {
  const dataDir = await tempDir();
  const store = await openSqliteStore({ dataDir, thread: 'inline' });
  return {
    store,
    cleanup: async () => {
      await store.close();
    },
  };
});

describe('SQLite writer thread', () => {
  it('lists exactly the methods that write: each runs on the thread, every other one on the read connection', () => {
    // Build the repositories over a context that records instead of committing;
    // a method that asks for a write is a write, whatever its name.
    const db = new Database(':memory:');
    migrate(db);
    let writesAsked = 0;
    const ctx = new SqliteContext(db, {
      run: () => {
        writesAsked++;
        return new Promise<never>(() => undefined);
      },
    });
    const accounts = sqliteAccounts(ctx);
    const repos: Record<RepoName, object> = {
      users: accounts.users, sessions: accounts.sessions, codes: accounts.codes, catalogue: sqliteCatalogue(ctx),
      appeals: sqliteAppeals(ctx), audit: sqliteAudit(ctx), chat: sqliteChat(ctx), yjs: sqliteYjs(ctx),
      attachments: sqliteAttachments(ctx), counters: sqliteCounters(ctx),
    };
    expect(Object.keys(repos).sort()).toEqual([...STORE_REPOS].sort());
    for (const name of STORE_REPOS) {
      const writes: string[] = [];
      for (const [method, fn] of Object.entries(repos[name])) {
        const before = writesAsked;
        // Reads run at once and may reject on the missing arguments; that is fine here.
        void (fn as (...a: unknown[]) => Promise<unknown>)().catch(() => undefined);
        if (writesAsked > before) writes.push(method);
      }
      expect({ repo: name, writes: writes.sort() }).toEqual({ repo: name, writes: [...WRITE_METHODS[name]].sort() });
    }
    db.close();
  });

  it('refuses a write on the read connection with a message that names the table to fix', async () => {
    const dataDir = await tempDir();
    const writer = await openSqliteStore({ dataDir, thread: 'inline' });
    const reader = await openInlineSqliteStore({ dataDir, readOnly: true });
    await expect(reader.users.create(makeUser())).rejects.toThrow(/read-only SQLite connection.*WRITE_METHODS/);
    await reader.close();
    await writer.close();
  });

  it('reads on the calling thread see every write whose promise resolved, in order', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    const room = 'room-order';
    for (let i = 1; i <= 20; i++) {
      const { message } = await store.chat.append(makeChatMessage({ appealId: room }));
      expect(message.seq).toBe(i);
      expect((await store.chat.list(room, { limit: 100, includeInternal: true })).map((m) => m.seq)).toEqual(range(i));
    }
    await store.close();
  });

  it('sends the writes of one turn together and resolves each with its own result or error', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    const user = makeUser();
    const results = await Promise.allSettled([
      store.users.create(user),
      store.counters.next('c'),
      store.users.create(makeUser({ email: user.email })),
      store.counters.next('c'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results[1]).toEqual({ status: 'fulfilled', value: 1 });
    expect(results[3]).toEqual({ status: 'fulfilled', value: 2 });
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(StoreError);
    await store.close();
  });

  it('reports a migration failure from the thread as a rejected open', async () => {
    const dataDir = await tempDir();
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    // A table the first migration creates, already there with another shape.
    db.exec('CREATE TABLE users (x)');
    db.close();
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(/users/);
  });
});

describe('SQLite store', () => {
  it('keeps committed data across close and reopen of the same data directory', async () => {
    const dataDir = await tempDir();
    const user = makeUser();
    const first = await openSqliteStore({ dataDir });
    await first.users.create(user);
    await first.chat.append(makeChatMessage({ appealId: 'room' }));
    await first.close();
    expect(existsSync(path.join(dataDir, SQLITE_FILE))).toBe(true);

    const again = await openSqliteStore({ dataDir });
    expect(await again.users.get(user.id)).toEqual(user);
    expect((await again.chat.append(makeChatMessage({ appealId: 'room' }))).message.seq).toBe(2);
    await again.close();
  });

  it('flushes writes still queued when close() is called', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir });
    const appeals = [makeAppeal(), makeAppeal(), makeAppeal()];
    const writes = appeals.map((a) => store.appeals.create(a));
    await store.close();
    await Promise.all(writes);

    const again = await openSqliteStore({ dataDir });
    for (const a of appeals) expect(await again.appeals.get(a.id)).toEqual(a);
    await again.close();
  });

  it('refuses writes after close', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    await store.close();
    await expect(store.users.create(makeUser())).rejects.toThrow(/closed/);
    await store.close();
  });

  it('opens the file in WAL mode', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir });
    await store.close();
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('applies migrations once, in order, recording each version', () => {
    const db = new Database(':memory:');
    const log: number[] = [];
    const migrations = [
      { version: 2, sql: "CREATE TABLE b (x); INSERT INTO b VALUES ('two')" },
      { version: 1, sql: 'CREATE TABLE a (x)' },
    ];
    expect(schemaVersion(db)).toBe(0);
    expect(migrate(db, migrations)).toBe(2);
    expect(migrate(db, migrations)).toBe(2);
    for (const r of db.prepare<[], { version: number }>('SELECT version FROM schema_version ORDER BY version').all()) log.push(r.version);
    expect(log).toEqual([1, 2]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM b').get()).toEqual({ n: 1 });
    db.close();
  });

  it('rolls back a failing migration whole and keeps the previous version', () => {
    const db = new Database(':memory:');
    migrate(db, [{ version: 1, sql: 'CREATE TABLE a (x)' }]);
    expect(() => migrate(db, [{ version: 2, sql: 'CREATE TABLE b (x); CREATE TABLE a (x)' }])).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('translates unique violations into StoreError("duplicate")', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    const user = makeUser();
    await store.users.create(user);
    const error: unknown = await store.users.create(makeUser({ email: user.email })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'duplicate', field: 'email' });
    await store.close();
  });
});

describe('group commit', () => {
  /** A WAL database file with one table, a group commit over it, and a second connection to watch commits. */
  async function setup(): Promise<{ db: Database.Database; other: Database.Database; commit: GroupCommit; count: () => number }> {
    const file = path.join(await tempDir(), 'gc.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
    const other = new Database(file, { readonly: true });
    const count = (): number => other.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM t').get()!.n;
    return { db, other, commit: new GroupCommit(db, (e) => e), count };
  }

  it('runs the writes of one turn in one transaction and settles them only after COMMIT', async () => {
    const { db, other, commit, count } = await setup();
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const seenInside: number[] = [];
    const a = commit.run(() => insert.run(1));
    const b = commit.run(() => {
      // A's row is written but not committed: the other connection cannot see it yet.
      seenInside.push(count());
      return insert.run(2);
    });
    const seenOnResolve = await a.then(() => count());
    await b;
    expect(seenInside).toEqual([0]);
    expect(seenOnResolve).toBe(2);
    other.close();
    db.close();
  });

  it('rolls back only the failing write of a batch, including what it wrote before failing', async () => {
    const { db, other, commit, count } = await setup();
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const results = await Promise.allSettled([
      commit.run(() => insert.run(1)),
      commit.run(() => {
        insert.run(2);
        throw new Error('fails after writing');
      }),
      commit.run(() => insert.run(3)),
      commit.run(() => insert.run(1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect(db.prepare<[], { x: number }>('SELECT x FROM t ORDER BY x').all().map((r) => r.x)).toEqual([1, 3]);
    expect(count()).toBe(2);
    other.close();
    db.close();
  });

  it('refuses writes after close and keeps what was committed', async () => {
    const { db, other, commit } = await setup();
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    await commit.run(() => insert.run(1));
    await commit.run(() => insert.run(2));
    commit.close();
    await expect(commit.run(() => insert.run(3))).rejects.toThrow(/closed/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    other.close();
    db.close();
  });
});
