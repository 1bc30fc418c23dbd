/**
 * Child processes of the benchmark: servers pinned to core 0, load generators
 * pinned to core 1 (with `taskset` when there are two cores), a small
 * request/reply protocol over the IPC channel, and cleanup of every child on
 * exit, error or signal. The child side is `serveIpc`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import type { Span, Stall } from './stats.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const TASKSET = '/usr/bin/taskset';
export const CAN_PIN = existsSync(TASKSET) && availableParallelism() >= 2;
export const SERVER_CORE = 0;
export const GENERATOR_CORE = 1;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}
interface EventMsg {
  event: string;
  data?: unknown;
}

const live = new Set<ChildProcess>();

export interface Managed {
  name: string;
  child: ChildProcess;
  /** Sends a command and resolves with the child's reply (rejects on error, exit or timeout). */
  request<T = unknown>(cmd: string, args?: unknown, timeoutMs?: number): Promise<T>;
  /** Resolves with the data of the next event of that name. */
  waitEvent<T = unknown>(event: string, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

export function startNode(name: string, script: string, opts: { core?: number; env?: Record<string, string>; nodeArgs?: string[] } = {}): Managed {
  const nodeArgs = [...(opts.nodeArgs ?? []), '--import', 'tsx', path.resolve(ROOT, script)];
  const pinned = CAN_PIN && opts.core !== undefined;
  const cmd = pinned ? TASKSET : process.execPath;
  const args = pinned ? ['-c', String(opts.core), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  live.add(child);
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  const waiters = new Map<string, ((data: unknown) => void)[]>();
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${name} exited (${code ?? signal ?? '?'})`));
      }
      pending.clear();
      resolve();
    });
  });
  child.on('message', (raw: unknown) => {
    const m = raw as Partial<Reply & EventMsg>;
    if (typeof m.id === 'number') {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${name}: ${m.error ?? 'failed'}`));
    } else if (typeof m.event === 'string') {
      const list = waiters.get(m.event);
      if (list?.length) list.shift()!(m.data);
    }
  });
  return {
    name,
    child,
    request<T>(c: string, a?: unknown, timeoutMs = 120_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (child.exitCode !== null || !child.connected) {
          reject(new Error(`${name} is not running`));
          return;
        }
        const id = nextId++;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: ${c} timed out`));
        }, timeoutMs);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        child.send({ id, cmd: c, args: a });
      });
    },
    waitEvent<T>(event: string, timeoutMs = 60_000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`${name}: no ${event} in ${timeoutMs} ms`));
        }, timeoutMs);
        const fn = (d: unknown): void => {
          clearTimeout(timer);
          resolve(d as T);
        };
        waiters.set(event, [...(waiters.get(event) ?? []), fn]);
        void exited.then(() => {
          clearTimeout(timer);
          reject(new Error(`${name} exited before ${event}`));
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.disconnect();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Kills every child still running (used on any exit path of the parent). */
export function killAll(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

/**
 * Lets every child clean up (servers remove their temp data directories when
 * the IPC channel closes), waits up to 3 s, then kills what is left.
 */
export async function stopAll(): Promise<void> {
  const children = [...live];
  await Promise.race([
    Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) {
              resolve();
              return;
            }
            c.once('exit', () => {
              resolve();
            });
            try {
              if (c.connected) c.disconnect();
              else c.kill('SIGTERM');
            } catch {
              resolve();
            }
          }),
      ),
    ),
    new Promise((r) => setTimeout(r, 3000)),
  ]);
  killAll();
}

let cleanupInstalled = false;
export function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  let stopping = false;
  const bail = (code: number): void => {
    if (stopping) return;
    stopping = true;
    void stopAll().finally(() => process.exit(code));
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(sig, () => {
      bail(130);
    });
  process.on('uncaughtException', (err) => {
    console.error(err);
    bail(1);
  });
  process.on('unhandledRejection', (err) => {
    console.error(err);
    bail(1);
  });
}

// ---- child side ----

/** A command handler; its argument is whatever the parent sent with the command. */
export type Handler = (args: never) => unknown;

/**
 * Answers the parent's commands. `onExit` runs when the parent goes away
 * (disconnect) or sends `exit`; then the process exits.
 */
export function serveIpc(
  handlers: Record<string, Handler>,
  onExit: () => Promise<void> | void = () => undefined,
): { emit(event: string, data?: unknown): void } {
  let exiting = false;
  const exit = (): void => {
    if (exiting) return;
    exiting = true;
    const hard = setTimeout(() => process.exit(0), 5000);
    hard.unref();
    Promise.resolve()
      .then(onExit)
      .catch((e: unknown) => {
        console.error(e);
      })
      .finally(() => process.exit(0));
  };
  process.on('disconnect', exit);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  process.on('message', (raw: unknown) => {
    const m = raw as { id: number; cmd: string; args?: unknown };
    if (m.cmd === 'exit') {
      exit();
      return;
    }
    const h = handlers[m.cmd];
    if (!h) {
      process.send?.({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => (h as (a: unknown) => unknown)(m.args))
      .then(
        (result) => {
          if (process.connected) process.send?.({ id: m.id, ok: true, result });
        },
        (err: unknown) => {
          if (process.connected) process.send?.({ id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
        },
      );
  });
  return {
    emit: (event, data) => {
      if (process.connected) process.send?.({ event, data });
    },
  };
}

export interface MemReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

/** The server process's own memory, after a full GC when `--expose-gc` is on. */
export function memReport(opts: { gc?: boolean } = {}): MemReport {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (opts.gc !== false && gc) {
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

let loop: IntervalHistogram | null = null;
let gcPauses: Span[] = [];
/** The machine's clock, shared by every process of the benchmark (ms). */
const machineNow = (): number => performance.timeOrigin + performance.now();
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push({ at: performance.timeOrigin + e.startTime, ms: e.duration });
});

/** What `--trace-tail` gives back from a server: its stalls and GC pauses on the machine's clock, and its threads' CPU. */
export interface TailTrace {
  stalls: Stall[];
  gc: Span[];
  /** Each thread of the process over the window, the main thread first: CPU it ran, and time it waited for a core (ms; Linux schedstat). */
  threads: { tid: number; name: string; ranMs: number; waitMs: number }[];
}

/** The tick of the stall watch; a tick later than this by more than STALL_MS is a stall. */
const TICK_MS = 2;
const STALL_MS = 2;
/** Steal is counted in 10 ms ticks: reading it every 5th tick (10 ms) loses nothing. */
const STEAL_EVERY = 5;

/**
 * `--trace-tail`: every 2 ms the main thread reads its own scheduler figures
 * (`/proc/thread-self/schedstat`: time run, time waited on the run queue) and,
 * every 10 ms and after a late tick, its core's steal (`/proc/stat`, in 10 ms
 * ticks). A tick more than 2 ms late is a stall: the loop was stuck from when
 * the tick was due until it ran. It is recorded with how the time since the
 * last tick split. The files stay open and are read with `pread` (2 µs and
 * 11 µs a read here). Linux only.
 */
class StallWatch {
  readonly stalls: Stall[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly threads0: Map<number, { name: string; ran: number; wait: number }>;
  private readonly main = new ProcFile('/proc/thread-self/schedstat');
  private readonly stat = new ProcFile('/proc/stat');

  constructor(core: number) {
    this.threads0 = threadTimes();
    const prefix = `cpu${core} `;
    const steal = (): number => {
      const line = this.stat
        .read()
        .split('\n')
        .find((l) => l.startsWith(prefix));
      return Number(line?.trim().split(/\s+/)[8] ?? 0);
    };
    const sample = (): { at: number; ran: number; wait: number } => ({ at: machineNow(), ...parseSchedstat(this.main.read()) });
    let last = sample();
    let lastSteal = steal();
    let ticks = 0;
    this.timer = setInterval(() => {
      const now = sample();
      const late = now.at - last.at - TICK_MS;
      if (late > STALL_MS) {
        const stealNow = steal();
        this.stalls.push({ at: last.at + TICK_MS, ms: late, ranMs: now.ran - last.ran, waitMs: now.wait - last.wait, stealMs: (stealNow - lastSteal) * 10 });
        lastSteal = stealNow;
        ticks = 0;
      } else if (++ticks % STEAL_EVERY === 0) {
        lastSteal = steal();
      }
      last = now;
    }, TICK_MS);
    this.timer.unref();
  }

  stop(): TailTrace['threads'] {
    clearInterval(this.timer);
    this.main.close();
    this.stat.close();
    const out: TailTrace['threads'] = [];
    for (const [tid, t] of threadTimes()) {
      const t0 = this.threads0.get(tid) ?? { ran: 0, wait: 0 };
      out.push({ tid, name: t.name, ranMs: t.ran - t0.ran, waitMs: t.wait - t0.wait });
    }
    // The main thread first, then the busiest.
    return out.sort((a, b) => Number(b.tid === process.pid) - Number(a.tid === process.pid) || b.ranMs - a.ranMs);
  }
}

/** A /proc file kept open and read again from its start (the kernel regenerates it). */
class ProcFile {
  private readonly fd: number;
  private readonly buf = Buffer.alloc(16 * 1024);

  constructor(file: string) {
    this.fd = openSync(file, 'r');
  }

  read(): string {
    return this.buf.toString('utf8', 0, readSync(this.fd, this.buf, 0, this.buf.length, 0));
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Run and run-queue wait of one thread in ms (`schedstat`: ns ns count). */
function parseSchedstat(text: string): { ran: number; wait: number } {
  const [ran = 0, wait = 0] = text.trim().split(' ').map(Number);
  return { ran: ran / 1e6, wait: wait / 1e6 };
}

function threadTimes(): Map<number, { name: string; ran: number; wait: number }> {
  const out = new Map<number, { name: string; ran: number; wait: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const dir = `/proc/self/task/${tid}`;
      out.set(Number(tid), { name: readFileSync(`${dir}/comm`, 'utf8').trim(), ...parseSchedstat(readFileSync(`${dir}/schedstat`, 'utf8')) });
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

let stallWatch: StallWatch | null = null;

/** Handlers every server wrapper answers. */
export const commonHandlers: Record<string, Handler> = {
  mem: (a: { gc?: boolean } | undefined) => memReport(a ?? {}),
  cpu: () => process.cpuUsage(),
  /** Starts watching the server's own event loop (delay) and GC pauses; with `trace`, its stalls too (`--trace-tail`). */
  loopStart: (a: { trace?: boolean; core?: number } | undefined) => {
    loop?.disable();
    loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    gcPauses = [];
    gcObserver.observe({ entryTypes: ['gc'] });
    stallWatch?.stop();
    stallWatch = a?.trace ? new StallWatch(a.core ?? 0) : null;
    return null;
  },
  /** What the loop and the GC did since `loopStart`, in ms; `trace` when asked for. */
  loopStop: () => {
    if (!loop) return null;
    loop.disable();
    gcObserver.disconnect();
    const ms = (ns: number): number => ns / 1e6;
    const sorted = gcPauses.map((g) => g.ms).sort((a, b) => a - b);
    const trace: TailTrace | null = stallWatch ? { stalls: stallWatch.stalls, gc: gcPauses, threads: stallWatch.stop() } : null;
    stallWatch = null;
    const r = {
      delayP50Ms: ms(loop.percentile(50)),
      delayP99Ms: ms(loop.percentile(99)),
      delayMaxMs: ms(loop.max),
      gcCount: sorted.length,
      gcTotalMs: sorted.reduce((a, b) => a + b, 0),
      gcMaxMs: sorted.at(-1) ?? 0,
      trace,
    };
    loop = null;
    return r;
  },
};
