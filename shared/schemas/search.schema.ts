/**
 * Search across appeals (docs/search.md): the query a person sends and the
 * hits they get back, each with fragments of the matching texts cut into
 * segments, the matching words marked (plain text: the client makes <mark>).
 */
import { z } from 'zod';
import { STATUSES } from '../status-machine.js';
import { APPEAL_TYPES } from './appeal.schema.js';
import { dateSchema, idSchema, pageOf } from './common.schema.js';

/** The longest query, in characters. */
export const SEARCH_QUERY_MAX = 200;
/** The longest period a search may cover, in days (5 years). */
export const SEARCH_PERIOD_MAX_DAYS = 5 * 366;

const DAY = 24 * 60 * 60 * 1000;

export const searchQuerySchema = z
  .object({
    q: z
      .string('Введите номер или слова для поиска')
      .trim()
      .min(1, 'Введите номер или слова для поиска')
      .max(SEARCH_QUERY_MAX, `Запрос длиннее ${SEARCH_QUERY_MAX} символов`),
    status: z.enum(STATUSES, 'неизвестный статус').optional(),
    categoryId: idSchema.optional(),
    departmentId: idSchema.optional(),
    /** The kind: appeal, complaint, suggestion… */
    type: z.enum(APPEAL_TYPES, 'неизвестный вид обращения').optional(),
    /** Submitted on or after this day (UTC). */
    from: dateSchema.optional(),
    /** Submitted on or before this day (UTC). */
    to: dateSchema.optional(),
    limit: z.coerce.number().int().min(1).max(50).default(20),
    offset: z.coerce.number().int().min(0).max(10_000).default(0),
  })
  .refine((f) => f.from === undefined || f.to === undefined || f.from <= f.to, { message: 'Начало периода позже его конца', path: ['to'] })
  .refine((f) => f.from === undefined || f.to === undefined || Date.parse(f.to) - Date.parse(f.from) <= SEARCH_PERIOD_MAX_DAYS * DAY, {
    message: 'Период длиннее 5 лет',
    path: ['to'],
  });
export type SearchQueryInput = z.infer<typeof searchQuerySchema>;

/** A piece of a fragment: plain text, or a matching word (`mark`). */
export const searchSegmentSchema = z.object({ text: z.string(), mark: z.boolean() });
export type SearchSegment = z.infer<typeof searchSegmentSchema>;

/**
 * Where a fragment is from: the number, the citizen's name (only for those
 * who see the contacts), the subject, the body (description, the category's
 * fields, details), a chat message, an internal note (staff only).
 */
export const SEARCH_FRAGMENT_FIELDS = ['number', 'name', 'subject', 'body', 'chat', 'note'] as const;
export const searchFragmentSchema = z.object({
  field: z.enum(SEARCH_FRAGMENT_FIELDS),
  segments: z.array(searchSegmentSchema),
});
export type SearchFragment = z.infer<typeof searchFragmentSchema>;

export const searchHitSchema = z.object({
  id: idSchema,
  number: z.string().nullable(),
  subject: z.string(),
  status: z.enum(STATUSES),
  type: z.enum(APPEAL_TYPES).nullable(),
  categoryId: z.string().nullable(),
  departmentId: z.string().nullable(),
  submittedAt: z.number().nullable(),
  /** The subject first (always), then the parts that matched. */
  fragments: z.array(searchFragmentSchema),
});
export type SearchHitView = z.infer<typeof searchHitSchema>;

/** `more`: more than the 1,000 newest matches match; `total` is then 1,000 (the ones ranked and paged). */
export const searchReplySchema = pageOf(searchHitSchema).extend({ more: z.boolean() });
export type SearchReply = z.infer<typeof searchReplySchema>;
