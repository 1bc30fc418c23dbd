/**
 * The SQLite adapter's Yjs journal (server/store/sqlite/yjs-journal.ts): an
 * append is in the journal file at once and in the table after a drain; a
 * killed process's records are replayed on open, once, never behind a
 * compaction; a torn tail stops the replay and is reported.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SQLITE_FILE, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { decodeRecords, encodeRecord, YJS_JOURNAL_FILE, type JournalRecord } from '../../server/store/sqlite/yjs-journal.js';
import { ROOT } from '../helpers/process.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'caseroom-journal-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const record = (seq: number, over: Partial<JournalRecord> = {}): JournalRecord => ({
  appealId: 'doc', seq, update: new Uint8Array([seq, 1, 2]), authorId: 'u1', at: 1_700_000_000_000 + seq, ...over,
});

function tableRows(dataDir: string): { seq: number; first: number }[] {
  const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT seq, "update" AS u FROM yjs_updates WHERE appeal_id = ? ORDER BY seq').all('doc') as { seq: number; u: Buffer }[])
      .map((r) => ({ seq: r.seq, first: r.u[0]! }));
  } finally {
    db.close();
  }
}

describe('Yjs journal records', () => {
  it('decode to what was encoded, with no author and non-ASCII ids too', () => {
    const records = [record(1), record(2, { authorId: null }), record(3, { appealId: 'обращение-3', update: new Uint8Array(0) })];
    const { records: back, damagedAt } = decodeRecords(Buffer.concat(records.map(encodeRecord)));
    expect(damagedAt).toBeNull();
    expect(back).toEqual(records);
  });

  it('stop at a record cut short or with a flipped byte, keeping the ones before', () => {
    const [a, b, c] = [record(1), record(2), record(3)].map(encodeRecord) as [Buffer, Buffer, Buffer];
    const torn = decodeRecords(Buffer.concat([a, b, c.subarray(0, c.length - 2)]));
    expect(torn.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(torn.damagedAt).toBe(a.length + b.length);
    const flipped = Buffer.concat([a, b, c]);
    flipped[a.length + 12] = flipped[a.length + 12]! ^ 0xff;
    const bad = decodeRecords(flipped);
    expect(bad.records.map((r) => r.seq)).toEqual([1]);
    expect(bad.damagedAt).toBe(a.length);
  });
});

describe('Yjs journal in the SQLite store', () => {
  it("writes a 'process' append to the file at once, serves it to reads, and moves it into the table on the next drain", async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, yjsDrainMs: 200 });
    const journal = path.join(dataDir, YJS_JOURNAL_FILE);
    expect(await store.yjs.append('doc', new Uint8Array([9, 9]), 'u1', 5, { durability: 'process' })).toBe(1);
    expect(await store.yjs.append('doc', new Uint8Array([8]), null, 6, { durability: 'process' })).toBe(2);
    expect(decodeRecords(readFileSync(journal)).records.map((r) => r.seq)).toEqual([1, 2]);
    expect(tableRows(dataDir)).toEqual([]);
    expect((await store.yjs.load('doc')).map((r) => [r.seq, r.authorId, [...r.update]])).toEqual([[1, 'u1', [9, 9]], [2, null, [8]]]);

    await vi.waitFor(() => { expect(tableRows(dataDir)).toEqual([{ seq: 1, first: 9 }, { seq: 2, first: 8 }]); }, { timeout: 3000, interval: 20 });
    expect(statSync(journal).size).toBe(0);
    expect((await store.yjs.load('doc')).map((r) => r.seq)).toEqual([1, 2]);
    await store.close();
  });

  it("drains a 'disk' append before it resolves", async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, yjsDrainMs: 60_000 });
    await store.yjs.append('doc', new Uint8Array([4]), 'u1', 5);
    expect(tableRows(dataDir)).toEqual([{ seq: 1, first: 4 }]);
    await store.close();
  });

  it('replays the records of a process killed with SIGKILL before any drain, in order', async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/journal-writer.ts'], {
      cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, COUNT: '40' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    await vi.waitFor(() => { expect(out).toContain('appended'); }, { timeout: 20_000, interval: 50 });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(tableRows(dataDir)).toEqual([]); // nothing was drained: all of it is in the journal only

    const store = await openSqliteStore({ dataDir });
    const rows = await store.yjs.load('doc');
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(rows.map((r) => r.update[0])).toEqual(Array.from({ length: 40 }, (_, i) => (i + 1) % 256));
    expect(rows[4]).toMatchObject({ authorId: 'author-2', at: 1_005 });
    expect(statSync(path.join(dataDir, YJS_JOURNAL_FILE)).size).toBe(0);
    // Seqs go on after the replayed ones.
    expect(await store.yjs.append('doc', new Uint8Array([1]), 'u1', 2_000, { durability: 'process' })).toBe(41);
    await store.close();
  }, 40_000);

  it('replays nothing already stored, and nothing a compaction merged', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, yjsDrainMs: 60_000 });
    for (let i = 1; i <= 5; i++) await store.yjs.append('doc', new Uint8Array([i]), 'u1', i, { durability: 'process' });
    // The compaction drains first: nothing it merges is left in the file.
    await store.yjs.compact('doc', 5, new Uint8Array([50]));
    expect(statSync(path.join(dataDir, YJS_JOURNAL_FILE)).size).toBe(0);
    await store.close();
    // A journal as a crash between a drain's commit and the file's truncation would leave it, plus one record never drained.
    writeFileSync(path.join(dataDir, YJS_JOURNAL_FILE), Buffer.concat([1, 2, 3, 4, 5, 6].map((seq) => encodeRecord(record(seq)))));

    const again = await openSqliteStore({ dataDir });
    expect((await again.yjs.load('doc')).map((r) => [r.seq, r.update[0]])).toEqual([[5, 50], [6, 6]]);
    await again.close();
  });

  it('keeps the whole records before a torn tail and reports the damage', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteStore({ dataDir });
    await first.close();
    const whole = Buffer.concat([record(1), record(2)].map(encodeRecord));
    const cut = encodeRecord(record(3)).subarray(0, 10);
    writeFileSync(path.join(dataDir, YJS_JOURNAL_FILE), Buffer.concat([whole, cut]));
    const onDiskError = vi.fn();
    const store = await openSqliteStore({ dataDir, onDiskError });
    expect((await store.yjs.load('doc')).map((r) => r.seq)).toEqual([1, 2]);
    expect(onDiskError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining(`damaged record (byte ${whole.length})`) }));
    await store.close();
  });

  it('drains what is queued on close', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, yjsDrainMs: 60_000 });
    await store.yjs.append('doc', new Uint8Array([3]), 'u1', 1, { durability: 'process' });
    await store.close();
    expect(tableRows(dataDir)).toEqual([{ seq: 1, first: 3 }]);
    expect(statSync(path.join(dataDir, YJS_JOURNAL_FILE)).size).toBe(0);
  });
});
