/** The server's awareness of a room: y-protocols' rules for which entry wins, and messages y-protocols clients read. */
import * as decoding from 'lib0/decoding';
import { describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { presenceMessage, RoomPresence } from '../../server/transport/collab/room-presence.js';

const state = (cursor: number): string => JSON.stringify({ cursor });

/** What a y-websocket client's Awareness holds after reading `message`. */
function readByClient(message: Uint8Array, awareness = new Awareness(new Y.Doc())): Awareness {
  const d = decoding.createDecoder(message);
  expect(decoding.readVarUint(d)).toBe(1); // the awareness message type
  applyAwarenessUpdate(awareness, decoding.readVarUint8Array(d), 'server');
  return awareness;
}

describe('RoomPresence', () => {
  it('takes a higher clock, ignores a replay or a stale clock, and removes on an equal clock only with null', () => {
    const p = new RoomPresence();
    expect(p.apply({ clientId: 1, clock: 1, state: state(1) })).toBe(true);
    expect(p.apply({ clientId: 1, clock: 1, state: state(2) })).toBe(false);
    expect(p.apply({ clientId: 1, clock: 0, state: state(3) })).toBe(false);
    expect(p.apply({ clientId: 1, clock: 2, state: state(4) })).toBe(true);
    expect(p.entries()).toEqual([{ clientId: 1, clock: 2, state: state(4) }]);
    expect(p.apply({ clientId: 1, clock: 2, state: 'null' })).toBe(true);
    expect(p.size).toBe(0);
    // The clock is kept: the old state cannot come back.
    expect(p.apply({ clientId: 1, clock: 2, state: state(4) })).toBe(false);
    expect(p.apply({ clientId: 1, clock: 3, state: state(5) })).toBe(true);
  });

  it('tells nobody of the removal of an entry it never had', () => {
    const p = new RoomPresence();
    expect(p.apply({ clientId: 9, clock: 4, state: 'null' })).toBe(false);
    expect(p.remove(9)).toBeNull();
  });

  it('removes a leaver with the next clock, which a y-protocols client applies', () => {
    const p = new RoomPresence();
    p.apply({ clientId: 5, clock: 3, state: state(1) });
    p.apply({ clientId: 6, clock: 1, state: state(2) });
    const client = readByClient(presenceMessage(p.entries()));
    expect(client.getStates().get(5)).toEqual({ cursor: 1 });
    expect(client.getStates().get(6)).toEqual({ cursor: 2 });
    const removal = p.remove(5);
    expect(removal).toEqual({ clientId: 5, clock: 4, state: 'null' });
    readByClient(presenceMessage([removal!]), client);
    expect(client.getStates().has(5)).toBe(false);
    expect(client.getStates().get(6)).toEqual({ cursor: 2 });
    expect(p.remove(5)).toBeNull();
  });
});
