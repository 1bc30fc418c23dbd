/**
 * The journal outbox: how a change and its audit entry are stored "both or
 * neither" without multi-document transactions.
 *
 * The entry is written INTO the changed document (`auditOutbox`, with a fresh
 * key) by the same single-document write that makes the change, so the change
 * commits if and only if its entry is recorded. Right after, the entry is
 * appended to the journal under its key (`appendOnce`: a second copy of the
 * same key stores nothing) and then pulled out of the document.
 *
 * - A crash between the two writes loses nothing: at open the store sweeps
 *   the documents whose outbox is not empty and appends what is there.
 * - An append that fails (the server went away, a write concern timed out)
 *   does not fail the change, which is committed: it is reported, stays in
 *   the outbox and is appended by the next write to the same document (which
 *   flushes the whole outbox) or by the next sweep. A caller therefore never
 *   sees an error for a change that happened, and never repeats it.
 * - An entry can reach the journal after entries of later changes to other
 *   subjects; its `at` is the time of its change.
 */
import { randomUUID } from 'node:crypto';
import type { AuditDraft } from '../store.js';
import type { MongoAuditRepo } from './journal.repo.js';
import type { Models, OutboxEntry } from './schemas.js';

/** The collections that carry an outbox. */
export type OutboxCollection = 'appeals' | 'attachments' | 'case_entries';

export interface Outbox {
  /** A new outbox entry for `draft` (none without a draft). */
  entry(draft: AuditDraft | undefined): OutboxEntry | undefined;
  /** Appends the document's pending entries, in order, then removes them from it. Never throws: failures are reported. */
  flush(collection: OutboxCollection, id: string, entries: readonly OutboxEntry[] | undefined): Promise<void>;
  /** Flushes every document with pending entries (at open); returns how many entries were appended. */
  sweep(): Promise<number>;
}

/** Told when an outbox entry could not be appended yet (it stays in the outbox). */
export type OutboxErrorHandler = (error: unknown, where: { collection: OutboxCollection; id: string }) => void;

export function outbox(m: Models, audit: MongoAuditRepo, onError: OutboxErrorHandler): Outbox {
  const models = { appeals: m.appeals, attachments: m.attachments, case_entries: m.caseEntries };

  async function flushOrThrow(collection: OutboxCollection, id: string, entries: readonly OutboxEntry[]): Promise<void> {
    for (const e of entries) await audit.appendOnce(e.key, e.draft);
    // `$pullAll` of the entries as read back (whole-element equality): FerretDB
    // 1.24 ignores a `$pull` by condition ({ key: … }) without an error.
    const pull = { $pullAll: { auditOutbox: [...entries] } };
    if (collection === 'appeals') await m.appeals.updateOne({ id }, pull).exec();
    else if (collection === 'attachments') await m.attachments.updateOne({ id }, pull).exec();
    else await m.caseEntries.updateOne({ id }, pull).exec();
  }

  return {
    entry: (draft) => (draft ? { key: randomUUID(), draft } : undefined),
    async flush(collection, id, entries) {
      if (!entries || entries.length === 0) return;
      try {
        await flushOrThrow(collection, id, entries);
      } catch (error) {
        onError(error, { collection, id });
      }
    },
    async sweep() {
      let appended = 0;
      for (const collection of ['appeals', 'attachments', 'case_entries'] as const) {
        // The sparse index on auditOutbox.key holds only documents with a pending entry.
        const docs = await models[collection]
          .aggregate<{ id: string; auditOutbox: OutboxEntry[] }>([
            { $match: { 'auditOutbox.key': { $exists: true } } },
            { $project: { _id: 0, id: 1, auditOutbox: 1 } },
          ])
          .readConcern('majority')
          .exec();
        for (const d of docs) {
          await flushOrThrow(collection, d.id, d.auditOutbox);
          appended += d.auditOutbox.length;
        }
      }
      return appended;
    },
  };
}
