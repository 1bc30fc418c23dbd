/**
 * The durable job table of the Store port: timed jobs and outbound deliveries
 * as rows (never timers), leased with a compare-and-set so that of several
 * instances on one store each run goes to exactly one. The scheduler in
 * server/domain/jobs/ is its one user; the contract suite pins every rule
 * below on each adapter (test/contract/jobs.contract.ts).
 */

/** `pending` waits for its `runAt` (or runs under a lease); `done` and `failed` are final until scheduled again. */
export type JobState = 'pending' | 'done' | 'failed';

export interface JobRecord {
  /** Unique; re-scheduling a key replaces the job. */
  key: string;
  /** Which handler runs it. */
  kind: string;
  /** Epoch ms at or after which it may run. */
  runAt: number;
  /** Plain JSON the handler reads. */
  payload: unknown;
  state: JobState;
  /** Runs started (a claim counts one), since it was last scheduled. */
  attempts: number;
  /** The claim holding it, null when none. */
  leaseToken: string | null;
  /** Until when that claim holds it (0 when none); an expired lease may be claimed again. */
  leaseUntil: number;
  /** Why the last run failed, if it did. */
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewJob {
  key: string;
  kind: string;
  runAt: number;
  payload: unknown;
}

/** How a claimed run ended. */
export type JobOutcome =
  | { state: 'done' }
  /** Run again at `runAt`. `refund`: the run does not count as an attempt (a deferral, not a failure). */
  | { state: 'pending'; runAt: number; error: string | null; refund?: boolean }
  | { state: 'failed'; error: string };

export interface JobRepo {
  /**
   * Inserts the job, or replaces the kind, runAt and payload of the job with
   * that key, whatever its state: it is pending again with no attempts. A run
   * under way (a live lease) keeps its lease, so no second run of the key
   * starts meanwhile; its `settle` then records nothing and ends the lease,
   * leaving the new content pending. An expired lease is simply dropped.
   */
  schedule(job: NewJob, now: number): Promise<void>;
  /** Inserts the job only when no job has its key; true when inserted. Idempotent delivery: a second copy of one event adds nothing. */
  enqueue(job: NewJob, now: number): Promise<boolean>;
  /** Removes the job with that key, whatever its state; true when there was one. A run under way finishes, its `settle` changes nothing. */
  cancel(key: string): Promise<boolean>;
  get(key: string): Promise<JobRecord | null>;
  /**
   * Takes up to `limit` pending jobs due at `now` (runAt ≤ now) and not under a
   * live lease, earliest runAt first, each with a compare-and-set: it is leased
   * to `token` until now + leaseMs and its attempts count one more. Of claims
   * racing on one store, in one process or several, each job goes to one.
   * `kinds` limits the claim to those kinds.
   */
  claim(opts: { now: number; token: string; leaseMs: number; limit: number; kinds?: readonly string[] }): Promise<JobRecord[]>;
  /**
   * Ends the run that `token` claimed, if it still holds the job (no later
   * claim after its lease expired, no schedule or cancel meanwhile): true then.
   */
  settle(key: string, token: string, outcome: JobOutcome, now: number): Promise<boolean>;
  /** The earliest runAt of a pending job (a lease ignored), or null when none. */
  nextRunAt(): Promise<number | null>;
  /** How many jobs are in `state` (of `kind`, when given). */
  count(state: JobState, kind?: string): Promise<number>;
  /** Removes `done` jobs last changed before `before`; returns how many. */
  purgeDone(before: number): Promise<number>;
}
