/**
 * How the MongoDB adapter writes, seen at the driver without a server
 * (test/helpers/mongo-shapes.ts): batched appends on a majority-read tail,
 * retries of a transient failure, the write concern of each durability level,
 * compaction in one delete, and the journal outbox when the append fails.
 */
import mongoose from 'mongoose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeAppeal, makeAuditDraft, makeChatMessage, makeHistoryEntry, T0 } from '../helpers/factories.js';
import { shapeHarness } from '../helpers/mongo-shapes.js';

let h: ReturnType<typeof shapeHarness>;
const logger = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
afterEach(async () => {
  await h.restore();
  vi.clearAllMocks();
});

/** A command as the server would get it (mongoose subdocuments and trusted markers serialised away). */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;
const inserts = (collection: string) => h.sent.filter((s) => s.op === 'insertMany' && s.collection === collection);
const tailReads = (collection: string) => h.sent.filter((s) => s.op === 'findOne' && s.collection === collection);
/** The updates that take journal entries out of a document's outbox, as plain objects. */
const outboxRemovals = (collection: string) =>
  h.sent.filter((s) => s.op === 'updateOne' && s.collection === collection && '$pullAll' in (s.update as object)).map((s) => plain(s.update));

describe('MongoDB adapter: appends to a log', () => {
  it('stores the appends made together in one ordered insert, numbered on one tail read', async () => {
    h = shapeHarness();
    const stored = await Promise.all(Array.from({ length: 20 }, (_, i) => h.store.chat.append(makeChatMessage({ appealId: 'room', clientId: `c${i}` }))));
    expect(stored.map((r) => r.message.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(inserts('chat_messages')).toHaveLength(1);
    expect(inserts('chat_messages')[0]?.options).toMatchObject({ ordered: true });
    expect(tailReads('chat_messages')).toHaveLength(1);
  });

  it('reads the tail of every log with read concern majority, and only when it does not know it', async () => {
    h = shapeHarness();
    await h.store.audit.append(makeAuditDraft());
    await h.store.chat.append(makeChatMessage({ appealId: 'room' }));
    await h.store.yjs.append('room', new Uint8Array([1]), null, T0);
    await h.store.counters.next('n');
    for (const c of ['audit', 'chat_messages', 'yjs_updates', 'counters']) {
      expect(tailReads(c)).toHaveLength(1);
      expect(tailReads(c)[0]?.options?.readConcern).toEqual({ level: 'majority' });
    }
    await h.store.audit.append(makeAuditDraft());
    await h.store.chat.append(makeChatMessage({ appealId: 'room' }));
    await h.store.yjs.append('room', new Uint8Array([2]), null, T0);
    expect(h.sent.filter((s) => s.op === 'findOne')).toHaveLength(4);
  });

  it('retries a transient failure after a pause on a fresh tail, and a later batch continues the sequence', async () => {
    h = shapeHarness();
    h.failNext('insertMany', 'yjs_updates', new mongoose.mongo.MongoNetworkError('connection reset'));
    expect(await h.store.yjs.append('room', new Uint8Array([1]), null, T0)).toBe(1);
    expect(inserts('yjs_updates')).toHaveLength(2);
    expect(tailReads('yjs_updates')).toHaveLength(2);
    expect(await h.store.yjs.append('room', new Uint8Array([2]), null, T0)).toBe(2);
  });

  it('rejects the entries of a batch that failed for good, and reads the tail again next time', async () => {
    h = shapeHarness();
    h.failNext('insertMany', 'yjs_updates', new Error('refused'));
    await expect(h.store.yjs.append('room', new Uint8Array([1]), null, T0)).rejects.toThrow('refused');
    await h.store.yjs.append('room', new Uint8Array([1]), null, T0);
    expect(tailReads('yjs_updates')).toHaveLength(2);
  });

  it("acknowledges a 'process' append without the journal, a 'disk' one with it (both majority, with a write timeout)", async () => {
    h = shapeHarness();
    await h.store.yjs.append('room', new Uint8Array([1]), null, T0, { durability: 'process' });
    await h.store.chat.append(makeChatMessage({ appealId: 'room' }), { durability: 'process' });
    await h.store.yjs.append('room', new Uint8Array([2]), null, T0);
    await h.store.chat.append(makeChatMessage({ appealId: 'room' }));
    const concerns = h.sent.filter((s) => s.op === 'insertMany').map((s) => s.options?.writeConcern as { w: string; journal: boolean; wtimeoutMS: number });
    expect(concerns.map((c) => [c.w, c.journal, c.wtimeoutMS])).toEqual([
      ['majority', false, 15_000],
      ['majority', false, 15_000],
      ['majority', true, 15_000],
      ['majority', true, 15_000],
    ]);
  });

  it('compacts with one upsert and one ranged delete, not a delete per row', async () => {
    h = shapeHarness();
    h.fixtures.yjs_updates = { appealId: 'room', seq: 40, at: T0 };
    await h.store.yjs.compact('room', 40, new Uint8Array([1]));
    const writes = h.sent.filter((s) => s.collection === 'yjs_updates' && s.op !== 'findOne');
    expect(writes.map((s) => s.op)).toEqual(['updateOne', 'deleteMany']);
    expect(plain(writes[1]?.filter)).toEqual({ appealId: 'room', seq: { $lt: 40 } });
  });
});

describe('MongoDB adapter: the journal outbox', () => {
  const appealDoc = (id: string, outbox: unknown[]) => {
    const { number: _n, ...rest } = makeAppeal({ id, version: 2 });
    return { ...rest, deadlineSort: 0, historySeq: 1, lastHistory: { ...makeHistoryEntry(), appealId: id, seq: 1 }, auditOutbox: outbox };
  };

  it('writes the entry into the changed document with the change, appends it under its key, then removes it', async () => {
    h = shapeHarness();
    const entry = { key: 'k-1', draft: makeAuditDraft({ action: 'appeal.assigned' }) };
    h.fixtures.appeals = appealDoc('a', [entry]);
    await h.store.appeals.update('a', 1, { assigneeId: 'op' }, makeAuditDraft({ action: 'appeal.assigned' }));
    const cas = h.sent.find((s) => s.op === 'findOneAndUpdate' && s.collection === 'appeals');
    expect(cas?.update).toMatchObject({ $push: { auditOutbox: { key: expect.any(String), draft: expect.objectContaining({ action: 'appeal.assigned' }) } } });
    expect(inserts('audit')[0]?.docs?.[0]).toMatchObject({ key: 'k-1', action: 'appeal.assigned', seq: 1 });
    // (An update that changes an analytics figure also sets `an` in a write of its own: analytics.port.ts.)
    expect(outboxRemovals('appeals')).toEqual([{ $pullAll: { auditOutbox: [entry] } }]);
  });

  it('resolves a committed change whose journal append failed, keeps the entry in the outbox and reports it', async () => {
    h = shapeHarness({ logger });
    h.fixtures.appeals = appealDoc('a', [{ key: 'k-1', draft: makeAuditDraft() }]);
    h.failNext('insertMany', 'audit', new Error('journal unavailable'));
    const updated = await h.store.appeals.update('a', 1, { subject: 'x' }, makeAuditDraft());
    expect(updated?.id).toBe('a');
    expect(outboxRemovals('appeals')).toEqual([]);
    expect(logger.error).toHaveBeenCalledWith(expect.stringContaining('outbox'), expect.objectContaining({ collection: 'appeals', id: 'a' }));
  });

  it('appends an entry already in the journal (same key) only once', async () => {
    h = shapeHarness();
    const entry = { key: 'k-1', draft: makeAuditDraft() };
    h.fixtures.attachments = { id: 'att', appealId: 'a', currentVersion: 1, versions: [], createdAt: T0, auditOutbox: [entry] };
    vi.spyOn(mongoose.mongo.Collection.prototype, 'aggregate').mockImplementationOnce(
      () =>
        ({
          toArray: () =>
            Promise.resolve([
              { seq: 7, key: 'k-1', at: T0, actorId: null, action: 'x', subjectType: 'attachment', subjectId: 'att', details: {}, prevHash: '0', hash: '1' },
            ]),
          close: () => Promise.resolve(),
        }) as never,
    );
    await h.store.attachments.setCurrent('att', 1);
    expect(inserts('audit')).toEqual([]);
    expect(plain(h.sent.find((s) => s.op === 'updateOne' && s.collection === 'attachments')?.update)).toEqual({ $pullAll: { auditOutbox: [entry] } });
  });
});
