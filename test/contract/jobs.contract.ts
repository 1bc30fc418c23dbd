/**
 * The job table's contract (server/store/jobs.port.ts), declared inside the
 * Store contract (store.contract.ts) so that it runs on each adapter.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.js';
import { T0 } from '../helpers/factories.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const job = (key: string, runAt = T0, payload: unknown = { n: 1 }, kind = 'test.kind') => ({ key, kind, runAt, payload });

export function describeJobs(s: () => Store): void {
  describe('jobs', () => {
    it('schedule stores a pending job; get reads it back with its payload', async () => {
      await s().jobs.schedule(job('a', T0 + 5, { to: 'x', list: [1, 2], nested: { ok: true } }), T0);
      expect(await s().jobs.get('a')).toEqual({
        key: 'a',
        kind: 'test.kind',
        runAt: T0 + 5,
        payload: { to: 'x', list: [1, 2], nested: { ok: true } },
        state: 'pending',
        attempts: 0,
        leaseToken: null,
        leaseUntil: 0,
        lastError: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await s().jobs.get('none')).toBeNull();
    });

    it('schedule of the same key replaces runAt and payload, keeps one job and its createdAt', async () => {
      await s().jobs.schedule(job('k', T0 + 100, { v: 1 }), T0);
      await s().jobs.schedule(job('k', T0 + 50, { v: 2 }, 'other.kind'), T0 + 1);
      const j = await s().jobs.get('k');
      expect([j?.kind, j?.runAt, j?.payload, j?.createdAt, j?.updatedAt]).toEqual(['other.kind', T0 + 50, { v: 2 }, T0, T0 + 1]);
      expect(await s().jobs.count('pending')).toBe(1);
    });

    it('enqueue inserts once: a second copy of the key changes nothing', async () => {
      expect(await s().jobs.enqueue(job('once', T0, { v: 1 }), T0)).toBe(true);
      expect(await s().jobs.enqueue(job('once', T0 + 9, { v: 2 }), T0 + 1)).toBe(false);
      expect((await s().jobs.get('once'))?.payload).toEqual({ v: 1 });
    });

    it('claim takes only due jobs of the asked kinds, earliest first, up to the limit, counting an attempt', async () => {
      await s().jobs.schedule(job('late', T0 + 1000), T0);
      await s().jobs.schedule(job('second', T0 + 2), T0);
      await s().jobs.schedule(job('first', T0 + 1), T0);
      await s().jobs.schedule(job('third', T0 + 3), T0);
      await s().jobs.schedule(job('elsewhere', T0, null, 'other.kind'), T0);
      const claimed = await s().jobs.claim({ now: T0 + 10, token: 't1', leaseMs: 60_000, limit: 2, kinds: ['test.kind'] });
      expect(claimed.map((j) => [j.key, j.attempts, j.leaseToken, j.leaseUntil])).toEqual([
        ['first', 1, 't1', T0 + 60_010],
        ['second', 1, 't1', T0 + 60_010],
      ]);
      const rest = await s().jobs.claim({ now: T0 + 10, token: 't2', leaseMs: 60_000, limit: 10, kinds: ['test.kind'] });
      expect(rest.map((j) => j.key)).toEqual(['third']);
      expect((await s().jobs.claim({ now: T0 + 10, token: 't3', leaseMs: 60_000, limit: 10 })).map((j) => j.key)).toEqual(['elsewhere']);
    });

    it('a leased job is not claimed again until its lease expires; then it is, with a second attempt', async () => {
      await s().jobs.schedule(job('x'), T0);
      expect(await s().jobs.claim({ now: T0, token: 'a', leaseMs: 1000, limit: 5 })).toHaveLength(1);
      expect(await s().jobs.claim({ now: T0 + 999, token: 'b', leaseMs: 1000, limit: 5 })).toHaveLength(0);
      const again = await s().jobs.claim({ now: T0 + 1000, token: 'c', leaseMs: 1000, limit: 5 });
      expect(again.map((j) => [j.key, j.attempts, j.leaseToken])).toEqual([['x', 2, 'c']]);
      // The expired claim can no longer record its outcome.
      expect(await s().jobs.settle('x', 'a', { state: 'done' }, T0 + 1001)).toBe(false);
      expect((await s().jobs.get('x'))?.state).toBe('pending');
    });

    it('claims racing on one store give each job to one claimer', async () => {
      await Promise.all(range(30).map((i) => s().jobs.schedule(job(`r${i}`), T0)));
      const results = await Promise.all(range(6).map((i) => s().jobs.claim({ now: T0, token: `tok${i}`, leaseMs: 60_000, limit: 30 })));
      const keys = results.flat().map((j) => j.key);
      expect(keys).toHaveLength(30);
      expect(new Set(keys).size).toBe(30);
    });

    it('settle done ends the job; failed keeps the error; pending moves runAt, a refund gives the attempt back', async () => {
      for (const k of ['d', 'f', 'p', 'r']) await s().jobs.schedule(job(k), T0);
      await s().jobs.claim({ now: T0, token: 'tk', leaseMs: 1000, limit: 10 });
      expect(await s().jobs.settle('d', 'tk', { state: 'done' }, T0 + 1)).toBe(true);
      expect(await s().jobs.settle('f', 'tk', { state: 'failed', error: 'SMTP 550' }, T0 + 1)).toBe(true);
      expect(await s().jobs.settle('p', 'tk', { state: 'pending', runAt: T0 + 30_000, error: 'ECONNREFUSED' }, T0 + 1)).toBe(true);
      expect(await s().jobs.settle('r', 'tk', { state: 'pending', runAt: T0 + 40_000, error: null, refund: true }, T0 + 1)).toBe(true);
      const pick = async (k: string) => {
        const j = await s().jobs.get(k);
        return [j?.state, j?.attempts, j?.runAt, j?.lastError, j?.leaseToken, j?.leaseUntil];
      };
      expect(await pick('d')).toEqual(['done', 1, T0, null, null, 0]);
      expect(await pick('f')).toEqual(['failed', 1, T0, 'SMTP 550', null, 0]);
      expect(await pick('p')).toEqual(['pending', 1, T0 + 30_000, 'ECONNREFUSED', null, 0]);
      expect(await pick('r')).toEqual(['pending', 0, T0 + 40_000, null, null, 0]);
      expect(await s().jobs.settle('d', 'tk', { state: 'failed', error: 'late' }, T0 + 2)).toBe(false);
      // A retried job is claimed again when due, and a refunded one too (each claim stays unique).
      expect((await s().jobs.claim({ now: T0 + 29_999, token: 'x', leaseMs: 1000, limit: 10 })).map((j) => j.key)).toEqual([]);
      expect((await s().jobs.claim({ now: T0 + 40_000, token: 'y', leaseMs: 1000, limit: 10 })).map((j) => [j.key, j.attempts])).toEqual([
        ['p', 2],
        ['r', 1],
      ]);
      expect(await s().jobs.count('done')).toBe(1);
      expect(await s().jobs.count('failed', 'test.kind')).toBe(1);
      expect(await s().jobs.count('failed', 'other.kind')).toBe(0);
    });

    it('a schedule during a run waits for it: no second run meanwhile; its settle records nothing and the new content is claimable after', async () => {
      await s().jobs.schedule(job('m', T0, { v: 1 }), T0);
      await s().jobs.claim({ now: T0, token: 'old', leaseMs: 60_000, limit: 1 });
      await s().jobs.schedule(job('m', T0 + 5, { v: 2 }), T0 + 1);
      const during = await s().jobs.get('m');
      expect([during?.state, during?.attempts, during?.payload, during?.runAt]).toEqual(['pending', 0, { v: 2 }, T0 + 5]);
      expect(await s().jobs.claim({ now: T0 + 5, token: 'meanwhile', leaseMs: 1000, limit: 1 })).toEqual([]);
      expect(await s().jobs.settle('m', 'old', { state: 'done' }, T0 + 6)).toBe(false);
      const after = await s().jobs.get('m');
      expect([after?.state, after?.payload, after?.leaseToken, after?.leaseUntil]).toEqual(['pending', { v: 2 }, null, 0]);
      expect((await s().jobs.claim({ now: T0 + 6, token: 'new', leaseMs: 1000, limit: 1 })).map((x) => x.payload)).toEqual([{ v: 2 }]);
    });

    it('a schedule after a lease expired replaces the job at once: claimable, the dead run cannot settle', async () => {
      await s().jobs.schedule(job('e', T0, { v: 1 }), T0);
      await s().jobs.claim({ now: T0, token: 'dead', leaseMs: 1000, limit: 1 });
      await s().jobs.schedule(job('e', T0 + 2000, { v: 2 }), T0 + 2000);
      expect((await s().jobs.claim({ now: T0 + 2000, token: 'next', leaseMs: 1000, limit: 1 })).map((x) => x.payload)).toEqual([{ v: 2 }]);
      expect(await s().jobs.settle('e', 'dead', { state: 'done' }, T0 + 2001)).toBe(false);
      expect(await s().jobs.settle('e', 'next', { state: 'done' }, T0 + 2002)).toBe(true);
    });

    it('schedule re-arms a done job; cancel removes a job in any state', async () => {
      await s().jobs.schedule(job('re'), T0);
      await s().jobs.claim({ now: T0, token: 't', leaseMs: 1000, limit: 1 });
      await s().jobs.settle('re', 't', { state: 'done' }, T0);
      await s().jobs.schedule(job('re', T0 + 7), T0 + 1);
      expect((await s().jobs.claim({ now: T0 + 7, token: 'u', leaseMs: 1000, limit: 1 })).map((x) => [x.key, x.attempts])).toEqual([['re', 1]]);
      expect(await s().jobs.cancel('re')).toBe(true);
      expect(await s().jobs.cancel('re')).toBe(false);
      expect(await s().jobs.get('re')).toBeNull();
      expect(await s().jobs.settle('re', 'u', { state: 'done' }, T0 + 8)).toBe(false);
      // The key can be used again after a cancel.
      await s().jobs.schedule(job('re', T0 + 9), T0 + 9);
      expect((await s().jobs.claim({ now: T0 + 9, token: 'v', leaseMs: 1000, limit: 1 })).map((x) => x.key)).toEqual(['re']);
    });

    it('nextRunAt is the earliest pending runAt; purgeDone removes old done jobs only', async () => {
      expect(await s().jobs.nextRunAt()).toBeNull();
      await s().jobs.schedule(job('n1', T0 + 300), T0);
      await s().jobs.schedule(job('n2', T0 + 200), T0);
      expect(await s().jobs.nextRunAt()).toBe(T0 + 200);
      await s().jobs.claim({ now: T0 + 200, token: 't', leaseMs: 1000, limit: 1 });
      await s().jobs.settle('n2', 't', { state: 'done' }, T0 + 200);
      expect(await s().jobs.nextRunAt()).toBe(T0 + 300);
      expect(await s().jobs.purgeDone(T0 + 200)).toBe(0);
      expect(await s().jobs.purgeDone(T0 + 201)).toBe(1);
      expect(await s().jobs.get('n2')).toBeNull();
      expect(await s().jobs.get('n1')).not.toBeNull();
    });
  });
}

/** Two stores on one database (MongoDB): the claim's compare-and-set holds between processes. */
export function describeJobsAcrossStores(pair: () => [Store, Store]): void {
  it('jobs: claims racing through both stores give each job to exactly one of them', async () => {
    const [a, b] = pair();
    await Promise.all(range(40).map((i) => a.jobs.schedule(job(`x${i}`), T0)));
    const results = await Promise.all(range(8).map((i) => pair()[i % 2]!.jobs.claim({ now: T0, token: `t${i}`, leaseMs: 60_000, limit: 40 })));
    const keys = results.flat().map((j) => j.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(40);
    expect(await b.jobs.count('pending')).toBe(40);
  });
}
