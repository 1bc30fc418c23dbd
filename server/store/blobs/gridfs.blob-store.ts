/**
 * Content-addressed blobs in GridFS (used with the MongoDB adapter).
 *
 * A blob's id is the sha256 hex of its bytes and is its GridFS `filename`, so
 * equal files are stored once. A unique index on `<bucket>.files.filename`
 * keeps it so under races: GridFS writes the chunks first and the files
 * document last, so of two concurrent uploads of the same bytes the second
 * fails on that index. For the same reason a blob is visible to `has`/`get`
 * only once it is complete. Whatever makes an upload fail (that duplicate, a
 * lost connection, a write concern timeout), the chunks it wrote are deleted
 * unless its files document did get stored (then the blob is complete and
 * another put may already rely on it). Only a failure of that deletion too
 * leaves chunks behind, unreachable since no files document points at them.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import mongoose from 'mongoose';
import type { BlobStore } from '../store.js';
import { connectMongo } from '../mongo/mongo.store.js';
import type { MongoOptions } from '../mongo/mongo.store.js';
import { isDuplicateKey } from '../mongo/errors.js';
import { DURABLE } from '../mongo/schemas.js';

const ID = /^[0-9a-f]{64}$/;

/** BlobStore over one GridFS bucket of an open database. */
export class GridFsBlobStore implements BlobStore {
  private readonly bucket: mongoose.mongo.GridFSBucket;

  private constructor(
    private readonly db: mongoose.mongo.Db,
    private readonly bucketName: string,
  ) {
    this.bucket = new mongoose.mongo.GridFSBucket(db, { bucketName, writeConcern: DURABLE });
  }

  /** Creates the bucket's unique filename index, then returns the store. */
  static async open(db: mongoose.mongo.Db, bucketName = 'blobs'): Promise<GridFsBlobStore> {
    await db.collection(`${bucketName}.files`).createIndex({ filename: 1 }, { unique: true, name: 'filename_unique' }, undefined);
    return new GridFsBlobStore(db, bucketName);
  }

  async put(data: Uint8Array): Promise<{ id: string; size: number }> {
    const id = createHash('sha256').update(data).digest('hex');
    const size = data.byteLength;
    if (await this.has(id)) return { id, size };
    const upload = this.bucket.openUploadStream(id);
    try {
      await pipeline(Readable.from([Buffer.from(data)]), upload);
    } catch (error) {
      await this.dropUpload(upload.id);
      // A concurrent put of the same bytes finished first: the blob is there.
      if (!isDuplicateKey(error)) throw error;
    }
    return { id, size };
  }

  /** Deletes the chunks of a failed upload, unless its files document was stored after all. */
  private async dropUpload(fileId: mongoose.mongo.ObjectId): Promise<void> {
    try {
      const files = this.db.collection(`${this.bucketName}.files`);
      if ((await files.countDocuments({ _id: { $eq: fileId } })) > 0) return;
      await this.db.collection(`${this.bucketName}.chunks`).deleteMany({ files_id: { $eq: fileId } });
    } catch {
      // The put fails with its own error; chunks without a files document are never read.
    }
  }

  async get(id: string): Promise<Uint8Array | null> {
    const file = await this.find(id);
    if (!file) return null;
    const parts: Buffer[] = [];
    for await (const chunk of this.bucket.openDownloadStream(file._id)) parts.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(parts));
  }

  async has(id: string): Promise<boolean> {
    return (await this.find(id)) !== null;
  }

  /** Deletes the files document and its chunks (GridFS's own delete). */
  async delete(id: string): Promise<boolean> {
    const file = await this.find(id);
    if (!file) return false;
    await this.bucket.delete(file._id);
    return true;
  }

  private async find(id: string): Promise<mongoose.mongo.GridFSFile | null> {
    // Only well-formed ids reach the query, so the filter is a plain string.
    if (!ID.test(id)) return null;
    const [file] = await this.bucket.find({ filename: { $eq: id } }, { limit: 1 }).toArray();
    return file ?? null;
  }
}

/** A GridFS BlobStore on its own connection; `close()` closes that connection. */
export async function openGridFsBlobStore(opts: MongoOptions & { bucketName?: string }): Promise<GridFsBlobStore & { close(): Promise<void> }> {
  const conn = await connectMongo(opts);
  try {
    const db = conn.db;
    if (!db) throw new Error('MongoDB connection has no database');
    const store = await GridFsBlobStore.open(db, opts.bucketName);
    return Object.assign(store, { close: () => conn.close() });
  } catch (error) {
    // The index could not be built (say, duplicate filenames stored already): release the connection.
    await conn.close().catch(() => undefined);
    throw error;
  }
}
