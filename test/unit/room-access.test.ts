/**
 * RoomAccess, the one room check of every realtime endpoint: the grant each
 * person gets (part, write, staff, the access fields it was decided on) and the
 * exact refusals — NOT_FOUND for a room one may not know about (drafts have
 * none), FORBIDDEN for a silent observer who tries to write. The pure
 * functions on a record, then RoomAccess over AppealService and a real SQLite store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { accessOf } from '../../server/domain/appeals/appeal.policy.js';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { DomainError } from '../../server/domain/errors.js';
import { LocalBus } from '../../server/domain/events.js';
import { grantOf, RoomAccess, writeGrantOf } from '../../server/domain/rooms/room-access.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { AppealRecord, Store } from '../../server/store/store.js';
import { makeAppeal, makeRegisteredAppeal } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DEP = 'd-social';
const citizen: Viewer = { id: 'u-citizen', role: 'citizen', departmentId: null, sessionId: 's-citizen' };
const stranger: Viewer = { id: 'u-stranger', role: 'citizen', departmentId: null, sessionId: 's-stranger' };
const operator: Viewer = { id: 'u-operator', role: 'operator', departmentId: DEP, sessionId: 's-operator' };
const supervisor: Viewer = { id: 'u-supervisor', role: 'supervisor', departmentId: DEP, sessionId: 's-supervisor' };
const expert: Viewer = { id: 'u-expert', role: 'expert', departmentId: null, sessionId: 's-expert' };

function registered(overrides: Partial<AppealRecord> = {}): AppealRecord {
  return makeRegisteredAppeal({
    id: 'a-room',
    citizenId: citizen.id,
    departmentId: DEP,
    assigneeId: operator.id,
    expertIds: [expert.id],
    status: 'in_progress',
    version: 4,
    ...overrides,
  });
}

/** Asserts the exact refusal: the domain error's code and message. */
function expectRefusal(run: () => unknown, code: string, message: string): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DomainError);
  expect(caught).toMatchObject({ code, message });
}

describe('grantOf and writeGrantOf (on a record the caller holds)', () => {
  it('gives each member the grant of their part, carrying only the access fields', () => {
    const appeal = registered();
    expect(grantOf(citizen, appeal)).toStrictEqual({ appeal: accessOf(appeal), part: 'owner', canWrite: true, isStaff: false });
    expect(grantOf(operator, appeal)).toStrictEqual({ appeal: accessOf(appeal), part: 'officer', canWrite: true, isStaff: true });
    expect(grantOf(expert, appeal)).toStrictEqual({ appeal: accessOf(appeal), part: 'expert', canWrite: true, isStaff: true });
    expect(grantOf(supervisor, appeal)).toStrictEqual({ appeal: accessOf(appeal), part: 'officer', canWrite: false, isStaff: true });
    expect(grantOf(citizen, appeal).appeal).not.toHaveProperty('subject');
  });

  it('refuses a stranger with NOT_FOUND, not FORBIDDEN: the room is not theirs to know of', () => {
    expectRefusal(() => grantOf(stranger, registered()), 'NOT_FOUND', 'Обращение не найдено');
    expectRefusal(() => writeGrantOf(stranger, registered()), 'NOT_FOUND', 'Обращение не найдено');
  });

  it('a draft has no room, even for its citizen', () => {
    const draft = makeAppeal({ id: 'a-draft', citizenId: citizen.id, status: 'draft' });
    expectRefusal(() => grantOf(citizen, draft), 'NOT_FOUND', 'Обращение не найдено');
  });

  it('writeGrantOf lets writers through with the same grant and refuses a silent observer', () => {
    const appeal = registered();
    expect(writeGrantOf(operator, appeal)).toStrictEqual(grantOf(operator, appeal));
    expect(writeGrantOf(citizen, appeal)).toStrictEqual(grantOf(citizen, appeal));
    expectRefusal(() => writeGrantOf(supervisor, appeal), 'FORBIDDEN', 'Вы наблюдаете за комнатой без права записи');
    // Once the supervisor is the assignee, they write.
    expect(writeGrantOf(supervisor, registered({ assigneeId: supervisor.id })).canWrite).toBe(true);
  });
});

describe('RoomAccess over the stored appeal', () => {
  const dir = tempDirs('room-access-');
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  async function access(...appeals: AppealRecord[]): Promise<RoomAccess> {
    const s = await openSqliteStore({ dataDir: await dir() });
    store = s;
    for (const a of appeals) await s.appeals.create(a);
    const clock = new ManualClock();
    return new RoomAccess(new AppealService({ store: s, clock, audit: new AuditService(s, clock), bus: new LocalBus(), secret: 'test-secret' }));
  }

  it('enter: the grant decided on the stored record', async () => {
    const appeal = registered();
    const rooms = await access(appeal);
    expect(await rooms.enter(supervisor, appeal.id)).toStrictEqual({ appeal: accessOf(appeal), part: 'officer', canWrite: false, isStaff: true });
    expect(await rooms.enter(citizen, appeal.id)).toStrictEqual({ appeal: accessOf(appeal), part: 'owner', canWrite: true, isStaff: false });
  });

  it('write: the grant for writers, FORBIDDEN for the observer', async () => {
    const appeal = registered();
    const rooms = await access(appeal);
    expect(await rooms.write(expert, appeal.id)).toStrictEqual({ appeal: accessOf(appeal), part: 'expert', canWrite: true, isStaff: true });
    await expect(rooms.write(supervisor, appeal.id)).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Вы наблюдаете за комнатой без права записи' });
  });

  it('NOT_FOUND for a stranger, an unknown id and a draft, alike', async () => {
    const draft = makeAppeal({ id: 'a-draft', citizenId: citizen.id, status: 'draft' });
    const rooms = await access(registered(), draft);
    const notFound = { code: 'NOT_FOUND', message: 'Обращение не найдено' };
    await expect(rooms.enter(stranger, 'a-room')).rejects.toMatchObject(notFound);
    await expect(rooms.write(stranger, 'a-room')).rejects.toMatchObject(notFound);
    await expect(rooms.enter(citizen, 'a-missing')).rejects.toMatchObject(notFound);
    await expect(rooms.enter(citizen, draft.id)).rejects.toMatchObject(notFound);
    await expect(rooms.write(citizen, draft.id)).rejects.toMatchObject(notFound);
  });
});
