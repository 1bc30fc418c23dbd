/** The Store contract against SQLite, plus what only the embedded adapter promises. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { GroupCommit, type GroupCommitOptions } from '../../server/store/sqlite/engine/group-commit.js';
import { MIGRATIONS, migrate, schemaVersion } from '../../server/store/sqlite/migrations.js';
import { DataDirInUseError } from '../../server/store/sqlite/engine/data-dir-lock.js';
import { LEGACY_YJS_STAGING_FILE, SQLITE_FILE, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { WalSync } from '../../server/store/sqlite/engine/wal-sync.js';
import { StoreError, StoreUnavailableError } from '../../server/store/store.js';
import { makeAppeal, makeAttachment, makeAttachmentVersion, makeAuditDraft, makeChatMessage, makeHistoryEntry, makeUser } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { runStoreContract } from './store.contract.js';

const tempDir = tempDirs('caseroom-sqlite-');

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

describe('Cross-store contract: sqlite', () => {
  // cross-store.contract.ts races two stores on one database (mongo.test.ts).
  // On SQLite the second store is refused by the data-directory lock, whether
  // in this process (here) or another (sqlite-kill.test.ts), so those races cannot arise.
  it('refuses a second store on the same data directory, so no two processes write one store', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteStore({ dataDir });
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(DataDirInUseError);
    expect(await first.counters.next('appeal:77:2026')).toBe(1);
    await first.close();
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

  it('refuses a second store on a data directory that is open, touching nothing, and opens it once the first has closed', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteStore({ dataDir });
    await first.yjs.append('doc', new Uint8Array([1]), 'u1', 1, { durability: 'process' });
    const file = path.join(dataDir, SQLITE_FILE);
    const before = [readFileSync(file), readFileSync(`${file}-wal`)];
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(DataDirInUseError);
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(/DATA_DIR .* is in use by another case room server/);
    // The refused open wrote nothing (no migration, no checkpoint), and the first store goes on.
    expect([readFileSync(file), readFileSync(`${file}-wal`)]).toEqual(before);
    expect(await first.yjs.append('doc', new Uint8Array([2]), 'u1', 2, { durability: 'process' })).toBe(2);
    await first.close();

    const again = await openSqliteStore({ dataDir });
    expect((await again.yjs.load('doc')).map((r) => r.seq)).toEqual([1, 2]);
    await again.close();
  });

  it('appends a Yjs update after the last stored one, also when another connection wrote meanwhile', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir });
    expect(await store.yjs.append('doc', new Uint8Array([1]), 'u1', 1)).toBe(1);
    expect(await store.yjs.append('doc', new Uint8Array([2]), 'u1', 2, { durability: 'process' })).toBe(2);
    const other = new Database(path.join(dataDir, SQLITE_FILE));
    other.pragma('busy_timeout = 5000');
    other.prepare('INSERT INTO yjs_updates (appeal_id, seq, "update", author_id, at) VALUES (?, ?, ?, ?, ?)').run('doc', 3, Buffer.from([3]), null, 3);
    other.close();
    expect(await store.yjs.append('doc', new Uint8Array([4]), 'u1', 4)).toBe(4);
    expect(await store.yjs.append('other-doc', new Uint8Array([9]), 'u1', 5)).toBe(1);
    expect((await store.yjs.load('doc')).map((r) => [r.seq, r.update[0]])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
    ]);
    await store.close();
  });

  it('refuses a data directory whose staging file from an earlier release still holds updates, and removes an empty one', async () => {
    const dataDir = await tempDir();
    await (await openSqliteStore({ dataDir })).close();
    const legacy = path.join(dataDir, LEGACY_YJS_STAGING_FILE);
    writeFileSync(legacy, Buffer.from([4, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9]));
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(StoreUnavailableError);
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(/12 bytes of Yjs updates .* start that release once/);
    expect(readFileSync(legacy)).toHaveLength(12);
    writeFileSync(legacy, '');
    const store = await openSqliteStore({ dataDir });
    expect(existsSync(legacy)).toBe(false);
    await store.close();
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

  it('migration 2 moves the Yjs log of a version-1 file into the clustered table, rows intact', async () => {
    const dataDir = await tempDir();
    const file = path.join(dataDir, SQLITE_FILE);
    const v1 = new Database(file);
    migrate(
      v1,
      MIGRATIONS.filter((m) => m.version === 1),
    );
    const insert = v1.prepare('INSERT INTO yjs_updates (appeal_id, seq, "update", author_id, at) VALUES (?, ?, ?, ?, ?)');
    insert.run('a1', 1, Buffer.from([1, 2, 3]), 'u1', 100);
    insert.run('a1', 2, Buffer.from([4]), null, 200);
    insert.run('a2', 1, Buffer.from([5, 6]), 'u2', 300);
    v1.close();
    const store = await openSqliteStore({ dataDir });
    expect((await store.yjs.load('a1')).map((r) => [r.seq, [...r.update], r.authorId, r.at])).toEqual([
      [1, [1, 2, 3], 'u1', 100],
      [2, [4], null, 200],
    ]);
    expect(await store.yjs.append('a1', new Uint8Array([7]), 'u1', 400)).toBe(3);
    await store.close();
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT sql FROM sqlite_master WHERE name = 'yjs_updates'").pluck().get()).toMatch(/WITHOUT ROWID/);
    expect(check.prepare('SELECT MAX(version) FROM schema_version').pluck().get()).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    check.close();
  });

  it('rolls back a failing migration whole and keeps the previous version', () => {
    const db = new Database(':memory:');
    migrate(db, [{ version: 1, sql: 'CREATE TABLE a (x)' }]);
    expect(() => migrate(db, [{ version: 2, sql: 'CREATE TABLE b (x); CREATE TABLE a (x)' }])).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('writes an appeal change and its journal entry in one transaction: an entry that cannot be sealed undoes the change', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    const appeal = makeAppeal();
    await store.appeals.create(appeal);
    const bad = makeAuditDraft({ details: { big: 10n } });
    await expect(store.appeals.transition(appeal.id, 1, { status: 'registered' }, makeHistoryEntry(), bad)).rejects.toThrow(/BigInt/);
    await expect(store.appeals.update(appeal.id, 1, { subject: 'changed' }, bad)).rejects.toThrow(/BigInt/);
    await expect(store.appeals.create(makeAppeal(), bad)).rejects.toThrow(/BigInt/);
    expect(await store.appeals.list({ sort: 'created', limit: 10, offset: 0 })).toEqual({ items: [appeal], total: 1 });
    expect(await store.appeals.history(appeal.id)).toEqual([]);
    expect(await store.audit.list(0, 10)).toEqual([]);
    await store.close();
  });

  it('stores an attachment change and its journal entry in one transaction: an entry that cannot be sealed undoes the change', async () => {
    const store = await openSqliteStore({ dataDir: await tempDir() });
    const att = makeAttachment();
    await store.attachments.create(att);
    const bad = makeAuditDraft({ details: { big: 10n } });
    await expect(store.attachments.addVersion(att.id, makeAttachmentVersion({ version: 2 }), bad)).rejects.toThrow(/BigInt/);
    await expect(store.attachments.create(makeAttachment(), bad)).rejects.toThrow(/BigInt/);
    expect(await store.attachments.get(att.id)).toEqual(att);
    expect(await store.attachments.list(att.appealId)).toEqual([att]);
    expect(await store.audit.list(0, 10)).toEqual([]);
    await store.close();
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
    return { db, other, commit: new GroupCommit(db, { translate: (e: unknown) => e }), count };
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
    expect(
      db
        .prepare<[], { x: number }>('SELECT x FROM t ORDER BY x')
        .all()
        .map((r) => r.x),
    ).toEqual([1, 3]);
    expect(count()).toBe(2);
    other.close();
    db.close();
  });

  it('undoes a lone write that fails after writing (a batch of one runs without a savepoint)', async () => {
    const { db, other, commit, count } = await setup();
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    await commit.run(() => insert.run(1));
    await expect(
      commit.run(() => {
        insert.run(2);
        throw new Error('fails after writing');
      }),
    ).rejects.toThrow('fails after writing');
    expect(db.inTransaction).toBe(false);
    await commit.run(() => insert.run(3));
    expect(
      db
        .prepare<[], { x: number }>('SELECT x FROM t ORDER BY x')
        .all()
        .map((r) => r.x),
    ).toEqual([1, 3]);
    expect(count()).toBe(2);
    other.close();
    db.close();
  });

  it('refuses writes after close and keeps what was committed', async () => {
    const { db, other, commit } = await setup();
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    await commit.run(() => insert.run(1));
    await commit.run(() => insert.run(2));
    await commit.close();
    await expect(commit.run(() => insert.run(3))).rejects.toThrow(/closed/);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    other.close();
    db.close();
  });
});

describe('group commit with a WAL sync (synchronous=NORMAL + fdatasync off the event loop)', () => {
  async function setup(sync: () => Promise<void>): Promise<{ db: Database.Database; commit: GroupCommit }> {
    const db = new Database(path.join(await tempDir(), 'sync.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
    return { db, commit: new GroupCommit(db, { translate: (e) => e, sync }) };
  }

  it('acknowledges a committed batch only when its sync returns, in commit order', async () => {
    const syncs: (() => void)[] = [];
    const { db, commit } = await setup(() => new Promise<void>((resolve) => syncs.push(resolve)));
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const settled: string[] = [];
    const first = commit.run(() => insert.run(1)).then(() => settled.push('first'));
    commit.flush();
    const second = commit.run(() => insert.run(2)).then(() => settled.push('second'));
    commit.flush();
    // Both are committed (visible on the connection) but neither is acknowledged.
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]);
    expect(syncs).toHaveLength(2);
    syncs[0]?.();
    await first;
    expect(settled).toEqual(['first']);
    syncs[1]?.();
    await second;
    expect(settled).toEqual(['first', 'second']);
    db.close();
  });

  it("settles a 'process' write at COMMIT and a 'disk' write of the same batch only after the sync", async () => {
    let finishSync: () => void = () => undefined;
    const { db, commit } = await setup(
      () =>
        new Promise<void>((resolve) => {
          finishSync = resolve;
        }),
    );
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const settled: string[] = [];
    const onDisk = commit.run(() => insert.run(1)).then(() => settled.push('disk'));
    const committed = commit.run(() => insert.run(2), 'process').then(() => settled.push('process'));
    commit.flush();
    await committed;
    expect(settled).toEqual(['process']);
    finishSync();
    await onDisk;
    expect(settled).toEqual(['process', 'disk']);
    db.close();
  });

  async function lateSetup(options: Omit<GroupCommitOptions, 'translate'>): Promise<{ db: Database.Database; commit: GroupCommit }> {
    const db = new Database(path.join(await tempDir(), 'late.sqlite'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x INTEGER UNIQUE)');
    return { db, commit: new GroupCommit(db, { translate: (e) => e, ...options }) };
  }

  it("syncs a batch of 'process' writes only once lateSyncMs has passed, one sync for all of them", async () => {
    let syncs = 0;
    const { db, commit } = await lateSetup({
      sync: () => {
        syncs++;
        return Promise.resolve();
      },
      lateSyncMs: 40,
    });
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const t0 = performance.now();
    await commit.run(() => insert.run(1), 'process');
    await commit.run(() => insert.run(2), 'process');
    expect(syncs).toBe(0);
    await vi.waitFor(
      () => {
        expect(syncs).toBe(1);
      },
      { timeout: 2000, interval: 5 },
    );
    expect(performance.now() - t0).toBeGreaterThanOrEqual(35);
    await new Promise((r) => setTimeout(r, 80));
    expect(syncs).toBe(1);
    db.close();
  });

  it("lets a 'disk' write's sync stand in for the one owed to earlier 'process' writes, and syncs what is owed on close", async () => {
    let syncs = 0;
    const { db, commit } = await lateSetup({
      sync: () => {
        syncs++;
        return Promise.resolve();
      },
      lateSyncMs: 30,
    });
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    await commit.run(() => insert.run(1), 'process');
    await commit.run(() => insert.run(2));
    expect(syncs).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(syncs).toBe(1);
    await commit.run(() => insert.run(3), 'process');
    await commit.close();
    expect(syncs).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(syncs).toBe(2);
    db.close();
  });

  it('reports a failed late sync (its writes were already acknowledged)', async () => {
    const errors: unknown[] = [];
    const { db, commit } = await lateSetup({
      sync: () => Promise.reject(new Error('EIO: fdatasync failed')),
      lateSyncMs: 10,
      onLateSyncError: (e) => errors.push(e),
    });
    await commit.run(() => db.prepare('INSERT INTO t (x) VALUES (1)').run(), 'process');
    await vi.waitFor(
      () => {
        expect(String(errors[0])).toMatch(/fdatasync failed/);
      },
      { timeout: 2000, interval: 5 },
    );
    db.close();
  });

  it('rejects every write of a batch whose sync fails, even though it was committed', async () => {
    const { db, commit } = await setup(() => Promise.reject(new Error('EIO: fdatasync failed')));
    const insert = db.prepare('INSERT INTO t (x) VALUES (?)');
    const results = await Promise.allSettled([commit.run(() => insert.run(1)), commit.run(() => insert.run(2))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/fdatasync failed/);
    db.close();
  });
});

describe('WalSync', () => {
  async function walFile(): Promise<{ db: Database.Database; file: string }> {
    const file = path.join(await tempDir(), 'w.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x)');
    return { db, file: `${file}-wal` };
  }

  it('runs one fdatasync at a time: callers during one share the next, and all settle in call order', async () => {
    const { db, file } = await walFile();
    const wal = new WalSync(file);
    const order: number[] = [];
    const calls = [1, 2, 3, 4].map((i) => wal.sync().then(() => order.push(i)));
    await Promise.all(calls);
    expect(order).toEqual([1, 2, 3, 4]);
    // The first ran alone; 2–4 arrived while it ran and shared one more: same promise.
    const a = wal.sync();
    const b = wal.sync();
    const c = wal.sync();
    expect(b).toBe(c);
    expect(a).not.toBe(b);
    await Promise.all([a, b, c]);
    await wal.close();
    await expect(wal.sync()).rejects.toThrow(/closed/);
    db.close();
  });

  it('needs the WAL file to exist (a store opens it after the database is in WAL mode)', async () => {
    await expect(async () => new WalSync(path.join(await tempDir(), 'missing.sqlite-wal'))).rejects.toThrow(/ENOENT/);
  });
});
