/**
 * The status machine of an appeal (PRODUCT.md §2), shared by server and client so
 * that the buttons a person sees and the checks the server makes are one table.
 */

/** Every status an appeal can be in, in the order of its usual life. */
export const STATUSES = ['draft', 'registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'completed', 'rejected'] as const;
export type Status = (typeof STATUSES)[number];

/** Roles of people; `system` is the clock (for example the 5-day auto-confirmation). */
export const ROLES = ['citizen', 'operator', 'expert', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export type Actor = Role | 'system';

/** Russian labels of the statuses (the seeds' wording); English lives in the i18n table. */
export const STATUS_LABELS_RU: Record<Status, string> = {
  draft: 'Черновик',
  registered: 'Принято',
  in_progress: 'В работе',
  info_requested: 'Требуются сведения',
  awaiting_confirmation: 'Ожидает подтверждения',
  completed: 'Завершено',
  rejected: 'Отклонено',
};

/** What the actor must write along with the transition. */
export type Requirement = 'none' | 'comment' | 'reason';

/** One allowed transition. `action` names it for buttons, events and the audit journal. */
export interface Transition {
  readonly action: TransitionAction;
  readonly from: Status;
  readonly to: Status;
  readonly actors: readonly Actor[];
  readonly requires: Requirement;
}

export const TRANSITION_ACTIONS = [
  'submit',
  'take',
  'request_info',
  'provide_info',
  'resume',
  'propose_resolution',
  'confirm',
  'dispute',
  'auto_confirm',
  'reject',
  'resubmit',
  'reopen',
  're_examine',
  'answer',
] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

const OFFICERS = ['operator', 'supervisor'] as const;

/** The whole table. Anything not listed here is refused. */
export const TRANSITIONS: readonly Transition[] = [
  { action: 'submit', from: 'draft', to: 'registered', actors: ['citizen'], requires: 'none' },
  { action: 'take', from: 'registered', to: 'in_progress', actors: OFFICERS, requires: 'none' },
  { action: 'request_info', from: 'in_progress', to: 'info_requested', actors: OFFICERS, requires: 'comment' },
  { action: 'provide_info', from: 'info_requested', to: 'in_progress', actors: ['citizen'], requires: 'comment' },
  { action: 'resume', from: 'info_requested', to: 'in_progress', actors: OFFICERS, requires: 'none' },
  { action: 'propose_resolution', from: 'in_progress', to: 'awaiting_confirmation', actors: OFFICERS, requires: 'comment' },
  { action: 'confirm', from: 'awaiting_confirmation', to: 'completed', actors: ['citizen'], requires: 'none' },
  { action: 'auto_confirm', from: 'awaiting_confirmation', to: 'completed', actors: ['system'], requires: 'none' },
  { action: 'dispute', from: 'awaiting_confirmation', to: 'in_progress', actors: ['citizen'], requires: 'comment' },
  { action: 'reject', from: 'registered', to: 'rejected', actors: OFFICERS, requires: 'reason' },
  { action: 'reject', from: 'in_progress', to: 'rejected', actors: OFFICERS, requires: 'reason' },
  { action: 'reject', from: 'info_requested', to: 'rejected', actors: OFFICERS, requires: 'reason' },
  { action: 'resubmit', from: 'rejected', to: 'registered', actors: ['citizen'], requires: 'none' },
  { action: 'reopen', from: 'completed', to: 'in_progress', actors: ['supervisor'], requires: 'comment' },
];

/**
 * Transitions taken only inside another use case, never from the status bar
 * or `/transitions`: a supervisor's review of a rating starts the
 * re-examination (PRODUCT.md §7), which reopens the completed appeal with a
 * new assignee in the same write as the review's change.
 */
export const LINKED_TRANSITIONS: readonly Transition[] = [
  { action: 're_examine', from: 'completed', to: 'in_progress', actors: ['supervisor'], requires: 'comment' },
  // The reply to a suggestion (with its mark), or a higher department's answer to an escalation
  // (a decision or an explanatory note): no decision for the citizen to confirm (seed 004, PRODUCT.md §7).
  { action: 'answer', from: 'in_progress', to: 'completed', actors: ['operator', 'supervisor'], requires: 'comment' },
];

/**
 * Kinds of appeal with flows of their own: a suggestion, and an appeal that
 * came by escalation, are answered (`answer`, above) and have no resolution
 * to propose and confirm.
 */
export function isAnsweredKind(appeal: { type: string | null; escalated: boolean }): boolean {
  return appeal.type === 'suggestion' || appeal.escalated;
}

/**
 * Actions a support conversation (docs/support.md) never takes: support
 * answers a question and rejects nothing under the law, so nothing is resubmitted.
 */
export const NOT_FOR_SUPPORT: ReadonlySet<TransitionAction> = new Set<TransitionAction>(['reject', 'resubmit']);

/** Whether the kind of appeal allows this action of the table (the others are the same for every kind). */
export function allowedForKind(action: TransitionAction, appeal: { type: string | null; escalated: boolean; kind?: string }): boolean {
  if (appeal.kind === 'support' && NOT_FOR_SUPPORT.has(action)) return false;
  return !(isAnsweredKind(appeal) && action === 'propose_resolution');
}

/** Days after a proposed resolution when silence counts as confirmation (PRODUCT.md §2). */
export const AUTO_CONFIRM_DAYS = 5;

/** The transition from `from` to `to` that `actor` may take, or undefined. */
export function findTransition(actor: Actor, from: Status, to: Status): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to && t.actors.includes(actor));
}

/** Every transition `actor` may take out of `from` (for buttons). */
export function transitionsFrom(actor: Actor, from: Status): Transition[] {
  return TRANSITIONS.filter((t) => t.from === from && t.actors.includes(actor));
}

/** Statuses in which the appeal's room is open for work (chat, co-editing). */
export function isOpen(status: Status): boolean {
  return status !== 'draft' && status !== 'completed' && status !== 'rejected';
}

// After the decision (PRODUCT.md §7): the citizen's rating and the supervisor's review of it.

/** The one status in which a decision may be rated, or a rating changed. */
export const RATEABLE_STATUS: Status = 'completed';

/** Stars of a rating. */
export const MIN_STARS = 1;
export const MAX_STARS = 5;

/** The review's own clock: a supervisor answers a rating's review within this many days. */
export const REVIEW_DAYS = 30;

/** Whether a rating calls for a supervisor's review: one or two stars, or remarks the citizen marked as a complaint. */
export function opensReview(stars: number, isComplaint: boolean): boolean {
  return stars <= 2 || isComplaint;
}

/** The states of a review, in the order of its life. */
export const REVIEW_STATES = ['pending', 'in_review', 'closed', 're_examination', 'completed', 'withdrawn'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** Russian labels of the review states (the seed's «статус пересмотра: в процессе, завершён»). */
export const REVIEW_LABELS_RU: Record<ReviewState, string> = {
  pending: 'Ожидает проверки руководителем',
  in_review: 'На проверке у руководителя',
  closed: 'Проверка завершена, дан ответ',
  re_examination: 'Пересмотр в процессе',
  completed: 'Пересмотр завершён',
  withdrawn: 'Проверка не требуется',
};

export const REVIEW_ACTIONS = ['open', 'withdraw', 'start', 'close', 're_examine', 'complete'] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

/** Who takes a review's step: the citizen by rating, the department's supervisor, or the system when the new decision is issued. */
export type ReviewActor = 'citizen' | 'supervisor' | 'system';

export interface ReviewTransition {
  readonly action: ReviewAction;
  /** null: the rating has no review yet. */
  readonly from: readonly (ReviewState | null)[];
  readonly to: ReviewState;
  readonly actor: ReviewActor;
}

/** The review's table. Anything not listed here is refused. */
export const REVIEW_TRANSITIONS: readonly ReviewTransition[] = [
  { action: 'open', from: [null, 'withdrawn'], to: 'pending', actor: 'citizen' },
  { action: 'withdraw', from: ['pending'], to: 'withdrawn', actor: 'citizen' },
  { action: 'start', from: ['pending'], to: 'in_review', actor: 'supervisor' },
  { action: 'close', from: ['pending', 'in_review'], to: 'closed', actor: 'supervisor' },
  { action: 're_examine', from: ['pending', 'in_review'], to: 're_examination', actor: 'supervisor' },
  { action: 'complete', from: ['re_examination'], to: 'completed', actor: 'system' },
];

/** The review step `actor` may take with `action` out of `from` (null: no review yet), or undefined. */
export function findReviewTransition(action: ReviewAction, from: ReviewState | null, actor: ReviewActor): ReviewTransition | undefined {
  return REVIEW_TRANSITIONS.find((t) => t.action === action && t.actor === actor && t.from.includes(from));
}

/** Review steps `actor` may take out of `from` (for buttons). */
export function reviewActionsFrom(actor: ReviewActor, from: ReviewState | null): ReviewAction[] {
  return REVIEW_TRANSITIONS.filter((t) => t.actor === actor && t.from.includes(from)).map((t) => t.action);
}

/** Whether the citizen may still change the rating: until a supervisor has started its review (none, waiting, or no longer needed). */
export function isRatingChangeable(review: ReviewState | null): boolean {
  return review === null || review === 'pending' || review === 'withdrawn';
}
