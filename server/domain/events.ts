/**
 * Domain events, published after a change is durable. Transports (socket.io,
 * Yjs, notifications) subscribe; with REDIS_URL the bus spans instances.
 *
 * An event is its own type, not a store record: it carries ids and what the
 * listeners need, never a hash, a secret or a text they do not use. Each type
 * has a strict zod schema, and an event that arrives from another instance is
 * parsed with it (`parseDomainEvent`): a wrong shape or an extra field is
 * dropped, never acted on.
 */
import { z } from 'zod';
import { idSchema } from '../../shared/schemas/common.schema.js';
import { NOTIFICATION_KINDS } from '../../shared/schemas/notification.schema.js';
import { REVIEW_ACTIONS, REVIEW_STATES, ROLES, STATUSES } from '../../shared/status-machine.js';

/** The fields of an appeal that decide who may do what in its room (what a room grant is decided on). */
export const appealAccessSchema = z.strictObject({
  id: idSchema,
  status: z.enum(STATUSES),
  version: z.number().int().nonnegative(),
  citizenId: idSchema,
  assigneeId: idSchema.nullable(),
  departmentId: idSchema.nullable(),
  expertIds: z.array(idSchema).max(1000),
  /** Higher departments the appeal was escalated to (their staff read the room); absent when none. */
  readerDepartmentIds: z.array(idSchema).max(100).optional(),
});

/** One transition as the room's timeline shows it (the actor's name is looked up by whoever shows it). */
export const statusEntrySchema = z.strictObject({
  appealId: idSchema,
  seq: z.number().int().positive(),
  at: z.number(),
  actorId: idSchema.nullable(),
  actorRole: z.enum([...ROLES, 'system']),
  from: z.enum(STATUSES),
  to: z.enum(STATUSES),
  action: z.string().max(64),
  comment: z.string().max(10_000).nullable(),
});

/** A file as the room lists it (blob ids stay on the server). */
export const attachmentSummarySchema = z.strictObject({
  id: idSchema,
  appealId: idSchema,
  fileName: z.string().max(1000),
  mime: z.string().max(200),
  size: z.number().int().nonnegative(),
  currentVersion: z.number().int().positive(),
  versions: z
    .array(
      z.strictObject({
        version: z.number().int().positive(),
        fileName: z.string().max(1000),
        size: z.number().int().nonnegative(),
        mime: z.string().max(200),
        uploadedBy: idSchema,
        uploadedByName: z.string().max(1000),
        at: z.number(),
        action: z.enum(['uploaded', 'restored']),
        restoredFrom: z.number().int().positive().nullable(),
      }),
    )
    .max(10_000),
  createdAt: z.number(),
});

/** What the wall needs of a chat message: where, when, whose side, and whether internal (no text). */
export const chatPostedSchema = z.strictObject({
  appealId: idSchema,
  seq: z.number().int().positive(),
  at: z.number(),
  authorId: idSchema,
  authorRole: z.enum(ROLES),
  internal: z.boolean(),
});

/** The fields of an appeal an `appeal.updated` may name as changed. */
export const UPDATED_FIELDS = ['assigneeId', 'expertIds', 'description', 'privacy'] as const;
export type UpdatedField = (typeof UPDATED_FIELDS)[number];
/** Of those, the ones that decide who may do what in the room. */
export const ACCESS_FIELDS: ReadonlySet<UpdatedField> = new Set(['assigneeId', 'expertIds']);

/** A journalled notice as the in-app channel pushes it (server/domain/notifications). */
export const notificationEventSchema = z.strictObject({
  id: z.string().min(1).max(64),
  kind: z.enum(NOTIFICATION_KINDS),
  topic: z.string().max(64),
  appealId: idSchema.nullable(),
  appealNumber: z.string().max(64).nullable(),
  title: z.string().max(500),
  body: z.string().max(2000),
  link: z.string().max(500).nullable(),
  at: z.number(),
});

/** What happened to a rating or its review (`feedback.changed`). */
export const FEEDBACK_CHANGES = ['rated', 'rating_changed', ...REVIEW_ACTIONS, 'checklist', 'overdue'] as const;

/** The clocks of the law (59-ФЗ, PRODUCT.md §10) a deadline event names. */
export const DEADLINE_CLOCKS = ['registration', 'answer', 'redirect'] as const;
export const deadlineClockSchema = z.enum(DEADLINE_CLOCKS);
export type DeadlineClock = (typeof DEADLINE_CLOCKS)[number];

/** A login session's id (sha256 of the cookie token, hex). */
const sessionIdSchema = z.string().regex(/^[0-9a-f]{64}$/);

export const domainEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('appeal.status_changed'), appeal: appealAccessSchema, entry: statusEntrySchema }),
  /** Assignment, experts or the description's plain text changed (`changed`); the access fields are as they are now. */
  z.strictObject({ type: z.literal('appeal.updated'), appeal: appealAccessSchema, changed: z.array(z.enum(UPDATED_FIELDS)).min(1).max(UPDATED_FIELDS.length) }),
  /** An expert joined the room (invited): the room's history entry, status unchanged (docs/privacy.md); the citizen is told in the room. */
  z.strictObject({ type: z.literal('appeal.expert_joined'), appeal: appealAccessSchema, entry: statusEntrySchema, expertId: idSchema }),
  /** These people's access to the appeal may have gone (reassignment, expert removed). */
  z.strictObject({ type: z.literal('appeal.access_changed'), appealId: idSchema, userIds: z.array(idSchema).max(1000) }),
  z.strictObject({ type: z.literal('session.ended'), sessionIds: z.array(sessionIdSchema).max(10_000), userId: idSchema }),
  /** A version of the shared description was saved (or a restore made one). */
  z.strictObject({ type: z.literal('description.versions_changed'), appealId: idSchema }),
  /** A file was added to a room, got a new version, or an earlier version was restored. */
  z.strictObject({
    type: z.literal('attachment.changed'),
    appealId: idSchema,
    kind: z.enum(['added', 'version', 'restored']),
    attachment: attachmentSummarySchema,
  }),
  /**
   * A chat message was committed. Every instance updates its wall figures
   * from it; the message itself reaches the room's sockets through socket.io,
   * not through the bus.
   */
  z.strictObject({ type: z.literal('chat.posted'), message: chatPostedSchema }),
  /** A clock of the law (59-ФЗ) is `workingDaysLeft` working days from its due time: the assignee is reminded (supervisors when none). */
  z.strictObject({
    type: z.literal('deadline.reminder'),
    appeal: appealAccessSchema,
    clock: deadlineClockSchema,
    dueAt: z.number(),
    workingDaysLeft: z.number().int().min(0).max(60),
  }),
  /** A clock ran out with the appeal still open: the department's supervisors and the assignee are alerted. */
  z.strictObject({ type: z.literal('deadline.missed'), appeal: appealAccessSchema, clock: deadlineClockSchema, dueAt: z.number() }),
  /** A supervisor extended the answer's deadline; the citizen is told at once. */
  z.strictObject({
    type: z.literal('appeal.extended'),
    appeal: appealAccessSchema,
    actorId: idSchema,
    previousDueAt: z.number(),
    dueAt: z.number(),
    days: z.number().int().min(1).max(30),
    reason: z.string().min(1).max(2000),
  }),
  /** The appeal went to another department (outside this one's competence); `appeal` is as it is now, in the receiving one. */
  z.strictObject({
    type: z.literal('appeal.redirected'),
    appeal: appealAccessSchema,
    actorId: idSchema,
    fromDepartmentId: idSchema,
    toDepartmentId: idSchema,
    reason: z.string().min(1).max(2000),
  }),
  /** The proposed resolution will be confirmed automatically at `autoConfirmAt` unless the citizen answers. */
  z.strictObject({ type: z.literal('resolution.autoconfirm_soon'), appeal: appealAccessSchema, autoConfirmAt: z.number() }),
  /** The daily list of a department's overdue appeals, for its supervisors. `date` is the local day (YYYY-MM-DD). */
  z.strictObject({
    type: z.literal('overdue.digest'),
    departmentId: idSchema,
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    appealIds: z.array(idSchema).min(1).max(10_000),
  }),
  /** An admin saved a year of the working-day calendar: every instance reads the calendar again. */
  z.strictObject({ type: z.literal('calendar.changed'), year: z.number().int().min(2000).max(2100) }),
  /** A notice was journalled for `userId` with the in-app channel: every instance pushes it to the person's open tabs. */
  z.strictObject({ type: z.literal('notification.created'), userId: idSchema, notification: notificationEventSchema, unread: z.number().int().nonnegative() }),
  /** The person's unread count changed (marks read or unread): their open tabs update the bell. */
  z.strictObject({ type: z.literal('notification.unread'), userId: idSchema, unread: z.number().int().nonnegative() }),
  /** A decision document was issued (completion, rejection, or the answer to a re-examination: `reviewId`). */
  z.strictObject({
    type: z.literal('decision.issued'),
    appeal: appealAccessSchema,
    decision: z.strictObject({
      id: idSchema,
      seq: z.number().int().positive(),
      kind: z.enum(['completion', 'rejection']),
      reviewId: idSchema.nullable(),
    }),
  }),
  /**
   * The citizen rated the decision or changed the rating, or its review moved
   * (`change`); `reviewState` is the review's state after it (null: no review).
   * The room reads the appeal again; the department's supervisors hear of a
   * review opened or overdue.
   */
  z.strictObject({
    type: z.literal('feedback.changed'),
    appeal: appealAccessSchema,
    change: z.enum(FEEDBACK_CHANGES),
    actorId: idSchema.nullable(),
    stars: z.number().int().min(1).max(5),
    reviewId: idSchema.nullable(),
    reviewState: z.enum(REVIEW_STATES).nullable(),
    reviewDueAt: z.number().nullable(),
  }),
  /**
   * An appeal was escalated to a higher department (PRODUCT.md §7): `appeal` is
   * the new appeal there, `original` the escalated one (its readers now include
   * that department). The higher department's queue and the citizen's list show it.
   */
  z.strictObject({
    type: z.literal('appeal.escalated'),
    appeal: appealAccessSchema,
    original: appealAccessSchema,
    actorId: idSchema,
    byRole: z.enum(['citizen', 'supervisor']),
  }),
  /** The higher department answered an escalation (a decision or an explanatory note); it shows in the original case. */
  z.strictObject({
    type: z.literal('escalation.answered'),
    appeal: appealAccessSchema,
    originalAppealId: idSchema,
    kind: z.enum(['decision', 'note']),
    actorId: idSchema,
  }),
  /** A suggestion's mark changed after its reply («принято к рассмотрению», «учтено»). */
  z.strictObject({
    type: z.literal('suggestion.marked'),
    appeal: appealAccessSchema,
    mark: z.enum(['under_consideration', 'taken_into_account']),
    actorId: idSchema,
  }),
  /** The citizen supplemented the appeal or corrected it (a case entry); the room fetches what it may see of it. */
  z.strictObject({
    type: z.literal('case.entry_added'),
    appealId: idSchema,
    seq: z.number().int().positive(),
    kind: z.enum(['supplement', 'correction']),
    authorId: idSchema,
  }),
  /** A person's data export is ready to download until `expiresAt` (docs/personal-data.md); the person is notified. */
  z.strictObject({ type: z.literal('export.ready'), userId: idSchema, exportId: idSchema, expiresAt: z.number() }),
  /** A deleted account's data was replaced by its pseudonym at the end of retention; its kept appeals are indexed again. */
  z.strictObject({ type: z.literal('account.pseudonymised'), userId: idSchema, appealIds: z.array(idSchema).max(100_000) }),
]);

export type AppealAccessEvent = z.infer<typeof appealAccessSchema>;
export type StatusEntry = z.infer<typeof statusEntrySchema>;
export type ChatPosted = z.infer<typeof chatPostedSchema>;
export type DomainEvent = z.infer<typeof domainEventSchema>;

/** The event in a message from another instance, or null when it is not exactly one. */
export function parseDomainEvent(value: unknown): DomainEvent | null {
  const parsed = domainEventSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export interface EventBus {
  publish(event: DomainEvent): void;
  subscribe(handler: (event: DomainEvent) => void): () => void;
}

/** The in-process bus: handlers run synchronously, in subscription order. */
export class LocalBus implements EventBus {
  private readonly handlers = new Set<(event: DomainEvent) => void>();
  publish(event: DomainEvent): void {
    for (const h of this.handlers) h(event);
  }
  subscribe(handler: (event: DomainEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }
}
