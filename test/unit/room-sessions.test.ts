/**
 * RoomSessions, the live room's use cases over a real SQLite store: entering
 * records presence once per person (two tabs are one entry), leaving and
 * typing report what the room must hear, a revoked access is decided again on
 * the stored record, and the remembered grants follow the bus.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { ChatService } from '../../server/domain/chat/chat.service.js';
import { UserNames } from '../../server/domain/chat/user-names.js';
import { LocalBus } from '../../server/domain/events.js';
import { PresenceService } from '../../server/domain/presence/presence.service.js';
import { RoomGrantCache } from '../../server/domain/rooms/grant-cache.js';
import { RoomAccess } from '../../server/domain/rooms/room-access.js';
import { RoomSessions, type Connection } from '../../server/domain/rooms/room-sessions.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { makeRegisteredAppeal } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DEP = 'd-social';
const citizen: Viewer = { id: 'u-citizen', role: 'citizen', departmentId: null, sessionId: 's-citizen' };
const expert: Viewer = { id: 'u-expert', role: 'expert', departmentId: null, sessionId: 's-expert' };
const conn = (id: string, viewer: Viewer, name: string): Connection => ({ id, viewer, name });

const dir = tempDirs('room-sessions-');
let store: Store | null = null;
let sessions: RoomSessions | null = null;
afterEach(async () => {
  sessions?.close();
  sessions = null;
  await store?.close();
  store = null;
});

async function setup(): Promise<{ sessions: RoomSessions; store: Store; bus: LocalBus; grants: RoomGrantCache }> {
  const s = await openSqliteStore({ dataDir: await dir() });
  store = s;
  await s.appeals.create(
    makeRegisteredAppeal({ id: 'a-room-1', citizenId: citizen.id, departmentId: DEP, expertIds: [expert.id], status: 'in_progress', version: 1 }),
  );
  const clock = new ManualClock();
  const bus = new LocalBus();
  const appeals = new AppealService({ store: s, clock, audit: new AuditService(s, clock), bus, secret: 'test-secret' });
  const rooms = new RoomAccess(appeals);
  const grants = new RoomGrantCache(rooms, clock);
  const chat = new ChatService({ store: s, rooms, grants, names: new UserNames(s, clock), clock, bus });
  sessions = new RoomSessions({ rooms, grants, presence: new PresenceService(), chat, appeals, bus });
  return { sessions, store: s, bus, grants };
}

describe('RoomSessions', () => {
  it('a person entering twice (two tabs) is one presence entry; they leave with their last tab', async () => {
    const { sessions: rs } = await setup();
    const tab1 = conn('c1', citizen, 'Иванов И. И.');
    const tab2 = conn('c2', citizen, 'Иванов И. И.');
    expect((await rs.enter(tab1, 'a-room-1')).presenceChanged).toBe(true);
    expect((await rs.enter(tab2, 'a-room-1')).presenceChanged).toBe(false);
    expect(rs.people('a-room-1').map((p) => [p.userId, p.name, p.roomRole])).toStrictEqual([['u-citizen', 'Иванов И. И.', 'owner']]);
    expect(rs.leave(tab1, 'a-room-1')).toStrictEqual({ typingStopped: false, presenceChanged: false });
    expect(rs.leave(tab2, 'a-room-1')).toStrictEqual({ typingStopped: false, presenceChanged: true });
    expect(rs.people('a-room-1')).toStrictEqual([]);
  });

  it('typing is reported once when it starts, and stopping it is reported on leave', async () => {
    const { sessions: rs } = await setup();
    const tab = conn('c1', citizen, 'Иванов И. И.');
    await rs.enter(tab, 'a-room-1');
    expect(rs.setTyping(tab, 'a-room-1', true)).toBe(true);
    expect(rs.setTyping(tab, 'a-room-1', true)).toBe(false);
    expect(rs.leave(tab, 'a-room-1')).toStrictEqual({ typingStopped: true, presenceChanged: true });
  });

  it('a refused entry records nothing; a recheck after the access went answers null', async () => {
    const { sessions: rs, store: s } = await setup();
    const stranger = conn('c9', { id: 'u-stranger', role: 'citizen', departmentId: null, sessionId: 's-x' }, 'Чужой');
    await expect(rs.enter(stranger, 'a-room-1')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(rs.people('a-room-1')).toStrictEqual([]);
    const tab = conn('c2', expert, 'Эксперт');
    expect((await rs.recheck(tab, 'a-room-1'))?.grant.part).toBe('expert');
    await s.appeals.update('a-room-1', 1, { expertIds: [] });
    expect(await rs.recheck(tab, 'a-room-1')).toBeNull();
  });

  it('follows the bus: an access event makes the remembered grants be decided again', async () => {
    const { sessions: rs, bus, grants } = await setup();
    await grants.write(expert, 'a-room-1');
    expect(grants.cached(expert, 'a-room-1')?.part).toBe('expert');
    bus.publish({ type: 'appeal.access_changed', appealId: 'a-room-1', userIds: [expert.id] });
    expect(grants.cached(expert, 'a-room-1')).toBeNull();
    rs.close();
    await grants.write(expert, 'a-room-1');
    bus.publish({ type: 'appeal.access_changed', appealId: 'a-room-1', userIds: [expert.id] });
    expect(grants.cached(expert, 'a-room-1')?.part).toBe('expert');
  });
});
