/**
 * Analytics on SQLite (analytics.port.ts): SQL over the appeals' `an_*`
 * columns, read through one covering index that leads with the department
 * and the submission time, so one department's year is a range scan of the
 * index alone. The columns are kept in step by the appeals' writes
 * (`keepAnalytics`, called in the same savepoint) and filled for existing
 * appeals by migration 20 (`ANALYTICS_MIGRATION_SQL`).
 */
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
import type { Actor } from '../../../shared/status-machine.js';
import type { AppealRecord } from '../records.js';
import type { Row, SqliteContext } from './table.js';
import { snake } from './table.js';

/** Field of AnalyticsFields → its column. */
const FIELDS = [
  'week',
  'month',
  'firstResponseAt',
  'firstResponseMs',
  'decidedAt',
  'decisionMs',
  'completed',
  'rejected',
  'decided',
  'onTime',
  'extensions',
  'redirects',
  'repeat',
  'reExamination',
  'escalations',
  'rated',
  'stars',
  'lowRated',
] as const satisfies readonly (keyof AnalyticsFields)[];
const column = (f: keyof AnalyticsFields): string => `an_${snake(f)}`;

/** The `an_*` columns of an appeal's fields, by column name (the benchmark's bulk seeding writes them so). */
export function analyticsColumns(fields: AnalyticsFields): Row {
  const out: Row = {};
  for (const f of FIELDS) out[column(f)] = fields[f];
  return out;
}

const SYNC_SQL = `UPDATE appeals SET ${FIELDS.map((f) => `${column(f)} = @${column(f)}`).join(', ')} WHERE id = @id`;

/**
 * Migration 20: the columns, their backfill from the stored records (the same
 * definitions as `analyticsFieldsOf`, in SQL; test/contract/analytics.contract.ts
 * checks they agree), and the covering index of the figures.
 */
export const ANALYTICS_MIGRATION_SQL = `
  ALTER TABLE appeals ADD COLUMN an_week TEXT;
  ALTER TABLE appeals ADD COLUMN an_month TEXT;
  ALTER TABLE appeals ADD COLUMN an_first_response_at INTEGER;
  ALTER TABLE appeals ADD COLUMN an_first_response_ms INTEGER;
  ALTER TABLE appeals ADD COLUMN an_decided_at INTEGER;
  ALTER TABLE appeals ADD COLUMN an_decision_ms INTEGER;
  ALTER TABLE appeals ADD COLUMN an_completed INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_rejected INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_decided INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_on_time INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_extensions INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_redirects INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_repeat INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_re_examination INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_escalations INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_rated INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE appeals ADD COLUMN an_stars INTEGER;
  ALTER TABLE appeals ADD COLUMN an_low_rated INTEGER NOT NULL DEFAULT 0;
  ${BACKFILL_SQL()}
  CREATE INDEX appeals_analytics ON appeals (department_id, submitted_at, category_id, type, region,
    an_completed, an_rejected, an_decided, an_on_time, an_extensions, an_redirects, an_repeat, an_re_examination,
    an_escalations, an_rated, an_stars, an_low_rated, an_first_response_ms, an_decision_ms, an_week, an_month)
    WHERE submitted_at IS NOT NULL;
  CREATE INDEX appeals_an_first_response ON appeals (department_id, an_first_response_ms, submitted_at, category_id, type, region)
    WHERE an_first_response_ms IS NOT NULL;
  CREATE INDEX appeals_an_decision ON appeals (department_id, an_decision_ms, submitted_at, category_id, type, region)
    WHERE an_decision_ms IS NOT NULL;
`;

/** Fills every `an_*` column from the stored records (migration 20; the test re-runs it). */
export function BACKFILL_SQL(): string {
  return `
  UPDATE appeals SET
    an_week = CASE WHEN submitted_at IS NULL THEN NULL ELSE date(submitted_at / 1000, 'unixepoch', '+3 hours', '-6 days', 'weekday 1') END,
    an_month = CASE WHEN submitted_at IS NULL THEN NULL ELSE strftime('%Y-%m', submitted_at / 1000, 'unixepoch', '+3 hours') END,
    an_first_response_at = (SELECT MIN(h.at) FROM status_history h WHERE h.appeal_id = appeals.id AND h.actor_role IN ('operator', 'supervisor')),
    an_decided_at = (SELECT MIN(json_extract(d.value, '$.issuedAt')) FROM json_each(appeals.decisions) d),
    an_completed = status = 'completed',
    an_rejected = status = 'rejected',
    an_extensions = COALESCE(json_array_length(clocks, '$.extensions'), 0),
    an_redirects = COALESCE(json_array_length(clocks, '$.redirects'), 0),
    an_repeat = repeat_of_id IS NOT NULL,
    an_re_examination = COALESCE(json_type(feedback, '$.review.reExamination') = 'object', 0),
    an_escalations = json_array_length(escalations),
    an_stars = json_extract(feedback, '$.stars');
  UPDATE appeals SET
    an_first_response_ms = CASE WHEN an_first_response_at IS NULL OR submitted_at IS NULL THEN NULL ELSE MAX(0, an_first_response_at - submitted_at) END,
    an_decision_ms = CASE WHEN an_decided_at IS NULL OR submitted_at IS NULL THEN NULL ELSE MAX(0, an_decided_at - submitted_at) END,
    an_decided = an_decided_at IS NOT NULL,
    an_on_time = COALESCE(an_decided_at <= deadline_at, 0),
    an_rated = an_stars IS NOT NULL,
    an_low_rated = COALESCE(an_stars <= 2, 0);
`;
}

/**
 * Keeps the appeal's `an_*` columns in step with its record, inside the
 * write's savepoint. `row` is the stored row as the write left it (RETURNING
 * *, or the insert's values); `entry` the status-history entry the write
 * adds, whose actor may make it the first response. One UPDATE, only when a
 * field changed.
 */
export function keepAnalytics(ctx: SqliteContext, appeal: AppealRecord, row: Row | null, entry?: { at: number; actorRole: Actor }): void {
  const stored = (row?.an_first_response_at as number | null | undefined) ?? null;
  const firstResponseAt = stored ?? (entry && isResponder(entry.actorRole) && appeal.submittedAt !== null ? entry.at : null);
  const next = analyticsFieldsOf(appeal, firstResponseAt);
  const params: Row = { id: appeal.id };
  let changed = row === null;
  for (const f of FIELDS) {
    params[column(f)] = next[f];
    if (!changed && (row?.[column(f)] ?? null) !== next[f]) changed = true;
  }
  if (changed) ctx.run(SYNC_SQL, params);
}

const OPEN_STATUSES_SQL = STATUSES.filter(isOpen)
  .map((st) => `'${st}'`)
  .join(', ');

/** WHERE clause over the filter (every value a bound parameter). */
function whereOf(f: AnalyticsFilter | BacklogScope, period: boolean): { sql: string; params: Row } {
  const where: string[] = [];
  const params: Row = {};
  if (period && 'from' in f) {
    where.push('submitted_at >= @from AND submitted_at < @to');
    params.from = f.from;
    params.to = f.to;
  }
  if (f.departmentId !== undefined) {
    where.push('department_id = @department_id');
    params.department_id = f.departmentId;
  }
  if (f.categoryId !== undefined) {
    where.push('category_id = @category_id');
    params.category_id = f.categoryId;
  }
  if (f.type !== undefined) {
    where.push('type = @type');
    params.type = f.type;
  }
  if (f.region !== undefined) {
    where.push('region = @region');
    params.region = f.region;
  }
  return { sql: where.join(' AND '), params };
}

const SUMS = `COUNT(*) AS received, TOTAL(an_completed) AS completed, TOTAL(an_rejected) AS rejected, TOTAL(an_decided) AS decided,
  TOTAL(an_on_time) AS onTime, TOTAL(an_extensions) AS extensions, TOTAL(an_redirects) AS redirects, TOTAL(an_repeat) AS repeats,
  TOTAL(an_re_examination) AS reExaminations, TOTAL(an_escalations) AS escalations, TOTAL(an_rated) AS rated,
  TOTAL(an_stars) AS starsSum, TOTAL(an_low_rated) AS lowRated`;

const countsOf = (r: Row | undefined): AnalyticsCounts => ({
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

const DIMENSION_COLUMN: Record<AnalyticsDimension, string> = {
  department: 'department_id',
  category: 'category_id',
  type: 'type',
  region: 'region',
};

/** The drill-down's condition per figure (the period's or the backlog's scope beside it). */
const DRILL: Record<DrillFigure, string> = {
  received: '1',
  completed: 'an_completed = 1',
  rejected: 'an_rejected = 1',
  late: 'an_decided = 1 AND an_on_time = 0',
  repeats: 'an_repeat = 1',
  lowRated: 'an_low_rated = 1',
  reExaminations: 'an_re_examination = 1',
  escalations: 'an_escalations > 0',
  backlog: `status IN (${OPEN_STATUSES_SQL})`,
  overdue: `status IN (${OPEN_STATUSES_SQL}) AND deadline_at IS NOT NULL AND deadline_at < @now`,
};

export function sqliteAnalytics(ctx: SqliteContext, decodeAppeal: (row: Row) => AppealRecord): AnalyticsRepo {
  const from = (f: AnalyticsFilter): { sql: string; params: Row } => {
    const w = whereOf(f, true);
    return { sql: `FROM appeals INDEXED BY appeals_analytics WHERE submitted_at IS NOT NULL AND ${w.sql}`, params: w.params };
  };

  /**
   * Median and p90 by nearest rank (the value at rank ⌈p·n⌉). With a
   * department, each is read along that department's index in value order
   * (`appeals_an_first_response`, `appeals_an_decision`: the period and the
   * filters checked in the index, no sort), skipping to the rank; without
   * one, in one pass that numbers the sorted values.
   */
  const percentiles = (f: AnalyticsFilter, col: string, n: number): Percentiles => {
    if (n === 0) return { count: 0, medianMs: null, p90Ms: null };
    const w = whereOf(f, true);
    if (f.departmentId !== undefined) {
      const index = col === 'an_decision_ms' ? 'appeals_an_decision' : 'appeals_an_first_response';
      const at = (p: number): number =>
        ctx.get(
          `SELECT ${col} AS v FROM appeals INDEXED BY ${index} WHERE ${col} IS NOT NULL AND ${w.sql} ORDER BY department_id, ${col} LIMIT 1 OFFSET @offset`,
          {
            ...w.params,
            offset: rankOffset(p, n),
          },
        )?.v as number;
      return { count: n, medianMs: at(0.5), p90Ms: at(0.9) };
    }
    const { sql, params } = from(f);
    const rows = ctx.all(
      `SELECT v, rn FROM (SELECT ${col} AS v, ROW_NUMBER() OVER (ORDER BY ${col}) AS rn ${sql} AND ${col} IS NOT NULL)
        WHERE rn = @median OR rn = @p90`,
      { ...params, median: rankOffset(0.5, n) + 1, p90: rankOffset(0.9, n) + 1 },
    );
    const at = (p: number): number => rows.find((r) => Number(r.rn) === rankOffset(p, n) + 1)?.v as number;
    return { count: n, medianMs: at(0.5), p90Ms: at(0.9) };
  };

  return {
    summary: (f) =>
      ctx.read(() => {
        const { sql, params } = from(f);
        const row = ctx.get(`SELECT ${SUMS}, COUNT(an_first_response_ms) AS responded ${sql}`, params);
        const counts = countsOf(row);
        const ratings: [number, number, number, number, number] = [0, 0, 0, 0, 0];
        for (const r of ctx.all(`SELECT an_stars AS stars, COUNT(*) AS n ${sql} AND an_stars IS NOT NULL GROUP BY an_stars`, params)) {
          const stars = Number(r.stars);
          if (stars >= 1 && stars <= 5) ratings[stars - 1] = Number(r.n);
        }
        return {
          ...counts,
          firstResponse: percentiles(f, 'an_first_response_ms', Number(row?.responded ?? 0)),
          decision: percentiles(f, 'an_decision_ms', counts.decided),
          ratings,
        };
      }),
    breakdown: (f, dimension) =>
      ctx.read(() => {
        const { sql, params } = from(f);
        const col = DIMENSION_COLUMN[dimension];
        return ctx
          .all(`SELECT COALESCE(${col}, '') AS key, ${SUMS} ${sql} GROUP BY 1 ORDER BY received DESC, key`, params)
          .map((r) => ({ key: String(r.key), ...countsOf(r) }));
      }),
    trend: (f, unit) =>
      ctx.read(() => {
        const { sql, params } = from(f);
        const col = unit === 'week' ? 'an_week' : 'an_month';
        return ctx.all(`SELECT ${col} AS bucket, ${SUMS} ${sql} GROUP BY 1 ORDER BY 1`, params).map((r) => ({ bucket: String(r.bucket), ...countsOf(r) }));
      }),
    backlog: (scope, now) =>
      ctx.read(() => {
        const w = whereOf(scope, false);
        const r = ctx.get(
          `SELECT COUNT(*) AS total,
            TOTAL(deadline_at < @now) AS overdue,
            TOTAL(deadline_at >= @now AND deadline_at < @now + @d3) AS upTo3,
            TOTAL(deadline_at >= @now + @d3 AND deadline_at < @now + @d7) AS upTo7,
            TOTAL(deadline_at >= @now + @d7 AND deadline_at < @now + @d14) AS upTo14,
            TOTAL(deadline_at >= @now + @d14) AS more,
            TOTAL(deadline_at IS NULL) AS noDeadline
          FROM appeals WHERE status IN (${OPEN_STATUSES_SQL})${w.sql ? ` AND ${w.sql}` : ''}`,
          { ...w.params, now, d3: BACKLOG_LIMITS.upTo3, d7: BACKLOG_LIMITS.upTo7, d14: BACKLOG_LIMITS.upTo14 },
        );
        return {
          total: Number(r?.total ?? 0),
          overdue: Number(r?.overdue ?? 0),
          upTo3: Number(r?.upTo3 ?? 0),
          upTo7: Number(r?.upTo7 ?? 0),
          upTo14: Number(r?.upTo14 ?? 0),
          more: Number(r?.more ?? 0),
          noDeadline: Number(r?.noDeadline ?? 0),
        };
      }),
    appeals: (f, figure, now, page) =>
      ctx.read(() => {
        const open = figure === 'backlog' || figure === 'overdue';
        const w = whereOf(f, !open);
        const where = [DRILL[figure], ...(w.sql ? [w.sql] : []), ...(open ? [] : ['submitted_at IS NOT NULL'])].join(' AND ');
        const params = { ...w.params, ...(figure === 'overdue' ? { now } : {}) };
        const order = open ? 'deadline_at IS NULL, deadline_at ASC, id ASC' : 'submitted_at DESC, id DESC';
        const items = ctx
          .all(`SELECT * FROM appeals WHERE ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`, { ...params, limit: page.limit, offset: page.offset })
          .map(decodeAppeal);
        const total = Number(ctx.get(`SELECT COUNT(*) AS n FROM appeals WHERE ${where}`, params)?.n ?? 0);
        return { items, total };
      }),
  };
}
