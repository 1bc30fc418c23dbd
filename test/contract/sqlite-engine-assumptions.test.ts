/**
 * What the SQLite engine (server/store/sqlite/engine/) takes from SQLite,
 * better-sqlite3 and Node, each checked on its own: an upgrade that changes
 * one of them fails here, under the name of the rule that depends on it,
 * rather than as a lost or stalled write somewhere else.
 */
import { closeSync, fdatasyncSync, fstatSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-engine-');

async function walDatabase(name = 'db.sqlite'): Promise<{ db: Database.Database; file: string }> {
  const file = path.join(await tempDir(), name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, file };
}

const count = (db: Database.Database): number => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

describe('group commit (group-commit.ts) relies on better-sqlite3 transactions', () => {
  it('runs a transaction function called inside another as a savepoint: its throw undoes only its own writes', async () => {
    const { db } = await walDatabase();
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    const nested = db.transaction((body: string, fail: boolean) => {
      insert.run(body);
      if (fail) throw new Error('this write fails');
    });
    const outer = db.transaction(() => {
      nested('kept', false);
      expect(() => {
        nested('undone', true);
      }).toThrow('this write fails');
      // The outer transaction is still open and goes on.
      expect(db.inTransaction).toBe(true);
      nested('kept too', false);
    });
    outer.immediate();
    expect((db.prepare('SELECT body FROM t ORDER BY id').all() as { body: string }[]).map((r) => r.body)).toEqual(['kept', 'kept too']);
    db.close();
  });

  it('.immediate() takes the write lock at BEGIN: another connection cannot write until COMMIT', async () => {
    const { db, file } = await walDatabase();
    const other = new Database(file, { timeout: 0 });
    const tx = db.transaction(() => {
      // Nothing written yet in this transaction, and still the lock is held.
      expect(() => other.prepare('INSERT INTO t (body) VALUES (?)').run('other')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }) as Error);
      db.prepare('INSERT INTO t (body) VALUES (?)').run('mine');
    });
    tx.immediate();
    other.prepare('INSERT INTO t (body) VALUES (?)').run('other');
    expect(count(db)).toBe(2);
    other.close();
    db.close();
  });
});

describe('the fsync off the event loop (wal-sync.ts) relies on SQLite in WAL mode and on Node', () => {
  it('with synchronous=NORMAL, COMMIT returns with its frames written to the -wal file, where another connection reads them', async () => {
    const { db, file } = await walDatabase();
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const before = statSync(`${file}-wal`).size;
    db.prepare('INSERT INTO t (body) VALUES (?)').run('x'.repeat(5000));
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(before);
    const reader = new Database(file, { readonly: true });
    expect(count(reader)).toBe(1);
    reader.close();
    db.close();
  });

  it('keeps one -wal file (the same inode) while the connection is open, across checkpoints and the WAL starting over', async () => {
    const { db, file } = await walDatabase();
    const fd = openSync(`${file}-wal`, 'r');
    try {
      const inode = fstatSync(fd).ino;
      const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
      for (const mode of ['PASSIVE', 'RESTART', 'TRUNCATE']) {
        for (let i = 0; i < 200; i++) insert.run(`${mode} ${i} ${'y'.repeat(500)}`);
        db.pragma(`wal_checkpoint(${mode})`);
        // The next commit writes from the WAL's start (after RESTART / TRUNCATE) into the same file.
        insert.run('after');
        expect(statSync(`${file}-wal`).ino).toBe(inode);
      }
      // A descriptor opened read-only can be fdatasynced (WalSync opens it so).
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    db.close();
  });
});

describe('the checkpoint worker (checkpointer.ts, checkpoint.worker.mjs) relies on better-sqlite3 and SQLite', () => {
  it('loads better-sqlite3 in a worker thread and reads wal_checkpoint(PASSIVE) as { busy, log, checkpointed }', async () => {
    const { db, file } = await walDatabase();
    for (let i = 0; i < 50; i++) db.prepare('INSERT INTO t (body) VALUES (?)').run(`${i}`);
    const source = `
      const { parentPort, workerData } = await import('node:worker_threads');
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(workerData.file, { fileMustExist: true });
      parentPort.postMessage(db.pragma('wal_checkpoint(PASSIVE)'));
      db.close();`;
    const worker = new Worker(source, { eval: true, workerData: { file } });
    const [result] = await new Promise<unknown[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toEqual({ busy: 0, log: expect.any(Number) as number, checkpointed: expect.any(Number) as number });
    const { log, checkpointed } = result as { log: number; checkpointed: number };
    expect(log).toBeGreaterThan(0);
    expect(checkpointed).toBe(log);
    db.close();
  });

  it('lets a PASSIVE checkpoint of a second connection run while the first holds a write transaction, and takes wal_autocheckpoint as set', async () => {
    const { db, file } = await walDatabase();
    db.pragma('wal_autocheckpoint = 10000');
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    for (let i = 0; i < 50; i++) db.prepare('INSERT INTO t (body) VALUES (?)').run(`${i}`);
    const checkpointer = new Database(file, { timeout: 0 });
    db.transaction(() => {
      db.prepare('INSERT INTO t (body) VALUES (?)').run('open');
      // Returns at once (no SQLITE_BUSY thrown, no wait), having copied the committed frames.
      const [r] = checkpointer.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
      expect(r?.checkpointed).toBe(r?.log);
    }).immediate();
    checkpointer.close();
    db.close();
  });
});

describe('the data directory lock (data-dir-lock.ts) relies on SQLite exclusive locking mode', () => {
  it('holds the lock from the first write until close: a second connection is refused at once with SQLITE_BUSY, then gets it', async () => {
    const file = path.join(await tempDir(), 'lock');
    const holder = new Database(file, { timeout: 0 });
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER)');
    holder.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    const second = new Database(file, { timeout: 0 });
    const t0 = performance.now();
    expect(() => second.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;')).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^SQLITE_BUSY/) as string }) as Error,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    holder.close();
    second.exec('DELETE FROM holder;');
    second.close();
  });
});
