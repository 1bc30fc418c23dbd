/**
 * What instances tell each other (`REDIS_URL`): the people each has in its
 * rooms, merged into one list per room; and the Yjs relay's frames, which an
 * instance decodes or drops, never half-reads.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_EXPIRY_MS, PRESENCE_REFRESH_MS, PresenceService } from '../../server/domain/presence/presence.service.js';
import { decodeRelayed, encodeRelayed } from '../../server/transport/collab/cluster-relay.js';

afterEach(() => {
  vi.useRealTimers();
});

const person = (userId: string) => ({ userId, name: userId, role: 'operator' as const, roomRole: 'officer' as const });

/** Two services linked as two instances would be, through a list of messages delivered by hand. */
function pair(): { here: PresenceService; there: PresenceService; deliver: () => void; changedHere: string[] } {
  const queue: { to: PresenceService; from: string; payload: string }[] = [];
  const here = new PresenceService();
  const there = new PresenceService();
  const changedHere: string[] = [];
  here.linkTo(
    (payload) => queue.push({ to: there, from: 'here', payload }),
    (id) => {
      changedHere.push(id);
    },
  );
  there.linkTo(
    (payload) => queue.push({ to: here, from: 'there', payload }),
    () => undefined,
  );
  const deliver = (): void => {
    for (const m of queue.splice(0)) expect(m.to.receiveRemote(m.from, m.payload)).toBe(true);
  };
  return { here, there, deliver, changedHere };
}

describe('presence across instances', () => {
  it('lists the people of every instance once, and tells of a change made elsewhere', () => {
    vi.useFakeTimers();
    const { here, there, deliver, changedHere } = pair();
    deliver();
    expect(here.join('a1', 'c1', person('u1'))).toBe(true);
    expect(there.join('a1', 'c2', person('u2'))).toBe(true);
    // The same person on both instances is one entry.
    there.join('a1', 'c3', person('u1'));
    deliver();
    expect(here.people('a1').map((p) => p.userId)).toEqual(['u1', 'u2']);
    expect(there.people('a1').map((p) => p.userId)).toEqual(['u2', 'u1']);
    expect(changedHere).toEqual(['a1']);

    // u1 leaves here but is still connected there: still listed everywhere.
    here.leave('a1', 'c1');
    deliver();
    expect(there.people('a1').map((p) => p.userId)).toEqual(['u2', 'u1']);
    expect(
      here
        .people('a1')
        .map((p) => p.userId)
        .sort(),
    ).toEqual(['u1', 'u2']);
    there.leave('a1', 'c3');
    there.leave('a1', 'c2');
    deliver();
    expect(here.people('a1')).toEqual([]);
    here.close();
    there.close();
  });

  it('forgets an instance that has gone silent, and says so', () => {
    vi.useFakeTimers();
    const { here, there, deliver, changedHere } = pair();
    there.join('a1', 'c2', person('u2'));
    deliver();
    expect(here.people('a1')).toHaveLength(1);
    // "there" stops: nothing of it arrives any more, while "here" keeps refreshing.
    there.close();
    changedHere.length = 0;
    vi.advanceTimersByTime(PRESENCE_REFRESH_MS);
    expect(here.people('a1')).toHaveLength(1);
    vi.advanceTimersByTime(PRESENCE_EXPIRY_MS);
    expect(here.people('a1')).toEqual([]);
    expect(changedHere).toEqual(['a1']);
    here.close();
  });

  it('ignores what is not a presence message', () => {
    const s = new PresenceService();
    for (const bad of ['x', '{}', '{"full":true}', '{"full":true,"rooms":{"a1":[{"userId":1}]}}', '{"full":"yes","rooms":{}}']) {
      expect(s.receiveRemote('i1', bad)).toBe(false);
    }
    expect(s.people('a1')).toEqual([]);
  });
});

describe('the Yjs relay frames', () => {
  it('round-trips an update and an awareness entry', () => {
    const update = new Uint8Array([1, 2, 3, 250]);
    expect(decodeRelayed(encodeRelayed({ kind: 'update', appealId: 'ap-1', update }))).toEqual({ kind: 'update', appealId: 'ap-1', update });
    const entry = { clientId: 7, clock: 3, state: '{"user":{"name":"Иван"}}' };
    expect(decodeRelayed(encodeRelayed({ kind: 'presence', appealId: 'ap-1', entry }))).toEqual({ kind: 'presence', appealId: 'ap-1', entry });
  });

  it('drops truncated, unknown and malformed frames', () => {
    const good = encodeRelayed({ kind: 'presence', appealId: 'ap-1', entry: { clientId: 7, clock: 3, state: 'null' } });
    for (const bad of [
      Buffer.alloc(0),
      Buffer.from([0]),
      good.subarray(0, 4),
      Buffer.from([9, 1, 0x61, 1]),
      Buffer.concat([good.subarray(0, 6), Buffer.from('{"clientId":-1,"clock":1,"state":"x"}')]),
      Buffer.from([0, 4, 0x61, 0x70, 0x2d, 0x31]),
    ])
      expect(decodeRelayed(bad)).toBeNull();
  });
});
