/**
 * The awareness guard of the Yjs endpoint: which entry of a client's awareness
 * message counts as the connection's own (the first free clientID it uses, then
 * only that one), the exact refusals for malformed or oversized messages, the
 * `user` the server writes over whatever the client claimed. (The colour in
 * that `user` is shared/identity-colour.ts's, tested in identity-colour.test.ts.)
 * Messages are built with lib0's encoder, as y-protocols writes them.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { UpdateRejected } from '../../server/domain/description/update-validation.js';
import { MAX_AWARENESS_STATE_BYTES, ownEntry, readAwareness, type AwarenessOwner, type PeerIdentity } from '../../server/transport/collab/awareness-guard.js';

const identity: PeerIdentity = { name: 'Петров Пётр Петрович', role: 'operator', colour: '#27ae60', color: '#27ae60' };
const utf8 = new TextEncoder();

/** An awareness update: [clientID, clock, state bytes] per entry. */
function message(entries: [number, number, string | Uint8Array][], trailing: number[] = []): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, clock);
    encoding.writeVarUint8Array(e, typeof state === 'string' ? utf8.encode(state) : state);
  }
  for (const b of trailing) encoding.writeUint8(e, b);
  return encoding.toUint8Array(e);
}

function owner(awarenessId: number | null = null): AwarenessOwner {
  return { awarenessId, identity };
}

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UpdateRejected);
    return (err as UpdateRejected).reason;
  }
  throw new Error('not rejected');
}

const text = (raw: Uint8Array | undefined): string => new TextDecoder().decode(raw);

describe('readAwareness', () => {
  it('binds the connection to the first clientID it uses that nobody else holds', () => {
    const o = owner();
    const taken = new Set([7]);
    const claims = readAwareness(
      message([
        [7, 1, '{"a":1}'],
        [8, 2, '{"b":2}'],
        [9, 3, '{"c":3}'],
      ]),
      o,
      (id) => !taken.has(id),
    );
    expect(o.awarenessId).toBe(8);
    expect(claims.others).toBe(2);
    expect(claims.own?.clientId).toBe(8);
    expect(claims.own?.clock).toBe(2);
    expect(text(claims.own?.raw)).toBe('{"b":2}');
  });

  it("once bound, keeps that clientID: a later free one is someone else's entry", () => {
    const o = owner(8);
    const claims = readAwareness(
      message([
        [9, 1, '{"x":1}'],
        [8, 4, '{"mine":true}'],
      ]),
      o,
      () => true,
    );
    expect(o.awarenessId).toBe(8);
    expect(claims).toMatchObject({ others: 1, own: { clientId: 8, clock: 4 } });
    expect(text(claims.own?.raw)).toBe('{"mine":true}');
  });

  it('binds nothing while every clientID is held by others', () => {
    const o = owner();
    const claims = readAwareness(
      message([
        [1, 1, '{}'],
        [2, 1, '{}'],
      ]),
      o,
      () => false,
    );
    expect(o.awarenessId).toBeNull();
    expect(claims).toStrictEqual({ own: null, others: 2 });
  });

  it('the first entry for its own clientID counts; a repeat of it is dropped like the others', () => {
    const claims = readAwareness(
      message([
        [5, 1, '{"first":1}'],
        [5, 2, '{"second":2}'],
      ]),
      owner(5),
      () => true,
    );
    expect(claims.others).toBe(1);
    expect(claims.own?.clock).toBe(1);
    expect(text(claims.own?.raw)).toBe('{"first":1}');
  });

  it('an empty message says nothing', () => {
    expect(readAwareness(message([]), owner(), () => true)).toStrictEqual({ own: null, others: 0 });
  });

  it('accepts its own state of exactly MAX_AWARENESS_STATE_BYTES (8 KiB) and refuses one byte more', () => {
    expect(MAX_AWARENESS_STATE_BYTES).toBe(8192);
    const fits = `{"p":"${'x'.repeat(8192 - 8)}"}`;
    expect(utf8.encode(fits).length).toBe(8192);
    expect(readAwareness(message([[3, 1, fits]]), owner(3), () => true).own?.raw.length).toBe(8192);
    const over = `{"p":"${'x'.repeat(8192 - 7)}"}`;
    expect(rejection(() => readAwareness(message([[3, 1, over]]), owner(3), () => true))).toBe('awareness state too large');
  });

  it("never reads or refuses the size of another's entry", () => {
    const large = `{"p":"${'x'.repeat(20_000)}"}`;
    expect(readAwareness(message([[4, 1, large]]), owner(3), () => false)).toStrictEqual({ own: null, others: 1 });
  });

  it('refuses bytes after the last entry', () => {
    expect(rejection(() => readAwareness(message([[3, 1, '{}']], [0]), owner(3), () => true))).toBe('trailing bytes');
  });

  it('refuses a count of entries the message cannot hold, and a state longer than the message', () => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, 5);
    encoding.writeVarUint(e, 1);
    expect(rejection(() => readAwareness(encoding.toUint8Array(e), owner(), () => true))).toBe('count larger than the message');
    const cut = message([[3, 1, '{"a":12345}']]).slice(0, -2);
    expect(rejection(() => readAwareness(cut, owner(3), () => true))).toBe('length larger than the message');
  });
});

describe('ownEntry', () => {
  const own = (state: string | Uint8Array, clientId = 11, clock = 6): { clientId: number; clock: number; raw: Uint8Array } => ({
    clientId,
    clock,
    raw: typeof state === 'string' ? utf8.encode(state) : state,
  });

  it("replaces whatever `user` the client claimed with the server's identity, keeping the rest", () => {
    const entry = ownEntry(own('{"cursor":{"anchor":3},"user":{"name":"Администратор","role":"supervisor"}}'), identity);
    expect(entry).toStrictEqual({ clientId: 11, clock: 6, state: JSON.stringify({ cursor: { anchor: 3 }, user: identity }) });
  });

  it('adds the identity to a state with no user', () => {
    expect(ownEntry(own('{}', 2, 9), identity)).toStrictEqual({ clientId: 2, clock: 9, state: JSON.stringify({ user: identity }) });
  });

  it('passes a null state on as "null" (the client going away)', () => {
    expect(ownEntry(own('null', 4, 12), identity)).toStrictEqual({ clientId: 4, clock: 12, state: 'null' });
  });

  it.each(['[1,2]', '42', '"text"', 'true'])('drops a state that is not an object: %s', (state) => {
    expect(ownEntry(own(state), identity)).toBeNull();
  });

  it('refuses a state that is not JSON', () => {
    expect(rejection(() => ownEntry(own('{"a":'), identity))).toBe('awareness state is not JSON');
    expect(rejection(() => ownEntry(own(new Uint8Array([0xff, 0xfe])), identity))).toBe('awareness state is not JSON');
  });
});
