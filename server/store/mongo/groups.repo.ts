/**
 * Linked appeals on MongoDB: one document per group; the unique multikey index
 * on `appealIds` refuses an appeal that another group already holds.
 */
import type { AppealGroupRecord, AppealGroupRepo } from '../group.records.js';
import { isDuplicateKey } from './errors.js';
import type { Models } from './schemas.js';
import { eq, num, type InFlight } from './sequence.js';

const toGroup = (d: AppealGroupRecord): AppealGroupRecord => ({
  id: d.id,
  departmentId: d.departmentId,
  appealIds: [...d.appealIds],
  createdAt: d.createdAt,
  createdBy: d.createdBy,
  version: d.version,
});

export function appealGroupRepo(m: Models, inFlight: InFlight): AppealGroupRepo {
  return {
    async get(id) {
      const d = await m.appealGroups
        .findOne({ id: eq(id) })
        .lean<AppealGroupRecord>()
        .exec();
      return d ? toGroup(d) : null;
    },
    async ofAppeal(appealId) {
      const d = await m.appealGroups
        .findOne({ appealIds: eq(appealId) })
        .lean<AppealGroupRecord>()
        .exec();
      return d ? toGroup(d) : null;
    },
    async put(record, expectedVersion) {
      const doc = toGroup(record);
      // Checked first (servers without unique multikey indexes, FerretDB), then held by the index on MongoDB.
      // (an aggregation: the query casting would take the $in for a value of the array's strings).
      const [taken] = await m.appealGroups
        .aggregate<AppealGroupRecord>([{ $match: { id: { $ne: doc.id }, appealIds: { $in: doc.appealIds } } }, { $limit: 1 }])
        .exec();
      if (taken) return false;
      try {
        if (expectedVersion === null) {
          await inFlight.track(() => m.appealGroups.create(doc));
          return true;
        }
        const { id, ...fields } = doc;
        const res = await inFlight.track(() => m.appealGroups.updateOne({ id: eq(id), version: num(expectedVersion) }, { $set: fields }).exec());
        return res.modifiedCount === 1;
      } catch (error) {
        // The group is there already, or one of the appeals is in another group.
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async delete(id) {
      await inFlight.track(() => m.appealGroups.deleteOne({ id: eq(id) }).exec());
    },
  };
}
