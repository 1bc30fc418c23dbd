/**
 * Analytics on MongoDB (analytics.port.ts): aggregation pipelines over the
 * appeal documents' `an` field, kept in step by the appeals' writes
 * (appeals.repo.ts: `analyticsSet` in the compare-and-set of a transition,
 * `followAnalytics` right after an update) and filled at open for documents
 * stored before it (`backfillAnalytics`).
 *
 * Only what FerretDB 1.24.2 runs: `$match`, `$group` on a field path or null
 * with `$sum` (the only accumulator it has besides `$count`), `$sort`,
 * `$skip`, `$limit`, `$project`, `$count`. No `$percentile`, `$avg`, `$cond`,
 * `$push` or date operators: the flags in `an` are 1/0 numbers to add up,
 * weeks and months are stored as keys, and a percentile is the document at
 * its nearest rank (sort, `$skip` to the rank, `$limit: 1`).
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

const SUMS = {
  received: { $sum: 1 },
  completed: { $sum: '$an.completed' },
  rejected: { $sum: '$an.rejected' },
  decided: { $sum: '$an.decided' },
  onTime: { $sum: '$an.onTime' },
  extensions: { $sum: '$an.extensions' },
  redirects: { $sum: '$an.redirects' },
  repeats: { $sum: '$an.repeat' },
  reExaminations: { $sum: '$an.reExamination' },
  escalations: { $sum: '$an.escalations' },
  rated: { $sum: '$an.rated' },
  starsSum: { $sum: '$an.stars' },
  lowRated: { $sum: '$an.lowRated' },
};

/** What a `$group` of the sums returns (numbers as the driver decodes them). */
type Summed = Partial<Record<keyof AnalyticsCounts, unknown>> & { _id: unknown };

const countsOf = (r: Summed | undefined): AnalyticsCounts => ({
  received: Number(r?.received ?? 0),
  completed: Number(r?.completed ?? 0),
  rejected: Number(r?.rejected ?? 0),
  decided: Number(r?.decided ?? 0),
  onTime: Number(r?.onTime ?? 0),
  extensions: Number(r?.extensions ?? 0),
  redirects: Number(r?.redirects ?? 0),
  repeats: Number(r?.repeats ?? 0),
  reExaminations: Number(r?.reExaminations ?? 0),
  escalations: Number(r?.escalations ?? 0),
  rated: Number(r?.rated ?? 0),
  starsSum: Number(r?.starsSum ?? 0),
  lowRated: Number(r?.lowRated ?? 0),
});

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

  const percentiles = async (f: AnalyticsFilter, path: string): Promise<Percentiles> => {
    const match = all([...periodOf(f), { [path]: { $type: 'number' } }]);
    const n = await count(match);
    if (n === 0) return { count: 0, medianMs: null, p90Ms: null };
    const at = async (p: number): Promise<number> => {
      const rows = await m.appeals
        .aggregate<{ v: number }>([
          { $match: match },
          { $sort: { [path]: 1, id: 1 } },
          { $skip: rankOffset(p, n) },
          { $limit: 1 },
          { $project: { _id: 0, v: `$${path}` } },
        ])
        .exec();
      return Number(rows[0]?.v);
    };
    const [medianMs, p90Ms] = await Promise.all([at(0.5), at(0.9)]);
    return { count: n, medianMs, p90Ms };
  };

  return {
    async summary(f) {
      const match = all(periodOf(f));
      const [sums, stars, firstResponse, decision] = await Promise.all([
        m.appeals.aggregate<Summed>([{ $match: match }, { $group: { _id: null, ...SUMS } }]).exec(),
        m.appeals
          .aggregate<{ _id: number; n: number }>([{ $match: all([...periodOf(f), { 'an.rated': 1 }]) }, { $group: { _id: '$an.stars', n: { $sum: 1 } } }])
          .exec(),
        percentiles(f, 'an.firstResponseMs'),
        percentiles(f, 'an.decisionMs'),
      ]);
      const ratings: [number, number, number, number, number] = [0, 0, 0, 0, 0];
      for (const r of stars) if (r._id >= 1 && r._id <= 5) ratings[r._id - 1] = r.n;
      return { ...countsOf(sums[0]), firstResponse, decision, ratings };
    },
    async breakdown(f, dimension) {
      const rows = await m.appeals.aggregate<Summed>([{ $match: all(periodOf(f)) }, { $group: { _id: DIMENSION_PATH[dimension], ...SUMS } }]).exec();
      return rows
        .map((r) => ({ key: typeof r._id === 'string' ? r._id : '', ...countsOf(r) }))
        .sort((a, b) => b.received - a.received || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async trend(f, unit) {
      const rows = await m.appeals
        .aggregate<Summed>([{ $match: all(periodOf(f)) }, { $group: { _id: unit === 'week' ? '$an.week' : '$an.month', ...SUMS } }, { $sort: { _id: 1 } }])
        .exec();
      return rows.map((r) => ({ bucket: String(r._id), ...countsOf(r) }));
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
