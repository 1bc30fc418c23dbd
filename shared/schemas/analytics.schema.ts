/**
 * Analytics for supervisors and admins (docs/analytics.md): the query of the
 * figures, the drill-down to the appeals behind one, and the replies.
 */
import { z } from 'zod';
import { STATUSES } from '../status-machine.js';
import { APPEAL_TYPES } from './appeal.schema.js';
import { dateSchema } from './common.schema.js';

export const ANALYTICS_DIMENSIONS = ['department', 'category', 'type', 'region'] as const;
export const ANALYTICS_UNITS = ['week', 'month'] as const;
export const DRILL_FIGURES = [
  'received',
  'completed',
  'rejected',
  'late',
  'repeats',
  'lowRated',
  'reExaminations',
  'escalations',
  'backlog',
  'overdue',
] as const;
/** The longest period one query covers. */
export const MAX_PERIOD_YEARS = 5;
/** The most rows one CSV export holds; more is refused (narrow the period or the filters). */
export const MAX_CSV_ROWS = 1_000_000;

const DAY = 24 * 60 * 60 * 1000;

/** Midnight in Moscow (UTC+3) of a `YYYY-MM-DD` date. */
export const moscowMidnight = (date: string): number => Date.parse(`${date}T00:00:00+03:00`);

const filterShape = {
  /** First day of the period (Moscow), inclusive. */
  from: dateSchema,
  /** Last day of the period (Moscow), inclusive. */
  to: dateSchema,
  departmentId: z.string().trim().min(1).max(64).optional(),
  categoryId: z.string().trim().min(1).max(64).optional(),
  type: z.enum(APPEAL_TYPES, { error: 'Неизвестный вид обращения' }).optional(),
  region: z
    .string()
    .regex(/^\d{2,3}$/, 'Код региона — две или три цифры')
    .optional(),
};

/** A period that runs forwards and is at most 5 years long. */
const checkPeriod = (q: { from: string; to: string }, ctx: z.RefinementCtx): void => {
  const from = moscowMidnight(q.from);
  const to = moscowMidnight(q.to);
  if (to < from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Период задан в обратном порядке: конец раньше начала' });
  const limit = new Date(from);
  limit.setUTCFullYear(limit.getUTCFullYear() + MAX_PERIOD_YEARS);
  if (to + DAY > limit.getTime()) ctx.addIssue({ code: 'custom', path: ['to'], message: `Период длиннее ${MAX_PERIOD_YEARS} лет` });
};

/** `GET /api/analytics`. */
export const analyticsQuerySchema = z
  .object({
    ...filterShape,
    /** What the breakdown table groups by. */
    groupBy: z.enum(ANALYTICS_DIMENSIONS, { error: 'Неизвестное измерение: допустимы department, category, type, region' }).default('category'),
    /** The trend's step. */
    unit: z.enum(ANALYTICS_UNITS, { error: 'Шаг динамики: week или month' }).default('month'),
  })
  .strict()
  .superRefine(checkPeriod);
export type AnalyticsQuery = z.infer<typeof analyticsQuerySchema>;

/** `GET /api/analytics/appeals` and its CSV: the appeals behind one figure. */
export const analyticsAppealsQuerySchema = z
  .object({
    ...filterShape,
    figure: z.enum(DRILL_FIGURES, { error: 'Неизвестный показатель' }),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
  })
  .strict()
  .superRefine(checkPeriod);
export type AnalyticsAppealsQuery = z.infer<typeof analyticsAppealsQuerySchema>;

const countsShape = {
  received: z.number(),
  completed: z.number(),
  rejected: z.number(),
  decided: z.number(),
  onTime: z.number(),
  extensions: z.number(),
  redirects: z.number(),
  repeats: z.number(),
  reExaminations: z.number(),
  escalations: z.number(),
  rated: z.number(),
  starsSum: z.number(),
  lowRated: z.number(),
};
const percentilesSchema = z.object({ count: z.number(), medianMs: z.number().nullable(), p90Ms: z.number().nullable() });

export const analyticsReplySchema = z.object({
  /** The period as ms (from inclusive, to exclusive) and the department the figures are of (null: all). */
  period: z.object({ from: z.number(), to: z.number() }),
  departmentId: z.string().nullable(),
  summary: z.object({
    ...countsShape,
    firstResponse: percentilesSchema,
    decision: percentilesSchema,
    ratings: z.array(z.number()).length(5),
  }),
  /** The breakdown by `groupBy`, each row with its label (department or category name, kind, region). */
  breakdown: z.array(z.object({ key: z.string(), label: z.string(), ...countsShape })),
  trend: z.array(z.object({ bucket: z.string(), ...countsShape })),
  backlog: z.object({
    total: z.number(),
    overdue: z.number(),
    upTo3: z.number(),
    upTo7: z.number(),
    upTo14: z.number(),
    more: z.number(),
    noDeadline: z.number(),
  }),
});
export type AnalyticsReply = z.infer<typeof analyticsReplySchema>;

/** One appeal behind a figure: no personal data. */
export const analyticsAppealSchema = z.object({
  id: z.string(),
  number: z.string().nullable(),
  subject: z.string(),
  status: z.enum(STATUSES),
  type: z.enum(APPEAL_TYPES).nullable(),
  category: z.string(),
  region: z.string(),
  submittedAt: z.number().nullable(),
  deadlineAt: z.number().nullable(),
});
export type AnalyticsAppeal = z.infer<typeof analyticsAppealSchema>;
