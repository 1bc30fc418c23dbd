import { describe, expect, it } from 'vitest';
import { tailAttribution, type Span, type Stall } from '../bench/stats.js';

/** 200 messages sent 10 ms apart from t=1000, each taking 1 ms, except those listed (index → latency). */
function messages(slow: Record<number, number>): { sentAt: number[]; latency: number[] } {
  const sentAt = Array.from({ length: 200 }, (_, i) => 1000 + i * 10);
  const latency = sentAt.map((_, i) => slow[i] ?? 1);
  return { sentAt, latency };
}

describe('tailAttribution (bench --trace-tail)', () => {
  it('counts the tail in flight during a stall, and all messages, separately', () => {
    // Messages 50…52 (sent at 1500, 1510, 1520) wait out a 30 ms stall from 1505:
    // the three slowest of 200, so the p99 (nearest rank) is the least of them.
    const { sentAt, latency } = messages({ 50: 35, 51: 26, 52: 20 });
    const stalls: Stall[] = [{ at: 1505, ms: 30, ranMs: 15, waitMs: 6, stealMs: 4 }];
    const r = tailAttribution(sentAt, latency, stalls, []);
    expect(r.n).toBe(200);
    expect(r.p99).toBe(20);
    expect(r.tailInStall).toBe(1);
    // 50 (1500–1535), 51 (1510–1536), 52 (1520–1540), 53 (1530–1531): 4 of 200.
    expect(r.allInStall).toBeCloseTo(4 / 200);
    expect(r.tailInGc).toBe(0);
    // 30 ms stalled: 15 running, 6 waiting for the core, 4 stolen, 5 neither (blocked).
    expect(r.stalls).toEqual({ n: 1, ms: 30, ranMs: 15, waitMs: 6, stealMs: 4, blockedMs: 5, maxMs: 30 });
  });

  it('finds a long span that began well before the message and still ran', () => {
    // A 530 ms GC pause from 2000 covers messages 150…152 (sent 2500–2520),
    // which a search by start time alone, looking back less than 530 ms, would miss.
    const { sentAt, latency } = messages({ 150: 40, 151: 40, 152: 40 });
    const gcs: Span[] = [
      { at: 2000, ms: 530 },
      { at: 100, ms: 1 },
    ];
    const r = tailAttribution(sentAt, latency, [], gcs);
    expect(r.tailInGc).toBe(1);
    // 100…153 were in flight between 2000 and 2530: 54 messages.
    expect(r.allInGc).toBeCloseTo(54 / 200);
  });

  it("sums only the stalls within the messages' time", () => {
    const { sentAt, latency } = messages({});
    const stalls: Stall[] = [
      { at: 10, ms: 50, ranMs: 50, waitMs: 0, stealMs: 0 }, // before the first message
      { at: 1200, ms: 5, ranMs: 1, waitMs: 2, stealMs: 10 }, // steal counts in 10 ms ticks: blocked is not negative
      { at: 9000, ms: 50, ranMs: 50, waitMs: 0, stealMs: 0 }, // after the last one
    ];
    const r = tailAttribution(sentAt, latency, stalls, []);
    expect(r.stalls).toEqual({ n: 1, ms: 5, ranMs: 1, waitMs: 2, stealMs: 10, blockedMs: 0, maxMs: 5 });
  });

  it('gives NaN shares, not a division by zero, without samples', () => {
    const r = tailAttribution([], [], [], []);
    expect(r.n).toBe(0);
    expect(Number.isNaN(r.tailInStall)).toBe(true);
    expect(r.stalls.n).toBe(0);
  });
});
