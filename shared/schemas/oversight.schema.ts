/**
 * Oversight (docs/oversight.md): the audit journal on screen, the appeal's
 * publication on Open311, the Open311 API keys, webhooks and their deliveries.
 */
import { z } from 'zod';
import { dateSchema, idSchema, pageSchema } from './common.schema.js';

// The audit journal.

/** The journal's filters: appeal number, person (e-mail, phone or id), action, period (days, Moscow time). */
export const auditQuerySchema = pageSchema
  .extend({
    appeal: z
      .string()
      .trim()
      .regex(/^\d{2}-\d{4}-\d{6}$/, 'номер вида 77-2026-000123')
      .optional(),
    person: z.string().trim().min(1).max(254).optional(),
    action: z
      .string()
      .trim()
      .regex(/^[a-z_]+(\.[a-z_]+)*$/, 'действие вида appeal.assigned')
      .max(64)
      .optional(),
    from: dateSchema.optional(),
    to: dateSchema.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { message: 'период начинается позже, чем кончается', path: ['to'] });
export type AuditQueryInput = z.infer<typeof auditQuerySchema>;

/** One change in an entry: a field with its value, or its value before and after. */
export const auditChangeSchema = z.object({
  field: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
});

export const auditEntrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.number(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  /** The appeal the entry belongs to, with its number (null when none). */
  appeal: z.object({ id: z.string(), number: z.string().nullable() }).nullable(),
  changes: z.array(auditChangeSchema),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const auditVerifySchema = z.union([
  z.object({ ok: z.literal(true), count: z.number().int().nonnegative() }),
  z.object({ ok: z.literal(false), seq: z.number().int().positive(), reason: z.enum(['missing', 'link', 'content']) }),
]);
export type AuditVerifyResult = z.infer<typeof auditVerifySchema>;

// Publication on Open311.

export const publicitySchema = z.object({ public: z.boolean() });

// Open311 API keys.

export const apiKeyInputSchema = z.object({
  name: z.string().trim().min(1, 'укажите название').max(100),
  ratePerMinute: z.number().int().min(1).max(10_000).default(60),
});

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  ratePerMinute: z.number().int(),
  createdAt: z.number(),
  revokedAt: z.number().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeySchema>;

// Webhooks.

export const WEBHOOK_EVENT_NAMES = ['appeal.submitted', 'appeal.status_changed', 'appeal.decision', 'appeal.rated', 'appeal.escalated'] as const;

export const webhookInputSchema = z.object({
  url: z.string().trim().min(1, 'укажите адрес').max(2000),
  events: z.array(z.enum(WEBHOOK_EVENT_NAMES)).min(1, 'выберите хотя бы одно событие').max(WEBHOOK_EVENT_NAMES.length),
  trusted: z.boolean().default(false),
  allowPrivate: z.boolean().default(false),
});

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_NAMES)),
  trusted: z.boolean(),
  allowPrivate: z.boolean(),
  active: z.boolean(),
  createdAt: z.number(),
});
export type WebhookView = z.infer<typeof webhookSchema>;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  event: z.enum(WEBHOOK_EVENT_NAMES),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.number(),
  deliveredAt: z.number().nullable(),
  replayOf: z.string().nullable(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliverySchema>;

export const deliveryQuerySchema = pageSchema.extend({ webhookId: idSchema.optional() });
