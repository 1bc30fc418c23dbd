/**
 * The SQLite adapter's staging log (server/store/sqlite/staging-log.ts): a
 * Yjs update is in the staging file at once and in its table after a drain; a killed process's records are replayed on open, once, never
 * behind a compaction; a torn tail stops the replay and is reported.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, vi } from 'vitest';
import { DataDirInUseError } from '../../server/store/sqlite/data-dir-lock.js';
import { yjsStagingKind } from '../../server/store/sqlite/documents.repo.js';
import { SQLITE_FILE, YJS_STAGING_FILE, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { frame, unframe } from '../../server/store/sqlite/staging-log.js';
import type { YjsUpdateRecord } from '../../server/store/store.js';
import { ROOT } from '../helpers/process.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-staging-');

// The codecs need no statement: an in-memory database stands in for the real one.
const memory = new Database(':memory:');
memory.exec('CREATE TABLE yjs_updates (appeal_id, seq, "update", author_id, at)');
const yjsKind = yjsStagingKind(memory);

const update = (seq: number, over: Partial<YjsUpdateRecord> = {}): YjsUpdateRecord => ({
  appealId: 'doc', seq, update: new Uint8Array([seq, 1, 2]), authorId: 'u1', at: 1_700_000_000_000 + seq, ...over,
});
const yjsBytes = (records: YjsUpdateRecord[]): Buffer => Buffer.concat(records.map((r) => frame(yjsKind.encode(r))));

function rows(dataDir: string): number[] {
  const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true });
  try {
    return (db.prepare('SELECT seq FROM yjs_updates WHERE appeal_id = ? ORDER BY seq').all('doc') as { seq: number }[]).map((r) => r.seq);
  } finally {
    db.close();
  }
}
const sizeOf = (dataDir: string, file: string): number => statSync(path.join(dataDir, file)).size;

describe('staging log records', () => {
  it('decode to what was encoded, with no author, an empty update and non-ASCII ids too', () => {
    const updates = [update(1), update(2, { authorId: null }), update(3, { appealId: 'обращение-3', update: new Uint8Array(0) })];
    expect(unframe(yjsBytes(updates), (p) => yjsKind.decode(p))).toEqual({ records: updates, damagedAt: null });
  });

  it('stop at a record cut short, with a flipped byte, or whose payload is too short for its fields', () => {
    const [a, b, c] = [update(1), update(2), update(3)].map((r) => frame(yjsKind.encode(r))) as [Buffer, Buffer, Buffer];
    const torn = unframe(Buffer.concat([a, b, c.subarray(0, c.length - 2)]), (p) => yjsKind.decode(p));
    expect(torn.records.map((r) => r.seq)).toEqual([1, 2]);
    expect(torn.damagedAt).toBe(a.length + b.length);
    const flipped = Buffer.concat([a, b, c]);
    flipped[a.length + 12] = flipped[a.length + 12]! ^ 0xff;
    const bad = unframe(flipped, (p) => yjsKind.decode(p));
    expect(bad.records.map((r) => r.seq)).toEqual([1]);
    expect(bad.damagedAt).toBe(a.length);
    const short = unframe(Buffer.concat([a, frame(Buffer.from([1, 2, 3]))]), (p) => yjsKind.decode(p));
    expect(short).toEqual({ records: [update(1)], damagedAt: a.length });
  });
});

describe('staging logs in the SQLite store', () => {
  it("write a 'process' update to the file at once, serve it to reads, and move it into the table on the next drain", async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, stagingDrainMs: 200 });
    expect(await store.yjs.append('doc', new Uint8Array([9, 9]), 'u1', 5, { durability: 'process' })).toBe(1);
    expect(await store.yjs.append('doc', new Uint8Array([8]), null, 6, { durability: 'process' })).toBe(2);
    expect(unframe(readFileSync(path.join(dataDir, YJS_STAGING_FILE)), (p) => yjsKind.decode(p)).records.map((r) => r.seq)).toEqual([1, 2]);
    expect(rows(dataDir)).toEqual([]);
    expect((await store.yjs.load('doc')).map((r) => [r.seq, r.authorId, [...r.update]])).toEqual([[1, 'u1', [9, 9]], [2, null, [8]]]);

    await vi.waitFor(() => { expect(rows(dataDir)).toEqual([1, 2]); }, { timeout: 3000, interval: 20 });
    expect(sizeOf(dataDir, YJS_STAGING_FILE)).toBe(0);
    expect((await store.yjs.load('doc')).map((r) => r.seq)).toEqual([1, 2]);
    await store.close();
  });

  it("drain a 'disk' write before it resolves", async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, stagingDrainMs: 60_000 });
    await store.yjs.append('doc', new Uint8Array([4]), 'u1', 5);
    expect(rows(dataDir)).toEqual([1]);
    await store.close();
  });

  it('replay the updates of a process killed with SIGKILL before any drain, in order', async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/staging-writer.ts'], {
      cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir, COUNT: '40' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
    await vi.waitFor(() => { expect(out).toContain('appended'); }, { timeout: 20_000, interval: 50 });
    // While it lives, a second store on the directory is refused before it replays (and so empties) the live log.
    const staged = sizeOf(dataDir, YJS_STAGING_FILE);
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(DataDirInUseError);
    expect(sizeOf(dataDir, YJS_STAGING_FILE)).toBe(staged);
    expect(staged).toBeGreaterThan(0);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // Nothing was drained: all of it is in the staging file only.
    expect(rows(dataDir)).toEqual([]);

    // The kernel dropped the dead process's lock: the directory opens at once.
    const store = await openSqliteStore({ dataDir });
    const updates = await store.yjs.load('doc');
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1);
    expect(updates.map((r) => r.seq)).toEqual(seqs);
    expect(updates.map((r) => r.update[0])).toEqual(seqs.map((i) => i % 256));
    expect(updates[4]).toMatchObject({ authorId: 'author-2', at: 1_005 });
    expect(sizeOf(dataDir, YJS_STAGING_FILE)).toBe(0);
    // Seqs go on after the replayed ones.
    expect(await store.yjs.append('doc', new Uint8Array([1]), 'u1', 3_000, { durability: 'process' })).toBe(41);
    await store.close();
  }, 40_000);

  it('replay nothing already stored, and nothing a compaction merged', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, stagingDrainMs: 60_000 });
    for (let i = 1; i <= 5; i++) await store.yjs.append('doc', new Uint8Array([i]), 'u1', i, { durability: 'process' });
    // The compaction drains first: nothing it merges is left in the file.
    await store.yjs.compact('doc', 5, new Uint8Array([50]));
    expect(sizeOf(dataDir, YJS_STAGING_FILE)).toBe(0);
    await store.close();
    // A file as a crash between a drain's commit and the file's truncation would leave it, plus one record never drained.
    writeFileSync(path.join(dataDir, YJS_STAGING_FILE), yjsBytes([1, 2, 3, 4, 5, 6].map((seq) => update(seq))));

    const again = await openSqliteStore({ dataDir });
    expect((await again.yjs.load('doc')).map((r) => [r.seq, r.update[0]])).toEqual([[5, 50], [6, 6]]);
    await again.close();
  });

  it('keep the whole records before a torn tail and report the damage', async () => {
    const dataDir = await tempDir();
    const first = await openSqliteStore({ dataDir });
    await first.close();
    const whole = yjsBytes([update(1), update(2)]);
    writeFileSync(path.join(dataDir, YJS_STAGING_FILE), Buffer.concat([whole, yjsBytes([update(3)]).subarray(0, 10)]));
    const onDiskError = vi.fn();
    const store = await openSqliteStore({ dataDir, onDiskError });
    expect((await store.yjs.load('doc')).map((r) => r.seq)).toEqual([1, 2]);
    expect(onDiskError).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining(`damaged record (byte ${whole.length})`) }));
    await store.close();
  });

  it('drain what is queued on close', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir, stagingDrainMs: 60_000 });
    await store.yjs.append('doc', new Uint8Array([3]), 'u1', 1, { durability: 'process' });
    await store.close();
    expect(rows(dataDir)).toEqual([1]);
    expect(sizeOf(dataDir, YJS_STAGING_FILE)).toBe(0);
  });
});
