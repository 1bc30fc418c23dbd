/** Small statistics helpers for the benchmark (percentiles over raw samples). */

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (q in 0..100). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((q / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    n: arr.length,
    p50: percentile(arr, 50),
    p99: percentile(arr, 99),
    max: arr.length ? arr[arr.length - 1]! : Number.NaN,
    mean: arr.length ? sum / arr.length : Number.NaN,
  };
}

/** Rounds for the report; NaN and undefined become null (JSON has no NaN). */
export function round(v: number | null | undefined, digits = 2): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export const MB = 1024 * 1024;

/** A stretch of the server's time: when it began (ms on the machine's clock, `performance.timeOrigin + now()`) and how long it lasted. */
export interface Span {
  at: number;
  ms: number;
}

/** An event-loop stall (`--trace-tail`): how its time split between the main thread running, waiting for the core, and the hypervisor's steal. */
export interface Stall extends Span {
  ranMs: number;
  waitMs: number;
  stealMs: number;
}

export interface TailAttribution {
  /** Samples, and the p99 that splits off the tail. */
  n: number;
  p99: number;
  /** Share (0..1) of the tail's samples, and of all samples, in flight while the loop stalled. */
  tailInStall: number;
  allInStall: number;
  /** The same for GC pauses. */
  tailInGc: number;
  allInGc: number;
  /**
   * Stalls within the samples' time: count and total, and how the stalled time
   * split; `blockedMs` is the rest (the main thread neither ran nor waited for
   * the core: asleep, or blocked in a system call), per stall at least 0.
   */
  stalls: { n: number; ms: number; ranMs: number; waitMs: number; stealMs: number; blockedMs: number; maxMs: number };
}

/** Whether [from, to] overlaps a span of `spans` (sorted by `at`, none longer than `longest`). */
function overlapsAny(spans: readonly Span[], starts: Float64Array, longest: number, from: number, to: number): boolean {
  // First span that could still be running at `from`: one that began at most `longest` before it.
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < from - longest) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < spans.length && starts[i]! <= to; i++) {
    const s = spans[i]!;
    if (s.at + s.ms >= from) return true;
  }
  return false;
}

/**
 * Where a latency tail comes from: each sample is a message in flight from
 * `sentAt[i]` to `sentAt[i] + latency[i]` (machine clock, ms); the tail is the
 * samples at or above the p99. Compares how often the tail, and all samples,
 * were in flight during a stall or a GC pause of the server, and sums the
 * stalls that fell within the samples' time.
 */
export function tailAttribution(sentAt: ArrayLike<number>, latency: ArrayLike<number>, stalls: readonly Stall[], gcs: readonly Span[]): TailAttribution {
  const n = Math.min(sentAt.length, latency.length);
  const sorted = Array.from(latency)
    .slice(0, n)
    .sort((a, b) => a - b);
  const p99 = percentile(sorted, 99);
  const prep = (spans: readonly Span[]): { spans: Span[]; starts: Float64Array; longest: number } => {
    const s = [...spans].sort((a, b) => a.at - b.at);
    return { spans: s, starts: Float64Array.from(s, (x) => x.at), longest: s.reduce((m, x) => Math.max(m, x.ms), 0) };
  };
  const st = prep(stalls);
  const gc = prep(gcs);
  let tail = 0;
  let tailStall = 0;
  let allStall = 0;
  let tailGc = 0;
  let allGc = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < n; i++) {
    const from = sentAt[i]!;
    const to = from + latency[i]!;
    first = Math.min(first, from);
    last = Math.max(last, to);
    const inTail = latency[i]! >= p99;
    const inStall = overlapsAny(st.spans, st.starts, st.longest, from, to);
    const inGc = overlapsAny(gc.spans, gc.starts, gc.longest, from, to);
    if (inTail) tail++;
    if (inStall) {
      allStall++;
      if (inTail) tailStall++;
    }
    if (inGc) {
      allGc++;
      if (inTail) tailGc++;
    }
  }
  const within = stalls.filter((s) => s.at + s.ms >= first && s.at <= last);
  const sum = (k: 'ms' | 'ranMs' | 'waitMs' | 'stealMs'): number => within.reduce((a, s) => a + s[k], 0);
  const share = (part: number, whole: number): number => (whole > 0 ? part / whole : Number.NaN);
  return {
    n,
    p99,
    tailInStall: share(tailStall, tail),
    allInStall: share(allStall, n),
    tailInGc: share(tailGc, tail),
    allInGc: share(allGc, n),
    stalls: {
      n: within.length,
      ms: sum('ms'),
      ranMs: sum('ranMs'),
      waitMs: sum('waitMs'),
      stealMs: sum('stealMs'),
      blockedMs: within.reduce((a, s) => a + Math.max(0, s.ms - s.ranMs - s.waitMs - s.stealMs), 0),
      maxMs: within.reduce((m, s) => Math.max(m, s.ms), 0),
    },
  };
}
