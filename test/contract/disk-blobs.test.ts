/** The BlobStore contract on disk, plus the on-disk layout it promises. */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiskBlobStore } from '../../server/store/blobs/disk.blob-store.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { runBlobStoreContract } from './blobs.contract.js';

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const tempDir = tempDirs('caseroom-blobs-');
async function tempRoot(): Promise<string> {
  return path.join(await tempDir(), 'blobs');
}

runBlobStoreContract('disk', async () => {
  const root = await tempRoot();
  return {
    blobs: new DiskBlobStore(root),
    cleanup: () => Promise.resolve(),
    countStored: async () => (await filesUnder(root)).length,
  };
});

describe('DiskBlobStore', () => {
  it('lays files out as <root>/ab/cdef… and leaves no temp files behind', async () => {
    const root = await tempRoot();
    const blobs = new DiskBlobStore(root);
    const { id } = await blobs.put(new TextEncoder().encode('hello'));
    expect(id).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(await filesUnder(root)).toEqual([path.join(root, '2c', id.slice(2))]);
  });

  it('reads what another instance over the same directory stored', async () => {
    const root = await tempRoot();
    const { id } = await new DiskBlobStore(root).put(new Uint8Array([5, 6, 7]));
    expect(Array.from((await new DiskBlobStore(root).get(id))!)).toEqual([5, 6, 7]);
  });
});
