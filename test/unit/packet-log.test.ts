/**
 * PacketLog, the recovery adapter's store of broadcasts: packets come back
 * byte for byte and in order across ring wrap-around and growth, filtered by
 * the session's rooms, and what leaves the window frees its chunks and targets.
 */
import { describe, expect, it } from 'vitest';
import { PacketLog } from '../../server/transport/realtime/packet-log.js';

const json = (i: number): string => JSON.stringify(['msg', { i, text: `сообщение ${i} ${'ю'.repeat(i % 7)}` }]);

/** Private state, read for the memory assertions only. */
const internals = (log: PacketLog): { chunks: unknown[]; targets: Map<string, unknown> } => log as unknown as { chunks: unknown[]; targets: Map<string, unknown> };

describe('PacketLog', () => {
  it('returns every packet after an offset, in order and byte for byte, across wrap-around and growth', () => {
    const log = new PacketLog();
    let t = 0;
    // Fill, drop most, fill again past the first capacity: the ring wraps, then grows.
    for (let i = 0; i < 1000; i++) log.push(json(i), t++, ['r1'], []);
    log.dropBefore(900);
    for (let i = 1000; i < 3500; i++) log.push(json(i), t++, ['r1'], []);
    expect(log.size).toBe(2600);
    expect(log.holds(899)).toBe(false);
    expect(log.holds(900)).toBe(true);
    const after = log.after(1999, ['r1']);
    expect(after).toEqual(Array.from({ length: 1500 }, (_, k) => json(2000 + k)));
    expect(log.after(3499, ['r1'])).toEqual([]);
    expect(log.holds(3500)).toBe(false);
  });

  it('gives a session only what went to one of its rooms and skipped none of them', () => {
    const log = new PacketLog();
    log.push(json(0), 0, ['r1'], []);
    log.push(json(1), 1, ['r1'], []);
    log.push(json(2), 2, ['r2'], []);
    log.push(json(3), 3, [], []);
    log.push(json(4), 4, ['r1'], ['sender']);
    log.push(json(5), 5, ['r1', 'r2'], []);
    expect(log.after(0, ['r1'])).toEqual([json(1), json(3), json(4), json(5)]);
    expect(log.after(0, ['r1', 'sender'])).toEqual([json(1), json(3), json(5)]);
    expect(log.after(0, ['r2'])).toEqual([json(2), json(3), json(5)]);
  });

  it('frees the chunks and targets of what left the window, and keeps a packet larger than a chunk', () => {
    const log = new PacketLog();
    const big = JSON.stringify(['msg', 'я'.repeat(200_000)]); // 400 KB of UTF-8, more than one chunk
    for (let i = 0; i < 3000; i++) log.push(json(i), i, [`room-${i % 10}`], [`socket-${i % 50}`]);
    log.push(big, 3000, ['r1'], []);
    expect(internals(log).chunks.length).toBeGreaterThan(1);
    expect(internals(log).targets.size).toBe(51);
    expect(log.after(2999, ['r1'])).toEqual([big]);
    log.dropBefore(3000);
    expect(log.size).toBe(1);
    expect(internals(log).chunks.length).toBe(1);
    expect(internals(log).targets.size).toBe(1);
    log.dropBefore(Infinity);
    expect(log.size).toBe(0);
    expect(internals(log).chunks.length).toBe(0);
    expect(internals(log).targets.size).toBe(0);
    // Numbering goes on after the log emptied.
    expect(log.push(json(1), 4000, ['r1'], [])).toBe(3001);
    expect(log.push(json(2), 4001, ['r1'], [])).toBe(3002);
    expect(log.holds(3000)).toBe(false);
    expect(log.after(3001, ['r1'])).toEqual([json(2)]);
  });
});
