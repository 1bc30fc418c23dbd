/**
 * The durable scheduler: timed jobs and outbound deliveries are rows of the
 * Store's job table (server/store/jobs.port.ts), never `setTimeout`s, so they
 * survive a restart, and with several instances on one Store each run goes to
 * one instance (the claim is a compare-and-set on the Store).
 *
 * API (keep these names; other parts of the domain call them):
 *
 * - `scheduler.schedule({ kind, key, runAt, payload })`: Promise<void>.
 *   Idempotent per key: scheduling a key again replaces the kind, runAt and
 *   payload of its job and makes it pending again (also after it ran, so a
 *   reminder moved by an extension is re-armed). While the key's job is
 *   running, the run finishes first (two runs of one key never overlap),
 *   then the new content runs at its runAt. `payload` is plain JSON.
 * - `scheduler.enqueue({ kind, key, runAt, payload })`: Promise<boolean>.
 *   Inserts only when the key is new (true then): one delivery per key, however
 *   often the event that asks for it arrives.
 * - `scheduler.cancel(key)`: Promise<void>. The job is gone; a run already
 *   under way finishes, and its outcome is not recorded.
 * - `scheduler.handle(kind, async (job) => { … }, options?)`: registers the
 *   handler of a kind. An instance claims only kinds it has a handler for.
 *   The handler resolves when the work is done; it may resolve
 *   `{ retryAt }` to run again then without counting an attempt (an SMS
 *   waiting for the morning). A throw is a failed attempt: the job runs again
 *   after `backoffMs · 2^(attempts−1)` (at most `maxBackoffMs`), and after
 *   `maxAttempts` attempts it is marked `failed` and `onFailed(job, error)`
 *   is called.
 * - `scheduler.runDue()`: Promise<number>. Claims and runs every job due at
 *   the clock's now (in batches, until none is left) and resolves with how
 *   many runs ended. Production calls it from a timer (`start()`); tests call
 *   it directly after moving a ManualClock, so days pass in milliseconds.
 * - `start(intervalMs)` / `stop()`: the timer, and a stop that waits for the
 *   runs under way. `kick()` runs due jobs soon (after an enqueue due now).
 *
 * Exactly once: a run holds a lease (`leaseMs`, default 5 minutes) taken with
 * a compare-and-set; its outcome is recorded only while it still holds it.
 * A process killed during a run leaves the job leased: it runs again once the
 * lease expires. So a handler's effect can repeat only when the process dies
 * between the effect and its record; handlers give their effect an id the
 * receiver can recognise (an e-mail's Message-ID) where that matters.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../lib/clock.js';
import type { JobRecord, JobRepo } from '../../store/store.js';

/** What a handler gets. */
export interface Job {
  key: string;
  kind: string;
  runAt: number;
  payload: unknown;
  /** This run included (1 on the first run). */
  attempts: number;
}

export interface JobSpec {
  kind: string;
  key: string;
  runAt: number;
  payload: unknown;
}

/** A handler resolves when the work is done; with `{ retryAt }` (a number) the job runs again then, without spending an attempt. Any other value counts as done. */
export type JobHandler = (job: Job) => Promise<unknown>;

export interface HandlerOptions {
  /** Attempts before the job is marked failed (default 8). */
  maxAttempts?: number;
  /** Wait after the first failed attempt, doubled after each next one (default 30 s). */
  backoffMs?: number;
  /** Longest wait between attempts (default 1 hour). */
  maxBackoffMs?: number;
  /** Told once when the job is finally marked failed. */
  onFailed?: (job: Job, error: string) => Promise<void>;
}

export interface SchedulerOptions {
  /** How long a claim holds a job (default 5 minutes); a handler must finish well within it. */
  leaseMs?: number;
  /** Jobs claimed at once (default 50). */
  batch?: number;
  /** Runs at once (default 8). */
  concurrency?: number;
  /** How long done jobs are kept (default 7 days); removed by the timer. */
  keepDoneMs?: number;
}

export interface SchedulerLogger {
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

interface Registered {
  fn: JobHandler;
  maxAttempts: number;
  backoffMs: number;
  maxBackoffMs: number;
  onFailed: ((job: Job, error: string) => Promise<void>) | undefined;
}

/** The wait before the attempt after `attempts` failed ones. */
export function backoffDelay(attempts: number, backoffMs: number, maxBackoffMs: number): number {
  return Math.min(maxBackoffMs, backoffMs * 2 ** Math.max(0, attempts - 1));
}

/** The `retryAt` a handler answered, or null. */
function retryAtOf(result: unknown): number | null {
  if (typeof result !== 'object' || result === null || !('retryAt' in result)) return null;
  return typeof result.retryAt === 'number' ? result.retryAt : null;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

export class Scheduler {
  private readonly handlers = new Map<string, Registered>();
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly concurrency: number;
  private readonly keepDoneMs: number;
  private running: Promise<number> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  private stopped = false;
  private lastPurge = 0;

  constructor(
    private readonly d: { jobs: JobRepo; clock: Clock; logger?: SchedulerLogger },
    opts: SchedulerOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.batch = opts.batch ?? 50;
    this.concurrency = opts.concurrency ?? 8;
    this.keepDoneMs = opts.keepDoneMs ?? 7 * 24 * 3_600_000;
  }

  schedule(job: JobSpec): Promise<void> {
    return this.d.jobs.schedule(job, this.d.clock.now());
  }

  enqueue(job: JobSpec): Promise<boolean> {
    return this.d.jobs.enqueue(job, this.d.clock.now());
  }

  async cancel(key: string): Promise<void> {
    await this.d.jobs.cancel(key);
  }

  handle(kind: string, fn: JobHandler, opts: HandlerOptions = {}): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for job kind ${kind} is already registered`);
    this.handlers.set(kind, {
      fn,
      maxAttempts: opts.maxAttempts ?? 8,
      backoffMs: opts.backoffMs ?? 30_000,
      maxBackoffMs: opts.maxBackoffMs ?? 3_600_000,
      onFailed: opts.onFailed,
    });
  }

  /** Runs every due job; a call while a pass runs waits for it and makes one more pass. */
  runDue(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const pass = (async () => {
      let total = 0;
      let more = true;
      while (more) {
        this.again = false;
        total += await this.drain();
        more = this.wantsAnotherPass();
      }
      return total;
    })();
    this.running = pass;
    void pass.then(
      () => {
        this.running = null;
      },
      () => {
        this.running = null;
      },
    );
    return pass;
  }

  /** Whether a runDue call arrived during the pass that just ended. */
  private wantsAnotherPass(): boolean {
    return this.again && !this.stopped;
  }

  /** Runs due jobs on the next turn of the event loop (coalesced). */
  kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.runDue().catch((error: unknown) => {
        this.d.logger?.error('scheduler pass failed', { error: errorText(error) });
      });
    });
  }

  /** Polls for due jobs every `intervalMs`, and removes old done jobs once an hour. */
  start(intervalMs = 1000): void {
    this.stopped = false;
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      this.runDue().catch((error: unknown) => {
        this.d.logger?.error('scheduler pass failed', { error: errorText(error) });
      });
      const now = this.d.clock.now();
      if (now - this.lastPurge >= 3_600_000) {
        this.lastPurge = now;
        this.d.jobs.purgeDone(now - this.keepDoneMs).catch((error: unknown) => {
          this.d.logger?.warn('done jobs not purged', { error: errorText(error) });
        });
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for the runs under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private async drain(): Promise<number> {
    let total = 0;
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return 0;
    for (;;) {
      if (this.stopped) return total;
      const now = this.d.clock.now();
      const token = randomUUID();
      const claimed = await this.d.jobs.claim({ now, token, leaseMs: this.leaseMs, limit: this.batch, kinds });
      if (claimed.length === 0) return total;
      const queue = claimed[Symbol.iterator]();
      const worker = async (): Promise<void> => {
        for (let item = queue.next(); item.done !== true; item = queue.next()) {
          const job = item.value;
          // A store that fails to record the outcome leaves the lease: the job runs again once it expires.
          await this.runOne(job, token).catch((error: unknown) => {
            this.d.logger?.error('job outcome not recorded', { kind: job.kind, key: job.key, error: errorText(error) });
          });
          total++;
          // Between jobs the event loop takes what waits (a room's messages first): deliveries are background work.
          await new Promise<void>((resolve) => {
            setImmediate(resolve);
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, claimed.length) }, worker));
      if (claimed.length < this.batch) return total;
    }
  }

  private async runOne(record: JobRecord, token: string): Promise<void> {
    const h = this.handlers.get(record.kind);
    if (!h) return;
    const job: Job = { key: record.key, kind: record.kind, runAt: record.runAt, payload: record.payload, attempts: record.attempts };
    let result: unknown;
    try {
      result = await h.fn(job);
    } catch (error) {
      const message = errorText(error);
      const now = this.d.clock.now();
      if (job.attempts >= h.maxAttempts) {
        const held = await this.d.jobs.settle(job.key, token, { state: 'failed', error: message }, now);
        if (held && h.onFailed) await h.onFailed(job, message).catch(() => undefined);
        this.d.logger?.warn('job failed for good', { kind: job.kind, key: job.key, attempts: job.attempts, error: message });
        return;
      }
      const runAt = now + backoffDelay(job.attempts, h.backoffMs, h.maxBackoffMs);
      await this.d.jobs.settle(job.key, token, { state: 'pending', runAt, error: message }, now);
      return;
    }
    const now = this.d.clock.now();
    const retryAt = retryAtOf(result);
    if (retryAt !== null) {
      await this.d.jobs.settle(job.key, token, { state: 'pending', runAt: retryAt, error: null, refund: true }, now);
      return;
    }
    await this.d.jobs.settle(job.key, token, { state: 'done' }, now);
  }
}
