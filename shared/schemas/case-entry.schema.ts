/**
 * The case's entries beside its status history: the citizen's supplements
 * («Дополнить обращение»: text and documents, at any status between
 * submission and completion) and the corrections of a rejected appeal (each
 * changed field with its earlier value).
 */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { idSchema } from './common.schema.js';

export const CASE_ENTRY_KINDS = ['supplement', 'correction'] as const;
export type CaseEntryKind = (typeof CASE_ENTRY_KINDS)[number];

/** A supplement: text, documents already uploaded to the appeal (their ids), or both. */
export const supplementSchema = z
  .object({
    text: z.string().trim().max(LIMITS.supplementChars, `не длиннее ${LIMITS.supplementChars} символов`).default(''),
    attachmentIds: z
      .array(idSchema)
      .max(LIMITS.attachmentsPerRequest, `не больше ${LIMITS.attachmentsPerRequest} документов`)
      .refine((ids) => new Set(ids).size === ids.length, 'документ указан дважды')
      .default([]),
  })
  .refine((s) => s.text.length > 0 || s.attachmentIds.length > 0, { message: 'напишите, что добавить, или приложите документ', path: ['text'] });
export type SupplementInput = z.infer<typeof supplementSchema>;

/** The person has seen the entries up to `seq`. */
export const entriesSeenSchema = z.object({ seq: z.number({ error: 'номер записи — целое число' }).int().min(0).max(1_000_000) });

/** One entry as the viewer may see it. */
export const caseEntrySchema = z.object({
  id: z.string(),
  appealId: z.string(),
  seq: z.number(),
  kind: z.enum(CASE_ENTRY_KINDS),
  at: z.number(),
  authorId: z.string(),
  authorName: z.string(),
  text: z.string(),
  /** The documents it brought, with their names now. */
  attachments: z.array(z.object({ id: z.string(), fileName: z.string() })),
  /**
   * A correction's fields — `subject`, `type`, `categoryId` (values: the
   * categories' names), `region`, `description`, `details.<key>`,
   * `applicant.<key>`, `extra.<key>` — before and after; `label` names an
   * extra field as its category does (null for the others).
   */
  changes: z.array(z.object({ field: z.string(), label: z.string().nullable(), before: z.string(), after: z.string() })),
});

/** The entries and the viewer's mark: entries with a higher seq are new since their last visit. */
export const caseEntriesReplySchema = z.object({ items: z.array(caseEntrySchema), seenSeq: z.number() });

/** `?after=seq`: only the entries after it. */
export const caseEntriesQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });
