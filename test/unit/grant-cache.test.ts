/**
 * RoomGrantCache: one RoomAccess read per (session, room) until a bus event may
 * have changed the answer; events that carry the appeal's new record derive
 * the grants again from it instead.
 */
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../server/domain/events.js';
import { RoomGrantCache } from '../../server/domain/rooms/grant-cache.js';
import type { RoomAccess, RoomGrant } from '../../server/domain/rooms/room-access.js';
import type { Viewer } from '../../server/domain/viewer.js';
import type { AppealRecord } from '../../server/store/store.js';
import { ManualClock } from '../../server/lib/clock.js';
import { makeHistoryEntry, makeRegisteredAppeal } from '../helpers/factories.js';

const alice: Viewer = { id: 'u-alice', role: 'citizen', departmentId: null, sessionId: 's-alice' };
const bob: Viewer = { id: 'u-bob', role: 'operator', departmentId: 'd-1', sessionId: 's-bob' };

/** The appeal's stored record as RoomAccess reads it (citizen alice, department d-1). */
function record(overrides: Partial<AppealRecord> = {}): AppealRecord {
  return makeRegisteredAppeal({ id: 'a1', citizenId: alice.id, departmentId: 'd-1', version: 1, ...overrides });
}

/** A RoomAccess whose answer the test controls, counting the reads. */
function fakeAccess(): { access: RoomAccess; reads: () => number; deny: (v: boolean) => void; hold: () => () => void } {
  let reads = 0;
  let denied = false;
  let gate: Promise<void> | null = null;
  const access = {
    async write(_viewer: Viewer, appealId: string): Promise<RoomGrant> {
      reads++;
      const answer = denied;
      if (gate) await gate;
      if (answer) throw new Error('FORBIDDEN');
      return { appeal: record({ id: appealId }), part: 'owner', canWrite: true, isStaff: false };
    },
  } as unknown as RoomAccess;
  return {
    access,
    reads: () => reads,
    deny: (v) => {
      denied = v;
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise<void>((r) => {
        release = r;
      });
      return () => {
        gate = null;
        release();
      };
    },
  };
}

describe('RoomGrantCache', () => {
  it('asks RoomAccess once per session and room, then answers from memory', async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    await cache.write(alice, 'a1');
    await cache.write(alice, 'a1');
    await cache.write(alice, 'a1');
    expect(f.reads()).toBe(1);
    await cache.write(bob, 'a1');
    await cache.write(alice, 'a2');
    expect(f.reads()).toBe(3);
  });

  it('answers `cached` only while a grant is remembered and fresh', async () => {
    const f = fakeAccess();
    const clock = new ManualClock();
    const cache = new RoomGrantCache(f.access, clock);
    expect(cache.cached(alice, 'a1')).toBeNull();
    const grant = await cache.write(alice, 'a1');
    expect(cache.cached(alice, 'a1')).toBe(grant);
    // Another session of the same person has no grant of its own yet.
    expect(cache.cached({ ...alice, sessionId: 's-other' }, 'a1')).toBeNull();
    cache.forgetAppeal('a1');
    expect(cache.cached(alice, 'a1')).toBeNull();
    await cache.write(alice, 'a1');
    clock.advance(10_001);
    expect(cache.cached(alice, 'a1')).toBeNull();
    expect(f.reads()).toBe(2);
  });

  const appeal = makeRegisteredAppeal({ id: 'a1' });
  const statusChanged = (a: AppealRecord): DomainEvent => ({
    type: 'appeal.status_changed',
    appeal: a,
    entry: { ...makeHistoryEntry(), appealId: a.id, seq: 2 },
  });
  const events: [string, DomainEvent][] = [
    ['appeal.access_changed', { type: 'appeal.access_changed', appealId: 'a1', userIds: ['u-alice'] }],
    ['session.ended', { type: 'session.ended', sessionIds: ['s-alice'], userId: 'u-alice' }],
  ];
  for (const [name, event] of events) {
    it(`after ${name} the next write asks again and a refusal takes effect at once`, async () => {
      const f = fakeAccess();
      const cache = new RoomGrantCache(f.access, new ManualClock());
      await cache.write(alice, 'a1');
      f.deny(true);
      await cache.write(alice, 'a1'); // still cached: nothing said the answer changed
      cache.onEvent(event);
      await expect(cache.write(alice, 'a1')).rejects.toThrow('FORBIDDEN');
      await expect(cache.write(alice, 'a1')).rejects.toThrow('FORBIDDEN'); // refusals are not cached either
      expect(f.reads()).toBe(3);
    });
  }

  it("after a status change, derives the room's grants again from the event's record, with no read", async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    const held = await cache.write(alice, 'a1');
    expect(held.appeal.version).toBe(1);
    cache.onEvent(statusChanged(record({ status: 'in_progress', version: 2 })));
    const after = await cache.write(alice, 'a1');
    expect(f.reads()).toBe(1);
    expect(after.appeal.status).toBe('in_progress');
    expect(after.part).toBe('owner');
    // What the grant keeps of the new record: the fields access is decided on, not its texts.
    expect(Object.keys(after.appeal).sort()).toEqual(['assigneeId', 'citizenId', 'departmentId', 'expertIds', 'id', 'status', 'version']);
  });

  it('drops a grant the new record no longer allows, so the next write asks again', async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    await cache.write(bob, 'a1');
    await cache.write(alice, 'a1');
    // Moved to another department: bob (operator of d-1) is out, the citizen stays.
    cache.onEvent({ type: 'appeal.updated', appeal: record({ departmentId: 'd-2', version: 2 }), changed: ['assigneeId'] });
    f.deny(true);
    await expect(cache.write(bob, 'a1')).rejects.toThrow('FORBIDDEN');
    expect(f.reads()).toBe(3);
    await cache.write(alice, 'a1');
    expect(f.reads()).toBe(3);
  });

  it('ignores an event older than the record a grant holds', async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    await cache.write(alice, 'a1');
    cache.onEvent(statusChanged(record({ status: 'in_progress', version: 3 })));
    cache.onEvent(statusChanged(record({ status: 'info_requested', version: 2 })));
    expect((await cache.write(alice, 'a1')).appeal.status).toBe('in_progress');
    expect(f.reads()).toBe(1);
  });

  it('session.ended forgets only that session; appeal events only that appeal', async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    await cache.write(alice, 'a1');
    await cache.write(bob, 'a1');
    await cache.write(bob, 'a2');
    cache.onEvent({ type: 'session.ended', sessionIds: ['s-alice'], userId: 'u-alice' });
    await cache.write(bob, 'a1');
    expect(f.reads()).toBe(3);
    cache.onEvent({ type: 'appeal.access_changed', appealId: 'a1', userIds: [] });
    await cache.write(bob, 'a2');
    expect(f.reads()).toBe(3);
    await cache.write(bob, 'a1');
    expect(f.reads()).toBe(4);
  });

  it('does not keep a grant whose read overlapped an invalidation', async () => {
    const f = fakeAccess();
    const cache = new RoomGrantCache(f.access, new ManualClock());
    const release = f.hold();
    const pending = cache.write(alice, 'a1');
    cache.onEvent({ type: 'appeal.updated', appeal, changed: ['expertIds'] });
    release();
    await pending;
    await cache.write(alice, 'a1');
    expect(f.reads()).toBe(2);
  });

  it('reads again after the time-to-live even without events', async () => {
    const f = fakeAccess();
    const clock = new ManualClock();
    const cache = new RoomGrantCache(f.access, clock);
    await cache.write(alice, 'a1');
    clock.advance(10_001);
    await cache.write(alice, 'a1');
    expect(f.reads()).toBe(2);
  });
});
