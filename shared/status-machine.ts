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
