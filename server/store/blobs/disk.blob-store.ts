/**
 * Attachment bytes on disk, content-addressed: the id is the sha256 of the bytes
 * and the file lives at `<root>/ab/cdef…` (first two hex digits as directory).
 * A put writes a temp file, fsyncs it, renames it into place and fsyncs the
 * directory, so a file either is whole under its name or absent. Equal bytes
 * map to one file; storing them again is a no-op.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BlobStore } from '../store.js';

const ID = /^[0-9a-f]{64}$/;

async function fsyncPath(p: string): Promise<void> {
  const handle = await open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

export class DiskBlobStore implements BlobStore {
  /** `root` is the blobs directory, normally `<dataDir>/blobs`. */
  constructor(private readonly root: string) {}

  /** The file of a blob id; null for anything that is not a sha256 hex (no path tricks). */
  private fileOf(id: string): string | null {
    return ID.test(id) ? path.join(this.root, id.slice(0, 2), id.slice(2)) : null;
  }

  async put(data: Uint8Array): Promise<{ id: string; size: number }> {
    const id = createHash('sha256').update(data).digest('hex');
    const file = path.join(this.root, id.slice(0, 2), id.slice(2));
    const result = { id, size: data.byteLength };
    if (await exists(file)) return result;
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    // A unique temp name: concurrent puts of the same bytes each rename a whole file.
    const tmp = path.join(dir, `.tmp-${randomBytes(8).toString('hex')}`);
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(tmp, file);
    await fsyncPath(dir);
    return result;
  }

  async get(id: string): Promise<Uint8Array | null> {
    const file = this.fileOf(id);
    if (!file) return null;
    try {
      const buf = await readFile(file);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(id: string): Promise<boolean> {
    const file = this.fileOf(id);
    return file ? exists(file) : false;
  }

  /** Unlinks the file and fsyncs its directory, so the removal survives a power cut. */
  async delete(id: string): Promise<boolean> {
    const file = this.fileOf(id);
    if (!file || !(await exists(file))) return false;
    await rm(file, { force: true });
    await fsyncPath(path.dirname(file));
    return true;
  }
}
