/** The durable scheduler over a real SQLite store, with the injected clock: days pass in milliseconds. */
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, backoffDelay, type Job } from '../../server/domain/jobs/scheduler.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-scheduler-');
const DAY = 24 * 3_600_000;
const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function store(dir?: string): Promise<{ store: Store; dir: string }> {
  const dataDir = dir ?? (await tempDir());
  const s = await openSqliteStore({ dataDir });
  open.push(s);
  return { store: s, dir: dataDir };
}

describe('Scheduler', () => {
  it('runs a job when the clock reaches its runAt, once, with its payload', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    const scheduler = new Scheduler({ jobs: s.jobs, clock });
    const seen: Job[] = [];
    scheduler.handle('reminder', (job) => {
      seen.push(job);
      return Promise.resolve();
    });
    await scheduler.schedule({ kind: 'reminder', key: 'appeal-1:-5', runAt: clock.now() + 25 * DAY, payload: { appealId: 'appeal-1' } });
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(25 * DAY - 1);
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(1);
    expect(await scheduler.runDue()).toBe(1);
    expect(seen.map((j) => [j.key, j.payload, j.attempts])).toEqual([['appeal-1:-5', { appealId: 'appeal-1' }, 1]]);
    clock.advance(DAY);
    expect(await scheduler.runDue()).toBe(0);
    expect((await s.jobs.get('appeal-1:-5'))?.state).toBe('done');
  });

  it('re-scheduling a key moves the pending job; cancel removes it', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    const scheduler = new Scheduler({ jobs: s.jobs, clock });
    const ran: unknown[] = [];
    scheduler.handle('k', (job) => {
      ran.push(job.payload);
      return Promise.resolve();
    });
    await scheduler.schedule({ kind: 'k', key: 'a', runAt: clock.now() + 1000, payload: 1 });
    await scheduler.schedule({ kind: 'k', key: 'a', runAt: clock.now() + 5000, payload: 2 });
    await scheduler.schedule({ kind: 'k', key: 'b', runAt: clock.now() + 1000, payload: 3 });
    await scheduler.cancel('b');
    clock.advance(1000);
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(4000);
    expect(await scheduler.runDue()).toBe(1);
    expect(ran).toEqual([2]);
  });

  it('a failing job backs off exponentially, then is marked failed and onFailed is told once', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    const scheduler = new Scheduler({ jobs: s.jobs, clock });
    const attempts: number[] = [];
    const failed: string[] = [];
    scheduler.handle(
      'mail',
      (job) => {
        attempts.push(job.attempts);
        return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:2525'));
      },
      {
        maxAttempts: 4,
        backoffMs: 30_000,
        maxBackoffMs: 90_000,
        onFailed: (job, error) => {
          failed.push(`${job.key}: ${error}`);
          return Promise.resolve();
        },
      },
    );
    await scheduler.enqueue({ kind: 'mail', key: 'd1', runAt: clock.now(), payload: null });
    const runAts: number[] = [];
    const start = clock.now();
    for (let i = 0; i < 4; i++) {
      await scheduler.runDue();
      const j = await s.jobs.get('d1');
      runAts.push(j!.runAt - start);
      clock.advance(j!.runAt - clock.now());
    }
    expect(attempts).toEqual([1, 2, 3, 4]);
    // 30 s, then 60 s, then 90 s (the cap) after each failure; the fourth is final.
    expect(runAts).toEqual([30_000, 90_000, 180_000, 180_000]);
    const j = await s.jobs.get('d1');
    expect([j?.state, j?.lastError]).toEqual(['failed', 'connect ECONNREFUSED 127.0.0.1:2525']);
    expect(failed).toEqual(['d1: connect ECONNREFUSED 127.0.0.1:2525']);
    clock.advance(DAY);
    expect(await scheduler.runDue()).toBe(0);
    expect([backoffDelay(1, 1000, 1e9), backoffDelay(2, 1000, 1e9), backoffDelay(5, 1000, 1e9)]).toEqual([1000, 2000, 16_000]);
  });

  it('a handler that answers retryAt waits without spending an attempt', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    const scheduler = new Scheduler({ jobs: s.jobs, clock });
    const calls: number[] = [];
    scheduler.handle(
      'sms',
      (job) => {
        calls.push(job.attempts);
        return Promise.resolve(calls.length < 3 ? { retryAt: clock.now() + 3_600_000 } : undefined);
      },
      { maxAttempts: 1 },
    );
    await scheduler.enqueue({ kind: 'sms', key: 's', runAt: clock.now(), payload: null });
    for (let i = 0; i < 3; i++) {
      await scheduler.runDue();
      clock.advance(3_600_000);
    }
    expect(calls).toEqual([1, 1, 1]);
    expect((await s.jobs.get('s'))?.state).toBe('done');
  });

  it('jobs survive a restart: scheduled before a close, run by a new scheduler on the reopened store', async () => {
    const clock = new ManualClock();
    const first = await store();
    const before = new Scheduler({ jobs: first.store.jobs, clock });
    for (let i = 0; i < 20; i++) await before.schedule({ kind: 'k', key: `j${i}`, runAt: clock.now() + i * 1000, payload: { i } });
    await first.store.close();
    open.splice(open.indexOf(first.store), 1);
    const second = await store(first.dir);
    const after = new Scheduler({ jobs: second.store.jobs, clock });
    const ran: number[] = [];
    after.handle('k', (job) => {
      ran.push((job.payload as { i: number }).i);
      return Promise.resolve();
    });
    clock.advance(19_000);
    expect(await after.runDue()).toBe(20);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('two schedulers on one store run each job once', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    const runs = new Map<string, number>();
    const make = (): Scheduler => {
      const sc = new Scheduler({ jobs: s.jobs, clock }, { batch: 7, concurrency: 3 });
      sc.handle('k', async (job) => {
        await new Promise((r) => setTimeout(r, 1));
        runs.set(job.key, (runs.get(job.key) ?? 0) + 1);
      });
      return sc;
    };
    const [a, b] = [make(), make()];
    for (let i = 0; i < 100; i++) await a.enqueue({ kind: 'k', key: `j${i}`, runAt: clock.now(), payload: null });
    const [x, y] = await Promise.all([a.runDue(), b.runDue()]);
    expect(x + y).toBe(100);
    expect(runs.size).toBe(100);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('a job whose run was cut off (lease never settled) runs again once the lease expires', async () => {
    const clock = new ManualClock();
    const { store: s } = await store();
    await s.jobs.enqueue({ kind: 'k', key: 'cut', runAt: clock.now(), payload: null }, clock.now());
    // A process that claimed it and died.
    await s.jobs.claim({ now: clock.now(), token: 'dead', leaseMs: 60_000, limit: 1 });
    const scheduler = new Scheduler({ jobs: s.jobs, clock }, { leaseMs: 60_000 });
    const ran: number[] = [];
    scheduler.handle('k', (job) => {
      ran.push(job.attempts);
      return Promise.resolve();
    });
    expect(await scheduler.runDue()).toBe(0);
    clock.advance(60_000);
    expect(await scheduler.runDue()).toBe(1);
    expect(ran).toEqual([2]);
  });
});
