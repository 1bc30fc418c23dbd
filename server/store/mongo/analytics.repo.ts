/**
 * Analytics on MongoDB (analytics.port.ts): aggregation pipelines over the
 * appeal documents' `an` field, kept in step by the appeals' writes
 * (appeals.repo.ts: `analyticsSet` in the compare-and-set of a transition,
 * `followAnalytics` right after an update) and filled at open for documents
 * stored before it (`backfillAnalytics`).
 *
 * Only what FerretDB 1.24.2 runs: `$match`, `$group` with one accumulator
 * (`$sum: 1`; it computes only the first accumulator of a group and has no
 * `$avg`, `$push` or `$percentile`), `$sort`, `$skip`, `$limit`, an inclusion
 * `$project` (no field-path expressions there), `$count`; no `$cond` or date
 * operators. So the fields in `an` are small numbers grouped by all at once
 * (a histogram, summed up by `fold`), weeks and months are stored keys, and
 * a percentile is the document at its nearest rank (sort, `$skip` to the
 * rank, `$limit: 1`).
 */
import type { PipelineStage } from 'mongoose';
import { isOpen, STATUSES } from '../../../shared/status-machine.js';
import type {
  AnalyticsCounts,
  AnalyticsDimension,
  AnalyticsFields,
  AnalyticsFilter,
  AnalyticsRepo,
  BacklogScope,
  DrillFigure,
  Percentiles,
} from '../analytics.port.js';
import { analyticsFieldsOf, BACKLOG_LIMITS, isResponder, rankOffset } from '../analytics.port.js';
import type { AppealRecord, StatusHistoryRecord } from '../records.js';
import { toAppeal } from './convert.js';
import type { AppealDoc, Models } from './schemas.js';
import { eq, num } from './sequence.js';

const OPEN_STATUSES: string[] = STATUSES.filter(isOpen);

/** The `an` field of the appeal as `record`, keeping the first response already stored or taking `entry` as it. */
export function analyticsSet(
  record: AppealRecord,
  storedFirstResponseAt: number | null | undefined,
  entry?: Pick<StatusHistoryRecord, 'at' | 'actorRole'>,
): AnalyticsFields {
  const firstResponseAt = storedFirstResponseAt ?? (entry && isResponder(entry.actorRole) && record.submittedAt !== null ? entry.at : null);
  return analyticsFieldsOf(record, firstResponseAt);
}

const same = (a: AnalyticsFields | undefined, b: AnalyticsFields): boolean =>
  a !== undefined && (Object.keys(b) as (keyof AnalyticsFields)[]).every((k) => a[k] === b[k]);

/**
 * After a compare-and-set that did not compute `an` (an update: no read
 * before it), brings `an` in step with the document it returned — a second
 * write only when a figure changed, on the same version (a later write
 * recomputes it itself).
 */
export async function followAnalytics(m: Models, d: AppealDoc): Promise<void> {
  const next = analyticsSet(toAppeal(d), d.an?.firstResponseAt);
  if (same(d.an, next)) return;
  await m.appeals.updateOne({ id: d.id, version: d.version }, { $set: { an: next } }).exec();
}

/** At open: every document stored without `an` gets it (its first response read from its history). */
export async function backfillAnalytics(m: Models): Promise<number> {
  const docs = await m.appeals
    .find({ an: { $exists: false } })
    .lean<AppealDoc[]>()
    .exec();
  for (const d of docs) {
    const first = await m.history
      .find({ appealId: d.id, actorRole: { $in: ['operator', 'supervisor'] } })
      .sort({ at: 1 })
      .limit(1)
      .lean<StatusHistoryRecord[]>()
      .exec();
    const fromLast = d.lastHistory && isResponder(d.lastHistory.actorRole) ? d.lastHistory.at : null;
    const at = [first[0]?.at ?? null, fromLast].filter((x): x is number => x !== null);
    const an = analyticsFieldsOf(toAppeal(d), at.length > 0 ? Math.min(...at) : null);
    await m.appeals.updateOne({ id: d.id, version: d.version }, { $set: { an } }).exec();
  }
  return docs.length;
}

function scopeOf(f: BacklogScope): Record<string, unknown>[] {
  const and: Record<string, unknown>[] = [];
  if (f.departmentId !== undefined) and.push({ departmentId: eq(f.departmentId) });
  if (f.categoryId !== undefined) and.push({ categoryId: eq(f.categoryId) });
  if (f.type !== undefined) and.push({ type: eq(f.type) });
  if (f.region !== undefined) and.push({ region: eq(f.region) });
  return and;
}

const periodOf = (f: AnalyticsFilter): Record<string, unknown>[] => [{ submittedAt: { $gte: num(f.from), $lt: num(f.to) } }, ...scopeOf(f)];
const all = (and: Record<string, unknown>[]): Record<string, unknown> => ({ $and: and.filter((c) => Object.keys(c).length > 0) });

/**
 * The figures' fields as one composite group key. FerretDB 1.24.2 computes
 * only the first accumulator of a `$group` (the others come back 0), so a
 * pipeline groups by every field at once with the one accumulator `n` — a
 * histogram of a few hundred combinations at most — and the counts are the
 * sums over those groups (`fold`).
 */
const KEY = {
  c: '$an.completed',
  r: '$an.rejected',
  d: '$an.decided',
  o: '$an.onTime',
  e: '$an.extensions',
  rd: '$an.redirects',
  rp: '$an.repeat',
  re: '$an.reExamination',
  es: '$an.escalations',
  s: '$an.stars',
};

interface Combination {
  _id: { c?: number; r?: number; d?: number; o?: number; e?: number; rd?: number; rp?: number; re?: number; es?: number; s?: number | null; g?: unknown };
  n: number;
}

const zero = (): AnalyticsCounts => ({
  received: 0,
  completed: 0,
  rejected: 0,
  decided: 0,
  onTime: 0,
  extensions: 0,
  redirects: 0,
  repeats: 0,
  reExaminations: 0,
  escalations: 0,
  rated: 0,
  starsSum: 0,
  lowRated: 0,
});

/** Adds one group of `n` appeals with the same fields to the counts. */
function fold(into: AnalyticsCounts, k: Combination['_id'], n: number): void {
  const v = (x: number | undefined | null): number => (typeof x === 'number' ? x : 0);
  into.received += n;
  into.completed += n * v(k.c);
  into.rejected += n * v(k.r);
  into.decided += n * v(k.d);
  into.onTime += n * v(k.o);
  into.extensions += n * v(k.e);
  into.redirects += n * v(k.rd);
  into.repeats += n * v(k.rp);
  into.reExaminations += n * v(k.re);
  into.escalations += n * v(k.es);
  if (typeof k.s === 'number') {
    into.rated += n;
    into.starsSum += n * k.s;
    if (k.s <= 2) into.lowRated += n;
  }
}

const DIMENSION_PATH: Record<AnalyticsDimension, string> = {
  department: '$departmentId',
  category: '$categoryId',
  type: '$type',
  region: '$region',
};

const DRILL: Record<Exclude<DrillFigure, 'overdue'>, Record<string, unknown>> = {
  received: {},
  completed: { 'an.completed': 1 },
  rejected: { 'an.rejected': 1 },
  late: { 'an.decided': 1, 'an.onTime': 0 },
  repeats: { 'an.repeat': 1 },
  lowRated: { 'an.lowRated': 1 },
  reExaminations: { 'an.reExamination': 1 },
  escalations: { 'an.escalations': { $gt: 0 } },
  backlog: { status: { $in: OPEN_STATUSES } },
};

export function mongoAnalytics(m: Models): AnalyticsRepo {
  const count = async (match: Record<string, unknown>): Promise<number> =>
    (await m.appeals.aggregate<{ n: number }>([{ $match: match }, { $count: 'n' }]).exec())[0]?.n ?? 0;

  /** The counts per value of `path` (a dimension, a week or a month). */
  const grouped = async (f: AnalyticsFilter, path: string): Promise<[unknown, AnalyticsCounts][]> => {
    const rows = await m.appeals.aggregate<Combination>([{ $match: all(periodOf(f)) }, { $group: { _id: { ...KEY, g: path }, n: { $sum: 1 } } }]).exec();
    const by = new Map<unknown, AnalyticsCounts>();
    for (const r of rows) {
      const g = r._id.g ?? null;
      let counts = by.get(g);
      if (!counts) {
        counts = zero();
        by.set(g, counts);
      }
      fold(counts, r._id, r.n);
    }
    return [...by];
  };

  const percentiles = async (f: AnalyticsFilter, path: string): Promise<Percentiles> => {
    const match = all([...periodOf(f), { [path]: { $type: 'number' } }]);
    const n = await count(match);
    if (n === 0) return { count: 0, medianMs: null, p90Ms: null };
    const at = async (p: number): Promise<number> => {
      // An inclusion projection: FerretDB's `$project` evaluates no field-path expressions.
      const rows = await m.appeals
        .aggregate<{ an?: Partial<AnalyticsFields> }>([
          { $match: match },
          { $sort: { [path]: 1, id: 1 } },
          { $skip: rankOffset(p, n) },
          { $limit: 1 },
          { $project: { _id: 0, [path]: 1 } },
        ])
        .exec();
      return Number(rows[0]?.an?.[path.slice('an.'.length) as keyof AnalyticsFields]);
    };
    const [medianMs, p90Ms] = await Promise.all([at(0.5), at(0.9)]);
    return { count: n, medianMs, p90Ms };
  };

  return {
    async summary(f) {
      const match = all(periodOf(f));
      const [groups, firstResponse, decision] = await Promise.all([
        m.appeals.aggregate<Combination>([{ $match: match }, { $group: { _id: KEY, n: { $sum: 1 } } }]).exec(),
        percentiles(f, 'an.firstResponseMs'),
        percentiles(f, 'an.decisionMs'),
      ]);
      const counts = zero();
      const ratings: [number, number, number, number, number] = [0, 0, 0, 0, 0];
      for (const g of groups) {
        fold(counts, g._id, g.n);
        const stars = g._id.s;
        if (typeof stars === 'number' && stars >= 1 && stars <= 5) ratings[stars - 1] = (ratings[stars - 1] ?? 0) + g.n;
      }
      return { ...counts, firstResponse, decision, ratings };
    },
    async breakdown(f, dimension) {
      return (await grouped(f, DIMENSION_PATH[dimension]))
        .map(([g, counts]) => ({ key: typeof g === 'string' ? g : '', ...counts }))
        .sort((a, b) => b.received - a.received || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async trend(f, unit) {
      return (await grouped(f, unit === 'week' ? '$an.week' : '$an.month'))
        .map(([g, counts]) => ({ bucket: String(g), ...counts }))
        .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
    },
    async backlog(scope, now) {
      const open = [{ status: { $in: OPEN_STATUSES } }, ...scopeOf(scope)];
      const between = (lo: number | null, hi: number | null): Promise<number> =>
        count(all([...open, { deadlineAt: { ...(lo === null ? {} : { $gte: num(lo) }), ...(hi === null ? { $type: 'number' } : { $lt: num(hi) }) } }]));
      const [total, overdue, upTo3, upTo7, upTo14, more] = await Promise.all([
        count(all(open)),
        between(null, now),
        between(now, now + BACKLOG_LIMITS.upTo3),
        between(now + BACKLOG_LIMITS.upTo3, now + BACKLOG_LIMITS.upTo7),
        between(now + BACKLOG_LIMITS.upTo7, now + BACKLOG_LIMITS.upTo14),
        between(now + BACKLOG_LIMITS.upTo14, null),
      ]);
      return { total, overdue, upTo3, upTo7, upTo14, more, noDeadline: total - overdue - upTo3 - upTo7 - upTo14 - more };
    },
    async appeals(f, figure, now, page) {
      const open = figure === 'backlog' || figure === 'overdue';
      const cond = figure === 'overdue' ? { status: { $in: OPEN_STATUSES }, deadlineAt: { $lt: num(now) } } : DRILL[figure];
      const match = all([...(open ? scopeOf(f) : periodOf(f)), cond]);
      const sort: Record<string, 1 | -1> = open ? { deadlineSort: 1, id: 1 } : { submittedAt: -1, id: -1 };
      const stages: PipelineStage[] = [{ $match: match }, { $sort: sort }, { $skip: num(page.offset) }, { $limit: num(page.limit) }];
      const [docs, total] = await Promise.all([page.limit > 0 ? m.appeals.aggregate<AppealDoc>(stages).exec() : Promise.resolve([]), count(match)]);
      return { items: docs.map(toAppeal), total };
    },
  };
}
