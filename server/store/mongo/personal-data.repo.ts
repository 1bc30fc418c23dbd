/**
 * Personal data on MongoDB (personal-data.port.ts), over the driver's
 * collections: `data_exports` (`_id` = the export's id) and
 * `retained_persons` (`_id` = the user's id); erasure deletes from the
 * collections the other repositories keep. MongoDB has no multi-document
 * transaction here: each step is idempotent, so an erasure cut off by a crash
 * is finished by running it again.
 */
import type { Connection } from 'mongoose';
import type { DataExportRecord, PersonalDataRepo, RetainedPersonRecord } from '../personal-data.port.js';
import { DURABLE } from './schemas.js';
import { eq, num, type InFlight } from './sequence.js';

type ExportDoc = Omit<DataExportRecord, 'id'> & { _id: string };
type RetainedDoc = Omit<RetainedPersonRecord, 'userId'> & { _id: string };

const str = (s: string): string => {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  return s;
};
const toExport = ({ _id, ...d }: ExportDoc): DataExportRecord => ({
  id: _id,
  userId: d.userId,
  state: d.state,
  blobId: d.blobId ?? null,
  size: d.size ?? null,
  createdAt: d.createdAt,
  readyAt: d.readyAt ?? null,
  expiresAt: d.expiresAt ?? null,
});
const toRetained = ({ _id, ...d }: RetainedDoc): RetainedPersonRecord => ({
  userId: _id,
  deletedAt: d.deletedAt,
  retainUntil: d.retainUntil,
  email: d.email ?? null,
  phone: d.phone ?? null,
  pseudonymisedAt: d.pseudonymisedAt ?? null,
  pseudonym: d.pseudonym ?? null,
});

/** Collections whose documents belong to one appeal, by `appealId`. */
const APPEAL_COLLECTIONS = ['status_history', 'chat_messages', 'chat_read_marks', 'yjs_updates', 'yjs_versions', 'case_entries', 'case_entry_marks'] as const;
/** Collections whose documents belong to one person, by `userId`. */
const PERSON_COLLECTIONS = ['codes', 'notifications', 'push_subscriptions', 'chat_read_marks', 'case_entry_marks'] as const;

export function mongoPersonalData(conn: Connection, inFlight: InFlight): { repo: PersonalDataRepo; init: () => Promise<void> } {
  const db = conn.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  const col = (name: string) => db.collection(name, { writeConcern: DURABLE });
  const exportsCol = db.collection<ExportDoc>('data_exports', { writeConcern: DURABLE });
  const retainedCol = db.collection<RetainedDoc>('retained_persons', { writeConcern: DURABLE });

  const init = async (): Promise<void> => {
    await exportsCol.createIndex({ userId: 1, createdAt: -1 }, { name: 'userId_1_createdAt_-1' }, undefined);
    await exportsCol.createIndex({ blobId: 1 }, { name: 'blobId_1', sparse: true }, undefined);
  };

  const repo: PersonalDataRepo = {
    putExport: (record) =>
      inFlight.track(async () => {
        const { id, ...rest } = record;
        await exportsCol.replaceOne({ _id: str(id) }, rest, { upsert: true });
      }),
    getExport: async (id) => {
      const d = await exportsCol.findOne({ _id: str(id) });
      return d ? toExport(d) : null;
    },
    listExports: async (userId) =>
      (
        await exportsCol
          .find({ userId: eq(userId) })
          .sort({ createdAt: -1, _id: -1 })
          .toArray()
      ).map(toExport),
    eraseAppeals: (appealIds) =>
      inFlight.track(async () => {
        const ids = appealIds.map(str);
        const blobIds = new Set<string>();
        for (const a of await col('attachments')
          .find({ appealId: { $in: ids } }, { projection: { versions: 1 } })
          .toArray()) {
          for (const v of (a.versions ?? []) as { blobId: string }[]) blobIds.add(v.blobId);
        }
        await col('attachments').deleteMany({ appealId: { $in: ids } });
        for (const name of APPEAL_COLLECTIONS) await col(name).deleteMany({ appealId: { $in: ids } });
        await col('appeals').deleteMany({ id: { $in: ids } });
        // The search index's texts and terms of them (search.repo.ts).
        await col('search_chat').deleteMany({ appealId: { $in: ids } });
        await db.collection<{ _id: string }>('search_docs', { writeConcern: DURABLE }).deleteMany({ _id: { $in: ids } });
        return { blobIds: [...blobIds] };
      }),
    erasePersonal: (userId) =>
      inFlight.track(async () => {
        const u = str(userId);
        const sessionIds = (
          await col('sessions')
            .find({ userId: eq(u) }, { projection: { id: 1 } })
            .toArray()
        ).map((d) => d.id as string);
        const blobIds = (await exportsCol.find({ userId: eq(u), blobId: { $ne: null } }).toArray()).map((d) => d.blobId as string);
        await col('sessions').deleteMany({ userId: eq(u) });
        for (const name of PERSON_COLLECTIONS) await col(name).deleteMany({ userId: eq(u) });
        await col('notification_settings').deleteOne({ _id: u as never });
        await exportsCol.deleteMany({ userId: eq(u) });
        return { sessionIds, blobIds };
      }),
    blobReferenced: async (blobId) => {
      const b = str(blobId);
      if ((await exportsCol.countDocuments({ blobId: eq(b) }, { limit: 1 })) > 0) return true;
      return (await col('attachments').countDocuments({ 'versions.blobId': eq(b) }, { limit: 1 })) > 0;
    },
    deleteUser: (userId) => inFlight.track(async () => (await col('users').deleteOne({ id: eq(str(userId)) })).deletedCount > 0),
    putRetained: (record) =>
      inFlight.track(async () => {
        const { userId, ...rest } = record;
        await retainedCol.replaceOne({ _id: str(userId) }, rest, { upsert: true });
      }),
    getRetained: async (userId) => {
      const d = await retainedCol.findOne({ _id: str(userId) });
      return d ? toRetained(d) : null;
    },
    pseudonymise: (userId, pseudonym, at) =>
      inFlight.track(async () => {
        const u = str(userId);
        // The pseudonym is chosen once (compare-and-set), so a retry after a crash writes the same one.
        await retainedCol.updateOne({ _id: u, pseudonymisedAt: null, pseudonym: null }, { $set: { pseudonym: str(pseudonym) } });
        const r = await retainedCol.findOne({ _id: u });
        if (!r || r.pseudonymisedAt !== null || r.pseudonym === null) return false;
        await col('users').updateOne({ id: eq(u) }, { $set: { fullName: r.pseudonym, birthDate: null, inn: null, address: null } });
        const done = await retainedCol.updateOne({ _id: u, pseudonymisedAt: null }, { $set: { pseudonymisedAt: num(at), email: null, phone: null } });
        return done.modifiedCount > 0;
      }),
  };
  return { repo, init };
}
