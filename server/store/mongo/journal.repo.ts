/**
 * The append-only logs on MongoDB: the audit journal and chat rooms. Both keep
 * gapless seqs with the SequenceWriter (sequence.ts): batched ordered inserts
 * on the last entry under a unique index on the seq, never a counter
 * allocated ahead of the insert.
 *
 * Journal entries carry a hidden `key` (unique): an entry that comes from an
 * outbox (outbox.ts) is appended under the outbox entry's key, so copying it
 * twice — after a crash, by a sweep beside a live writer, by a retry after a
 * failed acknowledgement — stores it once.
 */
import { randomUUID } from 'node:crypto';
import type { AuditDraft, AuditRecord, AuditRepo, ChatMessageRecord, ChatRepo, Durability } from '../store.js';
import { sealAuditEntry } from '../audit-chain.js';
import { PERSONAL_DATA_READ } from '../access-log.records.js';
import { orderedInsert, toAudit, toChat } from './convert.js';
import { guarded, isDuplicateKey } from './errors.js';
import { queryAudit } from './oversight.repo.js';
import type { AuditDoc, Models } from './schemas.js';
import { DURABLE, PROCESS } from './schemas.js';
import type { InFlight } from './sequence.js';
import { eq, num, SequenceWriter } from './sequence.js';

/** The journal with the keyed append the outbox needs. */
export interface MongoAuditRepo extends AuditRepo {
  /** Appends `draft` unless an entry with `key` is stored already (then returns that one). */
  appendOnce(key: string, draft: AuditDraft): Promise<AuditRecord>;
}

interface AuditItem {
  key: string;
  draft: AuditDraft;
}

const AUDIT_KEY = 'audit';

/** A returned entry owns its details: mutating it cannot reach the stored copy or the writer's tail. */
const auditOut = (d: AuditDoc): AuditRecord => toAudit({ ...d, details: structuredClone(d.details) });

export function auditRepo(m: Models, inFlight: InFlight): MongoAuditRepo {
  // The unique index on seq is what forbids forks: if another process
  // appended between our read and our insert, the insert fails and the
  // entries are sealed again on top of the new last entry.
  const writer = new SequenceWriter<AuditItem, AuditDoc, AuditRecord>({
    readTail: () => m.audit.findOne({}).sort({ seq: -1 }).readConcern('majority').lean<AuditDoc>().exec(),
    async settle(_key, items) {
      const keys = items.map((i) => i.key);
      const found = await m.audit
        .aggregate<AuditDoc>([{ $match: { key: { $in: keys } } }])
        .readConcern('majority')
        .exec();
      const byKey = new Map(found.map((d) => [d.key, d]));
      const out = new Map<AuditItem, AuditRecord>();
      for (const item of items) {
        const d = byKey.get(item.key);
        if (d) out.set(item, auditOut(d));
      }
      return out;
    },
    build: (prev, item) => ({ ...sealAuditEntry(prev, item.draft), key: item.key }),
    insert: async (docs) => {
      await m.audit.insertMany(docs, orderedInsert(DURABLE));
    },
    output: auditOut,
  });
  const append = (key: string, draft: AuditDraft): Promise<AuditRecord> => {
    if (typeof key !== 'string') return Promise.reject(new TypeError('journal key must be a string'));
    return inFlight.track(() => writer.append(AUDIT_KEY, { key, draft }));
  };
  return {
    append: (draft) => append(randomUUID(), draft),
    appendOnce: append,
    query: (filter) => queryAudit(m, filter),
    async list(afterSeq, limit) {
      if (limit <= 0) return [];
      const docs = await m.audit.aggregate<AuditDoc>([{ $match: { seq: { $gt: num(afterSeq) } } }, { $sort: { seq: 1 } }, { $limit: num(limit) }]).exec();
      return docs.map(toAudit);
    },
    async accessLog(q) {
      if (q.limit <= 0) return [];
      // Served by the indexes on (action, subjectId, seq) and (action, details.departmentId, seq).
      const match: Record<string, unknown> = { action: eq(PERSONAL_DATA_READ) };
      if (q.subjectId !== undefined) match.subjectId = eq(q.subjectId);
      if (q.departmentId !== undefined) match['details.departmentId'] = eq(q.departmentId);
      if (q.appealId !== undefined) match['details.appealId'] = eq(q.appealId);
      const at: Record<string, number> = {};
      if (q.from !== undefined) at.$gte = num(q.from);
      if (q.to !== undefined) at.$lt = num(q.to);
      if (Object.keys(at).length > 0) match.at = at;
      if (q.beforeSeq !== undefined) match.seq = { $lt: num(q.beforeSeq) };
      const docs = await m.audit.aggregate<AuditDoc>([{ $match: match }, { $sort: { seq: -1 } }, { $limit: num(q.limit) }]).exec();
      return docs.map(auditOut);
    },
  };
}

interface ChatItem {
  msg: Omit<ChatMessageRecord, 'seq'>;
  durability: Durability;
}

interface ChatOut {
  message: ChatMessageRecord;
  created: boolean;
}

export function chatRepo(m: Models, inFlight: InFlight): ChatRepo {
  // Idempotent retry: a clientId already stored returns the stored message,
  // checked before any seq is chosen (`settle`), so a duplicate never takes a
  // seq. If another process stores the same clientId between the check and
  // our insert, the insert fails on the (appealId, clientId) index, nothing of
  // ours is stored, and the next attempt's check finds theirs.
  const writer = new SequenceWriter<ChatItem, ChatMessageRecord, ChatOut>({
    readTail: (appealId) => m.chat.findOne({ appealId }).sort({ seq: -1 }).readConcern('majority').lean<ChatMessageRecord>().exec(),
    async settle(appealId, items) {
      const ids = [...new Set(items.map((i) => i.msg.clientId))];
      const found = await m.chat
        .aggregate<ChatMessageRecord>([{ $match: { appealId: eq(appealId), clientId: { $in: ids } } }])
        .readConcern('majority')
        .exec();
      const byClient = new Map(found.map((d) => [d.clientId, toChat(d)]));
      const out = new Map<ChatItem, ChatOut>();
      for (const item of items) {
        const d = byClient.get(item.msg.clientId);
        if (d) out.set(item, { message: toChat(d), created: false });
      }
      return out;
    },
    build: (prev, item) => {
      if (typeof item.msg.clientId !== 'string') throw new TypeError('clientId must be a string');
      return toChat({ ...item.msg, seq: (prev?.seq ?? 0) + 1 });
    },
    insert: async (docs, items) => {
      // A batch waits for the journal unless every message in it may be acknowledged once committed.
      const durable = items.some((i) => i.durability === 'disk');
      await m.chat.insertMany(docs, orderedInsert(durable ? DURABLE : PROCESS));
    },
    output: (doc) => ({ message: toChat(doc), created: true }),
  });

  return {
    append(msg, options) {
      return inFlight.track(() => writer.append(msg.appealId, { msg, durability: options?.durability ?? 'disk' }));
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
      const docs = await m.chat.aggregate<ChatMessageRecord>([{ $match: match }, { $sort: { seq: newest ? -1 : 1 } }, { $limit: num(query.limit) }]).exec();
      const messages = docs.map(toChat);
      return newest ? messages.reverse() : messages;
    },
    async related(appealId, seqs, includeInternal) {
      const wanted = seqs.filter((n) => Number.isSafeInteger(n)).map(num);
      if (wanted.length === 0) return [];
      const match: Record<string, unknown> = { appealId: eq(appealId), $or: [{ seq: { $in: wanted } }, { editOf: { $in: wanted } }] };
      if (!includeInternal) match.internal = eq(false);
      const docs = await m.chat.aggregate<ChatMessageRecord>([{ $match: match }, { $sort: { seq: 1 } }]).exec();
      return docs.map(toChat);
    },
    async setReadMark(appealId, userId, seq) {
      const write = () => m.readMarks.updateOne({ appealId, userId }, { $set: { seq } }, { upsert: true }).exec();
      try {
        await inFlight.track(write);
      } catch (error) {
        // Two first-time upserts raced; the loser's retry is a plain update.
        if (!isDuplicateKey(error)) throw error;
        await guarded(() => inFlight.track(write));
      }
    },
    async readMarks(appealId) {
      const docs = await m.readMarks.find({ appealId }).lean<{ userId: string; seq: number }[]>().exec();
      return Object.fromEntries(docs.map((d) => [d.userId, d.seq]));
    },
  };
}
