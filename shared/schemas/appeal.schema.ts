import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { ROLES, STATUSES, TRANSITION_ACTIONS } from '../status-machine.js';
import { clocksSchema } from './clocks.schema.js';
import { dateSchema, idSchema, innSchema, pageSchema } from './common.schema.js';
import { decisionSchema, feedbackSchema, MAX_DECISION_FILES } from './outcome.schema.js';
import { COMPLAINT_CONDUCTS, complaintSchema, escalationViewSchema, SUGGESTION_MARKS } from './links.schema.js';
import { APPEAL_KINDS } from '../support.js';

export const APPEAL_TYPES = ['info_request', 'application', 'complaint', 'suggestion'] as const;
export type AppealType = (typeof APPEAL_TYPES)[number];

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

const shortText = z.string().trim().max(2000);

/** Structured details of the problem (PRODUCT.md §2). */
export const detailsSchema = z.object({
  service: shortText.optional(),
  happenedOn: dateSchema.optional(),
  stepsTaken: shortText.optional(),
  errorText: shortText.optional(),
  expected: shortText.optional(),
  actual: shortText.optional(),
  replyContact: z.string().trim().max(254).optional(),
});
export type Details = z.infer<typeof detailsSchema>;

export const REPRESENTATIVE_KINDS = ['lawyer', 'consultant', 'ngo', 'relative', 'other'] as const;

/** Who files: a person, a legal entity's representative, or an intermediary. */
export const applicantSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('individual') }),
  z.object({
    kind: z.literal('legal_entity'),
    orgName: z.string().trim().min(2).max(300),
    orgInn: innSchema.refine((s) => s.length === 10, 'ИНН организации — 10 цифр'),
    ogrn: z
      .string()
      .trim()
      .regex(/^\d{13}$/, 'ОГРН — 13 цифр'),
  }),
  z.object({
    kind: z.literal('representative'),
    principalName: z.string().trim().min(3).max(200),
    representativeKind: z.enum(REPRESENTATIVE_KINDS),
  }),
]);
export type Applicant = z.infer<typeof applicantSchema>;

/** Values of the category's extra fields, by key. */
export const extraValuesSchema = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/), z.string().trim().max(2000));

/** A draft may be saved half-filled; submission checks completeness. */
export const draftSchema = z.object({
  categoryId: idSchema.optional(),
  type: z.enum(APPEAL_TYPES).optional(),
  subject: z.string().trim().max(LIMITS.subjectChars).optional(),
  description: z.string().max(LIMITS.descriptionChars).optional(),
  details: detailsSchema.optional(),
  applicant: applicantSchema.optional(),
  extra: extraValuesSchema.optional(),
  region: z
    .string()
    .regex(/^\d{2}$/)
    .optional(),
  /** A complaint's subject: the action or inaction and the officer or body concerned (links.schema.ts). */
  complaint: complaintSchema.nullable().optional(),
});
export type DraftInput = z.infer<typeof draftSchema>;

export const draftUpdateSchema = draftSchema.extend({
  /** Optimistic concurrency: the version the client last saw. */
  version: z.number().int().min(0),
});

/** Submission; `version` as the client last saw it, when it wants the check. The body may be left out. */
export const submitSchema = z.object({ version: z.number().int().min(0).optional() }).default({});

export const transitionSchema = z.object({
  action: z.enum(TRANSITION_ACTIONS),
  comment: z.string().trim().max(LIMITS.commentChars).optional(),
  version: z.number().int().min(0).optional(),
  /** Files of the appeal the decision refers to (a proposed resolution, a rejection: docs/decisions.md). */
  attachmentIds: z.array(idSchema).max(MAX_DECISION_FILES).optional(),
});
export type TransitionInput = z.infer<typeof transitionSchema>;

const boolQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const queueQuerySchema = pageSchema.extend({
  status: z.enum(STATUSES).optional(),
  categoryId: idSchema.optional(),
  priority: z.enum(PRIORITIES).optional(),
  overdue: boolQuery.optional(),
  /** The kind of appeal (complaint, suggestion…). */
  type: z.enum(APPEAL_TYPES).optional(),
  assignee: z.enum(['me', 'none', 'any']).default('any'),
  sort: z.enum(['deadline', 'created']).default('deadline'),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;

/** The status history after a known entry (`?after=seq`). */
export const historyQuerySchema = z.object({ after: z.coerce.number().int().min(0).default(0) });

export const lookupSchema = z.object({
  number: z
    .string()
    .trim()
    .regex(/^\d{2}-\d{4}-\d{6}$/, 'номер вида 77-2026-000123'),
  accessCode: z
    .string()
    .trim()
    .regex(/^[A-Z2-9]{8}$/, 'код доступа из 8 символов'),
});

export const assignSchema = z.object({ assigneeId: idSchema });
export const inviteSchema = z.object({ expertId: idSchema });

// Replies.

/** How a viewer takes part in an appeal's room. */
export const ROOM_ROLES = ['owner', 'officer', 'expert', 'observer'] as const;

/** An appeal as the viewer is allowed to see it (docs/api.md, "appeal view"). */
export const appealSchema = z.object({
  id: z.string(),
  number: z.string().nullable(),
  citizenId: z.string().nullable(),
  categoryId: z.string().nullable(),
  departmentId: z.string().nullable(),
  type: z.enum(APPEAL_TYPES).nullable(),
  subject: z.string(),
  description: z.string(),
  details: detailsSchema,
  applicant: applicantSchema,
  extra: z.record(z.string(), z.string()),
  region: z.string(),
  priority: z.enum(PRIORITIES),
  status: z.enum(STATUSES),
  deadlineAt: z.number().nullable(),
  assigneeId: z.string().nullable(),
  /** The assignee's name; null when unassigned. */
  assigneeName: z.string().nullable(),
  expertIds: z.array(z.string()),
  resubmissionCount: z.number(),
  repeatOfId: z.string().nullable(),
  complaint: z.object({ conduct: z.enum(COMPLAINT_CONDUCTS), concerned: z.string(), departmentId: z.string() }).nullable(),
  suggestionMark: z.enum(SUGGESTION_MARKS).nullable(),
  /** Set on an appeal created by escalation: its origin and the answer (links.schema.ts). */
  escalation: escalationViewSchema.nullable(),
  escalations: z.array(z.object({ appealId: z.string(), departmentId: z.string(), at: z.number() })),
  readerDepartmentIds: z.array(z.string()),
  /** `support`: a conversation with the portal's support (docs/support.md), no law clocks; `appeal` otherwise. */
  kind: z.enum(APPEAL_KINDS),
  createdAt: z.number(),
  updatedAt: z.number(),
  submittedAt: z.number().nullable(),
  statusChangedAt: z.number(),
  version: z.number(),
  roomRole: z.enum(ROOM_ROLES).nullable(),
  canWrite: z.boolean(),
  /** Transitions this viewer may take now. */
  actions: z.array(z.enum(TRANSITION_ACTIONS)),
  overdue: z.boolean(),
  /** While a resolution awaits confirmation: when silence will confirm it (epoch ms); null otherwise. */
  autoConfirmAt: z.number().nullable(),
  /** The law's clocks (registration, answer, redirect), extensions, redirects and the time waiting for the citizen; null for a draft. */
  clocks: clocksSchema.nullable(),
  /** Name and contacts of the citizen: for the citizen, the assignee, supervisors, and experts the citizen allowed; null for everyone else. */
  citizen: z.object({ fullName: z.string(), email: z.string().nullable(), phone: z.string().nullable() }).nullable(),
  /** The citizen's choice for this appeal: invited experts see their contacts and identifiers (docs/privacy.md); absent: off. */
  expertsSeeContacts: z.boolean().optional(),
  /** Decision documents, oldest first; the last may be a proposed resolution (`issuedAt` null). */
  decisions: z.array(decisionSchema),
  /** The citizen's rating of the decision and its review; null until rated. */
  feedback: feedbackSchema.nullable(),
  /** In lists only: chat messages by others the viewer has not read (capped at 100). */
  unread: z.number().optional(),
});

/** One transition in an appeal's history, with the actor's name. */
export const historyEntrySchema = z.object({
  appealId: z.string(),
  seq: z.number(),
  at: z.number(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.union([z.enum(ROLES), z.literal('system')]),
  from: z.enum(STATUSES),
  to: z.enum(STATUSES),
  action: z.string(),
  comment: z.string().nullable(),
});

/** The submitted appeal and its access code (shown once; null on resubmission). */
export const submitReplySchema = z.object({ appeal: appealSchema, accessCode: z.string().nullable() });

/** The public status lookup's answer. */
export const publicStatusSchema = z.object({
  number: z.string(),
  status: z.enum(STATUSES),
  statusLabel: z.string(),
  deadlineAt: z.number().nullable(),
  updatedAt: z.number(),
  history: z.array(z.object({ at: z.number(), from: z.enum(STATUSES), to: z.enum(STATUSES) })),
});
