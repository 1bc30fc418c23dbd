/**
 * Every query and update the MongoDB adapter sends, built by its own models
 * with mongoose's casting and sanitising but no server (test/helpers/mongo-shapes.ts).
 * Catches on any machine what a real server would refuse or get wrong: a
 * filter that does not cast, an update naming a path twice (code 40), an
 * operator neutralised by sanitizeFilter, an undefined filter value, and a
 * sorted read no index serves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { LocalBus } from '../../server/domain/events.js';
import { ManualClock } from '../../server/lib/clock.js';
import { sweepExpired } from '../../server/store/mongo/accounts.repo.js';
import type { AppealPatch, Store } from '../../server/store/store.js';
import {
  T0,
  makeAppeal,
  makeAttachment,
  makeAttachmentVersion,
  makeAuditDraft,
  makeCaseEntry,
  makeCategory,
  makeChatMessage,
  makeCode,
  makeDepartment,
  makeHistoryEntry,
  makeRegisteredAppeal,
  makeSession,
  makeUser,
} from '../helpers/factories.js';
import { indexKeysOf, isServed, neutralisedOperators, shapeHarness, updateConflicts } from '../helpers/mongo-shapes.js';
import type { Sent } from '../helpers/mongo-shapes.js';

let h: ReturnType<typeof shapeHarness>;
beforeEach(() => {
  h = shapeHarness();
});
afterEach(async () => {
  await h.restore();
});

/** Stored form of an appeal as the fake server returns it. */
const appealDoc = (overrides: Record<string, unknown> = {}) => {
  const { number: _number, ...rest } = makeAppeal({ version: 1 });
  return { ...rest, deadlineSort: Number.MAX_SAFE_INTEGER, historySeq: 1, lastHistory: { ...makeHistoryEntry(), appealId: rest.id, seq: 1 }, ...overrides };
};

/** Calls every repository method once, with every filter shape the domain uses. */
async function exerciseEverything(store: typeof h.store, fixtures: typeof h.fixtures): Promise<void> {
  const user = makeUser();
  fixtures.users = user;
  await store.users.create(user);
  await store.users.get(user.id);
  await store.users.findByLogin(user.email);
  await store.users.update(user.id, { fullName: 'Другое Имя', id: 'other', createdAt: 0 } as never);
  await store.users.list({ role: 'operator', limit: 10, offset: 0 });
  await store.users.list({ departmentId: 'd', limit: 10, offset: 0 });
  await store.users.list({ limit: 10, offset: 0 });
  await store.users.count();

  const session = makeSession();
  await store.sessions.create(session);
  await store.sessions.get(session.id);
  await store.sessions.touch(session.id, T0);
  await store.sessions.delete(session.id);
  await store.sessions.deleteForUser(session.userId);

  const code = makeCode();
  fixtures.codes = { ...code, attempts: 1 };
  await store.codes.create(code);
  await store.codes.get(code.id);
  await store.codes.addAttempt(code.id);
  await store.codes.consume(code.id, T0);
  await store.codes.countSince(code.userId, 'email', T0);

  const dep = makeDepartment();
  const cat = makeCategory({ departmentId: dep.id });
  fixtures.departments = dep;
  fixtures.categories = cat;
  await store.catalogue.createDepartment(dep);
  await store.catalogue.updateDepartment(dep.id, { name: 'x', id: 'other' } as never);
  await store.catalogue.listDepartments();
  await store.catalogue.createCategory(cat);
  await store.catalogue.updateCategory(cat.id, { archived: true, id: 'other' } as never);
  await store.catalogue.listCategories();

  const draft = makeAppeal();
  const doc = appealDoc({ id: draft.id });
  fixtures.appeals = doc;
  await store.appeals.create(draft, makeAuditDraft());
  await store.appeals.create(makeRegisteredAppeal());
  await store.appeals.get(draft.id);
  await store.appeals.getByNumber('77-2026-000001');
  await store.appeals.update(draft.id, 1, { subject: 'x', deadlineAt: T0, assigneeId: null }, makeAuditDraft());
  await store.appeals.transition(draft.id, 1, { status: 'registered', number: '77-2026-000002' }, makeHistoryEntry(), makeAuditDraft());
  await store.appeals.history(draft.id);
  await store.appeals.history(draft.id, 1);
  const page = { limit: 20, offset: 0 };
  // The domain's list shapes: listMine, invitations, the queue's filters, the wall, auto-confirmation.
  await store.appeals.list({ citizenId: 'c', sort: 'created', ...page });
  await store.appeals.list({ expertId: 'e', excludeDrafts: true, sort: 'deadline', ...page });
  for (const sort of ['deadline', 'created'] as const) {
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, sort, ...page });
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, status: 'in_progress', sort, ...page });
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, categoryId: 'k', priority: 'high', sort, ...page });
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, overdueAt: T0, sort, ...page });
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, assigneeId: null, sort, ...page });
    await store.appeals.list({ departmentId: 'd', excludeDrafts: true, assigneeId: 'op', sort, ...page });
  }
  await store.appeals.list({ status: 'awaiting_confirmation', sort: 'created', limit: 500, offset: 0 });
  // The supervisors' reviews of ratings (FeedbackService.list).
  await store.appeals.list({ departmentId: 'd', reviewStates: ['pending', 'in_review'], sort: 'created', ...page });
  // Links and kinds (AppealLinkService): the repeats of an appeal, the queue by kind, an escalation's two writes as one.
  await store.appeals.list({ repeatOfId: 'r', excludeDrafts: true, sort: 'created', limit: 50, offset: 0 });
  await store.appeals.list({ departmentId: 'd', excludeDrafts: true, type: 'suggestion', sort: 'deadline', ...page });
  await store.appeals.createLinked(makeRegisteredAppeal(), draft.id, 2, { escalations: [], readerDepartmentIds: ['d'] }, makeAuditDraft());

  await store.audit.append(makeAuditDraft());
  await store.audit.list(0, 10);

  await store.chat.append(makeChatMessage({ appealId: 'room' }));
  await store.chat.append(makeChatMessage({ appealId: 'room' }), { durability: 'process' });
  await store.chat.list('room', { limit: 10, includeInternal: false });
  await store.chat.list('room', { afterSeq: 3, limit: 10, includeInternal: true });
  await store.chat.list('room', { beforeSeq: 9, limit: 10, includeInternal: true });
  await store.chat.setReadMark('room', 'u', 3);
  await store.chat.readMarks('room');

  fixtures.yjs_updates = { appealId: 'room', seq: 4, at: T0 };
  await store.yjs.append('room', new Uint8Array([1, 2]), 'u', T0, { durability: 'process' });
  await store.yjs.load('room');
  await store.yjs.compact('room', 4, new Uint8Array([1]));
  await store.yjs.saveVersion({ id: 'v1', appealId: 'room', at: T0, authorIds: ['u'], state: new Uint8Array([1]) });
  await store.yjs.listVersions('room');
  await store.yjs.getVersion('room', 'v1');

  const att = makeAttachment();
  fixtures.attachments = att;
  await store.attachments.create(att, makeAuditDraft());
  await store.attachments.get(att.id);
  await store.attachments.list(att.appealId);
  await store.attachments.addVersion(att.id, makeAttachmentVersion({ version: 2 }), makeAuditDraft());
  await store.attachments.setCurrent(att.id, 1, makeAuditDraft());

  await store.counters.next('appeal:77:2026');

  await store.caseEntries.append(makeCaseEntry({ appealId: 'room' }), makeAuditDraft());
  await store.caseEntries.list('room');
  await store.caseEntries.list('room', 2);
  await store.caseEntries.seenMark('room', 'u');
  await store.caseEntries.markSeen('room', 'u', 3);

  fixtures.calendar_years = { year: 2026, decree: null, days: [{ date: '2026-05-11', kind: 'day_off', note: '' }], updatedAt: T0, updatedBy: null };
  await store.calendar.put({
    year: 2026,
    decree: 'Постановление',
    days: [{ date: '2026-05-11', kind: 'day_off', note: '' }],
    updatedAt: T0,
    updatedBy: 'admin',
  });
  await store.calendar.get(2026);
  await store.calendar.list();
  await h.outbox.sweep();
  await sweepExpired(h.models, T0);
}

const describeSent = (s: Sent): string =>
  `${s.collection}.${s.op} ${JSON.stringify({ filter: s.filter, update: s.update, pipeline: s.pipeline, sort: s.options?.sort })}`;

describe('MongoDB adapter: commands as built by mongoose, without a server', () => {
  it('casts every query and update of every repository method', async () => {
    await exerciseEverything(h.store, h.fixtures);
    expect(h.sent.length).toBeGreaterThan(60);
  });

  it('names no path twice in any update (the server refuses that with ConflictingUpdateOperators)', async () => {
    await exerciseEverything(h.store, h.fixtures);
    const conflicting = h.sent.filter((s) => s.update && updateConflicts(s.update).length > 0).map(describeSent);
    expect(conflicting).toEqual([]);
  });

  it('leaves no operator of its own neutralised by sanitizeFilter (it would match as a value, i.e. nothing)', async () => {
    await exerciseEverything(h.store, h.fixtures);
    const filters = h.sent.flatMap((s) => [s.filter, ...(s.pipeline ?? []).map((stage) => stage.$match)]).filter(Boolean);
    expect(filters.flatMap((f) => neutralisedOperators(f))).toEqual([]);
  });

  it('appends an attachment version with a filter that casts (the `$ne` form threw a CastError before reaching the server)', async () => {
    h.fixtures.attachments = makeAttachment();
    const added = await h.store.attachments.addVersion('att', makeAttachmentVersion({ version: 2 }));
    expect(added).not.toBeNull();
    const sent = h.sent.find((s) => s.collection === 'attachments' && s.op === 'findOneAndUpdate');
    expect(sent?.filter).toEqual({ $nor: [{ 'versions.version': 2 }], id: 'att' });
  });

  it('leaves immutable keys and names that are no field out of an appeal patch ($set.version beside $inc.version is refused)', async () => {
    h.fixtures.appeals = appealDoc();
    const patch = { subject: 'x', version: 7, id: 'other', citizenId: 'other', createdAt: 0, nonsense: 1 } as unknown as AppealPatch;
    await h.store.appeals.update('a', 1, patch);
    const sent = h.sent.find((s) => s.collection === 'appeals' && s.op === 'findOneAndUpdate');
    expect(sent?.update).toEqual({ $set: { subject: 'x' }, $inc: { version: 1 } });
  });

  it('removes `number` instead of storing null, so drafts stay out of the sparse unique index', async () => {
    h.fixtures.appeals = appealDoc();
    await h.store.appeals.create(makeAppeal({ number: null }));
    expect(h.sent.find((s) => s.op === 'insertOne' && s.collection === 'appeals')?.docs?.[0]).not.toHaveProperty('number');
    await h.store.appeals.update('a', 1, { number: null });
    expect(h.sent.find((s) => s.op === 'findOneAndUpdate')?.update).toEqual({ $inc: { version: 1 }, $unset: { number: 1 } });
  });

  it('refuses an undefined filter value instead of letting the driver drop the key (which matches every document)', async () => {
    const undef = undefined as unknown as string;
    await expect(h.store.sessions.delete(undef)).rejects.toThrow(/undefined value in a MongoDB filter at id/);
    await expect(h.store.users.get(undef)).rejects.toThrow(/undefined value/);
    await expect(h.store.appeals.update(undef, 1, { subject: 'x' })).rejects.toThrow(/undefined value/);
    await expect(h.store.chat.list(undef, { limit: 1, includeInternal: true })).rejects.toThrow(/undefined value/);
    expect(h.sent.filter((s) => s.op === 'deleteOne' || s.op === 'findOneAndUpdate')).toEqual([]);
  });

  it('serves every sorted read, and every filtered one, from a declared index', async () => {
    await exerciseEverything(h.store, h.fixtures);
    const reads = h.sent.filter((s) => s.op === 'find' || s.op === 'findOne' || s.op === 'aggregate' || s.op === 'countDocuments');
    const unserved = reads
      .map((s) => {
        const match = (s.pipeline?.[0]?.$match ?? s.filter) as Record<string, unknown> | undefined;
        const sortStage = s.pipeline?.find((stage) => stage.$sort)?.$sort as Record<string, number> | undefined;
        const sort = sortStage ?? (s.options?.sort as Record<string, number> | undefined);
        return { s, ok: isServed(indexKeysOf(h.models, s.collection), match, sort) };
      })
      .filter((r) => !r.ok)
      .map((r) => describeSent(r.s));
    expect(unserved).toEqual([]);
  });

  it("saving a draft (PATCH /api/appeals/:id) sends no `version` in the patch: the request's version is the compare-and-set's", async () => {
    const citizen = makeUser();
    const doc = appealDoc({ citizenId: citizen.id, status: 'draft', historySeq: 0, lastHistory: null });
    h.fixtures.appeals = doc;
    h.fixtures.users = citizen;
    const clock = new ManualClock();
    const store = h.store as unknown as Store;
    const patches: AppealPatch[] = [];
    const update = store.appeals.update.bind(store.appeals);
    store.appeals.update = (id, v, patch, audit) => {
      patches.push(patch);
      return update(id, v, patch, audit);
    };
    const service = new AppealService({ store, clock, audit: new AuditService(store, clock), bus: new LocalBus(), secret: 's' });
    await service.updateDraft({ id: citizen.id, role: 'citizen', departmentId: null, sessionId: 's' }, doc.id, { subject: 'Новая тема', version: 1 });
    expect(patches).toHaveLength(1);
    expect(patches[0]).not.toHaveProperty('version');
    const sent = h.sent.find((s) => s.collection === 'appeals' && s.op === 'findOneAndUpdate');
    expect(sent && updateConflicts(sent.update ?? {})).toEqual([]);
  });
});
