/**
 * The Store contract: every behaviour promised in server/store/store.ts, run
 * against each adapter (sqlite.test.ts, mongo.test.ts). Adapter-agnostic: it
 * talks to the port only. `makeStore` must return an empty store, and
 * `cleanup` must close it (tolerating an earlier close) and remove its data.
 * Times are fixed numbers; nothing here reads the wall clock.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppealFilter, AppealPatch, AuditRecord, Store } from '../../server/store/store.js';
import { MAX_STORED_BYTES, StoreError } from '../../server/store/store.js';
import {
  DAY,
  HOUR,
  T0,
  makeAuditDraft,
  makeAppeal,
  makeAttachment,
  makeAttachmentVersion,
  makeCaseEntry,
  makeCategory,
  makeChatMessage,
  makeCode,
  makeDepartment,
  makeHistoryEntry,
  makeRegisteredAppeal,
  makeSession,
  makeUser,
  uniq,
} from '../helpers/factories.js';
import { describeAnalytics } from './analytics.contract.js';
import { describeOversight } from './audit-query.contract.js';
import { describeCannedReplies } from './canned.contract.js';
import { describeErasure } from './erasure.contract.js';
import { describeAccessLog } from './access-log.contract.js';
import { describeAccountProfile } from './account-profile.contract.js';
import { describeSearch } from './search.contract.js';
import { describeSupportKind } from './support.contract.js';
import { describeChatEdits } from './chat-edits.contract.js';
import { describeAppealGroups } from './groups.contract.js';
import { describeClocks } from './clocks.contract.js';
import { describeDecisions } from './decisions.contract.js';
import { describeJobs } from './jobs.contract.js';
import { describeLinks } from './links.contract.js';
import { describeNotifications } from './notifications.contract.js';

export interface StoreHarness {
  store: Store;
  cleanup: () => Promise<void>;
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    (value: unknown) => {
      throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

async function expectDuplicate(p: Promise<unknown>, field?: string): Promise<void> {
  const error = await rejection(p);
  expect(error).toBeInstanceOf(StoreError);
  expect((error as StoreError).code).toBe('duplicate');
  if (field !== undefined) expect((error as StoreError).field).toBe(field);
}

/** Declares the whole contract suite for one adapter. */
export function runStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await makeStore();
      store = harness.store;
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    it('names its kind', () => {
      expect(['sqlite', 'mongo']).toContain(store.kind);
    });

    describeUsers(() => store);
    describeSessionsAndCodes(() => store);
    describeAccountProfile(() => store);
    describeCatalogue(() => store);
    describeAppeals(() => store);
    describeAppealList(() => store);
    describeAudit(() => store);
    describeAccessLog(() => store);
    describeOversight(() => store);
    describeChat(() => store);
    describeChatEdits(() => store);
    describeCannedReplies(() => store);
    describeErasure(() => store);
    describeSearch(() => store);
    describeAnalytics(() => store);
    describeSupportKind(() => store);
    describeAppealGroups(() => store);
    describeYjs(() => store);
    describeAttachmentsAndCounters(() => store);
    describeWriteBatches(() => store);
    describeHostileKeys(() => store);
    describeJobs(() => store);
    describeNotifications(() => store);
    describeCaseEntries(() => store);
    describeClocks(() => store);
    describeDecisions(() => store);
    describeLinks(() => store);
  });
}

/** A promise's value, or 'rejected'. */
const settled = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    (v) => v,
    () => 'rejected',
  );

function describeHostileKeys(s: () => Store): void {
  describe('keys the port types exclude', () => {
    it('sets only mutable fields: immutable keys and names that are no field are left out of a patch', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      // As the domain once passed them: the request's version inside the patch.
      const patch = { subject: 'Тема', version: 9, id: 'other', citizenId: 'other', createdAt: 1, nonsense: 1 } as unknown as AppealPatch;
      expect(await s().appeals.update(appeal.id, 1, patch)).toEqual({ ...appeal, subject: 'Тема', version: 2 });
      const moved = await s().appeals.transition(appeal.id, 2, { status: 'registered', version: 1 } as unknown as AppealPatch, makeHistoryEntry());
      expect(moved?.appeal).toEqual({ ...appeal, subject: 'Тема', status: 'registered', version: 3 });

      const user = makeUser();
      await s().users.create(user);
      expect(await s().users.update(user.id, { fullName: 'Пётр', id: 'other', createdAt: 1, nonsense: 1 } as never)).toEqual({ ...user, fullName: 'Пётр' });
      const dep = makeDepartment();
      await s().catalogue.createDepartment(dep);
      expect(await s().catalogue.updateDepartment(dep.id, { name: 'Иное', id: 'other' } as never)).toEqual({ ...dep, name: 'Иное' });
      const cat = makeCategory({ departmentId: dep.id });
      await s().catalogue.createCategory(cat);
      expect(await s().catalogue.updateCategory(cat.id, { archived: true, id: 'other' } as never)).toEqual({ ...cat, archived: true });
    });

    it('matches nothing with an undefined key: reads give null (or reject), writes change nothing', async () => {
      const undef = undefined as unknown as string;
      const user = makeUser();
      const session = makeSession({ userId: user.id });
      const code = makeCode({ userId: user.id });
      const appeal = makeAppeal();
      await s().users.create(user);
      await s().sessions.create(session);
      await s().codes.create(code);
      await s().appeals.create(appeal);
      for (const read of [s().users.get(undef), s().sessions.get(undef), s().codes.get(undef), s().appeals.get(undef)]) {
        expect([null, 'rejected']).toContainEqual(await settled(read));
      }
      await settled(s().sessions.delete(undef));
      await settled(s().sessions.touch(undef, T0 + DAY));
      expect([false, 'rejected']).toContainEqual(await settled(s().codes.consume(undef, T0)));
      expect([null, 'rejected']).toContainEqual(await settled(s().appeals.update(undef, 1, { subject: 'x' })));
      expect([null, 'rejected']).toContainEqual(await settled(s().users.update(undef, { fullName: 'x' })));
      expect(await s().sessions.get(session.id)).toEqual(session);
      expect(await s().codes.get(code.id)).toEqual(code);
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
      expect(await s().users.get(user.id)).toEqual(user);
    });
  });
}

function describeUsers(s: () => Store): void {
  describe('users', () => {
    it('stores a user and returns an equal record; unknown ids give null', async () => {
      const user = makeUser({ departmentId: 'dep-1', birthDate: null, inn: null, address: null, locked: true });
      await s().users.create(user);
      expect(await s().users.get(user.id)).toEqual(user);
      expect(await s().users.get('missing-id-000')).toBeNull();
    });

    it('returns copies: mutating a returned user changes nothing stored', async () => {
      const user = makeUser();
      await s().users.create(user);
      const got = (await s().users.get(user.id))!;
      got.fullName = 'Changed';
      got.emailConfirmed = false;
      expect(await s().users.get(user.id)).toEqual(user);
    });

    it('rejects a second user with the same e-mail as duplicate "email"', async () => {
      const user = makeUser();
      await s().users.create(user);
      await expectDuplicate(s().users.create(makeUser({ email: user.email })), 'email');
      expect(await s().users.count()).toBe(1);
    });

    it('rejects a second user with the same phone as duplicate "phone"', async () => {
      const user = makeUser();
      await s().users.create(user);
      await expectDuplicate(s().users.create(makeUser({ phone: user.phone })), 'phone');
    });

    it('rejects a second user with the same id as duplicate', async () => {
      const user = makeUser();
      await s().users.create(user);
      await expectDuplicate(s().users.create(makeUser({ id: user.id })));
    });

    it('finds by e-mail (case-insensitively) or by phone; unknown logins give null', async () => {
      const user = makeUser({ email: 'petrova@example.ru', phone: '+79161234567' });
      await s().users.create(user);
      expect(await s().users.findByLogin('petrova@example.ru')).toEqual(user);
      expect(await s().users.findByLogin('Petrova@Example.RU')).toEqual(user);
      expect(await s().users.findByLogin('+79161234567')).toEqual(user);
      expect(await s().users.findByLogin('nobody@example.ru')).toBeNull();
      expect(await s().users.findByLogin('+79990000000')).toBeNull();
    });

    it('updates with a patch and returns the new record; unknown ids give null', async () => {
      const user = makeUser();
      await s().users.create(user);
      const updated = await s().users.update(user.id, { role: 'operator', departmentId: 'dep-9', locked: true });
      const expected = { ...user, role: 'operator', departmentId: 'dep-9', locked: true };
      expect(updated).toEqual(expected);
      expect(await s().users.get(user.id)).toEqual(expected);
      expect(await s().users.update('missing-id-000', { locked: true })).toBeNull();
    });

    it('can set a nullable field to null and keeps fields outside the patch', async () => {
      const user = makeUser({ departmentId: 'dep-1' });
      await s().users.create(user);
      expect(await s().users.update(user.id, { departmentId: null })).toEqual({ ...user, departmentId: null });
    });

    it('rejects an update to a taken e-mail or phone as duplicate and keeps the user', async () => {
      const a = makeUser();
      const b = makeUser();
      await s().users.create(a);
      await s().users.create(b);
      await expectDuplicate(s().users.update(b.id, { email: a.email }), 'email');
      await expectDuplicate(s().users.update(b.id, { phone: a.phone }), 'phone');
      expect(await s().users.get(b.id)).toEqual(b);
    });

    it('lists by role and department, oldest first, with paging and the total', async () => {
      const ops = [0, 1, 2].map((i) => makeUser({ role: 'operator', departmentId: 'dep-a', createdAt: T0 + (3 - i) * HOUR }));
      const other = makeUser({ role: 'operator', departmentId: 'dep-b', createdAt: T0 });
      const citizen = makeUser({ createdAt: T0 + 10 * HOUR });
      for (const u of [...ops, other, citizen]) await s().users.create(u);

      const page = await s().users.list({ role: 'operator', departmentId: 'dep-a', limit: 2, offset: 0 });
      expect(page.total).toBe(3);
      expect(page.items.map((u) => u.id)).toEqual([ops[2]!.id, ops[1]!.id]);
      const next = await s().users.list({ role: 'operator', departmentId: 'dep-a', limit: 2, offset: 2 });
      expect(next).toEqual({ items: [ops[0]], total: 3 });

      expect((await s().users.list({ role: 'operator', limit: 10, offset: 0 })).total).toBe(4);
      expect((await s().users.list({ departmentId: 'dep-b', limit: 10, offset: 0 })).items).toEqual([other]);
      const all = await s().users.list({ limit: 10, offset: 0 });
      expect(all.total).toBe(5);
      expect(all.items.at(-1)).toEqual(citizen);
      expect(await s().users.count()).toBe(5);
    });

    it('lists by a part of the name or the e-mail, in any case (Cyrillic too), with the other filters', async () => {
      const petrova = makeUser({ fullName: 'Петрова Анна Сергеевна', email: 'anna.p@example.ru', role: 'operator', departmentId: 'dep-a', createdAt: T0 });
      const petrov = makeUser({ fullName: 'Петров Пётр', email: 'peter@example.ru', createdAt: T0 + HOUR });
      const sidorov = makeUser({ fullName: 'Сидоров Сидор', email: 'sid.petrov@example.ru', createdAt: T0 + 2 * HOUR });
      const dotted = makeUser({ fullName: 'Орлов (a.b) Олег', email: 'orlov@example.ru', createdAt: T0 + 3 * HOUR });
      for (const u of [petrova, petrov, sidorov, dotted]) await s().users.create(u);
      const ids = async (filter: { search: string; role?: 'operator' }): Promise<string[]> =>
        (await s().users.list({ ...filter, limit: 10, offset: 0 })).items.map((u) => u.id);

      expect(await ids({ search: 'ПЕТРОВ' })).toEqual([petrova.id, petrov.id]);
      expect(await ids({ search: 'петров' })).toEqual([petrova.id, petrov.id]);
      expect(await ids({ search: 'PETROV' })).toEqual([sidorov.id]);
      expect(await ids({ search: 'Anna.P@' })).toEqual([petrova.id]);
      expect(await ids({ search: 'петров', role: 'operator' })).toEqual([petrova.id]);
      // The text is literal: regex and LIKE characters match only themselves.
      expect(await ids({ search: '(a.b)' })).toEqual([dotted.id]);
      expect(await ids({ search: '.*' })).toEqual([]);
      expect(await ids({ search: '%' })).toEqual([]);
      const page = await s().users.list({ search: 'петров', limit: 1, offset: 1 });
      expect(page).toEqual({ items: [petrov], total: 2 });
    });
  });
}

function describeSessionsAndCodes(s: () => Store): void {
  describe('sessions', () => {
    it('stores, reads, touches and deletes a session', async () => {
      const session = makeSession();
      await s().sessions.create(session);
      expect(await s().sessions.get(session.id)).toEqual(session);
      await s().sessions.touch(session.id, T0 + DAY);
      expect(await s().sessions.get(session.id)).toEqual({ ...session, expiresAt: T0 + DAY });
      await s().sessions.delete(session.id);
      expect(await s().sessions.get(session.id)).toBeNull();
      await s().sessions.delete(session.id);
    });

    it('deletes every session of a user and returns their ids, leaving others', async () => {
      const userId = 'user-with-sessions';
      const mine = [makeSession({ userId }), makeSession({ userId })];
      const theirs = makeSession();
      for (const x of [...mine, theirs]) await s().sessions.create(x);
      const ids = await s().sessions.deleteForUser(userId);
      expect([...ids].sort()).toEqual(mine.map((x) => x.id).sort());
      expect(await s().sessions.get(mine[0]!.id)).toBeNull();
      expect(await s().sessions.get(theirs.id)).toEqual(theirs);
      expect(await s().sessions.deleteForUser(userId)).toEqual([]);
    });
  });

  describe('codes', () => {
    it('stores and reads a code', async () => {
      const code = makeCode({ channel: 'phone' });
      await s().codes.create(code);
      expect(await s().codes.get(code.id)).toEqual(code);
      expect(await s().codes.get('missing-id-000')).toBeNull();
    });

    it('counts failed attempts, each call returning the new count, also under concurrency', async () => {
      const code = makeCode();
      await s().codes.create(code);
      expect(await s().codes.addAttempt(code.id)).toBe(1);
      expect(await s().codes.addAttempt(code.id)).toBe(2);
      const counts = await Promise.all(range(10).map(() => s().codes.addAttempt(code.id)));
      expect([...counts].sort((a, b) => a - b)).toEqual(range(12).slice(2));
      expect((await s().codes.get(code.id))?.attempts).toBe(12);
    });

    it('consumes a code once: true the first time, false after, and records when', async () => {
      const code = makeCode();
      await s().codes.create(code);
      expect(await s().codes.consume(code.id, T0 + 5000)).toBe(true);
      expect(await s().codes.consume(code.id, T0 + 6000)).toBe(false);
      expect((await s().codes.get(code.id))?.consumedAt).toBe(T0 + 5000);
    });

    it('lets exactly one of many concurrent consumers win', async () => {
      const code = makeCode();
      await s().codes.create(code);
      const results = await Promise.all(range(20).map((i) => s().codes.consume(code.id, T0 + i)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('counts codes of a user on a channel created at or after an instant', async () => {
      const userId = 'user-counting-codes';
      const at = [T0 - HOUR, T0, T0 + HOUR];
      for (const createdAt of at) await s().codes.create(makeCode({ userId, channel: 'email', createdAt }));
      await s().codes.create(makeCode({ userId, channel: 'phone', createdAt: T0 + HOUR }));
      await s().codes.create(makeCode({ channel: 'email', createdAt: T0 + HOUR }));
      expect(await s().codes.countSince(userId, 'email', T0)).toBe(2);
      expect(await s().codes.countSince(userId, 'email', T0 - DAY)).toBe(3);
      expect(await s().codes.countSince(userId, 'phone', T0)).toBe(1);
      expect(await s().codes.countSince(userId, 'email', T0 + DAY)).toBe(0);
    });
  });
}

function describeCatalogue(s: () => Store): void {
  describe('catalogue', () => {
    it('stores, patches and lists departments ordered by code', async () => {
      const b = makeDepartment({ code: 'b-transport' });
      const a = makeDepartment({ code: 'a-health', level: 'federal' });
      await s().catalogue.createDepartment(b);
      await s().catalogue.createDepartment(a);
      expect(await s().catalogue.getDepartment(a.id)).toEqual(a);
      expect(await s().catalogue.listDepartments()).toEqual([a, b]);
      const renamed = await s().catalogue.updateDepartment(b.id, { name: 'Новое имя', level: 'municipal' });
      expect(renamed).toEqual({ ...b, name: 'Новое имя', level: 'municipal' });
      expect(await s().catalogue.getDepartment(b.id)).toEqual(renamed);
      expect(await s().catalogue.updateDepartment('missing-id-000', { name: 'x' })).toBeNull();
      expect(await s().catalogue.getDepartment('missing-id-000')).toBeNull();
    });

    it('rejects a duplicate department code, on create and on update', async () => {
      const a = makeDepartment();
      const b = makeDepartment();
      await s().catalogue.createDepartment(a);
      await s().catalogue.createDepartment(b);
      await expectDuplicate(s().catalogue.createDepartment(makeDepartment({ code: a.code })), 'code');
      await expectDuplicate(s().catalogue.updateDepartment(b.id, { code: a.code }), 'code');
      expect(await s().catalogue.getDepartment(b.id)).toEqual(b);
    });

    it('stores categories with their lists and flags, ordered by code', async () => {
      const c2 = makeCategory({ code: 'z-last', archived: true, keywords: [] });
      const c1 = makeCategory({ code: 'a-first', requiredDocuments: ['Паспорт', 'СНИЛС'] });
      await s().catalogue.createCategory(c2);
      await s().catalogue.createCategory(c1);
      expect(await s().catalogue.getCategory(c2.id)).toEqual(c2);
      expect(await s().catalogue.listCategories()).toEqual([c1, c2]);
      const patched = await s().catalogue.updateCategory(c1.id, { archived: true, keywords: ['новое'], deadlineDays: 15 });
      expect(patched).toEqual({ ...c1, archived: true, keywords: ['новое'], deadlineDays: 15 });
      expect(await s().catalogue.getCategory(c1.id)).toEqual(patched);
      expect(await s().catalogue.updateCategory('missing-id-000', { archived: true })).toBeNull();
    });

    it('returns category copies: mutating returned lists changes nothing stored', async () => {
      const cat = makeCategory();
      await s().catalogue.createCategory(cat);
      const got = (await s().catalogue.getCategory(cat.id))!;
      got.keywords.push('mutated');
      got.extraFields[0]!.label = 'mutated';
      expect(await s().catalogue.getCategory(cat.id)).toEqual(cat);
    });

    it('rejects a duplicate category code, on create and on update', async () => {
      const a = makeCategory();
      const b = makeCategory();
      await s().catalogue.createCategory(a);
      await s().catalogue.createCategory(b);
      await expectDuplicate(s().catalogue.createCategory(makeCategory({ code: a.code })), 'code');
      await expectDuplicate(s().catalogue.updateCategory(b.id, { code: a.code }), 'code');
    });
  });
}

function describeAppeals(s: () => Store): void {
  describe('appeals', () => {
    it('stores an appeal with its nested data and returns an equal record', async () => {
      const appeal = makeRegisteredAppeal({
        applicant: { kind: 'legal_entity', orgName: 'ООО Ромашка', orgInn: '7707083893', ogrn: '1027700132195' },
        expertIds: ['e1', 'e2'],
        extra: { plate: 'А001АА77', note: 'ёлка' },
      });
      await s().appeals.create(appeal);
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
      expect(await s().appeals.getByNumber(appeal.number!)).toEqual(appeal);
      expect(await s().appeals.get('missing-id-000')).toBeNull();
      expect(await s().appeals.getByNumber('RR-1999-000000')).toBeNull();
    });

    it('returns copies: mutating nested data of a returned appeal changes nothing stored', async () => {
      const appeal = makeAppeal({ expertIds: ['e1'] });
      await s().appeals.create(appeal);
      const got = (await s().appeals.get(appeal.id))!;
      got.expertIds.push('e2');
      got.details.service = 'mutated';
      got.extra.plate = 'mutated';
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
    });

    it('allows many appeals without a number but rejects a duplicate number', async () => {
      await s().appeals.create(makeAppeal());
      await s().appeals.create(makeAppeal());
      const numbered = makeRegisteredAppeal();
      await s().appeals.create(numbered);
      await expectDuplicate(s().appeals.create(makeRegisteredAppeal({ number: numbered.number })), 'number');
      const draft = makeAppeal();
      await s().appeals.create(draft);
      await expectDuplicate(s().appeals.update(draft.id, 1, { number: numbered.number }), 'number');
      expect(await s().appeals.get(draft.id)).toEqual(draft);
    });

    it('updates when the version matches, bumping it; a stale version gives null and changes nothing', async () => {
      const appeal = makeAppeal({ version: 1 });
      await s().appeals.create(appeal);
      const v2 = await s().appeals.update(appeal.id, 1, { subject: 'Новая тема', updatedAt: T0 + HOUR, assigneeId: 'op-1' });
      expect(v2).toEqual({ ...appeal, subject: 'Новая тема', updatedAt: T0 + HOUR, assigneeId: 'op-1', version: 2 });
      expect(await s().appeals.update(appeal.id, 1, { subject: 'stale' })).toBeNull();
      expect(await s().appeals.get(appeal.id)).toEqual(v2);
      const v3 = await s().appeals.update(appeal.id, 2, { assigneeId: null });
      expect(v3?.version).toBe(3);
      expect(v3?.assigneeId).toBeNull();
      expect(await s().appeals.update('missing-id-000', 1, { subject: 'x' })).toBeNull();
    });

    it('lets exactly one of concurrent updates with the same expected version succeed', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      const results = await Promise.all(range(10).map((i) => s().appeals.update(appeal.id, 1, { subject: `writer ${i}` })));
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await s().appeals.get(appeal.id)).toEqual(winners[0]);
      expect(winners[0]?.version).toBe(2);
    });

    it('transitions with a compare-and-set and appends history with seq 1, 2, 3', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      const first = await s().appeals.transition(appeal.id, 1, { status: 'registered', statusChangedAt: T0 + HOUR }, makeHistoryEntry({ at: T0 + HOUR }));
      expect(first?.appeal).toEqual({ ...appeal, status: 'registered', statusChangedAt: T0 + HOUR, version: 2 });
      expect(first?.entry).toEqual({ ...makeHistoryEntry({ at: T0 + HOUR, actorId: first?.entry.actorId }), appealId: appeal.id, seq: 1 });
      const take = makeHistoryEntry({ from: 'registered', to: 'in_progress', action: 'take', actorRole: 'operator', comment: 'беру' });
      const second = await s().appeals.transition(appeal.id, 2, { status: 'in_progress' }, take);
      expect(second?.entry).toEqual({ ...take, appealId: appeal.id, seq: 2 });
      expect(second?.appeal.version).toBe(3);
      const third = await s().appeals.transition(appeal.id, 3, { status: 'rejected' }, makeHistoryEntry({ action: 'reject' }));
      expect(third?.entry.seq).toBe(3);

      const history = await s().appeals.history(appeal.id);
      expect(history.map((h) => h.seq)).toEqual([1, 2, 3]);
      expect(history[1]).toEqual(second?.entry);
      expect((await s().appeals.history(appeal.id, 1)).map((h) => h.seq)).toEqual([2, 3]);
      expect(await s().appeals.history(appeal.id, 3)).toEqual([]);
      expect(await s().appeals.history('missing-id-000')).toEqual([]);
    });

    it('keeps history seqs separate per appeal', async () => {
      const a = makeAppeal();
      const b = makeAppeal();
      await s().appeals.create(a);
      await s().appeals.create(b);
      await s().appeals.transition(a.id, 1, { status: 'registered' }, makeHistoryEntry());
      const onB = await s().appeals.transition(b.id, 1, { status: 'registered' }, makeHistoryEntry());
      expect(onB?.entry.seq).toBe(1);
    });

    it('stores neither the update nor the history entry when a transition loses the race', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      expect(await s().appeals.transition(appeal.id, 7, { status: 'registered' }, makeHistoryEntry())).toBeNull();
      expect(await s().appeals.transition('missing-id-000', 1, { status: 'registered' }, makeHistoryEntry())).toBeNull();
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
      expect(await s().appeals.history(appeal.id)).toEqual([]);
    });

    it('appends the journal entry given with a transition, and none when the transition loses', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      const lost = await s().appeals.transition(
        appeal.id,
        9,
        { status: 'registered' },
        makeHistoryEntry(),
        makeAuditDraft({ action: 'appeal.lost', subjectId: appeal.id }),
      );
      expect(lost).toBeNull();
      expect(await s().audit.list(0, 10)).toEqual([]);
      const won = await s().appeals.transition(
        appeal.id,
        1,
        { status: 'registered' },
        makeHistoryEntry(),
        makeAuditDraft({ action: 'appeal.submit', subjectId: appeal.id }),
      );
      expect(won?.appeal.status).toBe('registered');
      const journal = await s().audit.list(0, 10);
      expect(journal.map((e) => [e.seq, e.action, e.subjectId])).toEqual([[1, 'appeal.submit', appeal.id]]);
    });

    it('appends the journal entry given with a create, and none when the create fails', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal, makeAuditDraft({ action: 'appeal.draft_created', subjectId: appeal.id }));
      await expectDuplicate(s().appeals.create(makeAppeal({ id: appeal.id }), makeAuditDraft({ action: 'appeal.lost' })));
      expect((await s().audit.list(0, 10)).map((e) => [e.seq, e.action, e.subjectId])).toEqual([[1, 'appeal.draft_created', appeal.id]]);
    });

    it('appends the journal entry given with an update, and none when the update loses', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      const draft = (action: string): ReturnType<typeof makeAuditDraft> => makeAuditDraft({ action, subjectId: appeal.id });
      expect(await s().appeals.update(appeal.id, 9, { subject: 'lost' }, draft('appeal.lost'))).toBeNull();
      expect(await s().audit.list(0, 10)).toEqual([]);
      const won = await s().appeals.update(appeal.id, 1, { subject: 'won' }, draft('appeal.assigned'));
      expect(won?.subject).toBe('won');
      expect((await s().audit.list(0, 10)).map((e) => [e.seq, e.action, e.subjectId])).toEqual([[1, 'appeal.assigned', appeal.id]]);
    });

    it('stores neither the update nor the history entry when the update violates a unique number', async () => {
      const taken = makeRegisteredAppeal();
      const appeal = makeAppeal();
      await s().appeals.create(taken);
      await s().appeals.create(appeal);
      await expectDuplicate(s().appeals.transition(appeal.id, 1, { status: 'registered', number: taken.number }, makeHistoryEntry()), 'number');
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
      expect(await s().appeals.history(appeal.id)).toEqual([]);
    });

    it('lets exactly one of concurrent transitions from the same version succeed, with one history entry', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      const results = await Promise.all(
        range(8).map((i) => s().appeals.transition(appeal.id, 1, { status: 'registered' }, makeHistoryEntry({ comment: `c${i}` }))),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      const history = await s().appeals.history(appeal.id);
      expect(history).toEqual([winners[0]?.entry]);
    });

    it('gives gapless history seqs to sequential transitions raced against plain updates', async () => {
      const appeal = makeAppeal();
      await s().appeals.create(appeal);
      let version = 1;
      for (let i = 0; i < 5; i++) {
        const [t] = await Promise.all([
          s().appeals.transition(appeal.id, version, { priority: 'high' }, makeHistoryEntry({ comment: `t${i}` })),
          s().appeals.update(appeal.id, version + 1, { subject: `after ${i}` }),
        ]);
        expect(t).not.toBeNull();
        version += 2;
      }
      expect((await s().appeals.history(appeal.id)).map((h) => h.seq)).toEqual([1, 2, 3, 4, 5]);
      expect((await s().appeals.get(appeal.id))?.version).toBe(11);
    });
  });
}

function describeAppealList(s: () => Store): void {
  describe('appeals.list', () => {
    const base: AppealFilter = { sort: 'created', limit: 100, offset: 0 };
    const ids = async (filter: Partial<AppealFilter>): Promise<string[]> => (await s().appeals.list({ ...base, ...filter })).items.map((a) => a.id);

    it('filters by citizen, department, status, category, priority and expert', async () => {
      const a = makeRegisteredAppeal({ citizenId: 'cit-a', departmentId: 'dep-a', categoryId: 'cat-a', priority: 'high', expertIds: ['exp-1', 'exp-2'] });
      const b = makeRegisteredAppeal({ citizenId: 'cit-b', departmentId: 'dep-a', categoryId: 'cat-b', status: 'in_progress', expertIds: ['exp-2'] });
      const c = makeAppeal({ citizenId: 'cit-a', departmentId: 'dep-c', categoryId: 'cat-a', priority: 'urgent' });
      for (const x of [a, b, c]) await s().appeals.create(x);

      expect((await ids({ citizenId: 'cit-a' })).sort()).toEqual([a.id, c.id].sort());
      expect((await ids({ departmentId: 'dep-a' })).sort()).toEqual([a.id, b.id].sort());
      expect(await ids({ status: 'in_progress' })).toEqual([b.id]);
      expect((await ids({ categoryId: 'cat-a' })).sort()).toEqual([a.id, c.id].sort());
      expect(await ids({ priority: 'urgent' })).toEqual([c.id]);
      expect(await ids({ expertId: 'exp-1' })).toEqual([a.id]);
      expect((await ids({ expertId: 'exp-2' })).sort()).toEqual([a.id, b.id].sort());
      expect(await ids({ expertId: 'exp' })).toEqual([]);
      expect(await ids({ citizenId: 'cit-a', categoryId: 'cat-a', priority: 'high' })).toEqual([a.id]);
      expect(await ids({ citizenId: 'nobody' })).toEqual([]);
    });

    it('excludes drafts when asked', async () => {
      const draft = makeAppeal();
      const filed = makeRegisteredAppeal();
      await s().appeals.create(draft);
      await s().appeals.create(filed);
      expect(await ids({ excludeDrafts: true })).toEqual([filed.id]);
      expect(await ids({})).toHaveLength(2);
    });

    it('filters by assignee, with null meaning unassigned', async () => {
      const mine = makeRegisteredAppeal({ assigneeId: 'op-1' });
      const theirs = makeRegisteredAppeal({ assigneeId: 'op-2' });
      const free = makeRegisteredAppeal({ assigneeId: null });
      for (const x of [mine, theirs, free]) await s().appeals.create(x);
      expect(await ids({ assigneeId: 'op-1' })).toEqual([mine.id]);
      expect(await ids({ assigneeId: null })).toEqual([free.id]);
      expect(await ids({ assigneeId: undefined })).toHaveLength(3);
    });

    it('finds overdue appeals: deadline strictly before the instant, not completed, rejected or draft', async () => {
      const now = T0 + 40 * DAY;
      const overdue = makeRegisteredAppeal({ deadlineAt: now - 1 });
      const overdueWorking = makeRegisteredAppeal({ deadlineAt: now - DAY, status: 'in_progress' });
      const exactlyNow = makeRegisteredAppeal({ deadlineAt: now });
      const future = makeRegisteredAppeal({ deadlineAt: now + 1 });
      const done = makeRegisteredAppeal({ deadlineAt: now - DAY, status: 'completed' });
      const rejected = makeRegisteredAppeal({ deadlineAt: now - DAY, status: 'rejected' });
      const draft = makeAppeal({ deadlineAt: now - DAY });
      const noDeadline = makeRegisteredAppeal({ deadlineAt: null });
      for (const x of [overdue, overdueWorking, exactlyNow, future, done, rejected, draft, noDeadline]) await s().appeals.create(x);
      expect((await ids({ overdueAt: now })).sort()).toEqual([overdue.id, overdueWorking.id].sort());
      expect((await s().appeals.list({ ...base, overdueAt: now })).total).toBe(2);
    });

    it('sorts by deadline ascending with no deadline last, ties by creation time', async () => {
      const late = makeRegisteredAppeal({ deadlineAt: T0 + 20 * DAY, createdAt: T0 });
      const soonOld = makeRegisteredAppeal({ deadlineAt: T0 + 5 * DAY, createdAt: T0 + HOUR });
      const soonNew = makeRegisteredAppeal({ deadlineAt: T0 + 5 * DAY, createdAt: T0 + 2 * HOUR });
      const noneOld = makeAppeal({ deadlineAt: null, createdAt: T0 - DAY });
      const noneNew = makeAppeal({ deadlineAt: null, createdAt: T0 + DAY });
      for (const x of [noneNew, late, soonNew, noneOld, soonOld]) await s().appeals.create(x);
      expect(await ids({ sort: 'deadline' })).toEqual([soonOld.id, soonNew.id, late.id, noneOld.id, noneNew.id]);
    });

    it('sorts by creation time, newest first', async () => {
      const list = [3, 1, 4, 2].map((h) => makeAppeal({ createdAt: T0 + h * HOUR }));
      for (const x of list) await s().appeals.create(x);
      expect(await ids({ sort: 'created' })).toEqual([list[2]!.id, list[0]!.id, list[3]!.id, list[1]!.id]);
    });

    it('pages with limit and offset and reports the total of the whole filter', async () => {
      const list = range(7).map((h) => makeRegisteredAppeal({ createdAt: T0 + h * HOUR, departmentId: 'dep-paged' }));
      for (const x of list) await s().appeals.create(x);
      await s().appeals.create(makeRegisteredAppeal({ departmentId: 'dep-other' }));
      const newestFirst = [...list].reverse().map((a) => a.id);
      const p1 = await s().appeals.list({ ...base, departmentId: 'dep-paged', limit: 3, offset: 0 });
      const p3 = await s().appeals.list({ ...base, departmentId: 'dep-paged', limit: 3, offset: 6 });
      expect(p1.total).toBe(7);
      expect(p1.items.map((a) => a.id)).toEqual(newestFirst.slice(0, 3));
      expect(p3).toEqual({ items: [list[0]], total: 7 });
      expect((await s().appeals.list({ ...base, departmentId: 'dep-paged', limit: 3, offset: 10 })).items).toEqual([]);
    });

    it('selects only open appeals in the query (the wall): 5 open among 1,000 closed ones, by deadline and paged, the total counting the open ones', async () => {
      const dep = 'dep-busy';
      // Closed appeals with the nearest deadlines: a query that filtered them out afterwards would fill its pages with them.
      const closed = range(1000).map((i) =>
        makeRegisteredAppeal({
          number: `WL-2026-${String(i).padStart(6, '0')}`,
          departmentId: dep,
          status: i % 2 === 0 ? 'completed' : 'rejected',
          deadlineAt: T0 + i * HOUR,
          createdAt: T0 + i,
        }),
      );
      for (let i = 0; i < closed.length; i += 100) await Promise.all(closed.slice(i, i + 100).map((a) => s().appeals.create(a)));
      const open = (['registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'registered'] as const).map((status, i) =>
        makeRegisteredAppeal({ number: `WO-2026-${String(i).padStart(6, '0')}`, departmentId: dep, status, deadlineAt: T0 + 2000 * HOUR + i * HOUR }),
      );
      for (const a of open) await s().appeals.create(a);
      await s().appeals.create(makeAppeal({ departmentId: dep, deadlineAt: T0 }));
      await s().appeals.create(makeRegisteredAppeal({ departmentId: 'dep-other', deadlineAt: T0 }));

      const filter: AppealFilter = { departmentId: dep, openOnly: true, sort: 'deadline', limit: 100, offset: 0 };
      const all = await s().appeals.list(filter);
      expect(all.total).toBe(5);
      expect(all.items.map((a) => a.id)).toEqual(open.map((a) => a.id));
      const p1 = await s().appeals.list({ ...filter, limit: 2, offset: 0 });
      const p3 = await s().appeals.list({ ...filter, limit: 2, offset: 4 });
      expect(p1.items.map((a) => a.id)).toEqual([open[0]!.id, open[1]!.id]);
      expect(p3).toEqual({ items: [open[4]], total: 5 });
      expect((await s().appeals.list({ ...filter, openOnly: false })).total).toBe(1006);
      // 1,000 inserts take seconds on FerretDB.
    }, 120_000);
  });
}

function describeAudit(s: () => Store): void {
  /** The chain's hash, computed here independently of the adapters' code. */
  const expectedHash = (e: Omit<AuditRecord, 'hash'>): string =>
    sha(JSON.stringify([e.seq, e.at, e.actorId, e.action, e.subjectType, e.subjectId, e.details, e.prevHash]));

  describe('audit', () => {
    it('numbers the first entry 1 on the genesis hash, links the next to it; lists after a seq', async () => {
      const first = await s().audit.append(
        makeAuditDraft({ action: 'user.create', subjectId: 'u1', details: { role: 'operator', n: 1, nested: { ok: true } } }),
      );
      expect(first).toMatchObject({
        seq: 1,
        prevHash: '0'.repeat(64),
        action: 'user.create',
        subjectId: 'u1',
        details: { role: 'operator', n: 1, nested: { ok: true } },
      });
      const second = await s().audit.append(makeAuditDraft({ action: 'user.lock' }));
      expect(second.seq).toBe(2);
      expect(second.prevHash).toBe(first.hash);
      const { hash, ...body } = second;
      expect(hash).toBe(expectedHash(body));
      expect(await s().audit.list(0, 10)).toEqual([first, second]);
      expect(await s().audit.list(1, 10)).toEqual([second]);
      expect(await s().audit.list(0, 1)).toEqual([first]);
      expect(await s().audit.list(2, 10)).toEqual([]);
    });

    it('forms one unbroken hash chain from 100 concurrent appends', async () => {
      const results = await Promise.all(range(100).map((i) => s().audit.append(makeAuditDraft({ subjectId: `s${i}`, at: T0 + i }))));
      const entries = await s().audit.list(0, 1000);
      expect(entries).toHaveLength(100);
      expect(entries.map((e) => e.seq)).toEqual(range(100));
      let prev = '0'.repeat(64);
      for (const e of entries) {
        expect(e.prevHash).toBe(prev);
        const { hash, ...body } = e;
        expect(hash).toBe(expectedHash(body));
        prev = e.hash;
      }
      expect(new Set(results.map((r) => r.seq)).size).toBe(100);
    });

    it('rejects only the append that cannot be sealed (details that are not JSON); the chain continues without it', async () => {
      const results = await Promise.allSettled([
        s().audit.append(makeAuditDraft({ subjectId: 'a' })),
        s().audit.append(makeAuditDraft({ subjectId: 'b', details: { big: 10n } })),
        s().audit.append(makeAuditDraft({ subjectId: 'c' })),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      const entries = await s().audit.list(0, 10);
      expect(entries.map((e) => e.subjectId)).toEqual(['a', 'c']);
      expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    });

    it('returns copies: mutating the returned entry changes nothing stored', async () => {
      const first = await s().audit.append(makeAuditDraft({ details: { k: 'v' } }));
      first.details.k = 'mutated';
      expect((await s().audit.list(0, 1))[0]?.details).toEqual({ k: 'v' });
    });
  });
}

function describeChat(s: () => Store): void {
  describe('chat', () => {
    it('gives each room its own seq 1, 2, 3 and returns the stored message', async () => {
      const room = 'room-a';
      const m1 = makeChatMessage({ appealId: room, at: T0 });
      const r1 = await s().chat.append(m1);
      expect(r1).toEqual({ message: { ...m1, seq: 1 }, created: true });
      expect((await s().chat.append(makeChatMessage({ appealId: room }))).message.seq).toBe(2);
      expect((await s().chat.append(makeChatMessage({ appealId: 'room-b' }))).message.seq).toBe(1);
      expect((await s().chat.append(makeChatMessage({ appealId: room }))).message.seq).toBe(3);
    });

    it('stores nothing for a retried clientId and returns the first record with created=false', async () => {
      const first = makeChatMessage({ appealId: 'room-retry', text: 'первый' });
      await s().chat.append(first);
      const retry = await s().chat.append({ ...first, text: 'повтор', at: T0 + HOUR });
      expect(retry).toEqual({ message: { ...first, seq: 1 }, created: false });
      expect(await s().chat.list('room-retry', { limit: 10, includeInternal: true })).toHaveLength(1);
      const otherRoom = await s().chat.append({ ...first, appealId: 'room-other' });
      expect(otherRoom.created).toBe(true);
    });

    it('gives 50 concurrent appends seqs 1..50 without gaps', async () => {
      const results = await Promise.all(range(50).map((i) => s().chat.append(makeChatMessage({ appealId: 'room-busy', text: `m${i}` }))));
      expect(results.every((r) => r.created)).toBe(true);
      expect(results.map((r) => r.message.seq).sort((a, b) => a - b)).toEqual(range(50));
      const listed = await s().chat.list('room-busy', { limit: 100, includeInternal: true });
      expect(listed.map((m) => m.seq)).toEqual(range(50));
    });

    it('stores one row for concurrent appends with the same clientId', async () => {
      const msg = makeChatMessage({ appealId: 'room-dup' });
      const results = await Promise.all(range(10).map(() => s().chat.append(msg)));
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.message.seq))).toEqual(new Set([1]));
      expect(await s().chat.list('room-dup', { limit: 100, includeInternal: true })).toEqual([{ ...msg, seq: 1 }]);
    });

    it('lists ascending, after a seq, or the newest before a seq, with a limit', async () => {
      const room = 'room-list';
      for (const i of range(10)) await s().chat.append(makeChatMessage({ appealId: room, text: `m${i}`, at: T0 + i }));
      const seqs = async (q: { afterSeq?: number; beforeSeq?: number; limit: number }): Promise<number[]> =>
        (await s().chat.list(room, { ...q, includeInternal: true })).map((m) => m.seq);
      expect(await seqs({ limit: 3 })).toEqual([1, 2, 3]);
      expect(await seqs({ afterSeq: 7, limit: 10 })).toEqual([8, 9, 10]);
      expect(await seqs({ afterSeq: 2, limit: 2 })).toEqual([3, 4]);
      expect(await seqs({ beforeSeq: 9, limit: 3 })).toEqual([6, 7, 8]);
      expect(await seqs({ beforeSeq: 3, limit: 5 })).toEqual([1, 2]);
      expect(await seqs({ afterSeq: 2, beforeSeq: 8, limit: 2 })).toEqual([6, 7]);
      expect(await seqs({ afterSeq: 10, limit: 5 })).toEqual([]);
      expect(await s().chat.list('room-empty', { limit: 5, includeInternal: true })).toEqual([]);
    });

    it('hides internal notes unless asked to include them', async () => {
      const room = 'room-internal';
      await s().chat.append(makeChatMessage({ appealId: room }));
      const note = await s().chat.append(makeChatMessage({ appealId: room, internal: true, authorRole: 'operator' }));
      await s().chat.append(makeChatMessage({ appealId: room }));
      expect(note.message.internal).toBe(true);
      const visible = await s().chat.list(room, { limit: 10, includeInternal: false });
      expect(visible.map((m) => m.seq)).toEqual([1, 3]);
      const staff = await s().chat.list(room, { limit: 10, includeInternal: true });
      expect(staff.map((m) => m.seq)).toEqual([1, 2, 3]);
      expect(staff[1]).toEqual(note.message);
      expect((await s().chat.list(room, { beforeSeq: 4, limit: 1, includeInternal: false })).map((m) => m.seq)).toEqual([3]);
    });

    it('keeps a read mark per user and room, replaced by the next one', async () => {
      expect(await s().chat.readMarks('room-marks')).toEqual({});
      await s().chat.setReadMark('room-marks', 'u1', 3);
      await s().chat.setReadMark('room-marks', 'u2', 1);
      await s().chat.setReadMark('room-other', 'u1', 9);
      await s().chat.setReadMark('room-marks', 'u1', 5);
      expect(await s().chat.readMarks('room-marks')).toEqual({ u1: 5, u2: 1 });
    });
  });
}

function describeYjs(s: () => Store): void {
  describe('yjs', () => {
    it('appends updates with per-appeal seqs and loads them in order with their bytes', async () => {
      expect(await s().yjs.append('doc-a', bytes(1, 2, 3), 'u1', T0)).toBe(1);
      expect(await s().yjs.append('doc-a', bytes(4), null, T0 + 1)).toBe(2);
      expect(await s().yjs.append('doc-b', bytes(9), 'u2', T0)).toBe(1);
      const loaded = await s().yjs.load('doc-a');
      expect(loaded.map((u) => ({ ...u, update: Array.from(u.update) }))).toEqual([
        { appealId: 'doc-a', seq: 1, update: [1, 2, 3], authorId: 'u1', at: T0 },
        { appealId: 'doc-a', seq: 2, update: [4], authorId: null, at: T0 + 1 },
      ]);
      expect(loaded[0]?.update).toBeInstanceOf(Uint8Array);
      expect(await s().yjs.load('doc-none')).toEqual([]);
    });

    it('gives concurrent appends distinct gapless seqs', async () => {
      const seqs = await Promise.all(range(30).map((i) => s().yjs.append('doc-busy', bytes(i), null, T0)));
      expect([...seqs].sort((a, b) => a - b)).toEqual(range(30));
    });

    it('compacts updates up to a seq into one row at that seq, keeping later ones', async () => {
      for (const i of range(5)) await s().yjs.append('doc-c', bytes(i), 'u1', T0 + i);
      await s().yjs.compact('doc-c', 3, bytes(7, 7, 7));
      const loaded = await s().yjs.load('doc-c');
      expect(loaded.map((u) => [u.seq, Array.from(u.update)])).toEqual([
        [3, [7, 7, 7]],
        [4, [4]],
        [5, [5]],
      ]);
      expect(await s().yjs.append('doc-c', bytes(6), null, T0 + 6)).toBe(6);
      await s().yjs.compact('doc-c', 6, bytes(8));
      expect((await s().yjs.load('doc-c')).map((u) => [u.seq, Array.from(u.update)])).toEqual([[6, [8]]]);
      expect(await s().yjs.append('doc-c', bytes(1), null, T0 + 7)).toBe(7);
    });

    it('refuses an update, a merged log or a version state above MAX_STORED_BYTES, storing nothing', async () => {
      const big = new Uint8Array(MAX_STORED_BYTES + 1);
      const tooLarge = async (p: Promise<unknown>): Promise<void> => {
        const error = await rejection(p);
        expect(error).toBeInstanceOf(StoreError);
        expect((error as StoreError).code).toBe('too_large');
      };
      await tooLarge(s().yjs.append('doc-big', big, 'u1', T0));
      expect(await s().yjs.append('doc-big', bytes(1), 'u1', T0)).toBe(1);
      expect(await s().yjs.append('doc-big', bytes(2), 'u1', T0)).toBe(2);
      await tooLarge(s().yjs.compact('doc-big', 2, big));
      expect((await s().yjs.load('doc-big')).map((u) => [u.seq, Array.from(u.update)])).toEqual([
        [1, [1]],
        [2, [2]],
      ]);
      await tooLarge(s().yjs.saveVersion({ id: `v-${uniq()}`, appealId: 'doc-big', at: T0, authorIds: [], state: big }));
      expect(await s().yjs.listVersions('doc-big')).toEqual([]);
    });

    it('saves versions, lists them newest first without state, and reads one with state', async () => {
      const v1 = { id: `v-${uniq()}`, appealId: 'doc-v', at: T0, authorIds: ['u1'], state: bytes(1, 1) };
      const v2 = { id: `v-${uniq()}`, appealId: 'doc-v', at: T0 + HOUR, authorIds: ['u1', 'u2'], state: bytes(2, 2) };
      await s().yjs.saveVersion(v1);
      await s().yjs.saveVersion(v2);
      await s().yjs.saveVersion({ ...v1, id: `v-${uniq()}`, appealId: 'doc-other' });
      const listed = await s().yjs.listVersions('doc-v');
      expect(listed).toEqual([
        { id: v2.id, appealId: 'doc-v', at: T0 + HOUR, authorIds: ['u1', 'u2'] },
        { id: v1.id, appealId: 'doc-v', at: T0, authorIds: ['u1'] },
      ]);
      expect(listed[0]).not.toHaveProperty('state');
      const got = await s().yjs.getVersion('doc-v', v2.id);
      expect({ ...got, state: Array.from(got!.state) }).toEqual({ ...v2, state: [2, 2] });
      expect(await s().yjs.getVersion('doc-other', v2.id)).toBeNull();
      expect(await s().yjs.getVersion('doc-v', 'missing-id-000')).toBeNull();
    });
  });
}

function describeAttachmentsAndCounters(s: () => Store): void {
  describe('attachments', () => {
    it('stores attachments and lists those of an appeal, oldest first', async () => {
      const a1 = makeAttachment({ appealId: 'app-1', createdAt: T0 + HOUR });
      const a2 = makeAttachment({ appealId: 'app-1', createdAt: T0 });
      const other = makeAttachment({ appealId: 'app-2' });
      for (const x of [a1, a2, other]) await s().attachments.create(x);
      expect(await s().attachments.get(a1.id)).toEqual(a1);
      expect(await s().attachments.list('app-1')).toEqual([a2, a1]);
      expect(await s().attachments.list('app-none')).toEqual([]);
      expect(await s().attachments.get('missing-id-000')).toBeNull();
      await expectDuplicate(s().attachments.create(makeAttachment({ id: a1.id })));
    });

    it('appends a version and makes it current; restores an earlier one', async () => {
      const att = makeAttachment();
      await s().attachments.create(att);
      const v2 = makeAttachmentVersion({ version: 2, fileName: 'scan-2.pdf', at: T0 + HOUR });
      const added = await s().attachments.addVersion(att.id, v2);
      expect(added).toEqual({ ...att, versions: [...att.versions, v2], currentVersion: 2 });
      expect(await s().attachments.get(att.id)).toEqual(added);
      const restored = await s().attachments.setCurrent(att.id, 1);
      expect(restored).toEqual({ ...added, currentVersion: 1 });
      expect(await s().attachments.get(att.id)).toEqual(restored);
    });

    it('gives null for an unknown attachment, or a version it does not have, changing nothing', async () => {
      const att = makeAttachment();
      await s().attachments.create(att);
      expect(await s().attachments.addVersion('missing-id-000', makeAttachmentVersion())).toBeNull();
      // A version number already taken (by another instance's upload) is refused.
      expect(await s().attachments.addVersion(att.id, makeAttachmentVersion({ version: 1, fileName: 'twin.pdf' }))).toBeNull();
      expect(await s().attachments.setCurrent('missing-id-000', 1)).toBeNull();
      expect(await s().attachments.setCurrent(att.id, 5)).toBeNull();
      expect(await s().attachments.get(att.id)).toEqual(att);
    });

    it("keeps a restore's restoredFrom on its version and leaves an upload without one", async () => {
      const att = makeAttachment();
      await s().attachments.create(att);
      const restore = makeAttachmentVersion({ version: 2, at: T0 + HOUR, restoredFrom: 1 });
      const added = await s().attachments.addVersion(att.id, restore);
      expect(added?.versions).toEqual([att.versions[0], restore]);
      const stored = await s().attachments.get(att.id);
      expect(stored?.versions[1]?.restoredFrom).toBe(1);
      expect(stored?.versions[0]).not.toHaveProperty('restoredFrom');
    });

    it('appends the journal entry given with each change, and none for a change that did not happen', async () => {
      const att = makeAttachment();
      const draft = (action: string): ReturnType<typeof makeAuditDraft> => makeAuditDraft({ action, subjectType: 'attachment', subjectId: att.id });
      await s().attachments.create(att, draft('attachment.added'));
      await s().attachments.addVersion(att.id, makeAttachmentVersion({ version: 2 }), draft('attachment.version_added'));
      expect(await s().attachments.setCurrent(att.id, 7, draft('attachment.lost'))).toBeNull();
      expect(await s().attachments.addVersion('missing-id-000', makeAttachmentVersion(), draft('attachment.lost'))).toBeNull();
      await s().attachments.setCurrent(att.id, 1, draft('attachment.restored'));
      expect((await s().audit.list(0, 10)).map((e) => [e.seq, e.action, e.subjectId])).toEqual([
        [1, 'attachment.added', att.id],
        [2, 'attachment.version_added', att.id],
        [3, 'attachment.restored', att.id],
      ]);
    });
  });

  describe('counters', () => {
    it('counts from 1, each name on its own', async () => {
      expect(await s().counters.next('appeal-number-2026')).toBe(1);
      expect(await s().counters.next('appeal-number-2026')).toBe(2);
      expect(await s().counters.next('appeal-number-2027')).toBe(1);
      expect(await s().counters.next('appeal-number-2026')).toBe(3);
    });

    it('gives 200 concurrent calls 200 distinct values 1..200', async () => {
      const values = await Promise.all(range(200).map(() => s().counters.next('busy')));
      expect([...values].sort((a, b) => a - b)).toEqual(range(200));
    });
  });
}

function describeWriteBatches(s: () => Store): void {
  describe('concurrent writes', () => {
    it('rejects only the failing write among concurrent ones; the others are stored', async () => {
      const taken = makeUser();
      await s().users.create(taken);
      const ok1 = makeUser();
      const ok2 = makeUser();
      const results = await Promise.allSettled([
        s().users.create(ok1),
        s().users.create(makeUser({ email: taken.email })),
        s().users.create(ok2),
        s().counters.next('batch'),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect(await s().users.get(ok1.id)).toEqual(ok1);
      expect(await s().users.get(ok2.id)).toEqual(ok2);
      expect(await s().users.count()).toBe(3);
    });

    it('makes a write visible to reads as soon as its promise resolves', async () => {
      const appeal = makeAppeal();
      const pending = s().appeals.create(appeal);
      await pending;
      expect(await s().appeals.get(appeal.id)).toEqual(appeal);
      const updated = s().appeals.update(appeal.id, 1, { subject: 'seen' });
      await updated;
      expect((await s().appeals.get(appeal.id))?.subject).toBe('seen');
    });
  });
}

function describeCaseEntries(s: () => Store): void {
  describe('case entries', () => {
    it('gives each appeal its own seq 1, 2, 3, returns the stored entry, and lists ascending after a seq', async () => {
      const appealId = `app-${uniq()}`;
      const first = makeCaseEntry({ appealId, attachmentIds: ['att-1', 'att-2'] });
      const correction = makeCaseEntry({
        appealId,
        kind: 'correction',
        text: '',
        at: T0 + HOUR,
        changes: [
          { field: 'subject', before: 'Было', after: 'Стало' },
          { field: 'details.expected', before: '', after: 'Перерасчёт' },
        ],
      });
      const stored = await s().caseEntries.append(first);
      expect(stored).toEqual({ ...first, seq: 1 });
      expect(await s().caseEntries.append(correction)).toEqual({ ...correction, seq: 2 });
      expect((await s().caseEntries.append(makeCaseEntry({ appealId: `other-${uniq()}` }))).seq).toBe(1);
      expect(await s().caseEntries.append(makeCaseEntry({ appealId, text: 'третья' }))).toMatchObject({ seq: 3, text: 'третья' });
      const all = await s().caseEntries.list(appealId);
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(all[0]).toEqual({ ...first, seq: 1 });
      expect(all[1]).toEqual({ ...correction, seq: 2 });
      expect((await s().caseEntries.list(appealId, 1)).map((e) => e.seq)).toEqual([2, 3]);
      expect(await s().caseEntries.list(appealId, 3)).toEqual([]);
      expect(await s().caseEntries.list('app-none')).toEqual([]);
    });

    it('returns copies: mutating a returned entry changes nothing stored', async () => {
      const entry = makeCaseEntry({ attachmentIds: ['att-1'], changes: [{ field: 'subject', before: 'a', after: 'b' }] });
      const stored = await s().caseEntries.append(entry);
      stored.attachmentIds.push('att-x');
      stored.changes[0]!.after = 'x';
      const [listed] = await s().caseEntries.list(entry.appealId);
      expect(listed).toEqual({ ...entry, seq: 1 });
    });

    it('gives 30 concurrent appends of one appeal the seqs 1..30 without gaps', async () => {
      const appealId = `busy-${uniq()}`;
      const seqs = await Promise.all(
        range(30).map((i) =>
          s()
            .caseEntries.append(makeCaseEntry({ appealId, text: `№${i}` }))
            .then((e) => e.seq),
        ),
      );
      expect([...seqs].sort((a, b) => a - b)).toEqual(range(30));
      expect((await s().caseEntries.list(appealId)).map((e) => e.seq)).toEqual(range(30));
    });

    it('appends the journal entry given with an entry', async () => {
      const entry = makeCaseEntry();
      await s().caseEntries.append(entry, makeAuditDraft({ action: 'appeal.supplemented', subjectId: entry.appealId, details: { seq: 1 } }));
      expect((await s().audit.list(0, 10)).map((e) => [e.seq, e.action, e.subjectId, e.details])).toEqual([
        [1, 'appeal.supplemented', entry.appealId, { seq: 1 }],
      ]);
    });

    it('keeps a seen mark per person and appeal that only moves forward, 0 when there is none', async () => {
      const appealId = `app-${uniq()}`;
      expect(await s().caseEntries.seenMark(appealId, 'u1')).toBe(0);
      await s().caseEntries.markSeen(appealId, 'u1', 3);
      await s().caseEntries.markSeen(appealId, 'u2', 1);
      await s().caseEntries.markSeen(`other-${uniq()}`, 'u1', 9);
      expect(await s().caseEntries.seenMark(appealId, 'u1')).toBe(3);
      await s().caseEntries.markSeen(appealId, 'u1', 2);
      expect(await s().caseEntries.seenMark(appealId, 'u1')).toBe(3);
      await s().caseEntries.markSeen(appealId, 'u1', 5);
      expect(await s().caseEntries.seenMark(appealId, 'u1')).toBe(5);
      expect(await s().caseEntries.seenMark(appealId, 'u2')).toBe(1);
      await Promise.all([4, 9, 6].map((seq) => s().caseEntries.markSeen(appealId, 'u3', seq)));
      expect(await s().caseEntries.seenMark(appealId, 'u3')).toBe(9);
    });
  });
}
