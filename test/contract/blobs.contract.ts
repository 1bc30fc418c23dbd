/**
 * The BlobStore contract, run against each implementation (disk, GridFS).
 * `makeBlobs` returns an empty store; `cleanup` removes what it stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../server/store/store.js';

export interface BlobHarness {
  blobs: BlobStore;
  cleanup: () => Promise<void>;
  /** How many distinct blobs are physically stored (to prove dedup), when the implementation can tell. */
  countStored?: () => Promise<number>;
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export function runBlobStoreContract(name: string, makeBlobs: () => Promise<BlobHarness>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let harness: BlobHarness;
    let blobs: BlobStore;

    beforeEach(async () => {
      harness = await makeBlobs();
      blobs = harness.blobs;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('stores bytes under their sha256 and returns them unchanged', async () => {
      const data = new Uint8Array(randomBytes(5000));
      const { id, size } = await blobs.put(data);
      expect(id).toBe(sha256(data));
      expect(size).toBe(5000);
      expect(await blobs.has(id)).toBe(true);
      const got = await blobs.get(id);
      expect(got).toBeInstanceOf(Uint8Array);
      expect(Buffer.compare(Buffer.from(got!), Buffer.from(data))).toBe(0);
    });

    it('deletes a blob: gone from has and get and from what is stored; others stay; a second delete and a bad id answer false', async () => {
      const keep = await blobs.put(new Uint8Array(randomBytes(3000)));
      const gone = await blobs.put(new Uint8Array(randomBytes(300 * 1024)));
      expect(await blobs.delete(gone.id)).toBe(true);
      expect(await blobs.has(gone.id)).toBe(false);
      expect(await blobs.get(gone.id)).toBeNull();
      expect(await blobs.has(keep.id)).toBe(true);
      if (harness.countStored) expect(await harness.countStored()).toBe(1);
      expect(await blobs.delete(gone.id)).toBe(false);
      expect(await blobs.delete('../../etc/passwd')).toBe(false);
      // Stored again after the delete, it is whole.
      const again = await blobs.put(new Uint8Array(randomBytes(10)));
      expect(await blobs.has(again.id)).toBe(true);
    });

    it('stores an empty file', async () => {
      const { id, size } = await blobs.put(new Uint8Array(0));
      expect(size).toBe(0);
      expect(Array.from((await blobs.get(id))!)).toEqual([]);
    });

    it('answers null / false for an unknown id and for ids that are not sha256 hex', async () => {
      const unknown = sha256(new Uint8Array([1, 2, 3, 4]));
      expect(await blobs.get(unknown)).toBeNull();
      expect(await blobs.has(unknown)).toBe(false);
      for (const bad of ['', '../../etc/passwd', 'ab/../../x', unknown.toUpperCase(), `${unknown}0`]) {
        expect(await blobs.get(bad)).toBeNull();
        expect(await blobs.has(bad)).toBe(false);
      }
    });

    it('stores equal bytes once, even when put concurrently, and gives the same id', async () => {
      const data = new Uint8Array(randomBytes(2048));
      const results = await Promise.all(Array.from({ length: 8 }, () => blobs.put(data.slice())));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      await blobs.put(data);
      const other = await blobs.put(new Uint8Array(randomBytes(10)));
      expect(other.id).not.toBe(results[0]?.id);
      if (harness.countStored) expect(await harness.countStored()).toBe(2);
      expect(Buffer.compare(Buffer.from((await blobs.get(results[0]!.id))!), Buffer.from(data))).toBe(0);
    });

    it('keeps the stored bytes when the caller mutates its buffer after put', async () => {
      const data = new Uint8Array([1, 2, 3]);
      const { id } = await blobs.put(data);
      data[0] = 9;
      expect(Array.from((await blobs.get(id))!)).toEqual([1, 2, 3]);
    });
  });
}
