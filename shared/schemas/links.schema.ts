/**
 * Appeals linked to others and the kinds with flows of their own (PRODUCT.md §7,
 * seed 000 «Повторное обращение», «Обращение в вышестоящие инстанции»; seed 004
 * complaints and suggestions): the requests and what the room shows of the links
 * (docs/after-decision.md).
 */
import { z } from 'zod';
import { STATUSES } from '../status-machine.js';
import { idSchema } from './common.schema.js';

/** What a complaint is about: something done, or something not done. */
export const COMPLAINT_CONDUCTS = ['action', 'inaction'] as const;
export type ComplaintConduct = (typeof COMPLAINT_CONDUCTS)[number];

/** A complaint names the action or inaction and the officer or body concerned; it goes to that body's supervisor. */
export const complaintSchema = z.object({
  conduct: z.enum(COMPLAINT_CONDUCTS, 'укажите, обжалуется действие или бездействие'),
  /** The officer or body concerned, as the citizen names them. */
  concerned: z.string().trim().min(3, 'укажите должностное лицо или орган').max(300),
  /** The body concerned: the department whose supervisor receives the complaint. */
  departmentId: idSchema,
});
export type ComplaintInput = z.infer<typeof complaintSchema>;

/** How an answered suggestion is marked: «принято к рассмотрению» or «учтено». */
export const SUGGESTION_MARKS = ['under_consideration', 'taken_into_account'] as const;
export type SuggestionMark = (typeof SUGGESTION_MARKS)[number];

export const SUGGESTION_MARK_LABELS_RU: Record<SuggestionMark, string> = {
  under_consideration: 'Принято к рассмотрению',
  taken_into_account: 'Учтено',
};

/** A suggestion's reply (no decision to confirm), with its mark. */
export const suggestionAnswerSchema = z.object({
  text: z.string().trim().min(1, 'напишите ответ на предложение').max(4000),
  mark: z.enum(SUGGESTION_MARKS, 'отметьте: принято к рассмотрению или учтено'),
  version: z.number().int().min(0).optional(),
});
export const suggestionMarkSchema = z.object({ mark: z.enum(SUGGESTION_MARKS, 'отметьте: принято к рассмотрению или учтено') });

/** Escalation to a higher authority: the department above, a reason, and evidence (files of the appeal). */
export const escalateSchema = z.object({
  departmentId: idSchema,
  reason: z.string().trim().min(1, 'укажите причину обращения в вышестоящую инстанцию').max(4000),
  evidenceIds: z.array(idSchema).max(20).default([]),
  version: z.number().int().min(0).optional(),
});
export type EscalateInput = z.infer<typeof escalateSchema>;

/** The higher department answers with a decision or an explanatory note; it comes back into the original case. */
export const ESCALATION_ANSWER_KINDS = ['decision', 'note'] as const;
export type EscalationAnswerKind = (typeof ESCALATION_ANSWER_KINDS)[number];
export const escalationAnswerSchema = z.object({
  kind: z.enum(ESCALATION_ANSWER_KINDS, 'выберите: решение или пояснительная записка'),
  text: z.string().trim().min(1, 'напишите ответ').max(4000),
  version: z.number().int().min(0).optional(),
});

/** «Подать повторно по тому же вопросу»: what is still wrong (the rest is carried over from the original). */
export const repeatSchema = z.object({
  text: z.string().trim().min(1, 'опишите, что осталось нерешённым').max(4000),
});

// Replies.

export const escalateReplySchema = z.object({ appealId: z.string(), number: z.string(), accessCode: z.string().nullable() });

export const escalationAnswerViewSchema = z.object({
  kind: z.enum(ESCALATION_ANSWER_KINDS),
  text: z.string(),
  at: z.number(),
  byName: z.string(),
});

/** The escalated appeal's origin, as its room shows it. */
export const escalationViewSchema = z.object({
  fromAppealId: z.string(),
  fromNumber: z.string().nullable(),
  fromDepartmentId: z.string(),
  reason: z.string(),
  evidenceIds: z.array(z.string()),
  byRole: z.enum(['citizen', 'supervisor']),
  at: z.number(),
  answer: escalationAnswerViewSchema.nullable(),
});

/** Another appeal as a linked one shows it: enough to follow the link and read its outcome. */
export const linkedAppealSchema = z.object({
  id: z.string(),
  number: z.string().nullable(),
  status: z.enum(STATUSES),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  submittedAt: z.number().nullable(),
  /** Its decision as issued: the last decision document, else the resolution or rejection comment; null before one. */
  decisionText: z.string().nullable(),
  /** Its files, by name (the repeat refers to them; they open in that appeal's room). */
  attachments: z.array(z.object({ id: z.string(), fileName: z.string() })),
  /** Set on an escalated appeal: the answer of the higher department. */
  escalationAnswer: escalationAnswerViewSchema.nullable(),
});
export type LinkedAppeal = z.infer<typeof linkedAppealSchema>;

export const linksReplySchema = z.object({
  repeatOf: linkedAppealSchema.nullable(),
  repeats: z.array(linkedAppealSchema),
  escalatedFrom: linkedAppealSchema.nullable(),
  escalations: z.array(linkedAppealSchema),
  /** Departments this viewer may escalate the appeal to (the ones above its department); empty when they may not. */
  escalationTargets: z.array(z.object({ id: z.string(), name: z.string(), level: z.string() })),
  canRepeat: z.boolean(),
});
export type LinksReply = z.infer<typeof linksReplySchema>;
