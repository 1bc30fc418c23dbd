/**
 * Personal data (docs/privacy.md): the citizen's per-appeal choice for experts,
 * and the access log — one's own, and the department's for supervisors.
 */
import { z } from 'zod';
import { dateSchema } from './common.schema.js';

/** `PUT /api/appeals/:id/privacy`: whether invited experts see the citizen's contacts and identifiers on this appeal. */
export const appealPrivacySchema = z.strictObject({ expertsSeeContacts: z.boolean() });

/** The personal fields an access-log entry names. */
export const PERSONAL_FIELD_NAMES = ['fullName', 'email', 'phone', 'citizenId', 'replyContact'] as const;

/** One read of a person's personal data by someone else. */
export const accessLogEntrySchema = z.object({
  seq: z.number(),
  at: z.number(),
  actorId: z.string().nullable(),
  actorName: z.string(),
  role: z.string(),
  subjectId: z.string().nullable(),
  appealId: z.string(),
  appealNumber: z.string().nullable(),
  fields: z.array(z.string()),
  via: z.string(),
});
export type AccessLogEntry = z.infer<typeof accessLogEntrySchema>;

/** A page, newest first; `nextBefore` asks for the older one (null: none). */
export const accessLogReplySchema = z.object({ items: z.array(accessLogEntrySchema), nextBefore: z.number().nullable() });

const limit = z.coerce.number().int().min(1).max(100).default(20);
const before = z.coerce.number().int().min(1).optional();

/** `GET /api/me/access-log`. */
export const myAccessLogQuerySchema = z.object({ limit, before });

/** `GET /api/access-log`: supervisors (their department) and admins (all, or one department). */
export const accessLogQuerySchema = z
  .object({
    limit,
    before,
    appeal: z
      .string()
      .trim()
      .regex(/^\d{2}-\d{4}-\d{6}$/, 'номер вида 77-2026-000123')
      .optional(),
    person: z.string().trim().toLowerCase().min(3, 'e-mail или телефон заявителя').max(254).optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
    department: z.string().trim().min(1).max(64).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'период начинается позже, чем кончается', path: ['to'] });
export type AccessLogQueryInput = z.infer<typeof accessLogQuerySchema>;
