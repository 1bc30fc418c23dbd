/**
 * ChatService over a real SQLite store, real RoomAccess and UserNames: who may
 * send (and the exact refusals), internal notes kept from citizens, the
 * idempotent client id that nobody else may claim, paged history, the
 * catch-up after a gap across pages, and read marks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { ChatService, toWire, type ChatSendInput } from '../../server/domain/chat/chat.service.js';
import { UserNames } from '../../server/domain/chat/user-names.js';
import { DomainError } from '../../server/domain/errors.js';
import { LocalBus } from '../../server/domain/events.js';
import { RoomGrantCache } from '../../server/domain/rooms/grant-cache.js';
import { RoomAccess } from '../../server/domain/rooms/room-access.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { AppealRecord, Store, WriteOptions } from '../../server/store/store.js';
import type { Status } from '../../shared/status-machine.js';
import { makeChatMessage, makeRegisteredAppeal, makeUser, T0 } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DEP = 'd-health';
const APPEAL = 'a-chat';

const citizen: Viewer = { id: 'u-citizen', role: 'citizen', departmentId: null, sessionId: 's-citizen' };
const operator: Viewer = { id: 'u-operator', role: 'operator', departmentId: DEP, sessionId: 's-operator' };
const supervisor: Viewer = { id: 'u-supervisor', role: 'supervisor', departmentId: DEP, sessionId: 's-supervisor' };
const stranger: Viewer = { id: 'u-stranger', role: 'citizen', departmentId: null, sessionId: 's-stranger' };
const NAMES: Record<string, string> = {
  [citizen.id]: 'Смирнова Ольга Петровна',
  [operator.id]: 'Кузнецов Павел Андреевич',
  [supervisor.id]: 'Орлова Мария Ивановна',
  [stranger.id]: 'Посторонний Пётр Петрович',
};

const dir = tempDirs('chat-service-');
let store: Store | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
});

interface Fixture {
  chat: ChatService;
  store: Store;
  clock: ManualClock;
  grants: RoomGrantCache;
  rooms: RoomAccess;
  /** The options of every chat append, in order. */
  appendOptions: (WriteOptions | undefined)[];
  /** How many chat pages were read from the store. */
  listReads: () => number;
}

async function setup(options: { status?: Status; withCache?: boolean; appeal?: Partial<AppealRecord> } = {}): Promise<Fixture> {
  const s = await openSqliteStore({ dataDir: await dir() });
  store = s;
  for (const [id, fullName] of Object.entries(NAMES)) {
    const user =
      id === citizen.id
        ? makeUser({ id, fullName })
        : makeUser({
            id,
            fullName,
            role: id === stranger.id ? 'citizen' : id === operator.id ? 'operator' : 'supervisor',
            departmentId: id === stranger.id ? null : DEP,
          });
    await s.users.create(user);
  }
  await s.appeals.create(
    makeRegisteredAppeal({
      id: APPEAL,
      citizenId: citizen.id,
      departmentId: DEP,
      assigneeId: operator.id,
      status: options.status ?? 'in_progress',
      ...options.appeal,
    }),
  );
  const appendOptions: (WriteOptions | undefined)[] = [];
  const append = s.chat.append.bind(s.chat);
  s.chat.append = (msg, opts) => {
    appendOptions.push(opts);
    return append(msg, opts);
  };
  let listReads = 0;
  const list = s.chat.list.bind(s.chat);
  s.chat.list = (appealId, query) => {
    listReads++;
    return list(appealId, query);
  };
  const clock = new ManualClock(T0);
  const rooms = new RoomAccess(new AppealService({ store: s, clock, audit: new AuditService(s, clock), bus: new LocalBus(), secret: 'test-secret' }));
  const grants = new RoomGrantCache(rooms, clock);
  const chat = new ChatService({ store: s, rooms, names: new UserNames(s, clock), clock, bus: new LocalBus(), ...(options.withCache ? { grants } : {}) });
  return { chat, store: s, clock, grants, rooms, appendOptions, listReads: () => listReads };
}

function input(overrides: Partial<ChatSendInput> = {}): ChatSendInput {
  return { appealId: APPEAL, clientId: 'client-0001', text: 'Добрый день, есть новости?', internal: false, ...overrides };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const err: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe('ChatService.send', () => {
  it("stores the message as sent, at the clock's time, and returns it with the author's name and the grant", async () => {
    const f = await setup();
    f.clock.advance(5_000);
    const sent = await f.chat.send(citizen, input());
    expect(sent.created).toBe(true);
    expect(sent.message).toStrictEqual({
      appealId: APPEAL,
      seq: 1,
      clientId: 'client-0001',
      authorId: citizen.id,
      authorName: NAMES[citizen.id],
      authorRole: 'citizen',
      text: 'Добрый день, есть новости?',
      internal: false,
      at: T0 + 5_000,
    });
    expect(sent.grant).toMatchObject({ part: 'owner', canWrite: true, isStaff: false, appeal: { id: APPEAL, status: 'in_progress' } });
    const stored = await f.store.chat.list(APPEAL, { limit: 10, includeInternal: true });
    expect(stored).toStrictEqual([
      {
        appealId: APPEAL,
        seq: 1,
        clientId: 'client-0001',
        authorId: citizen.id,
        authorRole: 'citizen',
        text: 'Добрый день, есть новости?',
        internal: false,
        at: T0 + 5_000,
      },
    ]);
  });

  it('asks the store for process durability: acknowledged once committed, not after the fsync', async () => {
    const f = await setup();
    await f.chat.send(citizen, input());
    expect(f.appendOptions).toStrictEqual([{ durability: 'process' }]);
  });

  it("an officer's internal note is stored as internal with their role", async () => {
    const f = await setup();
    const sent = await f.chat.send(operator, input({ clientId: 'client-note', text: 'Проверить выписку', internal: true }));
    expect(sent.message).toMatchObject({ internal: true, authorRole: 'operator', authorName: NAMES[operator.id], seq: 1 });
    expect(sent.grant.isStaff).toBe(true);
  });

  it('refuses an internal note from a citizen, storing nothing', async () => {
    const f = await setup();
    const err = await refusal(f.chat.send(citizen, input({ internal: true })));
    expect(err).toMatchObject({ code: 'FORBIDDEN', message: 'Служебные заметки доступны только сотрудникам' });
    expect(await f.store.chat.list(APPEAL, { limit: 10, includeInternal: true })).toEqual([]);
  });

  it.each<Status>(['completed', 'rejected'])('refuses any message once the appeal is %s: the chat is read-only', async (status) => {
    const f = await setup({ status });
    const err = await refusal(f.chat.send(citizen, input()));
    expect(err).toMatchObject({ code: 'FORBIDDEN', message: 'Обращение закрыто: чат доступен только для чтения' });
    expect(await f.store.chat.list(APPEAL, { limit: 10, includeInternal: true })).toEqual([]);
  });

  it("refuses a silent observer and a stranger with the room's refusals", async () => {
    const f = await setup();
    expect(await refusal(f.chat.send(supervisor, input()))).toMatchObject({ code: 'FORBIDDEN', message: 'Вы наблюдаете за комнатой без права записи' });
    expect(await refusal(f.chat.send(stranger, input()))).toMatchObject({ code: 'NOT_FOUND', message: 'Обращение не найдено' });
  });

  it('a resend with the same client id returns the first message, created=false, and stores nothing more', async () => {
    const f = await setup();
    const first = await f.chat.send(citizen, input());
    f.clock.advance(1_000);
    const again = await f.chat.send(citizen, input({ text: 'другой текст' }));
    expect(again.created).toBe(false);
    expect(again.message).toStrictEqual(first.message);
    expect(await f.store.chat.list(APPEAL, { limit: 10, includeInternal: true })).toHaveLength(1);
  });

  it("refuses another person's client id with CONFLICT and does not show them the message", async () => {
    const f = await setup();
    await f.chat.send(citizen, input({ clientId: 'client-taken' }));
    const err = await refusal(f.chat.send(operator, input({ clientId: 'client-taken', text: 'чужой id' })));
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'Идентификатор сообщения уже занят' });
    expect(err.message).not.toContain('Добрый день');
  });

  it('with a grant cache: the grant is remembered after the first send and used for the next', async () => {
    const f = await setup({ withCache: true });
    expect(f.grants.cached(citizen, APPEAL)).toBeNull();
    const first = await f.chat.send(citizen, input());
    const remembered = f.grants.cached(citizen, APPEAL);
    expect(remembered).not.toBeNull();
    expect(first.grant).toBe(remembered);
    const second = await f.chat.send(citizen, input({ clientId: 'client-0002' }));
    expect(second.grant).toBe(remembered);
    expect(second.message.seq).toBe(2);
  });

  it('with a grant cache: refusals are the same, and nothing is remembered for them', async () => {
    const f = await setup({ withCache: true });
    expect(await refusal(f.chat.send(supervisor, input()))).toMatchObject({ code: 'FORBIDDEN', message: 'Вы наблюдаете за комнатой без права записи' });
    expect(f.grants.cached(supervisor, APPEAL)).toBeNull();
  });
});

describe('ChatService.page, after, markRead', () => {
  /** Appends `n` messages straight to the store: odd seqs by the citizen, even seqs internal notes of the operator. */
  async function fill(s: Store, n: number): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        s.chat.append(
          makeChatMessage({
            appealId: APPEAL,
            clientId: `fill-${String(i).padStart(5, '0')}`,
            text: `m${i + 1}`,
            at: T0 + i,
            ...(i % 2 === 1
              ? { authorId: operator.id, authorRole: 'operator', internal: true }
              : { authorId: citizen.id, authorRole: 'citizen', internal: false }),
          }),
        ),
      ),
    );
  }

  it("page: the citizen never gets internal notes; staff do; each with its author's name", async () => {
    const f = await setup();
    await fill(f.store, 4);
    const mine = await f.chat.page(citizen, { appealId: APPEAL, limit: 50 });
    expect(mine.map((m) => [m.seq, m.internal, m.authorName])).toStrictEqual([
      [1, false, NAMES[citizen.id]],
      [3, false, NAMES[citizen.id]],
    ]);
    const staff = await f.chat.page(supervisor, { appealId: APPEAL, limit: 50 });
    expect(staff.map((m) => [m.seq, m.authorName])).toStrictEqual([
      [1, NAMES[citizen.id]],
      [2, NAMES[operator.id]],
      [3, NAMES[citizen.id]],
      [4, NAMES[operator.id]],
    ]);
    expect(staff[1]).toStrictEqual(toWire((await f.store.chat.list(APPEAL, { limit: 50, includeInternal: true }))[1]!, NAMES[operator.id]!));
  });

  it('page: afterSeq, beforeSeq and limit are passed on', async () => {
    const f = await setup();
    await fill(f.store, 6);
    expect((await f.chat.page(operator, { appealId: APPEAL, limit: 50, afterSeq: 4 })).map((m) => m.seq)).toStrictEqual([5, 6]);
    expect((await f.chat.page(operator, { appealId: APPEAL, limit: 50, beforeSeq: 3 })).map((m) => m.seq)).toStrictEqual([1, 2]);
    expect((await f.chat.page(operator, { appealId: APPEAL, limit: 2 })).map((m) => m.seq)).toStrictEqual([1, 2]);
    expect((await f.chat.page(operator, { appealId: APPEAL, limit: 2, beforeSeq: 6 })).map((m) => m.seq)).toStrictEqual([4, 5]);
  });

  it('page: an author with no account shows with an empty name', async () => {
    const f = await setup();
    await f.store.chat.append(makeChatMessage({ appealId: APPEAL, authorId: 'u-deleted' }));
    expect((await f.chat.page(citizen, { appealId: APPEAL, limit: 50 })).map((m) => m.authorName)).toStrictEqual(['']);
  });

  it('page and markRead: NOT_FOUND for a stranger', async () => {
    const f = await setup();
    await fill(f.store, 1);
    expect(await refusal(f.chat.page(stranger, { appealId: APPEAL, limit: 50 }))).toMatchObject({ code: 'NOT_FOUND', message: 'Обращение не найдено' });
    expect(await refusal(f.chat.markRead(stranger, APPEAL, 1))).toMatchObject({ code: 'NOT_FOUND', message: 'Обращение не найдено' });
    expect(await f.chat.readMarks(APPEAL)).toStrictEqual({});
  });

  it('after: everything past the seq across several pages of 500, in order, internal notes only for staff', async () => {
    const f = await setup();
    await fill(f.store, 1_003);
    const grant = await f.rooms.enter(operator, APPEAL);
    const before = f.listReads();
    const staff = await f.chat.after(grant, 2);
    // Pages of 500, 500 and 1: the short one ends the catch-up, with no read after it.
    expect(f.listReads() - before).toBe(3);
    expect(staff.map((m) => m.seq)).toStrictEqual(Array.from({ length: 1_001 }, (_, i) => i + 3));
    expect(staff.at(-1)).toMatchObject({ text: 'm1003', authorName: NAMES[citizen.id] });
    const owner = await f.chat.after(await f.rooms.enter(citizen, APPEAL), 0);
    expect(owner).toHaveLength(502);
    expect(owner.every((m) => !m.internal)).toBe(true);
    expect(owner.map((m) => m.seq).slice(0, 3)).toStrictEqual([1, 3, 5]);
  });

  it('after: exactly one full page, and nothing past the end', async () => {
    const f = await setup();
    await fill(f.store, 500);
    const grant = await f.rooms.enter(operator, APPEAL);
    expect((await f.chat.after(grant, 0)).map((m) => m.seq)).toStrictEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(await f.chat.after(grant, 500)).toStrictEqual([]);
  });

  it('markRead moves the mark forward only', async () => {
    const f = await setup();
    expect(await f.chat.markRead(citizen, APPEAL, 3)).toBe(true);
    expect(await f.chat.readMarks(APPEAL)).toStrictEqual({ [citizen.id]: 3 });
    expect(await f.chat.markRead(citizen, APPEAL, 3)).toBe(false);
    expect(await f.chat.markRead(citizen, APPEAL, 2)).toBe(false);
    expect(await f.chat.readMarks(APPEAL)).toStrictEqual({ [citizen.id]: 3 });
    expect(await f.chat.markRead(citizen, APPEAL, 4)).toBe(true);
    // An observer may read (and mark) what they may not write.
    expect(await f.chat.markRead(supervisor, APPEAL, 1)).toBe(true);
    expect(await f.chat.readMarks(APPEAL)).toStrictEqual({ [citizen.id]: 4, [supervisor.id]: 1 });
  });

  it('markRead: a first mark at seq 0 is no move', async () => {
    const f = await setup();
    expect(await f.chat.markRead(citizen, APPEAL, 0)).toBe(false);
    expect(await f.chat.readMarks(APPEAL)).toStrictEqual({});
  });
});
