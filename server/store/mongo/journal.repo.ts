/**
 * The append-only logs on MongoDB: the audit journal and chat rooms. Both keep
 * gapless seqs with read-last + insert under a unique index + retry
 * (sequence.ts), never with a counter allocated ahead of the insert.
 */
import { sealAuditEntry } from '../audit-chain.js';
import { StoreError } from '../store.js';
import type { AuditRecord, AuditRepo, ChatMessageRecord, ChatRepo } from '../store.js';
import { toAudit, toChat } from './convert.js';
import { guarded, isDuplicateKey } from './errors.js';
import type { Models } from './schemas.js';
import { eq, KeyedQueue, num, retryOnSeqConflict } from './sequence.js';

export function auditRepo(m: Models): AuditRepo {
  const queue = new KeyedQueue();
  return {
    append(draft) {
      // The unique index on seq is what forbids forks: if another process
      // appended between our read and our insert, the insert fails and we
      // rebuild on top of the new last entry.
      return queue.run('audit', () =>
        retryOnSeqConflict('seq', async () => {
          const last = await m.audit.findOne({}).sort({ seq: -1 }).lean<AuditRecord>().exec();
          const record = toAudit(sealAuditEntry(last ? toAudit(last) : null, draft));
          await m.audit.create(record);
          return toAudit(record);
        }),
      );
    },
    async list(afterSeq, limit) {
      if (limit <= 0) return [];
      const docs = await m.audit
        .aggregate<AuditRecord>([{ $match: { seq: { $gt: num(afterSeq) } } }, { $sort: { seq: 1 } }, { $limit: num(limit) }])
        .exec();
      return docs.map(toAudit);
    },
  };
}

export function chatRepo(m: Models): ChatRepo {
  const queue = new KeyedQueue();

  async function byClientId(appealId: string, clientId: string): Promise<ChatMessageRecord | null> {
    const d = await m.chat.findOne({ appealId, clientId }).lean<ChatMessageRecord>().exec();
    return d ? toChat(d) : null;
  }

  return {
    append(msg) {
      return queue.run(msg.appealId, async () => {
        // Idempotent retry: the same clientId returns the stored message. The
        // check comes before any seq is chosen, and the seq is chosen from the
        // stored messages, so a duplicate never consumes a seq.
        const existing = await byClientId(msg.appealId, msg.clientId);
        if (existing) return { message: existing, created: false };
        try {
          return await retryOnSeqConflict('appealId,seq', async () => {
            const last = await m.chat
              .findOne({ appealId: msg.appealId })
              .sort({ seq: -1 })
              .select({ seq: 1 })
              .lean<{ seq: number }>()
              .exec();
            const message = toChat({ ...msg, seq: (last?.seq ?? 0) + 1 });
            await m.chat.create(message);
            return { message: toChat(message), created: true };
          });
        } catch (error) {
          // Another process stored the same clientId between our check and our
          // insert: nothing of ours was stored, so no gap; answer with theirs.
          if (error instanceof StoreError && error.field === 'appealId,clientId') {
            const theirs = await byClientId(msg.appealId, msg.clientId);
            if (theirs) return { message: theirs, created: false };
          }
          throw error;
        }
      });
    },
    async list(appealId, query) {
      if (query.limit <= 0) return [];
      const match: Record<string, unknown> = { appealId: eq(appealId) };
      if (!query.includeInternal) match.internal = eq(false);
      const seq: Record<string, number> = {};
      if (query.afterSeq !== undefined) seq.$gt = num(query.afterSeq);
      if (query.beforeSeq !== undefined) seq.$lt = num(query.beforeSeq);
      if (Object.keys(seq).length > 0) match.seq = seq;
      // With beforeSeq: the newest `limit` before it, turned back to ascending.
      const newest = query.beforeSeq !== undefined;
      const docs = await m.chat
        .aggregate<ChatMessageRecord>([{ $match: match }, { $sort: { seq: newest ? -1 : 1 } }, { $limit: num(query.limit) }])
        .exec();
      const messages = docs.map(toChat);
      return newest ? messages.reverse() : messages;
    },
    async setReadMark(appealId, userId, seq) {
      const write = () => m.readMarks.updateOne({ appealId, userId }, { $set: { seq } }, { upsert: true }).exec();
      try {
        await write();
      } catch (error) {
        // Two first-time upserts raced; the loser's retry is a plain update.
        if (!isDuplicateKey(error)) throw error;
        await guarded(write);
      }
    },
    async readMarks(appealId) {
      const docs = await m.readMarks.find({ appealId }).lean<{ userId: string; seq: number }[]>().exec();
      return Object.fromEntries(docs.map((d) => [d.userId, d.seq]));
    },
  };
}
