/**
 * The SQLite store across a SIGKILL: what was acknowledged at `process`
 * durability (committed, the WAL's fsync not yet run) is there when the
 * directory is opened again; while the writer lives, a second store on its
 * directory is refused, and once it is killed the directory opens at once
 * (the kernel dropped its lock).
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { DataDirInUseError } from '../../server/store/sqlite/engine/data-dir-lock.js';
import { SQLITE_FILE, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { ROOT } from '../helpers/process.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-kill-');

describe('the SQLite store killed with SIGKILL', () => {
  it("keeps every 'process' write it acknowledged, and its directory opens at once after the kill", async () => {
    const dataDir = await tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/store-writer.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, COUNT: '40' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    await vi.waitFor(
      () => {
        expect(out).toContain('appended');
      },
      { timeout: 20_000, interval: 50 },
    );
    // While it lives, a second store on the directory is refused, having written nothing.
    const wal = path.join(dataDir, `${SQLITE_FILE}-wal`);
    const walBytes = statSync(wal).size;
    await expect(openSqliteStore({ dataDir })).rejects.toThrow(DataDirInUseError);
    expect(statSync(wal).size).toBe(walBytes);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const store = await openSqliteStore({ dataDir });
    const seqs = Array.from({ length: 40 }, (_, i) => i + 1);
    const updates = await store.yjs.load('doc');
    expect(updates.map((r) => r.seq)).toEqual(seqs);
    expect(updates.map((r) => r.update[0])).toEqual(seqs.map((i) => i % 256));
    expect(updates[4]).toMatchObject({ authorId: 'author-2', at: 1_005 });
    const messages = await store.chat.list('doc', { limit: 100, includeInternal: true });
    expect(messages.map((m) => m.text)).toEqual(seqs.map((i) => `m${i}`));
    // Seqs go on after the stored ones.
    expect(await store.yjs.append('doc', new Uint8Array([1]), 'u1', 3_000, { durability: 'process' })).toBe(41);
    await store.close();
  }, 40_000);
});
