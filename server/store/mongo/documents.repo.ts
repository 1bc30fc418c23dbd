/** Yjs update logs and versions, attachments and named counters on MongoDB. */
import mongoose from 'mongoose';
import type { UpdateQuery } from 'mongoose';
import type { AttachmentRecord, AttachmentRepo, CounterRepo, Durability, YjsRepo } from '../store.js';
import { MAX_STORED_BYTES, StoreError } from '../store.js';
import { orderedInsert, toAttachment, toBuffer, toYjsUpdate, toYjsVersion } from './convert.js';
import { guarded } from './errors.js';
import type { Outbox } from './outbox.js';
import type { AttachmentDoc, CounterDoc, Models, YjsUpdateDoc, YjsVersionDoc } from './schemas.js';
import { DURABLE, PROCESS } from './schemas.js';
import type { InFlight } from './sequence.js';
import { KeyedQueue, num, SequenceWriter } from './sequence.js';

/** Refuses bytes that would not fit in one document (16 MiB), before anything is written. */
function fits(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.byteLength > MAX_STORED_BYTES) throw new StoreError('too_large', what);
  return bytes;
}

interface YjsItem {
  update: Uint8Array;
  authorId: string | null;
  at: number;
  durability: Durability;
}

export function yjsRepo(m: Models, inFlight: InFlight): YjsRepo {
  const writer = new SequenceWriter<YjsItem, Omit<YjsUpdateDoc, 'update'> & { update: Buffer }, number>({
    readTail: (appealId) =>
      m.yjsUpdates.findOne({ appealId }).sort({ seq: -1 }).select({ appealId: 1, seq: 1, at: 1 }).readConcern('majority').lean<YjsUpdateDoc>().exec(),
    build: (prev, item, appealId) => ({ appealId, seq: (prev?.seq ?? 0) + 1, update: toBuffer(item.update), authorId: item.authorId, at: item.at }),
    insert: async (docs, items) => {
      // A batch waits for the journal unless every update in it may be acknowledged once committed.
      const durable = items.some((i) => i.durability === 'disk');
      await m.yjsUpdates.insertMany(docs, orderedInsert(durable ? DURABLE : PROCESS));
    },
    output: (doc) => doc.seq,
  });
  return {
    append(appealId, update, authorId, at, options) {
      return inFlight.track(async () => {
        fits(update, 'update');
        return writer.append(appealId, { update, authorId, at, durability: options?.durability ?? 'disk' });
      });
    },
    async load(appealId) {
      const docs = await m.yjsUpdates.find({ appealId }).sort({ seq: 1 }).lean<YjsUpdateDoc[]>().exec();
      return docs.map(toYjsUpdate);
    },
    compact(appealId, upToSeq, merged) {
      // No transaction: first the merged update is stored at upToSeq, then the
      // older rows are deleted in one statement. A crash in between leaves the
      // merged update next to some of the updates it contains; applying a Yjs
      // update twice changes nothing, so the loaded document is the same.
      return inFlight.track(async () => {
        fits(merged, 'update');
        const seq = num(upToSeq);
        // The merged row keeps the time of the newest update it replaces.
        const newest = await m.yjsUpdates
          .findOne({ appealId, seq: mongoose.trusted({ $lte: seq }) })
          .sort({ seq: -1 })
          .select({ at: 1 })
          .lean<{ at: number }>()
          .exec();
        const at = newest?.at ?? 0;
        await m.yjsUpdates.updateOne({ appealId, seq }, { $set: { update: toBuffer(merged), authorId: null, at } }, { upsert: true }).exec();
        // A range written by the adapter on a checked number: trusted past sanitizeFilter.
        await m.yjsUpdates.deleteMany({ appealId, seq: mongoose.trusted({ $lt: seq }) }).exec();
      });
    },
    async saveVersion(version) {
      fits(version.state, 'state');
      await inFlight.track(() => guarded(() => m.yjsVersions.create({ ...version, state: toBuffer(version.state) })));
    },
    async listVersions(appealId) {
      const docs = await m.yjsVersions.find({ appealId }).sort({ at: -1, id: -1 }).select({ state: 0 }).lean<Omit<YjsVersionDoc, 'state'>[]>().exec();
      return docs.map((d) => ({ id: d.id, appealId: d.appealId, at: d.at, authorIds: [...d.authorIds] }));
    },
    async getVersion(appealId, id) {
      const d = await m.yjsVersions.findOne({ id, appealId }).lean<YjsVersionDoc>().exec();
      return d ? toYjsVersion(d) : null;
    },
  };
}

/**
 * Attachments. Each change and its journal entry are one single-document
 * write (the entry in the outbox), the entry appended right after (outbox.ts).
 */
export function attachmentRepo(m: Models, outbox: Outbox, inFlight: InFlight): AttachmentRepo {
  // Changes to one attachment run one at a time in this process, as appeal
  // writes do: ordered as called, and right on FerretDB, whose conditional
  // updates are not atomic between writers (docs/storage-mongo.md).
  const queue = new KeyedQueue();
  const change = (id: string, filter: Record<string, unknown>, update: UpdateQuery<AttachmentDoc>) =>
    inFlight.track(() =>
      queue.run(id, async (): Promise<AttachmentRecord | null> => {
        const d = await guarded(() =>
          m.attachments
            .findOneAndUpdate({ ...filter, id }, update, { returnDocument: 'after' })
            .lean<AttachmentDoc>()
            .exec(),
        );
        if (!d) return null;
        await outbox.flush('attachments', id, d.auditOutbox);
        return toAttachment(d);
      }),
    );
  const withEntry = (update: UpdateQuery<AttachmentDoc>, entry: ReturnType<Outbox['entry']>): UpdateQuery<AttachmentDoc> => {
    if (!entry) return update;
    const push = (update.$push ?? {}) as Record<string, unknown>;
    return { ...update, $push: { ...push, auditOutbox: entry } };
  };
  return {
    create(att, auditDraft) {
      return inFlight.track(async () => {
        const entry = outbox.entry(auditDraft);
        const doc: AttachmentDoc = { ...att, ...(entry ? { auditOutbox: [entry] } : {}) };
        await guarded(() => m.attachments.create(doc));
        await outbox.flush('attachments', att.id, doc.auditOutbox);
      });
    },
    async get(id) {
      const d = await m.attachments.findOne({ id }).lean<AttachmentDoc>().exec();
      return d ? toAttachment(d) : null;
    },
    async list(appealId) {
      const docs = await m.attachments.find({ appealId }).sort({ createdAt: 1, id: 1 }).lean<AttachmentDoc[]>().exec();
      return docs.map(toAttachment);
    },
    addVersion(id, version, auditDraft) {
      // One atomic update: the version is appended and made current together,
      // unless its number is already taken (another instance's upload won).
      // "No element has that version" is `$nor` of the equality: sanitizeFilter
      // leaves it alone, mongoose casts it, and FerretDB evaluates it right
      // (its `$ne` on a path into an array of documents matches when any element differs).
      return change(
        id,
        { $nor: [{ 'versions.version': num(version.version) }] },
        withEntry({ $push: { versions: version }, $set: { currentVersion: version.version } }, outbox.entry(auditDraft)),
      );
    },
    setCurrent(id, version, auditDraft) {
      // Only a version that exists can become current.
      return change(id, { 'versions.version': num(version) }, withEntry({ $set: { currentVersion: version } }, outbox.entry(auditDraft)));
    },
  };
}

/**
 * Named counters as gapless sequences: one document per value under a unique
 * (name, value) index, appended like the logs (sequence.ts). A value is taken
 * only by the insert that stores it, so two processes never get the same one
 * — on MongoDB and on FerretDB alike (FerretDB 1.24 does not apply `$inc`
 * atomically between connections).
 */
export function counterRepo(m: Models, inFlight: InFlight): CounterRepo {
  const writer = new SequenceWriter<null, CounterDoc, number>({
    readTail: (name) => m.counters.findOne({ name }).sort({ value: -1 }).readConcern('majority').lean<CounterDoc>().exec(),
    build: (prev, _item, name) => ({ name, value: (prev?.value ?? 0) + 1 }),
    insert: async (docs) => {
      await m.counters.insertMany(docs, orderedInsert(DURABLE));
    },
    output: (doc) => doc.value,
  });
  return {
    next: (name) => inFlight.track(() => writer.append(name, null)),
  };
}
