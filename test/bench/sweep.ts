/**
 * `npm run bench -- --sweep`: the co-editing capacity of one core.
 *
 * For each server (ours, the y-websocket reference, the raw relay) the
 * co-editing load of the bench — rooms × 3 typists × 5 updates/s, each update
 * with its caret — is stepped up until a step fails: its p99 passes 50 ms, or
 * some update does not reach every peer (delivery below 100 %), or a client
 * cannot connect. Then the interval between the last step that passed and the
 * first that failed is halved twice. Every step runs in a fresh server process
 * (fresh rooms, nothing left from the step before) pinned to the server's
 * core, with the same warm-up and measured time as the co-editing phase.
 *
 * The knee is the most rooms that passed, reported as typists per core (the
 * server has one core when pinned). The generators share the other core; a
 * step in which their CPU together reaches 70 % of it does not count (its
 * latencies would be the generators' as much as the server's) and ends the
 * sweep of that server: its knee is then reported as at least the last step
 * that passed, bounded by the generator.
 */
import type { Managed } from './proc.js';
import { round, summarize, type Summary } from './stats.js';

/** Servers the sweep compares. */
export const SWEEP_SERVERS = ['ours', 'reference', 'relay'] as const;
export type SweepServer = (typeof SWEEP_SERVERS)[number];

/** A step fails past this p99. */
export const KNEE_P99_MS = 50;
/** The generators' CPU, all of them together, in % of their one core, from which a step says more about them than the server. */
export const GENERATOR_CPU_LIMIT_PCT = 70;

export interface SweepPlan {
  typists: number;
  rate: number;
  warmupMs: number;
  durationMs: number;
  /** Rooms of the first step, and the increment of each next one until a step fails. */
  firstRooms: number;
  stepRooms: number;
  /** Halvings of the interval between the last pass and the first failure. */
  refinements: number;
  /** Rooms are rounded to a multiple of this. */
  granularity: number;
  /** No step beyond this many rooms. */
  maxRooms: number;
  /** Cores the server runs on (1 when pinned). */
  serverCores: number;
}

/** One prepared server process with `rooms` rooms to co-edit. */
export interface PreparedServer {
  proc: Managed;
  /** What the Yjs generator's `init` needs for each room. */
  rooms: { url: string; doc: string; typists: Record<string, string>[] }[];
  dialect: string;
}

export interface SweepDeps {
  /** Starts a fresh server process and makes `rooms` rooms ready (ours: appeals filed and shared). */
  prepare(kind: SweepServer, rooms: number, typists: number): Promise<PreparedServer>;
  /** Runs `load` while measuring the server's CPU (all threads, 100 = one core) and the machine's steal (%, null off Linux). */
  watch<T>(server: Managed, load: () => Promise<T>): Promise<{ result: T; serverCpuPct: number; stealPct: number | null }>;
  /** The Yjs load generators (pinned to the generator core). */
  workers: Managed[];
  log(...a: unknown[]): void;
}

interface GeneratorRun {
  latencies: Float64Array;
  sent: number;
  expected: number;
  received: number;
  cpuPct: number;
  closeCount: number;
}

export interface SweepStep {
  rooms: number;
  typists: number;
  lat: Summary;
  sent: number;
  expected: number;
  received: number;
  connectFailed: number;
  closes: number;
  /** The generators' CPU together, % of their core. */
  generatorCpuPct: number;
  serverCpuPct: number;
  /** The hypervisor's share of the machine's CPU time over the measured load (other virtual machines). */
  stealPct: number | null;
  rssMb: number;
  passed: boolean;
  /** Why it failed ('' when it passed). */
  failure: string;
  error?: string;
}

export interface SweepResult {
  server: SweepServer;
  steps: SweepStep[];
  /** Most rooms that passed (0: none). */
  kneeRooms: number;
  kneeTypistsPerCore: number;
  /** What ended the sweep: a failed step (the knee is measured), the generator (the knee is at least this), or the step cap. */
  bound: 'p99' | 'delivery' | 'generator' | 'cap';
  /** Highest generator CPU of the steps that counted. */
  generatorCpuMaxPct: number;
}

const roundTo = (n: number, g: number): number => Math.max(g, Math.round(n / g) * g);

/** One step: a fresh server, `rooms` rooms, the measured load; the server is stopped again. */
async function runStep(deps: SweepDeps, plan: SweepPlan, kind: SweepServer, rooms: number): Promise<SweepStep> {
  const typists = rooms * plan.typists;
  const base = {
    rooms,
    typists,
    lat: summarize([]),
    sent: 0,
    expected: 0,
    received: 0,
    connectFailed: 0,
    closes: 0,
    generatorCpuPct: 0,
    serverCpuPct: 0,
    stealPct: null,
    rssMb: 0,
  };
  let prepared: PreparedServer | null = null;
  try {
    prepared = await deps.prepare(kind, rooms, plan.typists);
    const server = prepared.proc;
    const W = deps.workers.length;
    await Promise.all(
      deps.workers.map((wk, w) =>
        wk.request(
          'init',
          {
            dialect: prepared!.dialect,
            worker: w,
            rooms: prepared!.rooms.filter((_, r) => r % W === w),
            rate: plan.rate,
            durationMs: plan.durationMs,
            warmupMs: plan.warmupMs,
          },
          300_000,
        ),
      ),
    );
    const conns = await Promise.all(deps.workers.map((wk) => wk.request<{ failed: number }>('connect', undefined, 600_000)));
    const {
      result: runs,
      serverCpuPct,
      stealPct,
    } = await deps.watch(server, () =>
      Promise.all(deps.workers.map((wk) => wk.request<GeneratorRun>('run', undefined, plan.warmupMs + plan.durationMs + 120_000))),
    );
    const rss = await server.request<{ rss: number }>('mem', { gc: false });
    await Promise.all(deps.workers.map((wk) => wk.request('closeAll', undefined, 120_000)));
    const all: number[] = [];
    for (const r of runs) for (const v of r.latencies) all.push(v);
    const step = {
      ...base,
      lat: summarize(all),
      sent: runs.reduce((s, r) => s + r.sent, 0),
      expected: runs.reduce((s, r) => s + r.expected, 0),
      received: runs.reduce((s, r) => s + r.received, 0),
      connectFailed: conns.reduce((s, c) => s + c.failed, 0),
      closes: runs.reduce((s, r) => s + r.closeCount, 0),
      generatorCpuPct: runs.reduce((s, r) => s + r.cpuPct, 0),
      serverCpuPct,
      stealPct,
      rssMb: rss.rss / (1024 * 1024),
    };
    const failure =
      step.connectFailed > 0
        ? `${step.connectFailed} connections failed`
        : step.received < step.expected || step.expected === 0
          ? `delivery ${step.received}/${step.expected}`
          : !(step.lat.p99 <= KNEE_P99_MS)
            ? `p99 ${round(step.lat.p99, 1)} ms > ${KNEE_P99_MS}`
            : '';
    return { ...step, passed: failure === '', failure };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { ...base, passed: false, failure: `failed: ${error}`, error };
  } finally {
    await Promise.all(deps.workers.map((wk) => wk.request('closeAll', undefined, 120_000).catch(() => undefined)));
    await prepared?.proc.stop();
  }
}

/** Steps one server's load up to its knee (see the top of the file). */
export async function sweepServer(deps: SweepDeps, plan: SweepPlan, kind: SweepServer): Promise<SweepResult> {
  const steps: SweepStep[] = [];
  const step = async (rooms: number): Promise<SweepStep> => {
    deps.log(`sweep ${kind}: ${rooms} rooms (${rooms * plan.typists} typists)`);
    const s = await runStep(deps, plan, kind, rooms);
    steps.push(s);
    deps.log(
      `sweep ${kind}: ${rooms} rooms: p99 ${round(s.lat.p99, 2)} ms, delivered ${s.received}/${s.expected}, generators ${round(s.generatorCpuPct, 0)} %, server ${round(s.serverCpuPct, 0)} %, steal ${round(s.stealPct, 1)} %${s.passed ? '' : ` — ${s.failure}`}`,
    );
    return s;
  };
  const generatorBound = (s: SweepStep): boolean => s.generatorCpuPct >= GENERATOR_CPU_LIMIT_PCT;
  let lastPass = 0;
  let firstFail: SweepStep | null = null;
  let bound: SweepResult['bound'] = 'cap';
  for (let rooms = plan.firstRooms; rooms <= plan.maxRooms; rooms += plan.stepRooms) {
    const s = await step(rooms);
    // A step the generators could not carry says nothing about the server: it does not count.
    if (generatorBound(s)) {
      bound = 'generator';
      break;
    }
    if (!s.passed) {
      firstFail = s;
      break;
    }
    lastPass = rooms;
  }
  if (firstFail) {
    bound = firstFail.failure.startsWith('p99') ? 'p99' : 'delivery';
    let fail = firstFail.rooms;
    for (let i = 0; i < plan.refinements; i++) {
      const mid = roundTo((lastPass + fail) / 2, plan.granularity);
      if (mid <= lastPass || mid >= fail) break;
      const s = await step(mid);
      if (generatorBound(s)) break;
      if (s.passed) lastPass = mid;
      else fail = mid;
    }
  }
  const counted = steps.filter((s) => !generatorBound(s));
  return {
    server: kind,
    steps,
    kneeRooms: lastPass,
    kneeTypistsPerCore: (lastPass * plan.typists) / plan.serverCores,
    bound,
    generatorCpuMaxPct: Math.max(0, ...counted.map((s) => s.generatorCpuPct)),
  };
}

/** The sweep's tables, as printed. */
export function sweepTables(results: SweepResult[], plan: SweepPlan): { title: string; head: string[]; rows: string[][] }[] {
  const f = (v: number | null | undefined, d = 1): string => {
    const r = round(v, d);
    return r === null ? '—' : String(r);
  };
  const steps = {
    title: `Co-editing capacity (--sweep): rooms × ${plan.typists} typists × ${plan.rate} updates/s (+ caret each), ${plan.durationMs / 1000} s measured after ${plan.warmupMs / 1000} s, a fresh server per step; a step fails at p99 > ${KNEE_P99_MS} ms or delivery < 100 %`,
    head: ['server', 'rooms', 'typists', 'p50 ms', 'p99 ms', 'max ms', 'delivered', 'gen CPU %', 'server CPU %', 'steal %', 'RSS MB', 'verdict'],
    rows: results.flatMap((r) =>
      [...r.steps]
        .sort((a, b) => a.rooms - b.rooms)
        .map((s) => [
          r.server,
          String(s.rooms),
          String(s.typists),
          f(s.lat.p50, 2),
          f(s.lat.p99, 2),
          f(s.lat.max, 0),
          `${s.received}/${s.expected}`,
          f(s.generatorCpuPct, 0),
          f(s.serverCpuPct, 0),
          f(s.stealPct, 1),
          f(s.rssMb, 0),
          s.generatorCpuPct >= GENERATOR_CPU_LIMIT_PCT ? `not counted: generators ${round(s.generatorCpuPct, 0)} %` : s.passed ? 'pass' : s.failure,
        ]),
    ),
  };
  const knees = {
    title: `Knee: the most load that passed, in typists per core of the server (${plan.serverCores} core${plan.serverCores === 1 ? '' : 's'}); the generators must stay under ${GENERATOR_CPU_LIMIT_PCT} % of theirs`,
    head: ['server', 'knee rooms', 'typists per core', 'ended by', 'generator CPU max %'],
    rows: results.map((r) => [
      r.server,
      String(r.kneeRooms),
      `${r.bound === 'generator' || r.bound === 'cap' ? '≥ ' : ''}${f(r.kneeTypistsPerCore, 0)}`,
      r.bound,
      f(r.generatorCpuMaxPct, 0),
    ]),
  };
  return [steps, knees];
}

/** The sweep's figures for the JSON line. */
export function sweepJson(results: SweepResult[], plan: SweepPlan): Record<string, unknown> {
  const key = (s: SweepServer): string => (s === 'relay' ? 'raw_relay' : s);
  const out: Record<string, unknown> = {
    sweep_typists_per_room: plan.typists,
    sweep_updates_per_s: plan.rate,
    sweep_p99_limit_ms: KNEE_P99_MS,
    sweep_server_cores: plan.serverCores,
    sweep_generator_cpu_max_pct: round(Math.max(0, ...results.map((r) => r.generatorCpuMaxPct)), 1),
  };
  for (const r of results) {
    out[`knee_typists_per_core_${key(r.server)}`] = round(r.kneeTypistsPerCore, 0);
    out[`knee_rooms_${key(r.server)}`] = r.kneeRooms;
    out[`knee_bound_${key(r.server)}`] = r.bound;
    out[`sweep_steps_${key(r.server)}`] = [...r.steps]
      .sort((a, b) => a.rooms - b.rooms)
      .map((s) => ({
        rooms: s.rooms,
        p99_ms: round(s.lat.p99),
        delivery: s.expected ? round(s.received / s.expected, 5) : null,
        generator_cpu_pct: round(s.generatorCpuPct, 1),
        server_cpu_pct: round(s.serverCpuPct, 1),
        steal_pct: round(s.stealPct, 1),
        rss_mb: round(s.rssMb, 1),
        counted: s.generatorCpuPct < GENERATOR_CPU_LIMIT_PCT,
        passed: s.passed,
      }));
  }
  return out;
}
