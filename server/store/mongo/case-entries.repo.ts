/**
 * The case's entries (supplements, corrections) on MongoDB: a gapless seq per
 * appeal by the SequenceWriter (batched ordered inserts on the last entry, a
 * unique index on (appealId, seq)), each entry's journal entry in its outbox
 * (outbox.ts) and appended right after; and how far each person has seen them.
 */
import type { CaseEntryRecord, CaseEntryRepo } from '../store.js';
import { guarded, isDuplicateKey } from './errors.js';
import type { Outbox } from './outbox.js';
import type { CaseEntryDoc, Models, OutboxEntry } from './schemas.js';
import { DURABLE } from './schemas.js';
import type { InFlight } from './sequence.js';
import { eq, KeyedQueue, num, SequenceWriter } from './sequence.js';
import { orderedInsert } from './convert.js';

interface EntryItem {
  entry: Omit<CaseEntryRecord, 'seq'>;
  outbox: OutboxEntry | undefined;
}

/** The record of a stored entry: its fields, named, without the outbox. */
export const toCaseEntry = (d: CaseEntryRecord): CaseEntryRecord => ({
  id: d.id,
  appealId: d.appealId,
  seq: d.seq,
  kind: d.kind,
  at: d.at,
  authorId: d.authorId,
  text: d.text,
  attachmentIds: [...d.attachmentIds],
  changes: d.changes.map((c) => ({ field: c.field, before: c.before, after: c.after })),
});

export function caseEntryRepo(m: Models, outbox: Outbox, inFlight: InFlight): CaseEntryRepo {
  const marks = new KeyedQueue();
  // An entry is found again by its id after a failed acknowledgement (`settle`), so a retry never stores it twice.
  const writer = new SequenceWriter<EntryItem, CaseEntryDoc, CaseEntryDoc>({
    readTail: (appealId) =>
      m.caseEntries.findOne({ appealId }).sort({ seq: -1 }).select({ appealId: 1, seq: 1 }).readConcern('majority').lean<CaseEntryDoc>().exec(),
    async settle(_appealId, items) {
      const ids = items.map((i) => i.entry.id);
      const found = await m.caseEntries
        .aggregate<CaseEntryDoc>([{ $match: { id: { $in: ids } } }])
        .readConcern('majority')
        .exec();
      const byId = new Map(found.map((d) => [d.id, d]));
      const out = new Map<EntryItem, CaseEntryDoc>();
      for (const item of items) {
        const d = byId.get(item.entry.id);
        if (d) out.set(item, d);
      }
      return out;
    },
    build: (prev, item, appealId) => ({
      ...item.entry,
      appealId,
      seq: (prev?.seq ?? 0) + 1,
      ...(item.outbox ? { auditOutbox: [item.outbox] } : {}),
    }),
    insert: async (docs) => {
      await m.caseEntries.insertMany(docs, orderedInsert(DURABLE));
    },
    output: (doc) => doc,
  });
  return {
    append(entry, auditDraft) {
      return inFlight.track(async () => {
        const doc = await writer.append(entry.appealId, { entry, outbox: outbox.entry(auditDraft) });
        await outbox.flush('case_entries', doc.id, doc.auditOutbox);
        return toCaseEntry(doc);
      });
    },
    async list(appealId, afterSeq = 0) {
      const docs = await m.caseEntries
        .aggregate<CaseEntryDoc>([{ $match: { appealId: eq(appealId), seq: { $gt: num(afterSeq) } } }, { $sort: { seq: 1 } }])
        .exec();
      return docs.map(toCaseEntry);
    },
    async seenMark(appealId, userId) {
      const d = await m.caseEntryMarks.findOne({ appealId, userId }).lean<{ seq: number }>().exec();
      return d?.seq ?? 0;
    },
    // One person's mark of one appeal is written in turn: FerretDB applies `$max` as a read and then a write.
    markSeen: (appealId, userId, seq) =>
      marks.run(`${appealId}\u0000${userId}`, async () => {
        // `$max`: a mark only moves forward, whichever of two writes lands last.
        const write = () => m.caseEntryMarks.updateOne({ appealId, userId }, { $max: { seq: num(seq) } }, { upsert: true }).exec();
        try {
          await inFlight.track(write);
        } catch (error) {
          // Two first-time upserts raced (another instance); the loser's retry is a plain update.
          if (!isDuplicateKey(error)) throw error;
          await guarded(() => inFlight.track(write));
        }
      }),
  };
}
