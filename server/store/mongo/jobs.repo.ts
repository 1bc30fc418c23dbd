/**
 * The durable job table on MongoDB (jobs.port.ts), through the driver's own
 * collections (filters built here from checked numbers and strings).
 *
 * A claim is won by inserting `{ _id: key|generation|claimNo }` into
 * `job_claims`: a unique insert is atomic on every MongoDB-wire server, where
 * a conditional update is not (FerretDB 1.24 applies findAndModify as a read
 * and a write). Of two stores racing for one run, one insert succeeds and only
 * its owner sets the lease. `gen` changes with every schedule and `claims`
 * only grows, so a claim id is never reused.
 */
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import type { JobRecord, JobRepo, NewJob } from '../store.js';
import { isDuplicateKey } from './errors.js';
import { DURABLE } from './schemas.js';
import { num, type InFlight } from './sequence.js';

interface JobDoc extends Omit<JobRecord, 'key'> {
  _id: string;
  /** Changes with every schedule: a lease on earlier content cannot settle the new. */
  gen: string;
  /** Claims taken since insertion; never decreases (a refund lowers `attempts` only). */
  claims: number;
}

interface ClaimDoc {
  _id: string;
  key: string;
  at: number;
}

const toRecord = (d: JobDoc): JobRecord => ({
  key: d._id,
  kind: d.kind,
  runAt: d.runAt,
  payload: d.payload ?? null,
  state: d.state,
  attempts: d.attempts,
  leaseToken: d.leaseToken ?? null,
  leaseUntil: d.leaseUntil,
  lastError: d.lastError ?? null,
  createdAt: d.createdAt,
  updatedAt: d.updatedAt,
});

const str = (s: string): string => {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  return s;
};

export function mongoJobs(conn: Connection, inFlight: InFlight): { repo: JobRepo; init: () => Promise<void> } {
  const db = conn.db;
  if (!db) throw new Error('the MongoDB connection is not open');
  const jobs = db.collection<JobDoc>('jobs', { writeConcern: DURABLE });
  const claims = db.collection<ClaimDoc>('job_claims', { writeConcern: DURABLE });

  const init = async (): Promise<void> => {
    await jobs.createIndex({ state: 1, runAt: 1 }, { name: 'state_1_runAt_1' }, undefined);
    await claims.createIndex({ key: 1 }, { name: 'key_1' }, undefined);
  };

  const fresh = (job: NewJob, now: number): Omit<JobDoc, '_id'> => ({
    kind: str(job.kind),
    runAt: num(job.runAt),
    payload: job.payload ?? null,
    state: 'pending',
    attempts: 0,
    leaseToken: null,
    leaseUntil: 0,
    lastError: null,
    createdAt: num(now),
    updatedAt: num(now),
    gen: randomUUID(),
    claims: 0,
  });

  const repo: JobRepo = {
    schedule: (job, now) =>
      inFlight.track(async () => {
        const { createdAt, leaseToken: _t, leaseUntil: _u, ...content } = fresh(job, now);
        const _id = str(job.key);
        // A run under a live lease keeps it, marked (`~`): no second run starts meanwhile, and its
        // settle leaves the new content pending. Each step is conditional on what was read; a race repeats it.
        for (let attempt = 0; attempt < 10; attempt++) {
          const held = await jobs.findOne({ _id, leaseToken: { $ne: null }, leaseUntil: { $gt: num(now) } }, { projection: { leaseToken: 1 } });
          if (held?.leaseToken) {
            const marked = held.leaseToken.endsWith('~') ? held.leaseToken : `${held.leaseToken}~`;
            const r = await jobs.updateOne({ _id, leaseToken: held.leaseToken }, { $set: { ...content, leaseToken: marked } });
            if (r.matchedCount === 1) return;
            continue;
          }
          try {
            await jobs.updateOne(
              { _id, $or: [{ leaseToken: null }, { leaseUntil: { $lte: num(now) } }] },
              { $set: { ...content, leaseToken: null, leaseUntil: 0 }, $setOnInsert: { createdAt } },
              { upsert: true },
            );
            return;
          } catch (error) {
            // The job exists and took a lease meanwhile: the upsert's insert collided; look again.
            if (!isDuplicateKey(error)) throw error;
          }
        }
        throw new Error(`job ${_id} could not be scheduled: its lease kept changing`);
      }),
    enqueue: (job, now) =>
      inFlight.track(async () => {
        try {
          await jobs.insertOne({ _id: str(job.key), ...fresh(job, now) });
          return true;
        } catch (error) {
          if (isDuplicateKey(error)) return false;
          throw error;
        }
      }),
    cancel: (key) =>
      inFlight.track(async () => {
        const r = await jobs.deleteOne({ _id: str(key) });
        await claims.deleteMany({ key: str(key) });
        return r.deletedCount === 1;
      }),
    get: (key) =>
      inFlight.track(async () => {
        const d = await jobs.findOne({ _id: str(key) });
        return d ? toRecord(d) : null;
      }),
    claim: ({ now, token, leaseMs, limit, kinds }) =>
      inFlight.track(async () => {
        const filter: mongo.Filter<JobDoc> = { state: 'pending', runAt: { $lte: num(now) }, leaseUntil: { $lte: num(now) } };
        if (kinds) filter.kind = { $in: kinds.map(str) };
        const candidates = await jobs
          .find(filter)
          .sort({ runAt: 1, _id: 1 })
          .limit(Math.max(1, Math.trunc(num(limit))))
          .toArray();
        const out: JobRecord[] = [];
        for (const d of candidates) {
          try {
            await claims.insertOne({ _id: `${d._id}|${d.gen}|${d.claims}`, key: d._id, at: num(now) });
          } catch (error) {
            if (isDuplicateKey(error)) continue;
            throw error;
          }
          const won = await jobs.findOneAndUpdate(
            { _id: d._id, gen: d.gen, claims: d.claims, state: 'pending' },
            { $set: { leaseToken: str(token), leaseUntil: num(now + leaseMs), updatedAt: num(now) }, $inc: { attempts: 1, claims: 1 } },
            { returnDocument: 'after' },
          );
          if (won) out.push(toRecord(won));
        }
        return out;
      }),
    settle: (key, token, outcome, now) =>
      inFlight.track(async () => {
        const filter = { _id: str(key), leaseToken: str(token) };
        const cleared = { leaseToken: null, leaseUntil: 0, updatedAt: num(now) };
        let r;
        if (outcome.state === 'done') r = await jobs.updateOne(filter, { $set: { ...cleared, state: 'done', lastError: null } });
        else if (outcome.state === 'failed') r = await jobs.updateOne(filter, { $set: { ...cleared, state: 'failed', lastError: str(outcome.error) } });
        else
          r = await jobs.updateOne(filter, {
            $set: { ...cleared, runAt: num(outcome.runAt), lastError: outcome.error },
            $inc: { attempts: outcome.refund ? -1 : 0 },
          });
        if (outcome.state !== 'pending' && r.modifiedCount === 1) await claims.deleteMany({ key: str(key) });
        if (r.modifiedCount === 1) return true;
        // Scheduled again during the run: the lease ends, the new content stays pending.
        await jobs.updateOne({ _id: str(key), leaseToken: `${str(token)}~` }, { $set: cleared });
        return false;
      }),
    nextRunAt: () =>
      inFlight.track(async () => {
        const d = await jobs.find({ state: 'pending' }).sort({ runAt: 1 }).limit(1).project<{ runAt: number }>({ runAt: 1 }).toArray();
        return d[0]?.runAt ?? null;
      }),
    count: (state, kind) => inFlight.track(() => jobs.countDocuments(kind === undefined ? { state } : { state, kind: str(kind) })),
    purgeDone: (before) =>
      inFlight.track(async () => {
        const old = await jobs
          .find({ state: 'done', updatedAt: { $lt: num(before) } })
          .project<{ _id: string }>({ _id: 1 })
          .toArray();
        if (old.length === 0) return 0;
        const ids = old.map((d) => d._id);
        const r = await jobs.deleteMany({ _id: { $in: ids }, state: 'done' });
        await claims.deleteMany({ key: { $in: ids } });
        return r.deletedCount;
      }),
  };
  return { repo, init };
}
