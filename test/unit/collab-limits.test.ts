/**
 * The Yjs endpoint's per-connection accounting: an awareness message is sorted
 * into the connection's own entry and the others' (only its own is read or
 * size-checked), echoes are paid by what the server sent, and refusal warnings
 * are limited per user and per window with a summary of what was left out.
 */
import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { UpdateRejected } from '../../server/domain/description/update-validation.js';
import type { Logger } from '../../server/lib/logger.js';
import { MAX_AWARENESS_STATE_BYTES, ownEntry, readAwareness, type AwarenessOwner } from '../../server/transport/collab/awareness-guard.js';
import { EchoAllowance, MAX_ECHO_CREDITS } from '../../server/transport/collab/echo-allowance.js';
import { RefusalLog } from '../../server/transport/collab/refusal-log.js';

const identity = { name: 'Иванов Иван Иванович', role: 'citizen', colour: '#2980b9', color: '#2980b9' };

function payload(entries: [number, number, string][]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, state);
  }
  return encoding.toUint8Array(e);
}

describe('readAwareness', () => {
  it('binds the first free clientID, counts every other entry, and reads only the own state', () => {
    const owner: AwarenessOwner = { awarenessId: null, identity };
    const taken = new Set([1]);
    const claims = readAwareness(
      payload([
        [1, 5, '{"peer":1}'],
        [2, 3, '{"cursor":4}'],
        [3, 1, 'not json'],
        [2, 4, '{}'],
      ]),
      owner,
      (id) => !taken.has(id),
    );
    expect(owner.awarenessId).toBe(2);
    expect(claims.others).toBe(3);
    expect(claims.own?.clock).toBe(3);
    expect(ownEntry(claims.own!, identity)).toEqual({ clientId: 2, clock: 3, state: JSON.stringify({ cursor: 4, user: identity }) });
  });

  it('refuses an own state over 8 KiB but leaves a large state of another client unread (an echo of what the server sent)', () => {
    const big = JSON.stringify({ c: 'x'.repeat(MAX_AWARENESS_STATE_BYTES) });
    const owner: AwarenessOwner = { awarenessId: 2, identity };
    expect(readAwareness(payload([[9, 1, big]]), owner, () => false)).toEqual({ own: null, others: 1 });
    expect(() => readAwareness(payload([[2, 1, big]]), owner, () => true)).toThrow(UpdateRejected);
  });
});

describe('EchoAllowance', () => {
  it('lets a connection echo every entry it was sent, then only the spare bucket', () => {
    let now = 0;
    const echoes = new EchoAllowance([50, 200], () => now);
    echoes.credit(1000);
    expect(echoes.spend(1000)).toBe(true);
    expect(echoes.spend(200)).toBe(true); // the spare burst
    expect(echoes.spend(1)).toBe(false);
    now = 1000;
    expect(echoes.spend(50)).toBe(true); // one second of spare refill
    expect(echoes.spend(1)).toBe(false);
  });

  it('keeps at most MAX_ECHO_CREDITS credits', () => {
    const echoes = new EchoAllowance([0, 0], () => 0);
    echoes.credit(MAX_ECHO_CREDITS * 3);
    expect(echoes.spend(MAX_ECHO_CREDITS)).toBe(true);
    expect(echoes.spend(1)).toBe(false);
  });
});

function capturingLogger(): Logger & { lines: { msg: string; fields: Record<string, unknown> }[] } {
  const lines: { msg: string; fields: Record<string, unknown> }[] = [];
  const keep = (msg: string, fields: Record<string, unknown> = {}): void => {
    lines.push({ msg, fields });
  };
  return { lines, debug: keep, info: keep, warn: keep, error: keep, banner: () => undefined };
}

describe('RefusalLog', () => {
  const messages = { line: 'refused', summary: 'refused: suppressed' };

  it('writes a few lines per user and per window, then one summary with the counts by reason', () => {
    const logger = capturingLogger();
    let now = 0;
    const log = new RefusalLog(logger, messages, { windowMs: 1000, perUser: 2, perWindow: 3 }, () => now);
    for (let i = 0; i < 1000; i++) log.note(i < 500 ? 'u1' : `u${i}`, i % 3 === 0 ? 'trailing bytes' : 'unknown message type', { i });
    expect(logger.lines.map((l) => l.fields.i)).toEqual([0, 1, 500]);
    now = 1000;
    log.note('u1', 'trailing bytes', { i: 1000 }); // a new window: the summary of the last, then a line again
    expect(logger.lines.slice(3).map((l) => l.msg)).toEqual(['refused: suppressed', 'refused']);
    expect(logger.lines[3]?.fields).toEqual({
      suppressed: 997,
      byReason: { 'trailing bytes': 333, 'unknown message type': 664 },
      sources: 500,
      windowMs: 1000,
    });
    log.flush();
    expect(logger.lines).toHaveLength(5);
  });

  it('writes the summary when the window ends even if nothing more is refused', async () => {
    const logger = capturingLogger();
    const log = new RefusalLog(logger, messages, { windowMs: 50, perUser: 1, perWindow: 10 });
    log.note('u1', 'a', {});
    log.note('u1', 'a', {});
    await new Promise((r) => setTimeout(r, 120));
    expect(logger.lines.map((l) => l.msg)).toEqual(['refused', 'refused: suppressed']);
  });

  it('counts at most 32 distinct reasons, the rest as other', () => {
    const logger = capturingLogger();
    const log = new RefusalLog(logger, messages, { windowMs: 1000, perUser: 0, perWindow: 0 }, () => 0);
    for (let i = 0; i < 100; i++) log.note('u', `could not apply: ${i}`, {});
    log.flush();
    const byReason = logger.lines[0]?.fields.byReason as Record<string, number>;
    expect(Object.keys(byReason)).toHaveLength(33);
    expect(byReason.other).toBe(68);
  });
});
