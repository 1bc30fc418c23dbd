/**
 * After the decision (PRODUCT.md §7): decision documents, the citizen's rating
 * and the supervisor's review of it — the requests and the shapes the appeal
 * view carries (docs/decisions.md).
 */
import { z } from 'zod';
import { MAX_STARS, MIN_STARS, REVIEW_ACTIONS, REVIEW_STATES } from '../status-machine.js';
import { idSchema, pageSchema } from './common.schema.js';

/** The category of a rating's remarks (seed 000: технический, юридический, сервисный). */
export const FEEDBACK_CATEGORIES = ['technical', 'legal', 'service'] as const;
export type FeedbackCategory = (typeof FEEDBACK_CATEGORIES)[number];

export const DECISION_KINDS = ['completion', 'rejection'] as const;

/** Files a decision may refer to. */
export const MAX_DECISION_FILES = 20;
/** Items of a re-examination's checklist. */
export const MAX_CHECKLIST_ITEMS = 20;

const starsMessage = `оценка — от ${MIN_STARS} до ${MAX_STARS} звёзд`;

/** A rating, first given or changed. Remarks are required when the rating opens a review. */
export const rateSchema = z
  .object({
    stars: z.number(starsMessage).int(starsMessage).min(MIN_STARS, starsMessage).max(MAX_STARS, starsMessage),
    remarks: z.string().trim().max(4000, 'замечания — не длиннее 4000 символов').default(''),
    category: z.enum(FEEDBACK_CATEGORIES, 'выберите категорию: технический, юридический или сервисный'),
    /** A file of the appeal (uploaded to its room first). */
    attachmentId: idSchema.nullable().default(null),
    /** The citizen marks the remarks as a complaint: a review is opened whatever the stars. */
    isComplaint: z.boolean().default(false),
  })
  .refine((r) => r.remarks !== '' || (r.stars > 2 && !r.isComplaint), {
    path: ['remarks'],
    message: 'опишите замечания: по ним руководитель проверит решение',
  });
export type RateInput = z.infer<typeof rateSchema>;

const replyText = z.string().trim().min(1, 'напишите ответ заявителю').max(4000);

/** A supervisor's step in a review. */
export const reviewActionSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('start') }),
  z.object({ action: z.literal('close'), reply: replyText }),
  z.object({
    action: z.literal('re_examine'),
    /** The officer who re-examines (another than the one who decided). */
    assigneeId: idSchema,
    comment: z.string().trim().min(1, 'укажите, почему решение пересматривается').max(4000),
    /** What must be redone, one item each; the citizen sees it. */
    checklist: z
      .array(z.string().trim().min(1, 'пункт не может быть пустым').max(500))
      .min(1, 'перечислите, что нужно переделать')
      .max(MAX_CHECKLIST_ITEMS, `не больше ${MAX_CHECKLIST_ITEMS} пунктов`),
  }),
]);
export type ReviewActionInput = z.infer<typeof reviewActionSchema>;

/** The re-examining officer marks a checklist item done (or not). */
export const checklistMarkSchema = z.object({ done: z.boolean() });

/** The department's reviews (supervisors): open ones unless asked otherwise. */
export const reviewListQuerySchema = pageSchema.extend({
  state: z.enum([...REVIEW_STATES, 'open']).default('open'),
});

// Views.

export const decisionSchema = z.object({
  id: z.string(),
  seq: z.number(),
  kind: z.enum(DECISION_KINDS),
  text: z.string(),
  attachmentIds: z.array(z.string()),
  signerName: z.string(),
  signerRole: z.enum(['operator', 'supervisor']),
  departmentName: z.string(),
  appealNumber: z.string(),
  proposedAt: z.number(),
  /** null while it is a proposed resolution awaiting the citizen. */
  issuedAt: z.number().nullable(),
  reviewId: z.string().nullable(),
});

export const reviewSchema = z.object({
  id: z.string(),
  state: z.enum(REVIEW_STATES),
  reason: z.enum(['low_rating', 'complaint']),
  openedAt: z.number(),
  dueAt: z.number(),
  overdue: z.boolean(),
  startedAt: z.number().nullable(),
  reply: z.string().nullable(),
  closedAt: z.number().nullable(),
  checklist: z.array(z.object({ id: z.string(), text: z.string(), doneAt: z.number().nullable() })),
  reExamination: z.object({ startedAt: z.number(), assigneeId: z.string(), comment: z.string() }).nullable(),
  decisionId: z.string().nullable(),
  completedAt: z.number().nullable(),
  /** The review steps this viewer may take now. */
  actions: z.array(z.enum(REVIEW_ACTIONS)),
  /** This viewer may tick the checklist (the re-examining officer, the department's supervisors). */
  canMarkChecklist: z.boolean(),
});

export const feedbackSchema = z.object({
  id: z.string(),
  decisionId: z.string().nullable(),
  stars: z.number(),
  remarks: z.string(),
  category: z.enum(FEEDBACK_CATEGORIES),
  attachmentId: z.string().nullable(),
  isComplaint: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** The citizen may change it (until the review starts). */
  canChange: z.boolean(),
  review: reviewSchema.nullable(),
  /** Every change, oldest first. */
  log: z.array(
    z.object({
      at: z.number(),
      action: z.string(),
      actorName: z.string().nullable(),
      note: z.string().nullable(),
    }),
  ),
});

export type DecisionView = z.infer<typeof decisionSchema>;
export type FeedbackView = z.infer<typeof feedbackSchema>;
export type ReviewView = z.infer<typeof reviewSchema>;
