/** Yjs update logs and versions, attachments and named counters on MongoDB. */
import type { AttachmentRecord, AttachmentRepo, AuditDraft, AuditRepo, CounterRepo, YjsRepo } from '../store.js';
import { toAttachment, toBuffer, toYjsUpdate, toYjsVersion } from './convert.js';
import { guarded, isDuplicateKey } from './errors.js';
import type { CounterDoc, Models, YjsUpdateDoc, YjsVersionDoc } from './schemas.js';
import { eq, KeyedQueue, num, retryOnSeqConflict } from './sequence.js';

export function yjsRepo(m: Models): YjsRepo {
  const queue = new KeyedQueue();
  return {
    append(appealId, update, authorId, at) {
      return queue.run(appealId, () =>
        retryOnSeqConflict('appealId,seq', async () => {
          const last = await m.yjsUpdates.findOne({ appealId }).sort({ seq: -1 }).select({ seq: 1 }).lean<{ seq: number }>().exec();
          const seq = (last?.seq ?? 0) + 1;
          await m.yjsUpdates.create({ appealId, seq, update: toBuffer(update), authorId, at });
          return seq;
        }),
      );
    },
    async load(appealId) {
      const docs = await m.yjsUpdates.find({ appealId }).sort({ seq: 1 }).lean<YjsUpdateDoc[]>().exec();
      return docs.map(toYjsUpdate);
    },
    compact(appealId, upToSeq, merged) {
      // Ordered bulk write, no transaction: first the merged update is stored
      // at upToSeq, then the older ones are deleted. A crash in between leaves
      // the merged update next to some of the updates it contains; applying a
      // Yjs update twice changes nothing, so the loaded document is the same.
      return queue.run(appealId, async () => {
        const rows = await m.yjsUpdates
          .aggregate<{ seq: number; at: number }>([
            { $match: { appealId: eq(appealId), seq: { $lte: num(upToSeq) } } },
            { $project: { _id: 0, seq: 1, at: 1 } },
          ])
          .exec();
        const at = rows.find((r) => r.seq === upToSeq)?.at ?? Math.max(0, ...rows.map((r) => r.at));
        await m.yjsUpdates.bulkWrite(
          [
            {
              updateOne: {
                filter: { appealId, seq: upToSeq },
                update: { $set: { update: toBuffer(merged), authorId: null, at } },
                upsert: true,
              },
            },
            ...rows.filter((r) => r.seq !== upToSeq).map((r) => ({ deleteOne: { filter: { appealId, seq: r.seq } } })),
          ],
          { ordered: true },
        );
      });
    },
    async saveVersion(version) {
      await guarded(() => m.yjsVersions.create({ ...version, state: toBuffer(version.state) }));
    },
    async listVersions(appealId) {
      const docs = await m.yjsVersions
        .find({ appealId })
        .sort({ at: -1, id: -1 })
        .select({ state: 0 })
        .lean<Omit<YjsVersionDoc, 'state'>[]>()
        .exec();
      return docs.map((d) => ({ id: d.id, appealId: d.appealId, at: d.at, authorIds: [...d.authorIds] }));
    },
    async getVersion(appealId, id) {
      const d = await m.yjsVersions.findOne({ id, appealId }).lean<YjsVersionDoc>().exec();
      return d ? toYjsVersion(d) : null;
    },
  };
}

/** Attachments; no multi-document transaction: a journal entry follows its committed change. */
export function attachmentRepo(m: Models, audit: AuditRepo): AttachmentRepo {
  const journalled = async (d: AttachmentRecord | null, auditDraft: AuditDraft | undefined): Promise<AttachmentRecord | null> => {
    if (!d) return null;
    if (auditDraft) await audit.append(auditDraft);
    return toAttachment(d);
  };
  return {
    async create(att, auditDraft) {
      await guarded(() => m.attachments.create(att));
      if (auditDraft) await audit.append(auditDraft);
    },
    async get(id) {
      const d = await m.attachments.findOne({ id }).lean<AttachmentRecord>().exec();
      return d ? toAttachment(d) : null;
    },
    async list(appealId) {
      const docs = await m.attachments.find({ appealId }).sort({ createdAt: 1, id: 1 }).lean<AttachmentRecord[]>().exec();
      return docs.map(toAttachment);
    },
    async addVersion(id, version, auditDraft) {
      // One atomic update: the version is appended and made current together,
      // unless its number is already taken (another instance's upload won).
      const d = await m.attachments
        .findOneAndUpdate({ id, 'versions.version': { $ne: version.version } }, { $push: { versions: version }, $set: { currentVersion: version.version } }, { returnDocument: 'after' })
        .lean<AttachmentRecord>()
        .exec();
      return journalled(d, auditDraft);
    },
    async setCurrent(id, version, auditDraft) {
      // Only a version that exists can become current.
      const d = await m.attachments
        .findOneAndUpdate({ id, 'versions.version': version }, { $set: { currentVersion: version } }, { returnDocument: 'after' })
        .lean<AttachmentRecord>()
        .exec();
      return journalled(d, auditDraft);
    },
  };
}

export function counterRepo(m: Models): CounterRepo {
  return {
    async next(name) {
      const run = async (): Promise<number> => {
        // With upsert and returnDocument 'after' a document always comes back.
        const d = await m.counters
          .findOneAndUpdate({ name }, { $inc: { value: 1 } }, { upsert: true, returnDocument: 'after' })
          .lean<CounterDoc>()
          .exec();
        return d.value;
      };
      try {
        return await run();
      } catch (error) {
        // Two first-time upserts of the same name raced; the retry finds the document.
        if (!isDuplicateKey(error)) throw error;
        return guarded(run);
      }
    },
  };
}
