/** The durable job table on SQLite (jobs.port.ts). One connection holds the file, so a claim's select and its updates run in one transaction. */
import type { JobOutcome, JobRecord, JobRepo, NewJob } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const jobs = new Table<JobRecord>('jobs', {
  key: 'text',
  kind: 'text',
  runAt: 'int',
  payload: 'json',
  state: 'text',
  attempts: 'int',
  leaseToken: 'text',
  leaseUntil: 'int',
  lastError: 'text',
  createdAt: 'int',
  updatedAt: 'int',
});

const fresh = (job: NewJob, now: number): JobRecord => ({
  key: job.key,
  kind: job.kind,
  runAt: job.runAt,
  payload: job.payload ?? null,
  state: 'pending',
  attempts: 0,
  leaseToken: null,
  leaseUntil: 0,
  lastError: null,
  createdAt: now,
  updatedAt: now,
});

export function sqliteJobs(ctx: SqliteContext): JobRepo {
  return {
    schedule: (job, now) =>
      ctx.write(() => {
        ctx.run(
          // A run under a live lease keeps it, marked (`~`): no second run starts meanwhile, and its settle leaves the new content pending.
          `${jobs.insertSql()} ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, run_at = excluded.run_at, payload = excluded.payload,
            state = 'pending', attempts = 0, last_error = NULL, updated_at = excluded.updated_at,
            lease_token = CASE WHEN lease_token IS NOT NULL AND lease_until > excluded.updated_at THEN rtrim(lease_token, '~') || '~' ELSE NULL END,
            lease_until = CASE WHEN lease_token IS NOT NULL AND lease_until > excluded.updated_at THEN lease_until ELSE 0 END`,
          jobs.params(fresh(job, now)),
        );
      }),
    enqueue: (job, now) => ctx.write(() => ctx.run(`${jobs.insertSql()} ON CONFLICT (key) DO NOTHING`, jobs.params(fresh(job, now))).changes === 1),
    cancel: (key) => ctx.write(() => ctx.run('DELETE FROM jobs WHERE key = ?', key).changes === 1),
    get: (key) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM jobs WHERE key = ?', key);
        return row ? jobs.decode(row) : null;
      }),
    claim: ({ now, token, leaseMs, limit, kinds }) =>
      ctx.write(() => {
        const kindList = kinds ? [...kinds] : null;
        const kindClause = kindList ? `AND kind IN (${kindList.map(() => '?').join(', ')})` : '';
        const rows = ctx
          .all(
            `SELECT key FROM jobs WHERE state = 'pending' AND run_at <= ? AND lease_until <= ? ${kindClause} ORDER BY run_at, key LIMIT ?`,
            now,
            now,
            ...(kindList ?? []),
            Math.max(0, Math.trunc(limit)),
          )
          .map((r) => r.key as string);
        const out: JobRecord[] = [];
        for (const key of rows) {
          const changed = ctx.run(
            `UPDATE jobs SET lease_token = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
              WHERE key = ? AND state = 'pending' AND run_at <= ? AND lease_until <= ?`,
            token,
            now + leaseMs,
            now,
            key,
            now,
            now,
          ).changes;
          const row = changed === 1 ? ctx.get('SELECT * FROM jobs WHERE key = ?', key) : undefined;
          if (row) out.push(jobs.decode(row));
        }
        return out;
      }),
    settle: (key, token, outcome, now) =>
      ctx.write(() => {
        if (settleHeld(ctx, key, token, outcome, now)) return true;
        // Scheduled again during the run: the lease ends, the new content stays pending.
        ctx.run('UPDATE jobs SET lease_token = NULL, lease_until = 0, updated_at = ? WHERE key = ? AND lease_token = ?', now, key, `${token}~`);
        return false;
      }),
    nextRunAt: () => ctx.read(() => (ctx.get(`SELECT MIN(run_at) AS t FROM jobs WHERE state = 'pending'`)?.t as number | null) ?? null),
    count: (state, kind) =>
      ctx.read(
        () =>
          (kind === undefined
            ? ctx.get('SELECT COUNT(*) AS n FROM jobs WHERE state = ?', state)
            : ctx.get('SELECT COUNT(*) AS n FROM jobs WHERE state = ? AND kind = ?', state, kind)
          )?.n as number,
      ),
    purgeDone: (before) => ctx.write(() => ctx.run(`DELETE FROM jobs WHERE state = 'done' AND updated_at < ?`, before).changes),
  };
}

/** Records the outcome when `token` still holds the job; true then. */
function settleHeld(ctx: SqliteContext, key: string, token: string, outcome: JobOutcome, now: number): boolean {
  const where = 'WHERE key = ? AND lease_token = ?';
  switch (outcome.state) {
    case 'done':
      return (
        ctx.run(`UPDATE jobs SET state = 'done', lease_token = NULL, lease_until = 0, last_error = NULL, updated_at = ? ${where}`, now, key, token).changes ===
        1
      );
    case 'failed':
      return (
        ctx.run(
          `UPDATE jobs SET state = 'failed', lease_token = NULL, lease_until = 0, last_error = ?, updated_at = ? ${where}`,
          outcome.error,
          now,
          key,
          token,
        ).changes === 1
      );
    case 'pending':
      return (
        ctx.run(
          `UPDATE jobs SET run_at = ?, lease_token = NULL, lease_until = 0, last_error = ?, attempts = attempts - ?, updated_at = ? ${where}`,
          outcome.runAt,
          outcome.error,
          outcome.refund ? 1 : 0,
          now,
          key,
          token,
        ).changes === 1
      );
  }
}
