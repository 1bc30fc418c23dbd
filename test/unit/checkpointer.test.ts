/**
 * WalCheckpointer on a real SQLite file: the worker thread copies what the
 * server's connection committed into the database file (the connection's own
 * auto-checkpoint is raised to a backstop, where only a short catch-up is left
 * and the WAL starts over); a worker that cannot run hands checkpoints back to
 * the connection and says so.
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
  const dir = mkdtempSync(path.join(tmpdir(), 'checkpointer-'));
  dirs.push(dir);
  const file = path.join(dir, 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  return { db, file };
}

/** Commits `n` transactions of one row of ~1 KB each, telling `after` after each. */
async function write(db: Database.Database, n: number, after: () => void): Promise<void> {
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  for (let i = 0; i < n; i++) {
    insert.run(`${i} ${'x'.repeat(1000)}`);
    after();
    // Let the worker's replies in, as the server's event loop would.
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
  }
}

const walBytes = (file: string): number => statSync(`${file}-wal`).size;

describe('WalCheckpointer', () => {
  it('copies the committed frames into the database file on its own thread', async () => {
    const { db, file } = database();
    const checkpointer = new WalCheckpointer(db, { file, busyTimeoutMs: 1000, intervalMs: 10 });
    try {
      // The connection's own auto-checkpoint is out of the way (it would only run past ~40 MB of WAL).
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
      const before = statSync(file).size;
      await write(db, 3000, () => {
        checkpointer.noteCommit();
      });
      await until(() => (checkpointer.last?.checkpointed ?? 0) > 0, 5000, 'a checkpoint');
      const last = await checkpointer.checkpointNow();
      expect(last.busy).toBe(0);
      expect(last.checkpointed).toBe(last.log);
      // ~3 MB of rows reached the database file without the connection checkpointing.
      expect(statSync(file).size - before).toBeGreaterThan(2_500_000);
    } finally {
      await checkpointer.close();
      db.close();
    }
    const again = new Database(file, { readonly: true });
    expect((again.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(3000);
    again.close();
  });

  it('leaves the connection a short catch-up at the backstop, after which the WAL starts over', async () => {
    const plain = database();
    await write(plain.db, 3000, () => undefined);
    const grown = walBytes(plain.file);
    plain.db.close();

    const { db, file } = database();
    const checkpointer = new WalCheckpointer(db, { file, busyTimeoutMs: 1000, intervalMs: 10, backstopPages: 300 });
    try {
      await write(db, 3000, () => {
        checkpointer.noteCommit();
      });
      // Without checkpoints the WAL holds every frame; here it was reused.
      expect(walBytes(file)).toBeLessThan(grown / 3);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('hands checkpoints back to the connection and reports when its thread cannot run', async () => {
    const { db, file } = database();
    const errors: unknown[] = [];
    const checkpointer = new WalCheckpointer(db, {
      file: `${file}.missing`,
      busyTimeoutMs: 1000,
      onError: (e) => {
        errors.push(e);
      },
    });
    try {
      await until(() => errors.length > 0, 5000, 'the worker to fail');
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      await expect(checkpointer.checkpointNow()).rejects.toThrow(/stopped/);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });
});
