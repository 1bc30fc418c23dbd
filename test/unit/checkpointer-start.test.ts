/**
 * The WAL checkpointer's thread starts only when the WAL has grown to
 * `startAtWalPages` (the store passes SQLite's own checkpoint size): below it
 * no thread runs and the frames stay in the WAL; from there on checkpoints run
 * on the thread as before. A checkpointer never started closes at once.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKSTOP_PAGES, WalCheckpointer } from '../../server/store/sqlite/engine/checkpointer.js';
import { until } from '../helpers/realtime.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function database(): { db: Database.Database; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'checkpointer-start-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  // Everything so far into the database file, so that what follows is in the WAL alone.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, file };
}

/** Commits `n` rows of ~1 KB, one transaction each, telling the checkpointer after each. */
function write(db: Database.Database, n: number, checkpointer: WalCheckpointer): void {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  for (let i = 0; i < n; i++) {
    insert.run(`${i} ${'x'.repeat(1000)}`);
    checkpointer.noteCommit();
  }
}

describe('WalCheckpointer started on demand', () => {
  it('runs no thread while the WAL is below the size, and checkpoints on its thread once it is reached', async () => {
    const { db, file } = database();
    const checkpointer = new WalCheckpointer(db, { file, busyTimeoutMs: 1000, intervalMs: 10, startAtWalPages: 100 });
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      const dbBytes = statSync(file).size;
      // About one page per commit: 40 commits stay below 100 pages.
      write(db, 40, checkpointer);
      await new Promise((r) => setTimeout(r, 100));
      expect(checkpointer.started).toBe(false);
      expect(checkpointer.last).toBeNull();
      expect(statSync(file).size).toBe(dbBytes);

      write(db, 200, checkpointer);
      expect(checkpointer.started).toBe(true);
      await until(() => (checkpointer.last?.checkpointed ?? 0) > 0, 5000, 'a checkpoint on the thread');
      const last = await checkpointer.checkpointNow();
      expect(last.busy).toBe(0);
      expect(last.checkpointed).toBe(last.log);
      expect(statSync(file).size - dbBytes).toBeGreaterThan(200_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('closes at once when its thread never started', async () => {
    const { db, file } = database();
    const checkpointer = new WalCheckpointer(db, { file, busyTimeoutMs: 1000, startAtWalPages: 1000 });
    write(db, 5, checkpointer);
    await checkpointer.close();
    expect(checkpointer.started).toBe(false);
    await expect(checkpointer.checkpointNow()).rejects.toThrow(/stopped/);
    db.close();
  });
});
