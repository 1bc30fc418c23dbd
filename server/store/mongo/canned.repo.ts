/** Canned replies on MongoDB: one document per reply, replaced whole by `put`. */
import type { CannedReplyRecord, CannedReplyRepo } from '../canned.records.js';
import type { Models } from './schemas.js';
import { eq, type InFlight } from './sequence.js';

const toCanned = (d: CannedReplyRecord): CannedReplyRecord => ({
  id: d.id,
  departmentId: d.departmentId,
  title: d.title,
  text: d.text,
  updatedAt: d.updatedAt,
  updatedBy: d.updatedBy,
  updatedByName: d.updatedByName,
});

export function cannedReplyRepo(m: Models, inFlight: InFlight): CannedReplyRepo {
  return {
    async list(departmentId) {
      const docs = await m.cannedReplies
        .find({ departmentId: eq(departmentId) })
        .sort({ title: 1, id: 1 })
        .lean<CannedReplyRecord[]>()
        .exec();
      return docs.map(toCanned);
    },
    async get(id) {
      const d = await m.cannedReplies
        .findOne({ id: eq(id) })
        .lean<CannedReplyRecord>()
        .exec();
      return d ? toCanned(d) : null;
    },
    async put(record) {
      const { id, ...fields } = toCanned(record);
      await inFlight.track(() => m.cannedReplies.updateOne({ id: eq(id) }, { $set: fields }, { upsert: true }).exec());
    },
    async delete(id) {
      const res = await inFlight.track(() => m.cannedReplies.deleteOne({ id: eq(id) }).exec());
      return res.deletedCount > 0;
    },
  };
}
