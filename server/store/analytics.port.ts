/**
 * Analytics for supervisors and admins (docs/analytics.md): figures over the
 * appeals received in a period, computed by the Store — SQL on SQLite, an
 * aggregation pipeline on MongoDB — never by loading records into JavaScript.
 *
 * Every figure reads denormalised fields kept on the appeal by each write
 * (`analyticsFieldsOf` below, the one definition both adapters store): SQLite
 * keeps them in `an_*` columns under one covering index, MongoDB in the
 * document's `an` field. FerretDB 1.24.2 knows only the `$sum` and `$count`
 * accumulators, so the fields are numbers a `$group` can add up (1 or 0 per
 * flag), and percentiles are read by rank: sort, skip to the rank, take one.
 */
import type { AppealType } from '../../shared/schemas/appeal.schema.js';
import type { Actor } from '../../shared/status-machine.js';
import type { AppealRecord } from './records.js';
import type { Page } from './store.js';

import { ANALYTICS_DIMENSIONS, DRILL_FIGURES } from '../../shared/schemas/analytics.schema.js';

export { ANALYTICS_DIMENSIONS, DRILL_FIGURES };
/** What a breakdown table groups by. */
export type AnalyticsDimension = (typeof ANALYTICS_DIMENSIONS)[number];

/** The appeals counted: received (first submitted) in [from, to), narrowed by the filters given. */
export interface AnalyticsFilter {
  from: number;
  to: number;
  departmentId?: string;
  categoryId?: string;
  type?: AppealType;
  region?: string;
}

/** The open appeals counted by the backlog (no period: it is now). */
export type BacklogScope = Omit<AnalyticsFilter, 'from' | 'to'>;

/** Median and p90 by nearest rank (the value at 1-based rank ⌈p·n⌉ in ascending order), ms; null when n = 0. */
export interface Percentiles {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

/** Sums over a set of appeals; every share is one of these over another. */
export interface AnalyticsCounts {
  received: number;
  completed: number;
  rejected: number;
  /** With a decision issued. */
  decided: number;
  /** Decided no later than the stored deadline. */
  onTime: number;
  /** Extensions of the answer term, in all. */
  extensions: number;
  /** Redirects to another department, in all. */
  redirects: number;
  /** Appeals that repeat an earlier one (`repeatOfId`). */
  repeats: number;
  /** Appeals whose rating led to a re-examination. */
  reExaminations: number;
  /** Escalations to higher departments, in all. */
  escalations: number;
  /** Rated appeals and the sum of their stars. */
  rated: number;
  starsSum: number;
  /** Rated 1 or 2. */
  lowRated: number;
}

export interface AnalyticsSummary extends AnalyticsCounts {
  firstResponse: Percentiles;
  decision: Percentiles;
  /** Appeals rated 1, 2, 3, 4, 5 stars. */
  ratings: [number, number, number, number, number];
}

export interface AnalyticsGroup extends AnalyticsCounts {
  /** The dimension's value (a department or category id, a kind, a region code); '' when unset. */
  key: string;
}

export interface AnalyticsBucket extends AnalyticsCounts {
  /** `YYYY-MM` for a month; the Monday `YYYY-MM-DD` for a week (Moscow time). */
  bucket: string;
}

/** The open appeals by the time left to their deadline at `now`. */
export interface BacklogFigures {
  total: number;
  /** Past the deadline: the wall's `overdue` (appeal.view.ts `isOverdue`). */
  overdue: number;
  /** 0 ≤ left < 3 days, 3 ≤ left < 7, 7 ≤ left < 14, 14 days or more. */
  upTo3: number;
  upTo7: number;
  upTo14: number;
  more: number;
  noDeadline: number;
}

/** The figures one may drill down from, to the appeals behind them. */
export type DrillFigure = (typeof DRILL_FIGURES)[number];

export interface AnalyticsRepo {
  summary(filter: AnalyticsFilter): Promise<AnalyticsSummary>;
  /** One row per value of the dimension, by received descending then key. */
  breakdown(filter: AnalyticsFilter, dimension: AnalyticsDimension): Promise<AnalyticsGroup[]>;
  /** One row per week or month with appeals received, ascending. */
  trend(filter: AnalyticsFilter, unit: 'week' | 'month'): Promise<AnalyticsBucket[]>;
  backlog(scope: BacklogScope, now: number): Promise<BacklogFigures>;
  /**
   * The appeals behind a figure, newest received first. `backlog` and
   * `overdue` ignore the period (open appeals now, as the backlog counts them).
   */
  appeals(filter: AnalyticsFilter, figure: DrillFigure, now: number, page: { limit: number; offset: number }): Promise<Page<AppealRecord>>;
}

const DAY = 24 * 60 * 60 * 1000;
/** Moscow time, UTC+3 all year since 2014: weeks and months are cut there. */
export const MOSCOW_OFFSET_MS = 3 * 60 * 60 * 1000;

/** `YYYY-MM` of the instant in Moscow. */
export function monthKey(at: number): string {
  return new Date(at + MOSCOW_OFFSET_MS).toISOString().slice(0, 7);
}

/** The Monday (`YYYY-MM-DD`, Moscow) of the instant's week. */
export function weekKey(at: number): string {
  const d = new Date(at + MOSCOW_OFFSET_MS);
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - sinceMonday * DAY).toISOString().slice(0, 10);
}

/** The backlog's bucket limits, ms after now. */
export const BACKLOG_LIMITS = { upTo3: 3 * DAY, upTo7: 7 * DAY, upTo14: 14 * DAY } as const;

/** A first response is a status change made by the department's staff. */
export const isResponder = (actor: Actor): boolean => actor === 'operator' || actor === 'supervisor';

/**
 * The denormalised fields of an appeal, stored beside it by every write.
 * Definitions (docs/analytics.md):
 * - received: `submittedAt`; week and month of it in Moscow time;
 * - first response: the first status-history entry made by an operator or a
 *   supervisor (`firstResponseAt`, given by the adapter: it keeps the first);
 * - decision: the earliest `issuedAt` among the appeal's decisions;
 * - on time: decided no later than the stored `deadlineAt` (which includes extensions);
 * - re-examination: the rating's review started one; stars: the citizen's rating.
 * Flags are 1 or 0 so that a `$group` can add them up.
 */
export interface AnalyticsFields {
  week: string | null;
  month: string | null;
  firstResponseAt: number | null;
  firstResponseMs: number | null;
  decidedAt: number | null;
  decisionMs: number | null;
  completed: number;
  rejected: number;
  decided: number;
  onTime: number;
  extensions: number;
  redirects: number;
  repeat: number;
  reExamination: number;
  escalations: number;
  rated: number;
  stars: number | null;
  lowRated: number;
}

export function analyticsFieldsOf(a: AppealRecord, firstResponseAt: number | null): AnalyticsFields {
  const received = a.submittedAt;
  let decidedAt: number | null = null;
  for (const d of a.decisions) if (d.issuedAt !== null && (decidedAt === null || d.issuedAt < decidedAt)) decidedAt = d.issuedAt;
  const stars = a.feedback?.stars ?? null;
  const since = (at: number | null): number | null => (at === null || received === null ? null : Math.max(0, at - received));
  return {
    week: received === null ? null : weekKey(received),
    month: received === null ? null : monthKey(received),
    firstResponseAt,
    firstResponseMs: since(firstResponseAt),
    decidedAt,
    decisionMs: since(decidedAt),
    completed: a.status === 'completed' ? 1 : 0,
    rejected: a.status === 'rejected' ? 1 : 0,
    decided: decidedAt === null ? 0 : 1,
    onTime: decidedAt !== null && a.deadlineAt !== null && decidedAt <= a.deadlineAt ? 1 : 0,
    extensions: a.clocks?.extensions.length ?? 0,
    redirects: a.clocks?.redirects.length ?? 0,
    repeat: a.repeatOfId === null ? 0 : 1,
    reExamination: a.feedback?.review?.reExamination ? 1 : 0,
    escalations: a.escalations.length,
    rated: stars === null ? 0 : 1,
    stars,
    lowRated: stars !== null && stars <= 2 ? 1 : 0,
  };
}

/** Nearest-rank offset (0-based) of percentile p among n sorted values. */
export const rankOffset = (p: number, n: number): number => Math.max(0, Math.ceil(p * n) - 1);
