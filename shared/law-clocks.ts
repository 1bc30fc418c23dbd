/**
 * The clocks of the law on citizens' appeals (Федеральный закон от 02.05.2006
 * № 59-ФЗ) as this system counts them; docs/notifications.md, "Clocks", gives
 * the reasons and worked examples.
 *
 * 59-ФЗ writes every one of its terms in days, not working days, so each runs
 * in calendar days, from the day after the event that starts it (ГК РФ ст. 191),
 * and a term whose last day is not a working day ends on the next working day
 * (ГК РФ ст. 193). The working-day calendar (public holidays and the
 * government's transfer days) thus decides where each term ends. The
 * reminders are counted in working days.
 */

/** The clocks an appeal runs. */
export const CLOCK_KINDS = ['registration', 'answer', 'redirect'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

/**
 * Where a clock stands: `pending` (not started: a redirected appeal's answer
 * term starts at its registration in the receiving body), `running`, `met`
 * (done by the deadline), `late` (done after it), `missed` (past it, not done).
 */
export const CLOCK_STATES = ['pending', 'running', 'met', 'late', 'missed'] as const;
export type ClockState = (typeof CLOCK_STATES)[number];

export const LAW_CLOCKS = {
  /** ст. 8 ч. 2: registered within 3 days of receipt. */
  registrationDays: 3,
  /** ст. 12 ч. 1: answered within 30 days of registration (a category may set a shorter term). */
  answerDays: 30,
  /** ст. 12 ч. 2: extended, in exceptional cases, by at most 30 days in all, the citizen notified. */
  maxExtensionDays: 30,
  /** ст. 8 ч. 3: an appeal outside the body's competence is sent to the competent one within 7 days of registration. */
  redirectDays: 7,
  /** Reminders to the assignee, in working days before a deadline. */
  reminderWorkingDays: [5, 1],
} as const;
